"""What every `portfolj` sub-command reads the same way: dates and the acting user."""

from __future__ import annotations

import argparse
from datetime import date

from portfolio import users_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from portfolio.errors import NotFoundError


def iso_day(text: str) -> date:
    """An argparse type for a date written ÅÅÅÅ-MM-DD, refused in Swedish otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inget datum; skriv ÅÅÅÅ-MM-DD") from None


def acting_user(db: Database, email: str | None) -> User:
    """The acting user: --user EMAIL, else the system user (the command line runs as admin)."""
    if not email:
        return SYSTEM
    found = users_store.find_user(db, email)
    if found is None:
        raise NotFoundError(f"Det finns inget konto med e-postadressen {email}")
    return found[0]
