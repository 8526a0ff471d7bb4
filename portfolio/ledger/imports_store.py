"""The ledger's imports: the import log (`ledger_imports`) and the rows an import writes.

A SIE or CSV import starts a log row (`insert_import`), inserts its vouchers' rows
(`ledger_rows`, one per `#TRANS`, integer öre, date as YYYYMMDD), its budget and period
balances (`ledger_budget`, with their year index and whether the object list was empty) and its
objects (`ledger_objects`), then fills in its counts (`finish_import`). A SIE import parses into
a scratch file first and copies the rows in at the end (`create_staging`, `copy_staged`).
Reports never scan those rows: they read the columnar copy in `columns_store.py`. The tables
are created by the ledger's migrations in `store.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import polars as pl

from portfolio import clock
from portfolio.db import Database, connect_scratch, table_frame, table_insert, to_json

IMPORT_COLUMNS = (
    "id",
    "kind",
    "file_name",
    "fingerprint",
    "user_email",
    "imported_at",
    "organisation",
    "company",
    "fiscal_start",
    "fiscal_end",
    "year",
    "encoding",
    "encoding_message",
    "vouchers",
    "trans_rows",
    "ignored_rows",
    "budget_rows",
    "balance_rows",
    "objects",
    "first_date",
    "last_date",
    "warnings",
    "unbalanced",
    "allow_unbalanced",
    "unmapped_accounts",
    "project_dimension",
    "superseded_by",
    "removed_at",
    "sie_type",
    "addition",
    "checksum",
)
IMPORT_SCHEMA: dict[str, Any] = {
    **dict.fromkeys(IMPORT_COLUMNS, pl.String),
    "id": pl.Int64,
    "year": pl.Int64,
    "vouchers": pl.Int64,
    "trans_rows": pl.Int64,
    "ignored_rows": pl.Int64,
    "budget_rows": pl.Int64,
    "balance_rows": pl.Int64,
    "objects": pl.Int64,
    "unbalanced": pl.Int64,
    "allow_unbalanced": pl.Boolean,
    "superseded_by": pl.Int64,
}


def import_by_fingerprint(db: Database, fingerprint: str) -> dict[str, Any] | None:
    """The import log row of a file already imported, or None."""
    cur = db.execute(
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM ledger_imports WHERE fingerprint = ?", [fingerprint]
    )
    row = cur.fetchone()
    return None if row is None else dict(zip(IMPORT_COLUMNS, row, strict=True))


def get_import(db: Database, import_id: int) -> dict[str, Any] | None:
    """One import log row, or None."""
    row = db.execute(
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM ledger_imports WHERE id = ?", [import_id]
    ).fetchone()
    return None if row is None else dict(zip(IMPORT_COLUMNS, row, strict=True))


def imports_frame(db: Database) -> pl.DataFrame:
    """The import log, newest first."""
    return table_frame(db, "ledger_imports", IMPORT_SCHEMA, order_by="id DESC")


def insert_import(
    db: Database,
    *,
    kind: str,
    file_name: str,
    fingerprint: str,
    user_id: int | None,
    user_email: str,
    organisation: str,
    project_dimension: str,
    allow_unbalanced: bool,
) -> int:
    """Start an import log row; its counts are filled in by `finish_import`."""
    return table_insert(
        db,
        "ledger_imports",
        {
            "kind": kind,
            "file_name": file_name,
            "fingerprint": fingerprint,
            "user_id": user_id,
            "user_email": user_email,
            "imported_at": clock.now(),
            "organisation": organisation,
            "project_dimension": project_dimension,
            "allow_unbalanced": allow_unbalanced,
        },
    )


def finish_import(db: Database, import_id: int, facts: dict[str, Any]) -> None:
    """Store an import's counts, period range and warnings."""
    allowed = set(IMPORT_COLUMNS) - {"id", "fingerprint", "user_email", "imported_at", "kind"}
    cols = [c for c in facts if c in allowed]
    values = [to_json(facts[c]) if isinstance(facts[c], list | dict) else facts[c] for c in cols]
    db.execute(
        f"UPDATE ledger_imports SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
        [*values, import_id],
    )


def earlier_imports_of_year(
    db: Database, organisation: str, year: int, kind: str, import_id: int
) -> list[int]:
    """Live imports of the same organisation, fiscal year and kind, other than `import_id`."""
    rows = db.execute(
        "SELECT id FROM ledger_imports WHERE organisation = ? AND year = ? AND kind = ? AND id != ?"
        " AND superseded_by IS NULL AND removed_at IS NULL",
        [organisation, year, kind, import_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def delete_import_rows(db: Database, import_id: int) -> int:
    """Delete an import's rows (superseded or removed); the log row stays. Returns rows deleted."""
    deleted = 0
    for table in ("ledger_rows", "ledger_columns", "ledger_budget", "ledger_objects"):
        deleted += db.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id]).rowcount
    return deleted


def mark_superseded(db: Database, import_id: int, by: int) -> None:
    """Record that a later import of the same year replaced this one."""
    db.execute("UPDATE ledger_imports SET superseded_by = ? WHERE id = ?", [by, import_id])


def mark_removed(db: Database, import_id: int) -> None:
    """Record that an import was removed by hand."""
    db.execute("UPDATE ledger_imports SET removed_at = ? WHERE id = ?", [clock.now(), import_id])


# Rows are inserted in batches inside the import's single transaction: executemany keeps the
# per-row cost in C.
def insert_rows(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ledger rows: (import_id, date, account, object, objects, amount_ore, voucher, text)."""
    db.conn.executemany("INSERT INTO ledger_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


# One statement per batch: SQLite unpacks the JSON array in C with the GIL released, so on a
# second core it runs beside the parser instead of taking turns with it row by row.
_INSERT_ROWS_JSON = (
    "INSERT INTO ledger_rows SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(8))
    + " FROM json_each(?)"
)


def insert_rows_json(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ledger rows (see `insert_rows`) as one JSON array in one statement.

    orjson writes the array about five times faster than the json module; the writer thread
    holds the GIL while it does, so that time is taken from the parser.
    """
    db.conn.execute(_INSERT_ROWS_JSON, [orjson.dumps(rows).decode()])


def last_row_id(db: Database) -> int:
    """The highest rowid of ledger_rows (0 when empty): rows inserted after it are newer."""
    return int(db.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM ledger_rows").fetchone()[0])


def month_sums_after(db: Database, row_id: int) -> list[tuple[int, str, str | None, int]]:
    """(year*100 + month, account, object, sum in öre) of the ledger rows after `row_id`."""
    return db.conn.execute(
        "SELECT date / 100, account, object, SUM(amount_ore) FROM ledger_rows WHERE rowid > ?"
        " GROUP BY date / 100, account, object",
        [row_id],
    ).fetchall()


# An import parses into a scratch file first, outside the database's write lock, and copies the
# rows in with one INSERT … SELECT per table in its short final transaction.
STAGED_TABLES = ("ledger_rows", "ledger_budget")


def create_staging(db: Database, path: str) -> Database:
    """A scratch database at `path` with empty copies of the import's row tables (read from `db`)."""
    marks = ", ".join("?" * len(STAGED_TABLES))
    ddl = [
        r[0]
        for r in db.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})", STAGED_TABLES
        ).fetchall()
    ]
    staging = connect_scratch(path)
    for sql in ddl:
        staging.execute(sql)
    return staging


def database_file(db: Database) -> str | None:
    """The main database's file, or None for one in memory."""
    row = db.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
    return row[0] if row and row[0] else None


def attach_staging(db: Database, path: str) -> None:
    """Make a finished scratch file readable as `staging` (outside a transaction, as SQLite asks)."""
    db.execute("ATTACH DATABASE ? AS staging", [path])


def detach_staging(db: Database) -> None:
    """Forget the scratch file again."""
    db.execute("DETACH DATABASE staging")


def copy_staged(db: Database, import_id: int) -> None:
    """Copy the staged rows in under `import_id`, in file order (inside the import's write)."""
    db.execute(
        "INSERT INTO main.ledger_rows SELECT ?, date, account, object, objects, amount_ore, voucher, text"
        " FROM staging.ledger_rows ORDER BY rowid",
        [import_id],
    )
    db.execute(
        "INSERT INTO main.ledger_budget SELECT ?, kind, year_index, year, month, account, object,"
        " objects, amount_ore, is_total, line FROM staging.ledger_budget ORDER BY rowid",
        [import_id],
    )


def insert_budget_rows(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert (import_id, kind, year_index, year, month, account, object, objects, amount, is_total, line)."""
    db.conn.executemany("INSERT INTO ledger_budget VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def insert_objects(db: Database, rows: Iterable[tuple[str | int, ...]]) -> None:
    """Insert (import_id, dimension, object, name)."""
    db.conn.executemany("INSERT OR IGNORE INTO ledger_objects VALUES (?, ?, ?, ?)", rows)


def live_fiscal_years(db: Database) -> list[tuple[str, str]]:
    """The fiscal years (first and last day, ISO) that the live SIE imports state in #RAR 0."""
    return [
        (str(r[0]), str(r[1]))
        for r in db.execute(
            "SELECT DISTINCT fiscal_start, fiscal_end FROM ledger_imports"
            " WHERE superseded_by IS NULL AND removed_at IS NULL AND fiscal_start IS NOT NULL"
            " AND fiscal_end IS NOT NULL ORDER BY fiscal_start"
        )
    ]


def live_organisations(db: Database) -> list[str]:
    """Organisations of the live SIE imports, most recent first."""
    return [
        str(r[0])
        for r in db.execute(
            "SELECT organisation FROM ledger_imports WHERE superseded_by IS NULL AND removed_at IS NULL"
            " GROUP BY organisation ORDER BY MAX(id) DESC"
        )
    ]
