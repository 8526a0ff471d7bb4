"""The benchmark's reference SQL: the tertial aggregation written directly, in SQLite, DuckDB and
pandas, to check portfolj's figures and time them against (`portfolj bench`). Like every other
SQL in portfolj it lives in a store module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from portfolio.db import Database, connect_readonly

AGG_SQL = """
    SELECT object, SUM(amount_ore) AS actual_ore FROM {table}
    WHERE date BETWEEN {start} AND {end} AND account >= '3' AND account < '9' AND object IS NOT NULL
    GROUP BY object
"""


def object_actuals(db: Database, start: int, end: int) -> dict[str, int]:
    """Actual per object between two dates (YYYYMMDD) of result accounts, straight from the rows."""
    rows = db.execute(AGG_SQL.format(table="ledger_rows", start=int(start), end=int(end))).fetchall()
    return {r[0]: r[1] for r in rows}


def duckdb_aggregation(db_path: Path, start: int, end: int) -> tuple[Callable[[], Any], Callable[[], None]]:
    """The same aggregation in DuckDB over the SQLite file: (run it, close). Needs the bench extras."""
    import duckdb
    import duckdb_ext

    ext = next(Path(next(iter(duckdb_ext.__path__))).rglob("sqlite_scanner.duckdb_extension"))
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{ext}'")
    con.execute(f"ATTACH '{db_path}' AS p (TYPE sqlite, READ_ONLY)")
    sql = AGG_SQL.format(table="p.ledger_rows", start=int(start), end=int(end))
    return (lambda: con.execute(sql).fetchall()), con.close


def pandas_aggregation(db_path: Path, start: int, end: int) -> Any:
    """The same aggregation in pandas: read the rows, filter and group. Needs the bench extras."""
    import pandas as pd

    conn = connect_readonly(db_path)
    try:
        rows = pd.read_sql_query(
            "SELECT date, account, object, amount_ore FROM ledger_rows WHERE date BETWEEN ? AND ?",
            conn.conn,
            params=(start, end),
        )
    finally:
        conn.close()
    rows = rows[(rows.account >= "3") & (rows.account < "9") & rows.object.notna()]
    return rows.groupby("object")["amount_ore"].sum()
