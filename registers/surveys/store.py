"""Tables of surveys: the only module that reads and writes them."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import Database, Migrations, exists, frame, positioned_frame, row_dict, stamps_to_utc
from portfolio.errors import NotFoundError
from registers.surveys.model import SurveyInput

MIGRATIONS = Migrations("surveys")


@MIGRATIONS
def m001_surveys(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            title TEXT NOT NULL, date TEXT NOT NULL, date_source TEXT,
            population INTEGER, population_note TEXT, respondents INTEGER,
            points INTEGER NOT NULL, low_label TEXT, high_label TEXT,
            shape TEXT, distribution TEXT, findings TEXT, notes TEXT, source TEXT,
            previous_survey_id INTEGER REFERENCES surveys(id),
            version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,
            UNIQUE (project_id, title));
        CREATE TABLE survey_groups (
            id INTEGER PRIMARY KEY, survey_id INTEGER NOT NULL REFERENCES surveys(id),
            position INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
            stated_share_pct INTEGER, source TEXT,
            UNIQUE (survey_id, code), UNIQUE (survey_id, name));
        CREATE TABLE survey_statements (
            id INTEGER PRIMARY KEY, survey_id INTEGER NOT NULL REFERENCES surveys(id),
            position INTEGER NOT NULL, text TEXT NOT NULL, theme TEXT, stated_mean TEXT,
            source TEXT, benefit_id INTEGER REFERENCES benefits(id),
            UNIQUE (survey_id, text));
        CREATE TABLE survey_counts (
            survey_id INTEGER NOT NULL REFERENCES surveys(id),
            statement_id INTEGER NOT NULL REFERENCES survey_statements(id),
            group_id INTEGER NOT NULL REFERENCES survey_groups(id),
            answer INTEGER NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (statement_id, group_id, answer));
        CREATE TABLE survey_responses (
            survey_id INTEGER NOT NULL REFERENCES surveys(id),
            respondent_id TEXT NOT NULL,
            group_id INTEGER NOT NULL REFERENCES survey_groups(id),
            statement_id INTEGER NOT NULL REFERENCES survey_statements(id),
            answer INTEGER,
            PRIMARY KEY (survey_id, respondent_id, statement_id));
        """
    )


@MIGRATIONS
def m002_utc_timestamps(db: Database) -> None:
    # Versions before the one clock stored these in naive Stockholm time.
    stamps_to_utc(db, "surveys", ("created_at",))


# --- reading -----------------------------------------------------------------------------

SURVEY_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,
    "title": pl.String,
    "date": pl.String,
    "date_source": pl.String,
    "population": pl.Int64,
    "population_note": pl.String,
    "respondents": pl.Int64,
    "points": pl.Int64,
    "low_label": pl.String,
    "high_label": pl.String,
    "shape": pl.String,
    "distribution": pl.String,
    "findings": pl.String,
    "notes": pl.String,
    "source": pl.String,
    "previous_survey_id": pl.Int64,
    "version": pl.Int64,
}


def surveys_frame(db: Database) -> pl.DataFrame:
    """Every survey with its project's code, newest first."""
    return frame(
        db,
        f"SELECT s.id, s.project_id, p.code, {', '.join(f's.{c}' for c in list(SURVEY_SCHEMA)[3:])}"
        " FROM surveys s JOIN projects p ON p.id = s.project_id ORDER BY s.date DESC, s.id DESC",
        [],
        SURVEY_SCHEMA,
    )


def get_survey(db: Database, survey_id: int) -> dict[str, Any]:
    """One survey as a dict (findings and notes as lists); NotFoundError otherwise."""
    found = surveys_frame(db).filter(pl.col("id") == survey_id)
    if found.is_empty():
        raise NotFoundError(f"Enkäten med id {survey_id} finns inte")
    row = found.row(0, named=True)
    row["findings"] = json.loads(row["findings"]) if row["findings"] else []
    row["notes"] = json.loads(row["notes"]) if row["notes"] else []
    return row


GROUP_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "position": pl.Int64,
    "code": pl.String,
    "name": pl.String,
    "stated_share_pct": pl.Int64,
    "source": pl.String,
}


def groups_frame(db: Database, survey_id: int) -> pl.DataFrame:
    """A survey's respondent groups in order."""
    return positioned_frame(db, "survey_groups", "survey_id", survey_id, GROUP_SCHEMA)


STATEMENT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "position": pl.Int64,
    "text": pl.String,
    "theme": pl.String,
    "stated_mean": pl.String,
    "source": pl.String,
    "benefit_id": pl.Int64,
    "benefit_title": pl.String,
}


def statements_frame(db: Database, survey_id: int) -> pl.DataFrame:
    """A survey's statements in order, with the benefit each is linked to."""
    return frame(
        db,
        "SELECT s.id, s.position, s.text, s.theme, s.stated_mean, s.source, s.benefit_id, b.title"
        " FROM survey_statements s LEFT JOIN benefits b ON b.id = s.benefit_id"
        " WHERE s.survey_id = ? ORDER BY s.position",
        [survey_id],
        STATEMENT_SCHEMA,
    )


def get_statement(db: Database, statement_id: int) -> dict[str, Any]:
    """One statement with its survey id; NotFoundError otherwise."""
    found = row_dict(
        db,
        "SELECT id, survey_id, position, text, benefit_id FROM survey_statements WHERE id = ?",
        [statement_id],
    )
    if found is None:
        raise NotFoundError(f"Påståendet med id {statement_id} finns inte")
    return found


def counts_frame(db: Database, survey_id: int) -> pl.DataFrame:
    """Answers counted per statement, group (name) and answer value, in statement order."""
    return frame(
        db,
        "SELECT s.text, g.name, c.answer, c.count FROM survey_counts c"
        " JOIN survey_statements s ON s.id = c.statement_id JOIN survey_groups g ON g.id = c.group_id"
        " WHERE c.survey_id = ? ORDER BY s.position, g.position, c.answer",
        [survey_id],
        {"statement": pl.String, "group": pl.String, "answer": pl.Int64, "count": pl.Int64},
    )


def responses_frame(db: Database, survey_id: int) -> pl.DataFrame:
    """One row per respondent and statement (answer null when skipped), in statement order."""
    return frame(
        db,
        "SELECT r.respondent_id, g.name, s.text, r.answer FROM survey_responses r"
        " JOIN survey_statements s ON s.id = r.statement_id JOIN survey_groups g ON g.id = r.group_id"
        " WHERE r.survey_id = ? ORDER BY s.position, r.respondent_id",
        [survey_id],
        {"respondent_id": pl.String, "group": pl.String, "statement": pl.String, "answer": pl.Int64},
    )


def answer_rows(db: Database, survey_id: int) -> int:
    """How many stored answer rows (counts and responses) the survey has."""
    return int(
        db.execute(
            "SELECT (SELECT COUNT(*) FROM survey_counts WHERE survey_id = ?)"
            " + (SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?)",
            [survey_id, survey_id],
        ).fetchone()[0]
    )


def survey_exists(db: Database, project_id: int, title: str) -> bool:
    """Whether the project already has a survey with this title."""
    return exists(db, "SELECT 1 FROM surveys WHERE project_id = ? AND title = ?", [project_id, title])


# --- writing (the service checks rights, validates and audits) ------------------------------


def insert_survey(
    db: Database,
    project_id: int,
    data: SurveyInput,
    *,
    respondents: int | None = None,
    date_source: str | None = None,
    findings: list[str] | None = None,
    notes: list[str] | None = None,
    source: str | None = None,
    previous_survey_id: int | None = None,
    share_pct: dict[str, int] | None = None,
    statement_extra: list[dict[str, Any]] | None = None,
) -> int:
    """Insert a survey with its groups and statements; returns its id."""
    cur = db.execute(
        "INSERT INTO surveys (project_id, title, date, date_source, population, population_note,"
        " respondents, points, low_label, high_label, distribution, findings, notes, source,"
        " previous_survey_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            project_id,
            data.title,
            data.date.isoformat(),
            date_source,
            data.population,
            data.population_note,
            respondents,
            data.scale.points,
            data.scale.low_label,
            data.scale.high_label,
            data.distribution,
            json.dumps(findings or [], ensure_ascii=False),
            json.dumps(notes or [], ensure_ascii=False),
            source,
            previous_survey_id,
            clock.now(),
        ],
    )
    survey_id = cur.lastrowid
    assert survey_id is not None
    for position, group in enumerate(data.groups):
        db.execute(
            "INSERT INTO survey_groups (survey_id, position, code, name, stated_share_pct, source)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [survey_id, position, group.key, group.name, (share_pct or {}).get(group.key), source],
        )
    extra = statement_extra or [{} for _ in data.statements]
    for position, (statement, more) in enumerate(zip(data.statements, extra, strict=True)):
        db.execute(
            "INSERT INTO survey_statements (survey_id, position, text, theme, stated_mean, source,"
            " benefit_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                survey_id,
                position,
                statement.text,
                statement.theme,
                more.get("stated_mean"),
                more.get("source", source),
                more.get("benefit_id"),
            ],
        )
    return survey_id


def delete_answers(db: Database, survey_id: int) -> None:
    """Remove a survey's answers (before a replacing import)."""
    db.execute("DELETE FROM survey_counts WHERE survey_id = ?", [survey_id])
    db.execute("DELETE FROM survey_responses WHERE survey_id = ?", [survey_id])


def insert_counts(db: Database, survey_id: int, counts: pl.DataFrame) -> None:
    """Store counts with columns statement_id, group_id, answer, count."""
    db.conn.executemany(
        "INSERT INTO survey_counts (survey_id, statement_id, group_id, answer, count) VALUES (?, ?, ?, ?, ?)",
        [
            (survey_id, *row)
            for row in counts.select("statement_id", "group_id", "answer", "count").iter_rows()
        ],
    )


def insert_responses(db: Database, survey_id: int, responses: pl.DataFrame) -> None:
    """Store responses with columns respondent_id, group_id, statement_id, answer."""
    db.conn.executemany(
        "INSERT INTO survey_responses (survey_id, respondent_id, group_id, statement_id, answer)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (survey_id, *row)
            for row in responses.select("respondent_id", "group_id", "statement_id", "answer").iter_rows()
        ],
    )


def set_answers_meta(db: Database, survey_id: int, *, shape: str | None, respondents: int | None) -> None:
    """Record the shape of the stored answers and the number of respondents."""
    db.execute(
        "UPDATE surveys SET shape = ?, respondents = ?, version = version + 1 WHERE id = ?",
        [shape, respondents, survey_id],
    )


def set_statement_benefit(db: Database, statement_id: int, benefit_id: int | None) -> None:
    """Link a statement's mean to a benefit indicator (or unlink with None)."""
    db.execute("UPDATE survey_statements SET benefit_id = ? WHERE id = ?", [benefit_id, statement_id])
