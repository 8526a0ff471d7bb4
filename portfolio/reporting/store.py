"""The reporting cycle's tables: the calendar, report drafts, and the published reports' periods,
versions and snapshots (published reports stay in `status_reports`, which every reader knows)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import (
    Database,
    Migrations,
    frame,
    row_dict,
    row_dicts,
    table_frame,
    table_insert,
    to_json,
    update_if_unchanged,
)
from portfolio.reporting.calendar import CalendarEntry, period_of_day
from portfolio.reporting.model import REPORT_FIELDS

MIGRATIONS = Migrations("reporting")


@MIGRATIONS
def m001_calendar_and_reports(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE reporting_periods (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, period TEXT NOT NULL,
            start_date TEXT NOT NULL, end_date TEXT NOT NULL, meeting_date TEXT,
            report_deadline TEXT NOT NULL, review_deadline TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1, UNIQUE (year, period));
        CREATE TABLE reporting_obligations (
            project_id INTEGER PRIMARY KEY REFERENCES projects(id), must_report INTEGER NOT NULL);
        CREATE TABLE report_drafts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL REFERENCES projects(id),
            year INTEGER NOT NULL, period TEXT NOT NULL, reported_on TEXT NOT NULL,
            time_status TEXT, time_reason TEXT NOT NULL DEFAULT '',
            cost_status TEXT, cost_reason TEXT NOT NULL DEFAULT '',
            scope_status TEXT, scope_reason TEXT NOT NULL DEFAULT '',
            risk_status TEXT, risk_reason TEXT NOT NULL DEFAULT '',
            benefit_status TEXT, benefit_reason TEXT NOT NULL DEFAULT '',
            overall_status TEXT, overall_reason TEXT NOT NULL DEFAULT '',
            next_steps TEXT NOT NULL DEFAULT '', corrects_id INTEGER REFERENCES status_reports(id),
            user_id INTEGER REFERENCES users(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1, UNIQUE (project_id, year, period));
        ALTER TABLE status_reports ADD COLUMN year INTEGER;
        ALTER TABLE status_reports ADD COLUMN period TEXT;
        ALTER TABLE status_reports ADD COLUMN risk_status TEXT;
        ALTER TABLE status_reports ADD COLUMN risk_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE status_reports ADD COLUMN benefit_status TEXT;
        ALTER TABLE status_reports ADD COLUMN benefit_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE status_reports ADD COLUMN report_version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE status_reports ADD COLUMN corrects_id INTEGER REFERENCES status_reports(id);
        ALTER TABLE status_reports ADD COLUMN correction_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE status_reports ADD COLUMN published_at TEXT;
        ALTER TABLE status_reports ADD COLUMN snapshot TEXT;
        CREATE INDEX status_reports_period ON status_reports (project_id, year, period);
        """
    )
    # Reports filed before the calendar: bound to the period their date falls in, published when
    # they were filed, with no snapshot (NULL reads as "ej sparat").
    rows = db.execute("SELECT id, reported_on, created_at FROM status_reports").fetchall()
    db.conn.executemany(
        "UPDATE status_reports SET year = ?, period = ?, published_at = ? WHERE id = ?",
        [(*period_of_day(date.fromisoformat(on[:10])), created, rid) for rid, on, created in rows],
    )
    # Each earlier report of the same project and period counts as an earlier version.
    db.execute(
        """UPDATE status_reports SET report_version = 1 + (
               SELECT count(*) FROM status_reports e WHERE e.project_id = status_reports.project_id
               AND e.year = status_reports.year AND e.period = status_reports.period
               AND (e.reported_on < status_reports.reported_on
                    OR (e.reported_on = status_reports.reported_on AND e.id < status_reports.id)))"""
    )
    # A published report is never edited: a correction is a new version with a reason.
    db.execute(
        f"""CREATE TRIGGER status_reports_frozen BEFORE UPDATE OF {", ".join(FROZEN_COLUMNS)}
            ON status_reports WHEN OLD.published_at IS NOT NULL BEGIN
            SELECT RAISE(ABORT, '{FROZEN_MESSAGE}');
            END"""
    )


FROZEN_MESSAGE = "En publicerad statusrapport ändras inte: gör en rättelse (en ny version med skäl)."
FROZEN_COLUMNS = (*REPORT_FIELDS, "year", "period", "report_version", "snapshot", "published_at")


# --- calendar -------------------------------------------------------------------------------

CALENDAR_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "year": pl.Int64,
    "period": pl.String,
    "start_date": pl.String,
    "end_date": pl.String,
    "meeting_date": pl.String,
    "report_deadline": pl.String,
    "review_deadline": pl.String,
    "note": pl.String,
    "version": pl.Int64,
}


def calendar_frame(db: Database, year: int | None = None) -> pl.DataFrame:
    """The calendar's periods (of one year or all), in deadline order."""
    return table_frame(
        db, "reporting_periods", CALENDAR_SCHEMA, order_by="report_deadline, id", given={"year": year}
    )


def _entry(row: dict[str, Any]) -> CalendarEntry:
    return CalendarEntry(
        year=row["year"],
        period=row["period"],
        start=date.fromisoformat(row["start_date"]),
        end=date.fromisoformat(row["end_date"]),
        report_deadline=date.fromisoformat(row["report_deadline"]),
        review_deadline=date.fromisoformat(row["review_deadline"]),
        meeting=date.fromisoformat(row["meeting_date"]) if row["meeting_date"] else None,
    )


def calendar_entries(db: Database) -> list[CalendarEntry]:
    """Every period of every year, in deadline order."""
    return [_entry(r) for r in calendar_frame(db).to_dicts()]


def period_row(db: Database, year: int, period: str) -> dict[str, Any] | None:
    """One period of the calendar as a dict, or None."""
    return row_dict(
        db,
        f"SELECT {', '.join(CALENDAR_SCHEMA)} FROM reporting_periods WHERE year = ? AND period = ?",
        [year, period],
    )


def insert_period(db: Database, entry: CalendarEntry, note: str) -> int:
    """Add a period to the calendar; returns its id."""
    cur = db.execute(
        "INSERT INTO reporting_periods (year, period, start_date, end_date, meeting_date, report_deadline,"
        " review_deadline, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [*_entry_values(entry), note],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def update_period(db: Database, period_id: int, entry: CalendarEntry, note: str, *, version: int) -> bool:
    """Change a period's dates if nobody changed it since `version`; True when done."""
    columns = (
        "year",
        "period",
        "start_date",
        "end_date",
        "meeting_date",
        "report_deadline",
        "review_deadline",
    )
    values = {**dict(zip(columns, _entry_values(entry), strict=True)), "note": note}
    return update_if_unchanged(db, "reporting_periods", values, where={"id": period_id}, version=version)


def _entry_values(entry: CalendarEntry) -> list[Any]:
    return [
        entry.year,
        entry.period,
        entry.start.isoformat(),
        entry.end.isoformat(),
        entry.meeting.isoformat() if entry.meeting else None,
        entry.report_deadline.isoformat(),
        entry.review_deadline.isoformat(),
    ]


def meeting_dates(db: Database) -> list[date]:
    """The dates of every meeting (held or planned)."""
    return [
        date.fromisoformat(r[0]) for r in db.execute("SELECT date FROM meetings ORDER BY date").fetchall()
    ]


# --- who must report ------------------------------------------------------------------------


def reporting_projects(db: Database) -> list[dict[str, Any]]:
    """Every project with its phase, its own reporting setting (None = by phase) and leaders."""
    rows = row_dicts(
        db,
        """SELECT p.id, p.code, p.name, p.phase, o.must_report,
                  (SELECT group_concat(up.user_id) FROM user_projects up JOIN users u ON u.id = up.user_id
                   WHERE up.project_id = p.id AND u.active = 1 AND u.role = 'projektledare') AS leaders
           FROM projects p LEFT JOIN reporting_obligations o ON o.project_id = p.id ORDER BY p.code""",
        [],
    )
    for row in rows:
        row["must_report"] = None if row["must_report"] is None else bool(row["must_report"])
        row["leaders"] = tuple(sorted(int(x) for x in row["leaders"].split(","))) if row["leaders"] else ()
    return rows


def set_obligation(db: Database, project_id: int, must_report: bool | None) -> None:
    """Set (or with None: remove) a project's own reporting setting."""
    if must_report is None:
        db.execute("DELETE FROM reporting_obligations WHERE project_id = ?", [project_id])
    else:
        db.execute(
            "INSERT INTO reporting_obligations VALUES (?, ?) ON CONFLICT(project_id) DO UPDATE SET"
            " must_report = excluded.must_report",
            [project_id, int(must_report)],
        )


def published_pairs(db: Database) -> set[tuple[int, int, str]]:
    """(project, year, period) of every published report."""
    return {
        (r[0], r[1], r[2])
        for r in db.execute(
            "SELECT DISTINCT project_id, year, period FROM status_reports WHERE year IS NOT NULL"
        ).fetchall()
    }


def reviewed_parties(db: Database, year: int, period: str) -> set[str]:
    """The parties whose kommunchef has recorded a review of the period."""
    return {
        r[0]
        for r in db.execute(
            "SELECT party FROM tertial_reviews WHERE year = ? AND period = ?", [year, period]
        ).fetchall()
    }


def party_codes(db: Database) -> list[str]:
    """Every party's code, in code order."""
    return [r[0] for r in db.execute("SELECT code FROM parties ORDER BY code").fetchall()]


# --- drafts ---------------------------------------------------------------------------------

DRAFT_COLUMNS = (
    "id",
    "project_id",
    "year",
    "period",
    *REPORT_FIELDS,
    "corrects_id",
    "user_id",
    "created_at",
    "updated_at",
    "version",
)


def _values(fields: dict[str, Any]) -> list[Any]:
    """The report's fields in column order; an empty reason or next step is stored as ''."""
    return [
        (fields.get(f) or "") if f.endswith(("_reason", "next_steps")) else fields.get(f)
        for f in REPORT_FIELDS
    ]


def draft(db: Database, draft_id: int) -> dict[str, Any] | None:
    """One draft, or None."""
    return row_dict(db, f"SELECT {', '.join(DRAFT_COLUMNS)} FROM report_drafts WHERE id = ?", [draft_id])


def draft_for(db: Database, project_id: int, year: int, period: str) -> dict[str, Any] | None:
    """The project's draft for the period, or None."""
    return row_dict(
        db,
        f"SELECT {', '.join(DRAFT_COLUMNS)} FROM report_drafts"
        " WHERE project_id = ? AND year = ? AND period = ?",
        [project_id, year, period],
    )


def drafts_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's drafts, newest period first."""
    return row_dicts(
        db,
        f"SELECT {', '.join(DRAFT_COLUMNS)} FROM report_drafts"
        " WHERE project_id = ? ORDER BY year DESC, id DESC",
        [project_id],
    )


def insert_draft(
    db: Database,
    project_id: int,
    year: int,
    period: str,
    fields: dict[str, Any],
    *,
    corrects_id: int | None,
    user_id: int | None,
) -> int:
    """Store a new draft; returns its id."""
    stamp = clock.now()
    cur = db.execute(
        f"INSERT INTO report_drafts (project_id, year, period, {', '.join(REPORT_FIELDS)},"
        " corrects_id, user_id,"
        f" created_at, updated_at) VALUES (?, ?, ?, {', '.join('?' * len(REPORT_FIELDS))}, ?, ?, ?, ?)",
        [
            project_id,
            year,
            period,
            *_values(fields),
            corrects_id,
            user_id,
            stamp,
            stamp,
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def update_draft(db: Database, draft_id: int, fields: dict[str, Any], *, version: int) -> bool:
    """Save a draft's fields if nobody changed it since `version`; True when done."""
    values = {**dict(zip(REPORT_FIELDS, _values(fields), strict=True)), "updated_at": clock.now()}
    return update_if_unchanged(db, "report_drafts", values, where={"id": draft_id}, version=version)


def delete_draft(db: Database, draft_id: int, *, version: int) -> bool:
    """Remove a draft (it has been published) if unchanged since `version`."""
    return (
        db.execute("DELETE FROM report_drafts WHERE id = ? AND version = ?", [draft_id, version]).rowcount
        == 1
    )


# --- published reports ----------------------------------------------------------------------

PUBLISHED_COLUMNS = (
    "id",
    "project_id",
    "year",
    "period",
    *REPORT_FIELDS,
    "report_version",
    "corrects_id",
    "correction_reason",
    "published_at",
    "snapshot",
    "user_id",
)
PUBLISHED_SCHEMA: dict[str, Any] = {
    **dict.fromkeys(PUBLISHED_COLUMNS, pl.String),
    "id": pl.Int64,
    "project_id": pl.Int64,
    "year": pl.Int64,
    "report_version": pl.Int64,
    "corrects_id": pl.Int64,
    "user_id": pl.Int64,
    "publisher": pl.String,
    "project_code": pl.String,
    "project_name": pl.String,
}


def published(db: Database, report_id: int) -> dict[str, Any] | None:
    """One published report (its snapshot parsed), or None."""
    row = row_dict(db, f"SELECT {', '.join(PUBLISHED_COLUMNS)} FROM status_reports WHERE id = ?", [report_id])
    if row is not None:
        row["snapshot"] = json.loads(row["snapshot"]) if row["snapshot"] else None
    return row


def latest_published(
    db: Database, project_id: int, year: int | None = None, period: str | None = None
) -> dict[str, Any] | None:
    """The project's newest published report (of the period, when given), or None."""
    where, params = "", list[Any]([project_id])
    if year is not None and period is not None:
        where, params = " AND year = ? AND period = ?", [project_id, year, period]
    row = db.execute(
        f"SELECT id FROM status_reports WHERE project_id = ?{where}"
        " ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT 1",
        params,
    ).fetchone()
    return None if row is None else published(db, row[0])


def report_for_meeting(db: Database, project_id: int, day: date) -> dict[str, Any] | None:
    """The project's newest published report of the period the meeting on `day` presents, else its
    newest report dated on or before the day; None when there is none."""
    period = db.execute(
        "SELECT year, period FROM reporting_periods WHERE meeting_date = ?"
        " ORDER BY report_deadline DESC LIMIT 1",
        [day.isoformat()],
    ).fetchone()
    if period is not None:
        found = latest_published(db, project_id, period[0], period[1])
        if found is not None:
            return found
    row = db.execute(
        "SELECT id FROM status_reports WHERE project_id = ? AND reported_on <= ?"
        " ORDER BY reported_on DESC, id DESC LIMIT 1",
        [project_id, day.isoformat()],
    ).fetchone()
    return None if row is None else published(db, row[0])


def published_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Published reports with their project and publisher, oldest first (snapshot as JSON text)."""
    where, params = ("WHERE r.project_id = ?", [project_id]) if project_id is not None else ("", [])
    cols = ", ".join(f"r.{c}" for c in PUBLISHED_COLUMNS)
    return frame(
        db,
        f"SELECT {cols}, u.name, p.code, p.name FROM status_reports r JOIN projects p ON p.id = r.project_id"
        f" LEFT JOIN users u ON u.id = r.user_id {where}"
        " ORDER BY r.year, r.period, r.report_version, r.id",
        params,
        PUBLISHED_SCHEMA,
    )


def next_version(db: Database, project_id: int, year: int, period: str) -> int:
    """The version number the next published report of the project and period gets."""
    row = db.execute(
        "SELECT max(report_version) FROM status_reports WHERE project_id = ? AND year = ? AND period = ?",
        [project_id, year, period],
    ).fetchone()
    return 1 + (row[0] or 0)


def insert_published(
    db: Database,
    project_id: int,
    year: int,
    period: str,
    fields: dict[str, Any],
    *,
    report_version: int,
    corrects_id: int | None,
    correction_reason: str,
    snapshot: dict[str, Any],
    user_id: int | None,
) -> int:
    """Store a published report with its frozen snapshot; returns its id."""
    stamp = clock.now()
    return table_insert(
        db,
        "status_reports",
        {
            **dict(zip(REPORT_FIELDS, _values(fields), strict=True)),
            "project_id": project_id,
            "year": year,
            "period": period,
            "report_version": report_version,
            "corrects_id": corrects_id,
            "correction_reason": correction_reason,
            "snapshot": to_json(snapshot),
            "published_at": stamp,
            "created_at": stamp,
            "user_id": user_id,
        },
    )


# --- what a snapshot rests on ---------------------------------------------------------------


def _has(db: Database, table: str) -> bool:
    return table in db.table_names()


def snapshot_facts(db: Database, project_id: int) -> dict[str, Any]:
    """The project's money, open risks with scores and benefits with their latest measurement, now.

    Read straight from the registers' tables (the core imports no register): a snapshot is a copy
    of rows as they stand, so the registers' rules are not needed to take it.
    """
    money = (
        row_dict(
            db,
            """SELECT p.budget_ore, p.actual_ore, s.total_cost_ore AS forecast_ore,
                  (SELECT sum(outcome_total_ore) FROM budget_lines b
                   WHERE b.project_id = p.id) AS lines_actual_ore,
                  (SELECT sum(budget_total_ore) FROM budget_lines b
                   WHERE b.project_id = p.id) AS lines_budget_ore
           FROM projects p LEFT JOIN stated_totals s ON s.project_id = p.id WHERE p.id = ?""",
            [project_id],
        )
        or {}
    )
    risks: list[dict[str, Any]] = []
    if _has(db, "risks"):
        risks = row_dicts(
            db,
            """SELECT r.id, r.title, r.probability, r.consequence, r.probability * r.consequence AS score,
                      r.residual_probability, r.residual_consequence, r.status, g.yellow_from, g.red_from
               FROM risks r JOIN risk_registers g ON g.id = r.register_id
               WHERE g.project_id = ? AND r.status IN ('öppen', 'hanteras')
               ORDER BY score DESC, r.id""",
            [project_id],
        )
        for risk in risks:
            red, yellow, score = risk.pop("red_from"), risk.pop("yellow_from"), risk["score"]
            risk["band"] = "röd" if score >= red else "gul" if score >= yellow else "grön"
    benefits: list[dict[str, Any]] = []
    if _has(db, "benefits"):
        benefits = row_dicts(
            db,
            """SELECT b.id, b.title, b.unit, b.target_value,
                      m.value AS latest_value, m.measured_on
               FROM benefits b LEFT JOIN benefit_measurements m ON m.id = (
                   SELECT m2.id FROM benefit_measurements m2 WHERE m2.benefit_id = b.id
                   ORDER BY m2.measured_on DESC, m2.id DESC LIMIT 1)
               WHERE b.project_id = ? ORDER BY b.position, b.id""",
            [project_id],
        )
    budget = money.get("budget_ore") if money.get("budget_ore") is not None else money.get("lines_budget_ore")
    actual = money.get("actual_ore") if money.get("actual_ore") is not None else money.get("lines_actual_ore")
    return {
        "taken_at": clock.now(),
        "budget_ore": budget,
        "actual_ore": actual,
        "forecast_ore": money.get("forecast_ore"),
        "risks": risks,
        "benefits": benefits,
    }
