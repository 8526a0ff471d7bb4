"""Att göra from the database: the core's inputs (meetings, reporting calendar, changes since the
last meeting), the users to remind, and the log of reminders sent (each with its audit row)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from portfolio import clock, users_store
from portfolio import db as core_db
from portfolio import store as core_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from portfolio.governance import service as governance
from portfolio.models import Status
from portfolio.reporting import service as reporting
from portfolio.todo import logic
from portfolio.todo import store as todo_store
from portfolio.todo.model import CHANGES_SCHEMA, ReportDue, ReviewDue, TodoInputs

# Audit entries the nämnd's "changed since the last meeting" leaves out: accounts and keys are
# private, reminders are no change to the portfolio.
HIDDEN_ENTITIES = ("användare", "api-nyckel", "påminnelse", "session")


def reporting_calendar(db: Database, today: date) -> tuple[tuple[ReportDue, ...], tuple[ReviewDue, ...]]:
    """The status reports due and the tertial review deadlines, from the reporting calendar."""
    reports = tuple(reporting.due_reports(db, today))
    reviews = tuple(
        ReviewDue(period=r.period, year=r.year, deadline=r.deadline, missing_parties=tuple(r.parties))
        for r in reporting.review_deadlines(db, today)
    )
    return reports, reviews


def _status_display(value: str | None) -> str:
    try:
        return Status(value).display if value else "– Ej rapporterad"
    except ValueError:
        return str(value)


def changes_since(db: Database, since: date | None, today: date) -> pl.DataFrame:
    """What happened after the meeting held on `since` up to `today`: status reports, phase changes
    and the changes people made (from the audit log), one row each (`CHANGES_SCHEMA`)."""
    codes = dict(core_store.projects_frame(db).select("id", "code").iter_rows())
    after = since.isoformat() if since else ""
    reports = core_store.status_reports_frame(db).filter(
        (pl.col("reported_on") > after) & (pl.col("reported_on") <= today.isoformat())
    )
    rows: list[dict[str, Any]] = [
        {
            "on": r["reported_on"],
            "project": codes.get(r["project_id"]),
            "text": f"Statusrapport för {codes.get(r['project_id'], '?')}"
            f" – {_status_display(r['overall_status'])}",
        }
        for r in reports.iter_rows(named=True)
    ]
    rows += [
        {
            "on": r["changed_on"],
            "project": r["code"],
            "text": f"{r['code']} {r['name']} "
            + (
                f"går från {r['from_phase'] or '–'} till {r['to_phase']}"
                if r["from_phase"] != r["to_phase"]
                else f"nytt beslut i fasen {r['to_phase']}"
            ),
        }
        for r in governance.phase_changes_between(db, since, today).iter_rows(named=True)
    ]
    # The audit log is in UTC; the meeting's day ends at midnight in Sweden.
    since_utc = clock.local_to_utc(f"{since + timedelta(days=1)}T00:00:00") if since else ""
    for r in todo_store.people_changes_since(db, since_utc, HIDDEN_ENTITIES).iter_rows(named=True):
        count = f"{r['changes']} {'ändring' if r['changes'] == 1 else 'ändringar'}"
        where = f"{r['project']} {r['name']}: " if r["project"] else ""
        rows.append(
            {
                "on": clock.local_text(r["last_at"])[:10],
                "project": r["project"],
                "text": f"{where}{count} – {r['entity']}",
            }
        )
    return pl.DataFrame(rows, schema=CHANGES_SCHEMA)


def core_inputs(db: Database, today: date, **registers: pl.DataFrame) -> TodoInputs:
    """The inputs of Att göra: the core's own, with the registers' frames the caller read
    (`actions`, `risks`, `benefits`; see `TodoInputs`)."""
    reports, reviews = reporting_calendar(db, today)
    previous = governance.previous_meeting(db, today)
    since = date.fromisoformat(previous["date"]) if previous else None
    upcoming = governance.upcoming_meetings(db, today, 1)
    next_meeting = date.fromisoformat(upcoming["date"][0]) if upcoming.height else None
    return TodoInputs(
        today=today,
        reports=reports,
        reviews=reviews,
        party_names=dict(core_store.parties_frame(db).select("code", "name").iter_rows()),
        next_meeting=next_meeting,
        since=since,
        changes=changes_since(db, since, today),
        **registers,
    )


def active_users(db: Database) -> list[User]:
    """Every active account, the ones reminders may go to."""
    ids = users_store.users_frame(db).filter(pl.col("active"))["id"].to_list()
    return [users_store.get_user(db, int(i)) for i in ids]


def pending_reminders(db: Database, inputs: TodoInputs) -> list[logic.Reminder]:
    """Every reminder due today that has not been sent, for every active user."""
    sent = todo_store.sent_keys(db)
    found: list[logic.Reminder] = []
    for user in active_users(db):
        found += logic.reminders(user, logic.items_for(user, inputs), inputs.today, sent)
    return found


def record_sent(db: Database, reminders: list[logic.Reminder], subject: str) -> int:
    """Log reminders that were sent in one e-mail (each once), with an audit row; returns how many."""
    logged = 0
    with core_db.write(db):
        at = clock.now()
        for reminder in reminders:
            if todo_store.insert_sent(db, reminder.user_id, reminder.email, reminder.key, subject, at):
                logged += 1
                core_db.audit_by(
                    db,
                    SYSTEM,
                    "skicka",
                    "påminnelse",
                    reminder.key,
                    after={"till": reminder.email, "ämne": subject},
                )
    return logged


def sent_log(db: Database, user_id: int | None = None) -> pl.DataFrame:
    """The reminders sent (to one user, or all), newest first."""
    return todo_store.log_frame(db, user_id)
