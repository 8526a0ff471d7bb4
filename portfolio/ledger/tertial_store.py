"""The tertial review's tables: the project leaders' notes, the report snapshots and the parties' reviews.

A tertial report has, per period: a note per object (a comment and a forecast, edited under its
version so a stale edit is refused rather than overwriting another), frozen snapshots of the
report (its payload as JSON with a scope and a note, so a later import does not change what was
frozen), and each party's review with its comment. The tables are created by the
ledger's migrations in `store.py`; `tertial.py` builds the report and calls these functions.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import Database, frame, row_dict, table_insert, to_json, update_if_unchanged

NOTE_SCHEMA: dict[str, Any] = {
    "object": pl.String,
    "comment": pl.String,
    "forecast_ore": pl.Int64,
    "user_email": pl.String,
    "updated_at": pl.String,
    "version": pl.Int64,
}


def _report_frame(db: Database, table: str, schema: dict[str, Any], year: int, period: str) -> pl.DataFrame:
    """The schema's columns of `table`'s rows for one report, ordered by the schema's first column."""
    columns = list(schema)
    return frame(
        db,
        f"SELECT {', '.join(columns)} FROM {table} WHERE year = ? AND period = ? ORDER BY {columns[0]}",
        [year, period],
        schema,
    )


def _report_row(
    db: Database, select: str, year: int, period: str, key: str, value: str
) -> dict[str, Any] | None:
    """The row `select` (columns and table) finds for one report and one `key`, or None."""
    return row_dict(db, f"SELECT {select} WHERE year = ? AND period = ? AND {key} = ?", [year, period, value])


def notes_frame(db: Database, year: int, period: str) -> pl.DataFrame:
    """Comments and forecasts per object for a report."""
    return _report_frame(db, "tertial_notes", NOTE_SCHEMA, year, period)


def get_note(db: Database, year: int, period: str, obj: str) -> dict[str, Any] | None:
    """One object's comment and forecast, or None."""
    return _report_row(db, "comment, forecast_ore, version FROM tertial_notes", year, period, "object", obj)


def upsert_note(
    db: Database,
    *,
    year: int,
    period: str,
    obj: str,
    comment: str,
    forecast_ore: int | None,
    user_email: str,
    expected_version: int | None,
) -> bool:
    """Insert or update a note; False when the stored version is not `expected_version`."""
    if expected_version is None:
        cur = db.execute(
            "INSERT OR IGNORE INTO tertial_notes (year, period, object, comment, forecast_ore, user_email,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [year, period, obj, comment, forecast_ore, user_email, clock.now()],
        )
    else:
        return update_if_unchanged(
            db,
            "tertial_notes",
            {
                "comment": comment,
                "forecast_ore": forecast_ore,
                "user_email": user_email,
                "updated_at": clock.now(),
            },
            where={"year": year, "period": period, "object": obj},
            version=expected_version,
        )
    return cur.rowcount > 0


def insert_snapshot(
    db: Database, *, year: int, period: str, scope: str, user_email: str, source: str, payload: Any, note: str
) -> int:
    """Store a frozen report; returns its id."""
    return table_insert(
        db,
        "tertial_snapshots",
        {
            "year": year,
            "period": period,
            "scope": scope,
            "frozen_at": clock.now(),
            "user_email": user_email,
            "source": source,
            "payload": to_json(payload),
            "note": note,
        },
    )


def latest_snapshot(db: Database, year: int, period: str, scope: str) -> dict[str, Any] | None:
    """The most recent frozen report for a period and scope, or None."""
    row = row_dict(
        db,
        "SELECT id, frozen_at, user_email, source, payload, note FROM tertial_snapshots"
        " WHERE year = ? AND period = ? AND scope = ? ORDER BY id DESC LIMIT 1",
        [year, period, scope],
    )
    return None if row is None else {**row, "payload": json.loads(row["payload"])}


REVIEW_SCHEMA: dict[str, Any] = {
    "party": pl.String,
    "user_email": pl.String,
    "user_name": pl.String,
    "comment": pl.String,
    "reviewed_at": pl.String,
}


def reviews_frame(db: Database, year: int, period: str) -> pl.DataFrame:
    """Which parties have reviewed a report, with comment and time."""
    return _report_frame(db, "tertial_reviews", REVIEW_SCHEMA, year, period)


def get_review(db: Database, year: int, period: str, party: str) -> dict[str, Any] | None:
    """A party's review of a report, or None."""
    return _report_row(
        db, "user_email, comment, reviewed_at FROM tertial_reviews", year, period, "party", party
    )


def upsert_review(
    db: Database,
    *,
    year: int,
    period: str,
    party: str,
    user_id: int | None,
    user_email: str,
    user_name: str,
    comment: str,
) -> None:
    """Record (or renew) a party's review."""
    db.execute(
        "INSERT INTO tertial_reviews (year, period, party, user_id, user_email, user_name, comment,"
        " reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(year, period, party) DO UPDATE SET"
        " user_id = excluded.user_id, user_email = excluded.user_email, user_name = excluded.user_name,"
        " comment = excluded.comment, reviewed_at = excluded.reviewed_at",
        [year, period, party, user_id, user_email, user_name, comment, clock.now()],
    )
