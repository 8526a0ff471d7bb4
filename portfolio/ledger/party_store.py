"""The party view a municipal CEO's review refers to: one row per review (year, period, party).

The only module that writes `tertial_review_views`. The review itself stays in
`tertial_reviews` (portfolio/ledger/store.py); this table says which figures it was made on.
"""

from __future__ import annotations

import json
from typing import Any

from portfolio import clock
from portfolio.db import Database, Migrations

MIGRATIONS = Migrations("party_view")


@MIGRATIONS
def m001_review_views(db: Database) -> None:
    """Which party view (party, year, period, totals, fingerprint) a review refers to."""
    db.execute(
        "CREATE TABLE tertial_review_views ("
        " year INTEGER NOT NULL, period TEXT NOT NULL, party TEXT NOT NULL,"
        " view TEXT NOT NULL, recorded_at TEXT NOT NULL,"
        " PRIMARY KEY (year, period, party))"
    )


def upsert_review_view(db: Database, *, year: int, period: str, party: str, view: dict[str, Any]) -> None:
    """Record (or renew) the view a party's review of a period refers to."""
    db.execute(
        "INSERT INTO tertial_review_views (year, period, party, view, recorded_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(year, period, party) DO UPDATE SET view = excluded.view,"
        " recorded_at = excluded.recorded_at",
        [year, period, party, json.dumps(view, ensure_ascii=False, sort_keys=True), clock.now()],
    )


def review_view(db: Database, year: int, period: str, party: str) -> dict[str, Any] | None:
    """The view a party's review of a period refers to, or None (no review, or one made before)."""
    row = db.execute(
        "SELECT view, recorded_at FROM tertial_review_views WHERE year = ? AND period = ? AND party = ?",
        [year, period, party],
    ).fetchone()
    if row is None:
        return None
    return {**json.loads(row[0]), "recorded_at": row[1]}
