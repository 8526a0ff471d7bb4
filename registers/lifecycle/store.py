"""Tables of lifecycle: the only module that reads and writes them."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from portfolio.db import (
    Database,
    Migrations,
    exists,
    frame,
    positioned_frame,
    row_dict,
    table_insert,
    update_if_unchanged,
)
from registers.lifecycle.model import DeviationInput, HandoverInput, HandoverMark, NeedInput

MIGRATIONS = Migrations("lifecycle")


@MIGRATIONS
def m001_handover_deviations_needs(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE handover_items (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            position INTEGER NOT NULL, section TEXT NOT NULL, deliverable TEXT NOT NULL,
            delivered INTEGER, delivered_basis TEXT, comment TEXT, reference TEXT, source TEXT,
            version INTEGER NOT NULL DEFAULT 1, UNIQUE (project_id, section, deliverable));
        CREATE TABLE deviations (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            type TEXT NOT NULL, count INTEGER NOT NULL CHECK (count >= 0), period TEXT, text TEXT,
            categories TEXT NOT NULL DEFAULT '[]', source TEXT);
        CREATE INDEX deviations_project ON deviations (project_id);
        CREATE TABLE needs (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            position INTEGER NOT NULL, need TEXT NOT NULL, details TEXT NOT NULL DEFAULT '[]',
            activity_id INTEGER REFERENCES bruttolista_activities(id), source TEXT,
            UNIQUE (project_id, need));
        CREATE TABLE lifecycle_notes (
            project_id INTEGER NOT NULL REFERENCES projects(id), topic TEXT NOT NULL,
            note TEXT NOT NULL, source TEXT, PRIMARY KEY (project_id, topic));
        """
    )


def _json(values: Any) -> str:
    return json.dumps(list(values), ensure_ascii=False)


# --- handover checklist ----------------------------------------------------------------------


def handover_item_exists(db: Database, project_id: int, section: str, deliverable: str) -> bool:
    """Whether this checklist line is already there."""
    return exists(
        db,
        "SELECT 1 FROM handover_items WHERE project_id = ? AND section = ? AND deliverable = ?",
        [project_id, section, deliverable],
    )


def insert_handover_item(
    db: Database, data: HandoverInput, *, basis: str | None = None, source: str | None = None
) -> int:
    """Append a line to a project's handover checklist; returns its id."""
    position = db.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM handover_items WHERE project_id = ?", [data.project_id]
    ).fetchone()[0]
    return table_insert(
        db,
        "handover_items",
        {
            "project_id": data.project_id,
            "position": position,
            "section": data.section,
            "deliverable": data.deliverable,
            "delivered": data.delivered,
            "delivered_basis": basis,
            "comment": data.comment,
            "reference": data.reference,
            "source": source,
        },
    )


def handover_item(db: Database, item_id: int) -> dict[str, Any] | None:
    """One checklist line, or None."""
    return row_dict(
        db,
        "SELECT id, project_id, section, deliverable, delivered, delivered_basis, comment, version"
        " FROM handover_items WHERE id = ?",
        [item_id],
    )


def mark_handover_item(db: Database, item_id: int, mark: HandoverMark, *, expected_version: int) -> bool:
    """Set delivered yes/no and the comment if the line is still at `expected_version`."""
    values = {"delivered": mark.delivered, "comment": mark.comment, "delivered_basis": "angivet"}
    return update_if_unchanged(db, "handover_items", values, where={"id": item_id}, version=expected_version)


HANDOVER_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "section": pl.String,
    "deliverable": pl.String,
    "delivered": pl.Boolean,
    "delivered_basis": pl.String,
    "comment": pl.String,
    "reference": pl.String,
    "source": pl.String,
    "version": pl.Int64,
}


def handover_frame(db: Database, project_id: int) -> pl.DataFrame:
    """A project's handover checklist in the document's order."""
    return positioned_frame(db, "handover_items", "project_id", project_id, HANDOVER_SCHEMA)


# --- deviations -------------------------------------------------------------------------------


def deviation_exists(db: Database, project_id: int, type_: str, period: str | None) -> bool:
    """Whether a count of this type and period is already recorded."""
    return exists(
        db,
        "SELECT 1 FROM deviations WHERE project_id = ? AND type = ? AND period IS ?",
        [project_id, type_, period],
    )


def insert_deviation(db: Database, data: DeviationInput, *, source: str | None = None) -> int:
    """Record a count of deviations of a type; returns its id."""
    return table_insert(
        db,
        "deviations",
        {
            "project_id": data.project_id,
            "type": data.type,
            "count": data.count,
            "period": data.period,
            "text": data.text,
            "categories": _json(data.categories),
            "source": source,
        },
    )


def deviations_frame(db: Database, project_id: int) -> pl.DataFrame:
    """A project's deviation counts by type (categories as a list)."""
    raw = frame(
        db,
        "SELECT id, type, count, period, text, categories, source FROM deviations"
        " WHERE project_id = ? ORDER BY id",
        [project_id],
        {
            "id": pl.Int64,
            "type": pl.String,
            "count": pl.Int64,
            "period": pl.String,
            "text": pl.String,
            "categories": pl.String,
            "source": pl.String,
        },
    )
    return raw.with_columns(pl.col("categories").str.json_decode(pl.List(pl.String)))


# --- needs ------------------------------------------------------------------------------------


def need_exists(db: Database, project_id: int, need: str) -> bool:
    """Whether this need is already listed for the project."""
    return exists(db, "SELECT 1 FROM needs WHERE project_id = ? AND need = ?", [project_id, need])


def insert_need(db: Database, data: NeedInput, *, source: str | None = None) -> int:
    """Append a need to a project's list; returns its id."""
    position = db.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM needs WHERE project_id = ?", [data.project_id]
    ).fetchone()[0]
    return table_insert(
        db,
        "needs",
        {
            "project_id": data.project_id,
            "position": position,
            "need": data.need,
            "details": _json(data.details),
            "source": source,
        },
    )


def need(db: Database, need_id: int) -> dict[str, Any] | None:
    """One need (details as a list), or None."""
    data = row_dict(
        db, "SELECT id, project_id, need, details, activity_id, source FROM needs WHERE id = ?", [need_id]
    )
    if data is not None:
        data["details"] = json.loads(data["details"])
    return data


def set_need_activity(db: Database, need_id: int, activity_id: int) -> bool:
    """Point a need at the activity made from it, unless it already points somewhere."""
    cur = db.execute(
        "UPDATE needs SET activity_id = ? WHERE id = ? AND activity_id IS NULL", [activity_id, need_id]
    )
    return cur.rowcount == 1


def needs_frame(db: Database, project_id: int) -> pl.DataFrame:
    """A project's identified needs, each with the bruttolista activity made from it, if any."""
    raw = frame(
        db,
        """SELECT n.id, n.need, n.details, n.activity_id, a.plan_year, a.row, n.source
           FROM needs n LEFT JOIN bruttolista_activities a ON a.id = n.activity_id
           WHERE n.project_id = ? ORDER BY n.position""",
        [project_id],
        {
            "id": pl.Int64,
            "need": pl.String,
            "details": pl.String,
            "activity_id": pl.Int64,
            "plan_year": pl.Int64,
            "row": pl.Int64,
            "source": pl.String,
        },
    )
    return raw.with_columns(pl.col("details").str.json_decode(pl.List(pl.String)))


def need_for_activity(db: Database, activity_id: int) -> dict[str, Any] | None:
    """The need (and its project's code) an activity was made from, or None."""
    return row_dict(
        db,
        "SELECT n.id, n.need, p.code FROM needs n JOIN projects p ON p.id = n.project_id"
        " WHERE n.activity_id = ?",
        [activity_id],
    )


# --- notes ------------------------------------------------------------------------------------


def insert_note(db: Database, project_id: int, topic: str, note: str, source: str | None) -> bool:
    """Keep a document's remark on a topic (handover, deviations, needs) unless present."""
    cur = db.execute(
        "INSERT OR IGNORE INTO lifecycle_notes VALUES (?, ?, ?, ?)", [project_id, topic, note, source]
    )
    return cur.rowcount > 0


def notes(db: Database, project_id: int) -> dict[str, tuple[str, str | None]]:
    """topic → (note, source) for a project."""
    rows = db.execute(
        "SELECT topic, note, source FROM lifecycle_notes WHERE project_id = ?", [project_id]
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}
