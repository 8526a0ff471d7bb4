"""The seeded users, found by e-mail, and Anna: an account a test adds to log in with."""

from __future__ import annotations

from portfolio import accounts, users_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database

PASSWORD = "ett-riktigt-bra-losenord"


def persona(db: Database, email: str) -> User:
    """The user with this e-mail; the test fails if there is none."""
    found = users_store.find_user(db, email)
    assert found is not None, f"{email} saknas"
    return found[0]


def add_anna(db: Database) -> None:
    """Anna Andersson (anna@region.se), a project leader on LINK2 who logs in with PASSWORD."""
    accounts.create_user(
        db,
        SYSTEM,
        email="anna@region.se",
        name="Anna Andersson",
        role="projektledare",
        project_codes=("GNS/8/2018",),
        password=PASSWORD,
    )
