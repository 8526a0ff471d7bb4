"""Tables of benefits: the only module that reads and writes them."""

from __future__ import annotations

from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import (
    Database,
    Migrations,
    exists,
    frame,
    row_dict,
    row_dicts,
    stamps_to_utc,
    table_insert,
    update_if_unchanged,
)
from portfolio.errors import NotFoundError
from registers.benefits.model import BenefitInput, BenefitValueInput, MeasurementInput

MIGRATIONS = Migrations("benefits")


@MIGRATIONS
def m001_benefits(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE benefits (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            position INTEGER NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            indicator TEXT, unit TEXT, direction TEXT,
            baseline_date TEXT, baseline_value TEXT, target_date TEXT, target_value TEXT,
            owner TEXT, owner_email TEXT COLLATE NOCASE, monetary INTEGER NOT NULL DEFAULT 0,
            note TEXT, doc_status TEXT, definition_source TEXT, source TEXT,
            version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,
            UNIQUE (project_id, kind, title));
        CREATE INDEX benefits_project ON benefits (project_id);
        CREATE TABLE benefit_parties (
            benefit_id INTEGER NOT NULL REFERENCES benefits(id),
            party_code TEXT NOT NULL REFERENCES parties(code),
            PRIMARY KEY (benefit_id, party_code));
        CREATE TABLE benefit_measurements (
            id INTEGER PRIMARY KEY, benefit_id INTEGER NOT NULL REFERENCES benefits(id),
            measured_on TEXT NOT NULL, value TEXT NOT NULL, comment TEXT, source TEXT,
            survey_statement_id INTEGER, user_id INTEGER, created_at TEXT NOT NULL);
        CREATE INDEX benefit_measurements_benefit ON benefit_measurements (benefit_id, measured_on);
        CREATE TABLE benefit_observations (
            id INTEGER PRIMARY KEY, benefit_id INTEGER NOT NULL REFERENCES benefits(id),
            text TEXT NOT NULL, kind TEXT, observed_on TEXT, source TEXT);
        CREATE TABLE benefit_values (
            id INTEGER PRIMARY KEY, benefit_id INTEGER NOT NULL REFERENCES benefits(id),
            year INTEGER NOT NULL, party_code TEXT REFERENCES parties(code),
            amount_ore INTEGER, hours TEXT, rate_ore INTEGER, value_ore INTEGER NOT NULL,
            comment TEXT, source TEXT, user_id INTEGER, created_at TEXT NOT NULL);
        CREATE INDEX benefit_values_benefit ON benefit_values (benefit_id, year);
        CREATE TABLE benefit_follow_up (
            project_id INTEGER PRIMARY KEY REFERENCES projects(id), text TEXT NOT NULL, source TEXT);
        """
    )


@MIGRATIONS
def m002_utc_timestamps(db: Database) -> None:
    # Versions before the one clock stored these in naive Stockholm time.
    for table in ("benefits", "benefit_measurements", "benefit_values"):
        stamps_to_utc(db, table, ("created_at",))


# --- reading -----------------------------------------------------------------------------

REGISTER_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,
    "project_name": pl.String,
    "project_phase": pl.String,
    "position": pl.Int64,
    "kind": pl.String,
    "title": pl.String,
    "indicator": pl.String,
    "unit": pl.String,
    "direction": pl.String,
    "baseline_date": pl.String,
    "baseline_value": pl.String,
    "target_date": pl.String,
    "target_value": pl.String,
    "owner": pl.String,
    "owner_email": pl.String,
    "parties": pl.String,
    "financing_parties": pl.String,
    "monetary": pl.Boolean,
    "note": pl.String,
    "doc_status": pl.String,
    "definition_source": pl.String,
    "source": pl.String,
    "version": pl.Int64,
    "measurements": pl.Int64,
    "latest_date": pl.String,
    "latest_value": pl.String,
}
DATE_COLUMNS = ("baseline_date", "target_date", "latest_date")


def register_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Every benefit (or one project's) with its latest measurement; dates as polars dates."""
    where, params = ("WHERE b.project_id = ?", [project_id]) if project_id is not None else ("", [])
    sql = f"""
        WITH ranked AS (
            SELECT benefit_id, measured_on, value, COUNT(*) OVER (PARTITION BY benefit_id) AS n,
                   ROW_NUMBER() OVER (PARTITION BY benefit_id ORDER BY measured_on DESC, id DESC) AS r
            FROM benefit_measurements)
        SELECT b.id, b.project_id, p.code, p.name, p.phase, b.position, b.kind, b.title,
               b.indicator, b.unit, b.direction, b.baseline_date, b.baseline_value,
               b.target_date, b.target_value, b.owner, b.owner_email,
               (SELECT group_concat(party_code, ',') FROM
                   (SELECT party_code FROM benefit_parties bp WHERE bp.benefit_id = b.id
                    ORDER BY party_code)),
               (SELECT group_concat(party_code, ',') FROM
                   (SELECT party_code FROM project_parties pp WHERE pp.project_id = b.project_id
                    ORDER BY party_code)),
               b.monetary, b.note, b.doc_status, b.definition_source, b.source, b.version,
               COALESCE(m.n, 0), m.measured_on, m.value
        FROM benefits b JOIN projects p ON p.id = b.project_id
        LEFT JOIN ranked m ON m.benefit_id = b.id AND m.r = 1
        {where}
        ORDER BY p.code, b.kind, b.position, b.id
    """
    return frame(db, sql, params, REGISTER_SCHEMA).with_columns(pl.col(list(DATE_COLUMNS)).str.to_date())


def get_benefit(db: Database, benefit_id: int) -> dict[str, Any]:
    """One benefit's row as a dict (dates as ISO text, parties as a list); NotFoundError if missing."""
    found = _benefit_row(db, benefit_id)
    if found is None:
        raise NotFoundError(f"Nyttan med id {benefit_id} finns inte")
    return found


def _benefit_row(db: Database, benefit_id: int) -> dict[str, Any] | None:
    data = row_dict(db, "SELECT * FROM benefits WHERE id = ?", [benefit_id])
    if data is None:
        return None
    data["monetary"] = bool(data["monetary"])
    data["parties"] = [
        r[0]
        for r in db.execute(
            "SELECT party_code FROM benefit_parties WHERE benefit_id = ? ORDER BY party_code", [benefit_id]
        ).fetchall()
    ]
    return data


MEASUREMENT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "benefit_id": pl.Int64,
    "measured_on": pl.String,
    "value": pl.String,
    "comment": pl.String,
    "source": pl.String,
    "survey_statement_id": pl.Int64,
    "user": pl.String,
    "created_at": pl.String,
}


def measurements_frame(
    db: Database, *, benefit_id: int | None = None, project_id: int | None = None
) -> pl.DataFrame:
    """Measurements in date order, for one benefit, one project's benefits or all."""
    clauses, params = [], []
    if benefit_id is not None:
        clauses.append("m.benefit_id = ?")
        params.append(benefit_id)
    if project_id is not None:
        clauses.append("b.project_id = ?")
        params.append(project_id)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"""
        SELECT m.id, m.benefit_id, m.measured_on, m.value, m.comment, m.source,
               m.survey_statement_id, u.name, m.created_at
        FROM benefit_measurements m JOIN benefits b ON b.id = m.benefit_id
        LEFT JOIN users u ON u.id = m.user_id {where}
        ORDER BY m.benefit_id, m.measured_on, m.id
    """
    return frame(db, sql, params, MEASUREMENT_SCHEMA).with_columns(pl.col("measured_on").str.to_date())


OBSERVATION_SCHEMA: dict[str, Any] = {
    "benefit_id": pl.Int64,
    "text": pl.String,
    "kind": pl.String,
    "observed_on": pl.String,
    "source": pl.String,
}


def observations_frame(db: Database, project_id: int) -> pl.DataFrame:
    """Signals and observations noted on a project's benefits (not measurements)."""
    return frame(
        db,
        "SELECT o.benefit_id, o.text, o.kind, o.observed_on, o.source FROM benefit_observations o"
        " JOIN benefits b ON b.id = o.benefit_id WHERE b.project_id = ? ORDER BY o.id",
        [project_id],
        OBSERVATION_SCHEMA,
    )


VALUE_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "benefit_id": pl.Int64,
    "title": pl.String,
    "year": pl.Int64,
    "party_code": pl.String,
    "amount_ore": pl.Int64,
    "hours": pl.String,
    "rate_ore": pl.Int64,
    "value_ore": pl.Int64,
    "comment": pl.String,
    "source": pl.String,
}


def values_frame(db: Database, project_id: int) -> pl.DataFrame:
    """Money values of a project's benefits per year."""
    return frame(
        db,
        "SELECT v.id, v.benefit_id, b.title, v.year, v.party_code, v.amount_ore, v.hours, v.rate_ore,"
        " v.value_ore, v.comment, v.source FROM benefit_values v JOIN benefits b ON b.id = v.benefit_id"
        " WHERE b.project_id = ? ORDER BY v.year, b.position, v.id",
        [project_id],
        VALUE_SCHEMA,
    )


def benefit_party_frame(db: Database, project_id: int) -> pl.DataFrame:
    """Which parties each of a project's benefits is for."""
    return frame(
        db,
        "SELECT bp.benefit_id, bp.party_code FROM benefit_parties bp JOIN benefits b ON b.id = bp.benefit_id"
        " WHERE b.project_id = ? ORDER BY bp.benefit_id, bp.party_code",
        [project_id],
        {"benefit_id": pl.Int64, "party_code": pl.String},
    )


def follow_up(db: Database, project_id: int) -> tuple[str, str | None] | None:
    """How the project's benefits are to be followed up (text, source), if noted."""
    row = db.execute(
        "SELECT text, source FROM benefit_follow_up WHERE project_id = ?", [project_id]
    ).fetchone()
    return None if row is None else (str(row[0]), row[1])


def insert_follow_up(db: Database, project_id: int, text: str, source: str | None) -> bool:
    """Note how a project's benefits are followed up, unless noted already; True when inserted."""
    cur = db.execute(
        "INSERT OR IGNORE INTO benefit_follow_up (project_id, text, source) VALUES (?, ?, ?)",
        [project_id, text, source],
    )
    return cur.rowcount > 0


def count_benefits(db: Database) -> int:
    """How many benefits the register holds."""
    return int(db.execute("SELECT COUNT(*) FROM benefits").fetchone()[0])


def benefit_exists(db: Database, project_id: int, kind: str, title: str) -> bool:
    """Whether the project already has a benefit of this kind and title."""
    return exists(
        db,
        "SELECT 1 FROM benefits WHERE project_id = ? AND kind = ? AND title = ?",
        [project_id, kind, title],
    )


# --- writing (the service checks rights, validates and audits) ------------------------------

# The benefit's columns that hold a BenefitInput field just as it is (the plan points and the
# parties are stored apart).
PLAIN_COLUMNS = (
    "kind",
    "title",
    "indicator",
    "unit",
    "direction",
    "owner",
    "owner_email",
    "monetary",
    "note",
)


def _plan_columns(data: BenefitInput) -> list[Any]:
    return [
        data.baseline.date.isoformat() if data.baseline else None,
        str(data.baseline.value) if data.baseline else None,
        data.target.date.isoformat() if data.target else None,
        str(data.target.value) if data.target else None,
    ]


def insert_benefit(
    db: Database,
    project_id: int,
    data: BenefitInput,
    *,
    source: str | None = None,
    definition_source: str | None = None,
    doc_status: str | None = None,
) -> int:
    """Insert a benefit with its parties; returns its id."""
    position = db.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM benefits WHERE project_id = ?", [project_id]
    ).fetchone()[0]
    cur = db.execute(
        "INSERT INTO benefits (project_id, position, kind, title, indicator, unit, direction,"
        " baseline_date, baseline_value, target_date, target_value, owner, owner_email, monetary,"
        " note, doc_status, definition_source, source, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            project_id,
            position,
            data.kind,
            data.title,
            data.indicator,
            data.unit,
            data.direction,
            *_plan_columns(data),
            data.owner,
            data.owner_email,
            data.monetary,
            data.note,
            doc_status,
            definition_source,
            source,
            clock.now(),
        ],
    )
    benefit_id = cur.lastrowid
    assert benefit_id is not None
    _set_parties(db, benefit_id, data.parties)
    return benefit_id


def _set_parties(db: Database, benefit_id: int, parties: tuple[str, ...]) -> None:
    db.execute("DELETE FROM benefit_parties WHERE benefit_id = ?", [benefit_id])
    for party in parties:
        db.execute("INSERT INTO benefit_parties VALUES (?, ?)", [benefit_id, party])


def update_benefit(db: Database, benefit_id: int, data: BenefitInput, *, expected_version: int) -> bool:
    """Save an edit made from `expected_version`; False when the row has moved on since."""
    plan = dict(
        zip(
            ("baseline_date", "baseline_value", "target_date", "target_value"),
            _plan_columns(data),
            strict=True,
        )
    )
    values = {**{column: getattr(data, column) for column in PLAIN_COLUMNS}, **plan}
    if not update_if_unchanged(db, "benefits", values, where={"id": benefit_id}, version=expected_version):
        return False
    _set_parties(db, benefit_id, data.parties)
    return True


def insert_measurement(
    db: Database,
    benefit_id: int,
    data: MeasurementInput,
    *,
    user_id: int | None,
    survey_statement_id: int | None = None,
) -> int:
    """Append one measurement; returns its id."""
    return table_insert(
        db,
        "benefit_measurements",
        {
            "benefit_id": benefit_id,
            "measured_on": data.measured_on.isoformat(),
            "value": str(data.value),
            "comment": data.comment,
            "source": data.source,
            "survey_statement_id": survey_statement_id,
            "user_id": user_id,
            "created_at": clock.now(),
        },
    )


def measurements_from_statements(db: Database, statement_ids: list[int]) -> list[dict[str, Any]]:
    """Measurements made from these survey statements (a survey round being replaced)."""
    if not statement_ids:
        return []
    marks = ", ".join("?" * len(statement_ids))
    return row_dicts(
        db,
        "SELECT id, benefit_id, measured_on, value, survey_statement_id FROM benefit_measurements"
        f" WHERE survey_statement_id IN ({marks}) ORDER BY id",
        statement_ids,
    )


def delete_measurements(db: Database, ids: list[int]) -> None:
    """Remove measurements (only those a replaced survey round produced)."""
    if ids:
        db.execute(f"DELETE FROM benefit_measurements WHERE id IN ({', '.join('?' * len(ids))})", ids)


def insert_observation(
    db: Database, benefit_id: int, *, text: str, kind: str | None, observed_on: str | None, source: str | None
) -> None:
    """Note a signal about a benefit (not a measurement)."""
    db.execute(
        "INSERT INTO benefit_observations (benefit_id, text, kind, observed_on, source)"
        " VALUES (?, ?, ?, ?, ?)",
        [benefit_id, text, kind, observed_on, source],
    )


def insert_value(
    db: Database, benefit_id: int, data: BenefitValueInput, *, user_id: int | None, source: str | None = None
) -> int:
    """Store a benefit's money value for a year; returns its id."""
    return table_insert(
        db,
        "benefit_values",
        {
            "benefit_id": benefit_id,
            "year": data.year,
            "party_code": data.party,
            "amount_ore": data.amount,
            "hours": None if data.hours is None else str(data.hours),
            "rate_ore": None if data.hours is None else data.rate,
            "value_ore": data.value_ore,
            "comment": data.comment,
            "source": source,
            "user_id": user_id,
            "created_at": clock.now(),
        },
    )
