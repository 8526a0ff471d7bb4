"""Rows written straight to the tables, as an older version of the app left them."""

from __future__ import annotations

from portfolio.db import Database
from portfolio.ledger import tertial_store


def bracke_t1_2019_review(
    db: Database, *, user_email: str = "kc@x.se", user_name: str = "K", comment: str = ""
) -> None:
    """Bräcke's review of T1 2019 by someone with no account, and no view of the figures recorded."""
    tertial_store.upsert_review(
        db,
        year=2019,
        period="T1",
        party="BRACKE",
        user_id=None,
        user_email=user_email,
        user_name=user_name,
        comment=comment,
    )
