"""The seeded users, found by e-mail."""

from __future__ import annotations

from portfolio import users_store
from portfolio.auth import User
from portfolio.db import Database


def persona(db: Database, email: str) -> User:
    """The user with this e-mail; the test fails if there is none."""
    found = users_store.find_user(db, email)
    assert found is not None, f"{email} saknas"
    return found[0]
