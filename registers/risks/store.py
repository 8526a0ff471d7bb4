"""Tables of risks: the only module that reads and writes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from portfolio import db as core_db
from portfolio.db import Database, Migrations, frame, row_dicts, stamps_to_utc, update_if_unchanged
from portfolio.errors import NotFoundError
from registers.risks.model import BUILTIN_CATEGORIES, Register, RegisterInput, now

MIGRATIONS = Migrations("risks")


@MIGRATIONS
def m001_risks(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE risk_categories (
            name TEXT PRIMARY KEY, builtin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
        CREATE TABLE risk_registers (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            name TEXT NOT NULL, category TEXT REFERENCES risk_categories(name),
            scale INTEGER NOT NULL CHECK (scale IN (4, 5)),
            yellow_from INTEGER NOT NULL, red_from INTEGER NOT NULL, description TEXT,
            scale_source TEXT, source TEXT, version INTEGER NOT NULL DEFAULT 1,
            UNIQUE (project_id, name));
        CREATE TABLE risks (
            id INTEGER PRIMARY KEY, register_id INTEGER NOT NULL REFERENCES risk_registers(id),
            title TEXT NOT NULL, description TEXT, cause TEXT, consequence_text TEXT,
            category TEXT REFERENCES risk_categories(name),
            probability INTEGER NOT NULL, consequence INTEGER NOT NULL,
            residual_probability INTEGER, residual_consequence INTEGER,
            owner TEXT, status TEXT NOT NULL, next_review TEXT,
            show_in_portfolio INTEGER NOT NULL DEFAULT 0, status_note TEXT,
            score_source TEXT, source TEXT, version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX risks_register ON risks (register_id);
        CREATE TABLE risk_actions (
            id INTEGER PRIMARY KEY, risk_id INTEGER NOT NULL REFERENCES risks(id),
            description TEXT NOT NULL, owner TEXT, due_date TEXT, status TEXT NOT NULL,
            comment TEXT, status_source TEXT, source TEXT, version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX risk_actions_risk ON risk_actions (risk_id);
        """
    )
    for name in BUILTIN_CATEGORIES:
        db.execute("INSERT INTO risk_categories VALUES (?, 1, ?)", [name, now()])


@MIGRATIONS
def m002_utc_timestamps(db: Database) -> None:
    # Versions before the one clock stored these in naive Stockholm time.
    stamps_to_utc(db, "risk_categories", ("created_at",))
    stamps_to_utc(db, "risks", ("created_at", "updated_at"))
    stamps_to_utc(db, "risk_actions", ("created_at", "updated_at"))


# The columns a user edits, in the order of forms and the Excel sheet.
RISK_FIELDS = (
    "register_id",
    "title",
    "description",
    "cause",
    "consequence_text",
    "category",
    "probability",
    "consequence",
    "residual_probability",
    "residual_consequence",
    "owner",
    "status",
    "next_review",
    "show_in_portfolio",
    "status_note",
)
ACTION_FIELDS = ("description", "owner", "due_date", "status", "comment")
REGISTER_FIELDS = ("name", "category", "scale", "yellow_from", "red_from", "description")


def _id_where(db: Database, table: str, where: str, params: Sequence[Any]) -> int | None:
    """The id of the first row of `table` that matches, or None."""
    return core_db.first_value(db, f"SELECT id FROM {table} WHERE {where}", params, int)


def _update_versioned(
    db: Database, table: str, record_id: int, values: dict[str, Any], expected_version: int
) -> bool:
    """Save a row edited from `expected_version` and count its version up; False when it has moved on."""
    return update_if_unchanged(db, table, values, where={"id": record_id}, version=expected_version)


# --- categories and registers -----------------------------------------------------------------


def categories(db: Database) -> list[str]:
    """Every risk category: the built-in ones first, then those an admin added, by name."""
    rows = db.execute("SELECT name FROM risk_categories ORDER BY builtin DESC, name").fetchall()
    return [r[0] for r in rows]


def insert_category(db: Database, name: str) -> None:
    """Add a category (the caller checks rights and duplicates)."""
    db.execute("INSERT INTO risk_categories VALUES (?, 0, ?)", [name, now()])


_REGISTER_SQL = (
    "SELECT g.id, g.project_id, p.code, g.name, g.category, g.scale, g.yellow_from, g.red_from,"
    " g.description, g.scale_source, g.source, g.version"
    " FROM risk_registers g JOIN projects p ON p.id = g.project_id"
)


def get_register(db: Database, register_id: int) -> Register:
    """The register with this id; NotFoundError otherwise."""
    row = db.execute(f"{_REGISTER_SQL} WHERE g.id = ?", [register_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Riskregistret med id {register_id} finns inte")
    return Register(*row)


def registers_for(db: Database, project_id: int) -> list[Register]:
    """A project's registers by name."""
    rows = db.execute(f"{_REGISTER_SQL} WHERE g.project_id = ? ORDER BY g.name", [project_id]).fetchall()
    return [Register(*r) for r in rows]


REGISTER_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,
    "name": pl.String,
    "category": pl.String,
    "scale": pl.Int64,
    "yellow_from": pl.Int64,
    "red_from": pl.Int64,
    "description": pl.String,
    "scale_source": pl.String,
    "source": pl.String,
    "version": pl.Int64,
    "risks": pl.Int64,
}


def registers_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Registers (of one project, or all) with their number of risks."""
    sql = """
        SELECT g.id, g.project_id, p.code, g.name, g.category, g.scale, g.yellow_from, g.red_from,
               g.description, g.scale_source, g.source, g.version,
               (SELECT COUNT(*) FROM risks r WHERE r.register_id = g.id)
        FROM risk_registers g JOIN projects p ON p.id = g.project_id
        WHERE ? IS NULL OR g.project_id = ?
        ORDER BY p.code, g.name
    """
    return frame(db, sql, [project_id, project_id], REGISTER_SCHEMA)


def find_register(db: Database, project_id: int, name: str) -> int | None:
    """The id of the project's register with this name (any case), or None."""
    return _id_where(db, "risk_registers", "project_id = ? AND lower(name) = lower(?)", [project_id, name])


def _register_values(data: RegisterInput) -> dict[str, Any]:
    return {f: getattr(data, f) for f in REGISTER_FIELDS}


def insert_register(
    db: Database,
    project_id: int,
    data: RegisterInput,
    *,
    scale_source: str | None = None,
    source: str | None = None,
) -> int:
    """Insert a register; returns its id."""
    return core_db.table_insert(
        db,
        "risk_registers",
        {"project_id": project_id, **_register_values(data), "scale_source": scale_source, "source": source},
    )


def update_register(db: Database, register_id: int, data: RegisterInput, *, expected_version: int) -> bool:
    """Save a register edited from `expected_version`; False when someone saved in between."""
    return _update_versioned(db, "risk_registers", register_id, _register_values(data), expected_version)


def levels_above(db: Database, register_id: int, scale: int) -> list[tuple[int, str]]:
    """Risks of a register with a level above `scale` (they would not fit a smaller scale)."""
    rows = db.execute(
        "SELECT id, title FROM risks WHERE register_id = ? AND (probability > ? OR consequence > ?"
        " OR residual_probability > ? OR residual_consequence > ?) ORDER BY id",
        [register_id, scale, scale, scale, scale],
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


# --- risks ---------------------------------------------------------------------------------------

_RISK_COLUMNS = (
    "r.id",
    "g.project_id",
    *(f"r.{f}" for f in RISK_FIELDS),
    "r.score_source",
    "r.source",
    "r.version",
)


def _risks(db: Database, where: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The risks that match `where` (a condition, and any ORDER BY)."""
    found = row_dicts(
        db,
        f"SELECT {', '.join(_RISK_COLUMNS)} FROM risks r JOIN risk_registers g ON g.id = r.register_id"
        f" WHERE {where}",
        params,
    )
    for risk in found:
        risk["show_in_portfolio"] = bool(risk["show_in_portfolio"])
    return found


def get_risk(db: Database, risk_id: int) -> dict[str, Any]:
    """One risk's stored values (and its project_id); NotFoundError otherwise."""
    found = _risks(db, "r.id = ?", [risk_id])
    if not found:
        raise NotFoundError(f"Risken med id {risk_id} finns inte")
    return found[0]


def risks_of_project(db: Database, project_id: int) -> dict[int, dict[str, Any]]:
    """Every risk of a project by id, with its stored values."""
    return {r["id"]: r for r in _risks(db, "g.project_id = ? ORDER BY r.id", [project_id])}


def find_risk(db: Database, register_id: int, title: str) -> int | None:
    """The id of the register's risk with this exact title, or None."""
    return _id_where(db, "risks", "register_id = ? AND title = ?", [register_id, title])


def insert_risk(
    db: Database, values: dict[str, Any], *, score_source: str | None = None, source: str | None = None
) -> int:
    """Insert a risk from its field values; returns its id."""
    stamp = now()
    return core_db.table_insert(
        db,
        "risks",
        {
            **{f: values[f] for f in RISK_FIELDS},
            "score_source": score_source,
            "source": source,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )


def update_risk(db: Database, risk_id: int, values: dict[str, Any], *, expected_version: int) -> bool:
    """Save a risk edited from `expected_version`; False (nothing written) when it has moved on."""
    changed = {**{f: values[f] for f in RISK_FIELDS}, "updated_at": now()}
    return _update_versioned(db, "risks", risk_id, changed, expected_version)


RISK_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,
    "project_name": pl.String,
    "register_id": pl.Int64,
    "register": pl.String,
    "scale": pl.Int64,
    "yellow_from": pl.Int64,
    "red_from": pl.Int64,
    "title": pl.String,
    "description": pl.String,
    "cause": pl.String,
    "consequence_text": pl.String,
    "category": pl.String,
    "probability": pl.Int64,
    "consequence": pl.Int64,
    "score": pl.Int64,
    "residual_probability": pl.Int64,
    "residual_consequence": pl.Int64,
    "residual_score": pl.Int64,
    "owner": pl.String,
    "status": pl.String,
    "next_review": pl.String,
    "show_in_portfolio": pl.Boolean,
    "status_note": pl.String,
    "score_source": pl.String,
    "source": pl.String,
    "version": pl.Int64,
    "actions": pl.Int64,
    "open_actions": pl.Int64,
}


def risks_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Risks (of one project, or all) with their register's scale and thresholds and action counts."""
    sql = """
        SELECT r.id, g.project_id, p.code, p.name, g.id, g.name, g.scale, g.yellow_from, g.red_from,
               r.title, r.description, r.cause, r.consequence_text, r.category,
               r.probability, r.consequence, r.probability * r.consequence,
               r.residual_probability, r.residual_consequence,
               r.residual_probability * r.residual_consequence,
               r.owner, r.status, r.next_review, r.show_in_portfolio, r.status_note,
               r.score_source, r.source, r.version,
               COALESCE(a.n, 0), COALESCE(a.open, 0)
        FROM risks r
        JOIN risk_registers g ON g.id = r.register_id
        JOIN projects p ON p.id = g.project_id
        LEFT JOIN (SELECT risk_id, COUNT(*) AS n, SUM(status != 'klar') AS open
                   FROM risk_actions GROUP BY risk_id) a ON a.risk_id = r.id
        WHERE ? IS NULL OR g.project_id = ?
        ORDER BY p.code, g.name, r.id
    """
    return frame(db, sql, [project_id, project_id], RISK_SCHEMA)


# --- actions -------------------------------------------------------------------------------------

_ACTION_COLUMNS = ("a.id", "a.risk_id", "g.project_id", *(f"a.{f}" for f in ACTION_FIELDS), "a.version")


def _actions(db: Database, where: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The actions that match `where` (a condition, and any ORDER BY)."""
    return row_dicts(
        db,
        f"SELECT {', '.join(_ACTION_COLUMNS)} FROM risk_actions a JOIN risks r ON r.id = a.risk_id"
        f" JOIN risk_registers g ON g.id = r.register_id WHERE {where}",
        params,
    )


def get_action(db: Database, action_id: int) -> dict[str, Any]:
    """One action's stored values (with its risk and project); NotFoundError otherwise."""
    found = _actions(db, "a.id = ?", [action_id])
    if not found:
        raise NotFoundError(f"Åtgärden med id {action_id} finns inte")
    return found[0]


def actions_of_project(db: Database, project_id: int) -> dict[int, dict[str, Any]]:
    """Every action of a project's risks by id."""
    return {a["id"]: a for a in _actions(db, "g.project_id = ? ORDER BY a.id", [project_id])}


def find_action(db: Database, risk_id: int, description: str) -> int | None:
    """The id of the risk's action with this exact description, or None."""
    return _id_where(db, "risk_actions", "risk_id = ? AND description = ?", [risk_id, description])


def insert_action(
    db: Database,
    risk_id: int,
    values: dict[str, Any],
    *,
    status_source: str | None = None,
    source: str | None = None,
) -> int:
    """Insert an action on a risk; returns its id."""
    stamp = now()
    return core_db.table_insert(
        db,
        "risk_actions",
        {
            "risk_id": risk_id,
            **{f: values[f] for f in ACTION_FIELDS},
            "status_source": status_source,
            "source": source,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )


def update_action(
    db: Database, action_id: int, risk_id: int, values: dict[str, Any], *, expected_version: int
) -> bool:
    """Save an action edited from `expected_version`; False when it has moved on."""
    changed = {"risk_id": risk_id, **{f: values[f] for f in ACTION_FIELDS}, "updated_at": now()}
    return _update_versioned(db, "risk_actions", action_id, changed, expected_version)


ACTION_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "risk_id": pl.Int64,
    "risk": pl.String,
    "risk_status": pl.String,
    "show_in_portfolio": pl.Boolean,
    "project_id": pl.Int64,
    "project": pl.String,
    "register": pl.String,
    "description": pl.String,
    "owner": pl.String,
    "due_date": pl.String,
    "status": pl.String,
    "comment": pl.String,
    "status_source": pl.String,
    "version": pl.Int64,
}


def actions_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Actions (of one project, or all) with their risk, register and project."""
    sql = """
        SELECT a.id, a.risk_id, r.title, r.status, r.show_in_portfolio, g.project_id, p.code, g.name,
               a.description, a.owner, a.due_date, a.status, a.comment, a.status_source, a.version
        FROM risk_actions a
        JOIN risks r ON r.id = a.risk_id
        JOIN risk_registers g ON g.id = r.register_id
        JOIN projects p ON p.id = g.project_id
        WHERE ? IS NULL OR g.project_id = ?
        ORDER BY p.code, a.risk_id, a.id
    """
    return frame(db, sql, [project_id, project_id], ACTION_SCHEMA)


# --- history (read only from the audit log) ---------------------------------------------------

HISTORY_SCHEMA: dict[str, Any] = {
    "at": pl.String,
    "user": pl.String,
    "action": pl.String,
    "entity": pl.String,
    "entity_id": pl.String,
    "before": pl.String,
    "after": pl.String,
}


def risk_history(db: Database, risk_id: int) -> pl.DataFrame:
    """Every audit row of a risk and of its actions, oldest first."""
    sql = """
        SELECT at, user_email, action, entity, entity_id, before, after FROM audit_log
        WHERE (entity = 'risk' AND entity_id = ?)
           OR (entity = 'åtgärd' AND entity_id IN
                 (SELECT CAST(id AS TEXT) FROM risk_actions WHERE risk_id = ?))
        ORDER BY id
    """
    return frame(db, sql, [str(risk_id), risk_id], HISTORY_SCHEMA)


def last_change(db: Database, entity: str, entity_id: int) -> tuple[str, str] | None:
    """(user e-mail, time) of the latest audit row of an entity, or None."""
    row = db.execute(
        "SELECT user_email, at FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [entity, str(entity_id)],
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def count_rows(db: Database) -> dict[str, int]:
    """How many registers, risks and actions the database holds."""
    return {
        table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        for table in ("risk_registers", "risks", "risk_actions")
    }
