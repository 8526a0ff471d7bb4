"""Tables of bruttolista: the only module that reads and writes them."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import Database, Migrations, first_value, frame, row_dict, table_frame, update_if_unchanged
from registers.bruttolista.model import ActivityInput, ActivityStatus, OutcomeInput

MIGRATIONS = Migrations("bruttolista")

_STATUSES = ", ".join(f"'{s.value}'" for s in ActivityStatus)


@MIGRATIONS
def m001_bruttolista(db: Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE bruttolista_plans (
            year INTEGER PRIMARY KEY, plan TEXT NOT NULL, title TEXT, case_code TEXT, purpose TEXT,
            status_note TEXT, source TEXT);
        CREATE TABLE bruttolista_activities (
            id INTEGER PRIMARY KEY, plan_year INTEGER NOT NULL, row INTEGER NOT NULL,
            activity TEXT NOT NULL, areas TEXT NOT NULL, potential_outcome TEXT, resources TEXT NOT NULL,
            status_dot TEXT, note TEXT, source TEXT, version INTEGER NOT NULL DEFAULT 1,
            UNIQUE (plan_year, row));
        CREATE TABLE bruttolista_outcomes (
            activity_id INTEGER NOT NULL REFERENCES bruttolista_activities(id), year INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ({_STATUSES})), outcome TEXT, source TEXT,
            PRIMARY KEY (activity_id, year));
        CREATE TABLE bruttolista_links (
            activity_id INTEGER NOT NULL REFERENCES bruttolista_activities(id),
            project_id INTEGER NOT NULL REFERENCES projects(id),
            relation TEXT NOT NULL CHECK (relation IN ('kopplat', 'skapat')),
            created_at TEXT NOT NULL, source TEXT, PRIMARY KEY (activity_id, project_id));
        CREATE INDEX bruttolista_links_project ON bruttolista_links (project_id);
        """
    )


def _now() -> str:
    return clock.now()


def insert_plan(
    db: Database,
    *,
    year: int,
    plan: str,
    title: str | None,
    case_code: str | None,
    purpose: str | None,
    status_note: str | None,
    source: str | None,
) -> bool:
    """Insert a year's plan heading unless it exists; True when inserted."""
    cur = db.execute(
        "INSERT OR IGNORE INTO bruttolista_plans VALUES (?, ?, ?, ?, ?, ?, ?)",
        [year, plan, title, case_code, purpose, status_note, source],
    )
    return cur.rowcount > 0


PLAN_SCHEMA: dict[str, Any] = {
    "year": pl.Int64,
    "plan": pl.String,
    "title": pl.String,
    "case_code": pl.String,
    "purpose": pl.String,
    "status_note": pl.String,
    "source": pl.String,
}


def plans_frame(db: Database) -> pl.DataFrame:
    """Every year's plan heading."""
    return table_frame(db, "bruttolista_plans", PLAN_SCHEMA, order_by="year")


def activity_id_at(db: Database, plan_year: int, row: int) -> int | None:
    """The id of row `row` of a year's list, or None."""
    return first_value(
        db, "SELECT id FROM bruttolista_activities WHERE plan_year = ? AND row = ?", [plan_year, row], int
    )


def next_row(db: Database, plan_year: int) -> int:
    """The row number a new activity of the year gets."""
    found = db.execute(
        "SELECT COALESCE(MAX(row), 0) + 1 FROM bruttolista_activities WHERE plan_year = ?", [plan_year]
    ).fetchone()
    return int(found[0])


def insert_activity(db: Database, data: ActivityInput, *, row: int, status_dot: str | None = None) -> int:
    """Insert an activity at row `row` of its year; returns its id."""
    cur = db.execute(
        "INSERT INTO bruttolista_activities (plan_year, row, activity, areas, potential_outcome,"
        " resources, status_dot, note, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            data.plan_year,
            row,
            data.activity,
            json.dumps(list(data.areas), ensure_ascii=False),
            data.potential_outcome,
            json.dumps(list(data.resources), ensure_ascii=False),
            status_dot,
            data.note,
            data.source,
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def activity(db: Database, activity_id: int) -> dict[str, Any] | None:
    """One activity's own fields as a dict (areas and resources as lists), or None."""
    data = row_dict(
        db,
        "SELECT id, plan_year, row, activity, areas, potential_outcome, resources, status_dot, note,"
        " source, version FROM bruttolista_activities WHERE id = ?",
        [activity_id],
    )
    if data is not None:
        data["areas"] = json.loads(data["areas"])
        data["resources"] = json.loads(data["resources"])
    return data


def update_activity(db: Database, activity_id: int, data: ActivityInput, *, expected_version: int) -> bool:
    """Overwrite an activity if it is still at `expected_version`; True when saved."""
    values = {
        "plan_year": data.plan_year,
        "activity": data.activity,
        "areas": json.dumps(list(data.areas), ensure_ascii=False),
        "potential_outcome": data.potential_outcome,
        "resources": json.dumps(list(data.resources), ensure_ascii=False),
        "note": data.note,
    }
    return update_if_unchanged(
        db, "bruttolista_activities", values, where={"id": activity_id}, version=expected_version
    )


def touch_activity(db: Database, activity_id: int) -> None:
    """Move an activity's version on (its outcome or links changed)."""
    db.execute("UPDATE bruttolista_activities SET version = version + 1 WHERE id = ?", [activity_id])


def outcome(db: Database, activity_id: int, year: int) -> dict[str, Any] | None:
    """An activity's outcome for a year, or None."""
    return row_dict(
        db,
        "SELECT year, status, outcome, source FROM bruttolista_outcomes WHERE activity_id = ? AND year = ?",
        [activity_id, year],
    )


def upsert_outcome(db: Database, activity_id: int, data: OutcomeInput) -> None:
    """Set an activity's outcome and status for a year."""
    db.execute(
        "INSERT INTO bruttolista_outcomes (activity_id, year, status, outcome, source) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(activity_id, year) DO UPDATE SET status = excluded.status,"
        " outcome = excluded.outcome, source = COALESCE(excluded.source, source)",
        [activity_id, data.year, data.status.value, data.outcome, data.source],
    )


def link(db: Database, activity_id: int, project_id: int) -> dict[str, Any] | None:
    """The link between an activity and a case, or None."""
    return row_dict(
        db,
        "SELECT relation, created_at FROM bruttolista_links WHERE activity_id = ? AND project_id = ?",
        [activity_id, project_id],
    )


def insert_link(
    db: Database, activity_id: int, project_id: int, *, relation: str, source: str | None = None
) -> bool:
    """Link an activity and a case ('kopplat', or 'skapat' when the case came from it)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO bruttolista_links (activity_id, project_id, relation, created_at, source)"
        " VALUES (?, ?, ?, ?, ?)",
        [activity_id, project_id, relation, _now(), source],
    )
    return cur.rowcount > 0


def created_case(db: Database, activity_id: int) -> str | None:
    """The code of the case created from this activity, or None."""
    return first_value(
        db,
        "SELECT p.code FROM bruttolista_links l JOIN projects p ON p.id = l.project_id"
        " WHERE l.activity_id = ? AND l.relation = 'skapat'",
        [activity_id],
        str,
    )


ACTIVITY_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "plan_year": pl.Int64,
    "row": pl.Int64,
    "activity": pl.String,
    "areas": pl.String,
    "potential_outcome": pl.String,
    "resources": pl.String,
    "status": pl.String,
    "outcome": pl.String,
    "outcome_year": pl.Int64,
    "linked_cases": pl.String,
    "created_case": pl.String,
    "status_dot": pl.String,
    "note": pl.String,
    "source": pl.String,
    "version": pl.Int64,
}


def activities_frame(db: Database, *, year: int | None = None) -> pl.DataFrame:
    """Activities (of one plan year or all) with their latest status and outcome and linked cases.

    `areas`, `resources` and `linked_cases` are lists of strings.
    """
    where, params = ("WHERE a.plan_year = ?", [year]) if year else ("", [])
    sql = f"""
        SELECT a.id, a.plan_year, a.row, a.activity, a.areas, a.potential_outcome, a.resources,
               o.status, o.outcome, o.year,
               (SELECT json_group_array(code) FROM (
                    SELECT p.code FROM bruttolista_links l JOIN projects p ON p.id = l.project_id
                    WHERE l.activity_id = a.id ORDER BY p.code)),
               (SELECT p.code FROM bruttolista_links l JOIN projects p ON p.id = l.project_id
                    WHERE l.activity_id = a.id AND l.relation = 'skapat'),
               a.status_dot, a.note, a.source, a.version
        FROM bruttolista_activities a
        LEFT JOIN bruttolista_outcomes o ON o.activity_id = a.id
            AND o.year = (SELECT MAX(year) FROM bruttolista_outcomes WHERE activity_id = a.id)
        {where}
        ORDER BY a.plan_year, a.row
    """
    raw = frame(db, sql, params, ACTIVITY_SCHEMA)
    as_list = pl.List(pl.String)
    return raw.with_columns(
        pl.col("areas").str.json_decode(as_list),
        pl.col("resources").str.json_decode(as_list),
        pl.col("linked_cases").str.json_decode(as_list),
    )


OUTCOME_SCHEMA: dict[str, Any] = {
    "activity_id": pl.Int64,
    "year": pl.Int64,
    "status": pl.String,
    "outcome": pl.String,
    "source": pl.String,
}


def outcomes_frame(db: Database, activity_id: int | None = None) -> pl.DataFrame:
    """Every yearly outcome (of one activity or all), oldest first."""
    return table_frame(
        db,
        "bruttolista_outcomes",
        OUTCOME_SCHEMA,
        order_by="activity_id, year",
        given={"activity_id": activity_id},
    )


def activities_for_project(db: Database, project_id: int) -> pl.DataFrame:
    """The activities linked to a case, and whether the case was created from one."""
    return frame(
        db,
        """SELECT a.id, a.plan_year, a.row, a.activity, l.relation, l.created_at
           FROM bruttolista_links l JOIN bruttolista_activities a ON a.id = l.activity_id
           WHERE l.project_id = ? ORDER BY a.plan_year, a.row""",
        [project_id],
        {
            "id": pl.Int64,
            "plan_year": pl.Int64,
            "row": pl.Int64,
            "activity": pl.String,
            "relation": pl.String,
            "created_at": pl.String,
        },
    )


def plan_years(db: Database) -> list[int]:
    """Years that have activities."""
    rows = db.execute("SELECT DISTINCT plan_year FROM bruttolista_activities ORDER BY 1").fetchall()
    return [int(r[0]) for r in rows]
