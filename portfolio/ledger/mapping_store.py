"""The ledger's mapping: each organisation's accounts → budget lines (`ledger_account_map`)
and ledger objects → projects (`ledger_object_projects`, falling back on the projects' own
objects). The tables are created by the ledger's migrations in `store.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from portfolio.db import Database, frame, positioned_frame

MAPPING_SCHEMA: dict[str, Any] = {
    "position": pl.Int64,
    "from_account": pl.String,
    "to_account": pl.String,
    "line": pl.String,
    "kind": pl.String,
}


def mapping_frame(db: Database, organisation: str) -> pl.DataFrame:
    """The account → line mapping of an organisation (empty when it has none)."""
    return positioned_frame(db, "ledger_account_map", "organisation", organisation, MAPPING_SCHEMA)


def mapping_organisations(db: Database) -> list[str]:
    """Organisations with their own mapping."""
    return [str(r[0]) for r in db.execute("SELECT DISTINCT organisation FROM ledger_account_map ORDER BY 1")]


def replace_mapping(
    db: Database, organisation: str, rows: Sequence[dict[str, Any]], source: str | None
) -> None:
    """Replace an organisation's mapping with `rows` (position, from, to, line, kind)."""
    db.execute("DELETE FROM ledger_account_map WHERE organisation = ?", [organisation])
    db.conn.executemany(
        "INSERT INTO ledger_account_map VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (organisation, r["position"], r["from_account"], r["to_account"], r["line"], r["kind"], source)
            for r in rows
        ],
    )


def object_projects(db: Database) -> pl.DataFrame:
    """Object → project (case) mapping: explicit rows first, then the projects' own object column."""
    return frame(
        db,
        """SELECT object, project_code, name, source FROM ledger_object_projects
           UNION ALL
           SELECT o.object, p.code, p.name, 'projektregistret'
           FROM project_objects o JOIN projects p ON p.id = o.project_id
           WHERE o.object NOT IN (SELECT object FROM ledger_object_projects)
           ORDER BY 1""",
        [],
        {"object": pl.String, "project_code": pl.String, "name": pl.String, "source": pl.String},
    )


def set_object_project(db: Database, obj: str, project_code: str | None, name: str | None) -> dict | None:
    """Link an object to a project (case); returns the previous link."""
    row = db.execute(
        "SELECT project_code, name FROM ledger_object_projects WHERE object = ?", [obj]
    ).fetchone()
    db.execute(
        "INSERT INTO ledger_object_projects (object, project_code, name, source) VALUES (?, ?, ?, 'manuell')"
        " ON CONFLICT(object) DO UPDATE SET project_code = excluded.project_code, name = excluded.name",
        [obj, project_code, name],
    )
    return None if row is None else {"project_code": row[0], "name": row[1]}
