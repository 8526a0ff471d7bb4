"""The ledger's columnar copy, and what the reports read of the ledger.

Reports never scan those rows. While a file is read, its sums per month, account and project
object are kept, and the import stores them in `ledger_columns` as a columnar copy: one Parquet
blob per import, part ('utfall' or 'budget') and year, written in the import's transaction and
deleted with its rows. Reading a year back is a blob read and a Parquet decode (about 10 ms for
250 000 sums), where fetching the same sums row by row through sqlite3 took about a second;
docs/performance.md has the measurements behind that choice.

Besides writing and reading that copy (`insert_columns`, `actual_months`, `budget_months`,
`import_actual`), this module answers which years have outcome or budget, and the names of the
project objects. The tables are created by the ledger's migrations in `store.py`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl

from portfolio.db import Database

ACTUAL_SCHEMA: dict[str, Any] = {
    "year": pl.Int64,
    "month": pl.Int64,
    "account": pl.String,
    "object": pl.String,
    "amount_ore": pl.Int64,
}
BUDGET_SCHEMA: dict[str, Any] = {"import_id": pl.Int64, **ACTUAL_SCHEMA, "is_total": pl.Boolean}
BUDGET_SUMS_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "year_index": pl.Int64,
    **ACTUAL_SCHEMA,
    "is_total": pl.Boolean,
}


def insert_columns(db: Database, import_id: int, part: str, sums: pl.DataFrame) -> None:
    """Store an import's sums as Parquet, one blob per year.

    `part` is 'utfall' (columns of ACTUAL_SCHEMA: #TRANS per month, account and object) or
    'budget' (BUDGET_SUMS_SCHEMA: #PBUDGET and #PSALDO per kind, year index, month, account,
    object and whether the row is a total).
    """
    schema = ACTUAL_SCHEMA if part == "utfall" else BUDGET_SUMS_SCHEMA
    sums = sums.select(list(schema)).cast(pl.Schema(schema))
    for (year,), one_year in sums.partition_by("year", as_dict=True).items():
        buffer = io.BytesIO()
        one_year.write_parquet(buffer, compression="zstd", statistics=False)
        db.conn.execute(
            "INSERT INTO ledger_columns VALUES (?, ?, ?, ?, ?)",
            [import_id, part, year, one_year.height, buffer.getvalue()],
        )


def _read_columns(db: Database, part: str, years: Sequence[int]) -> pl.DataFrame:
    schema = ACTUAL_SCHEMA if part == "utfall" else BUDGET_SUMS_SCHEMA
    marks = ", ".join("?" * len(years)) or "NULL"
    blobs = db.execute(
        f"SELECT import_id, parquet FROM ledger_columns WHERE part = ? AND year IN ({marks})",
        [part, *years],
    ).fetchall()
    frames = [
        pl.read_parquet(io.BytesIO(blob)).with_columns(pl.lit(import_id, dtype=pl.Int64).alias("import_id"))
        for import_id, blob in blobs
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema={**schema, "import_id": pl.Int64})


def import_actual(db: Database, import_id: int) -> pl.DataFrame:
    """One import's #TRANS sums per month, account and object (its columnar copy)."""
    blobs = db.execute(
        "SELECT parquet FROM ledger_columns WHERE part = 'utfall' AND import_id = ?", [import_id]
    ).fetchall()
    frames = [pl.read_parquet(io.BytesIO(blob)) for (blob,) in blobs]
    return pl.concat(frames) if frames else pl.DataFrame(schema=ACTUAL_SCHEMA)


def actual_months(db: Database, years: Sequence[int]) -> pl.DataFrame:
    """#TRANS sums per year, month, account and project object for the given years."""
    keys = ["year", "month", "account", "object"]
    return (
        _read_columns(db, "utfall", years)
        .group_by(keys)
        .agg(pl.col("amount_ore").sum())
        .select(list(ACTUAL_SCHEMA))
    )


def budget_months(db: Database, kind: str, years: Sequence[int], year_index: int | None) -> pl.DataFrame:
    """Budget (kind 'PBUDGET') or period balances ('PSALDO') per import, month, account, object."""
    keys = ["import_id", "year", "month", "account", "object", "is_total"]
    sums = _read_columns(db, "budget", years).filter(pl.col("kind") == kind)
    if year_index is not None:
        sums = sums.filter(pl.col("year_index") == year_index)
    return sums.group_by(keys).agg(pl.col("amount_ore").sum()).select(list(BUDGET_SCHEMA))


def ledger_years(db: Database) -> list[int]:
    """Years that have imported #TRANS rows."""
    return [
        int(r[0])
        for r in db.execute("SELECT DISTINCT year FROM ledger_columns WHERE part = 'utfall' ORDER BY year")
    ]


def budget_years(db: Database) -> list[int]:
    """Years with imported year-0 budget rows."""
    return [
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT year FROM ledger_budget WHERE kind = 'PBUDGET' AND year_index = 0 ORDER BY year"
        )
    ]


def object_names(db: Database) -> dict[tuple[str, str], str]:
    """(dimension, object) → name, from every live import (later imports win)."""
    rows = db.execute("SELECT dimension, object, name FROM ledger_objects ORDER BY import_id").fetchall()
    return {(str(d), str(o)): str(n) for d, o, n in rows if n}
