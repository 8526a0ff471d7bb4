"""Reading the audit log: which entries a person may see, filtered, counted and faceted in SQL.

The log itself is written by `db.audit` in the same transaction as the change it records; this
module only reads it back. `AuditQuery` says which entries to read (users, entities, projects,
a date range, entities hidden except one's own, a limit), and the filtering happens in SQL so a
long log stays fast. `audit_facets` lists the distinct values the audit page offers as filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from portfolio.db import Database, frame

AUDIT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "at": pl.String,
    "user": pl.String,
    "action": pl.String,
    "entity": pl.String,
    "entity_id": pl.String,
    "project_id": pl.Int64,
    "project": pl.String,
    "party": pl.String,
    "before": pl.String,
    "after": pl.String,
}


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries to read; filtering happens in SQL, so a long log stays fast."""

    users: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    hide_entities_except_own: tuple[tuple[str, ...], str | None] = ((), None)
    limit: int | None = None


def _audit_where(query: AuditQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("a.user_email", query.users),
        ("a.entity", query.entities),
        ("p.code", query.projects),
    ):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += list(values)
    if query.date_from:
        clauses.append("a.at >= ?")
        params.append(query.date_from)
    if query.date_to:
        clauses.append("a.at < date(?, '+1 day')")
        params.append(query.date_to)
    hidden, own_id = query.hide_entities_except_own
    if hidden:
        clauses.append(f"(a.entity NOT IN ({', '.join('?' * len(hidden))}) OR a.entity_id = ?)")
        params += [*hidden, own_id]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_frame(db: Database, query: AuditQuery | None = None) -> pl.DataFrame:
    """Audit entries, newest first, filtered and limited in SQL."""
    query = query or AuditQuery()
    where, params = _audit_where(query)
    limit = f" LIMIT {int(query.limit)}" if query.limit else ""
    return frame(
        db,
        "SELECT a.id, a.at, a.user_email, a.action, a.entity, a.entity_id, a.project_id,"
        " p.code, a.party, a.before, a.after FROM audit_log a"
        f" LEFT JOIN projects p ON p.id = a.project_id{where} ORDER BY a.id DESC{limit}",
        params,
        AUDIT_SCHEMA,
    )


def audit_count(db: Database, query: AuditQuery) -> int:
    """How many audit entries match the query."""
    where, params = _audit_where(query)
    sql = f"SELECT COUNT(*) FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id{where}"
    return int(db.execute(sql, params).fetchone()[0])


def audit_facets(db: Database) -> dict[str, list[str]]:
    """The distinct users, entities and projects of the log, for the page's filters."""
    return {
        "users": [
            r[0] for r in db.execute("SELECT DISTINCT user_email FROM audit_log ORDER BY 1").fetchall()
        ],
        "entities": [r[0] for r in db.execute("SELECT DISTINCT entity FROM audit_log ORDER BY 1").fetchall()],
        "projects": [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT p.code FROM audit_log a JOIN projects p ON p.id = a.project_id ORDER BY 1"
            ).fetchall()
        ],
    }
