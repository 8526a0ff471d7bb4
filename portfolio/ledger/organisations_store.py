"""The list of organisations whose SIE files the ledger accepts, by organisation number.

An SIE file from an organisation not on this list is imported only once the importer confirms
that it belongs to the committee, which puts it on the list; the seed lists the known ones. The table is
created by the ledger's migrations in `store.py`; `organisations.py` validates numbers and
names and calls these functions, and the SIE import looks up the listed name.
"""

from __future__ import annotations

import polars as pl

from portfolio import clock
from portfolio.db import Database, first_value, table_frame


def organisations_frame(db: Database) -> pl.DataFrame:
    """The organisations whose SIE files are accepted, by number."""
    return table_frame(
        db,
        "ledger_organisations",
        dict.fromkeys(("org_no", "name", "added_at", "added_by"), pl.String),
        order_by="org_no",
    )


def organisation_name(db: Database, org_no: str) -> str | None:
    """The listed name of an organisation number, or None when it is not on the list."""
    return first_value(db, "SELECT name FROM ledger_organisations WHERE org_no = ?", [org_no], str)


def insert_organisation(db: Database, org_no: str, name: str, added_by: str) -> bool:
    """Put an organisation on the list; False when it was there already."""
    cur = db.execute(
        "INSERT OR IGNORE INTO ledger_organisations VALUES (?, ?, ?, ?)",
        [org_no, name, clock.now(), added_by],
    )
    return cur.rowcount > 0
