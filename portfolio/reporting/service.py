"""The reporting cycle: the calendar, who must report, drafts, publishing with a frozen snapshot
and corrections as new versions.

Every write takes the acting user, checks the permission, carries the version the edit was
based on and appends to the audit log in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from portfolio import clock
from portfolio.auth import Action, Role, User, require
from portfolio.db import Database, audit_by, found_or_raise, write
from portfolio.errors import InvalidInputError, NotFoundError, StaleEditError
from portfolio.models import parse
from portfolio.reporting import calendar, store
from portfolio.reporting.calendar import CalendarEntry
from portfolio.reporting.model import (
    DIMENSIONS,
    REPORT_FIELDS,
    CalendarInput,
    DueReport,
    PublishableReport,
    ReportInput,
    ReviewDue,
    days_text,
)

__all__ = [
    "correct",
    "derive_year",
    "due_reports",
    "publish",
    "review_deadlines",
    "save_draft",
    "set_must_report",
    "set_period",
    "start_draft",
]


# --- the calendar ---------------------------------------------------------------------------


def _entry_from(db: Database, data: CalendarInput) -> CalendarEntry:
    standard = calendar.standard_range(data.year, data.period)
    start = data.start or (standard[0] if standard else None)
    end = data.end or (standard[1] if standard else None)
    if start is None or end is None:
        raise InvalidInputError(
            [f"Perioden '{data.period}' är ingen av T1, T2 och helår: ange dess första och sista dag."]
        )
    meeting = data.meeting or calendar.presenting_meeting(end, store.meeting_dates(db))
    report_deadline, review_deadline = data.report_deadline, data.review_deadline
    if report_deadline is None or review_deadline is None:
        if meeting is None:
            raise InvalidInputError(
                [
                    f"Det finns inget sammanträde efter periodens slut ({end}) att räkna sista dagarna från:"
                    " ange sista dag för statusrapporter och för granskningen."
                ]
            )
        derived = calendar.default_deadlines(meeting)
        report_deadline = report_deadline or derived[0]
        review_deadline = review_deadline or derived[1]
    entry = CalendarEntry(
        year=data.year,
        period=data.period,
        start=start,
        end=end,
        report_deadline=report_deadline,
        review_deadline=review_deadline,
        meeting=meeting,
    )
    problems = calendar.deadline_problems(entry)
    if problems:
        raise InvalidInputError(problems)
    return entry


def _calendar_audit(entry: CalendarEntry, note: str) -> dict[str, Any]:
    return {
        "år": entry.year,
        "period": entry.period,
        "från": entry.start,
        "till": entry.end,
        "sammanträde": entry.meeting,
        "sista dag statusrapporter": entry.report_deadline,
        "sista dag granskning": entry.review_deadline,
        "anteckning": note,
    }


def set_period(db: Database, actor: User, data: CalendarInput, *, version: int | None = None) -> int:
    """Add a period to the year's calendar, or (with the version read) change it; admin only.

    Deadlines left out are derived from the meeting that presents the period's report.
    """
    require(actor, Action.MANAGE_MEETINGS)
    entry = _entry_from(db, data)
    with write(db):
        current = store.period_row(db, data.year, data.period)
        if current is None:
            if version is not None:
                raise NotFoundError(f"Perioden {data.period} {data.year} finns inte i rapportkalendern.")
            period_id = store.insert_period(db, entry, data.note)
            audit_by(db, actor, "skapa", "rapportperiod", period_id, after=_calendar_audit(entry, data.note))
            return period_id
        if version is None:
            raise InvalidInputError(
                [f"Perioden {data.period} {data.year} finns redan i rapportkalendern: ändra den i stället."]
            )
        if not store.update_period(db, current["id"], entry, data.note, version=version):
            raise StaleEditError(
                f"Någon annan har ändrat perioden {data.period} {data.year} sedan du läste den."
                " Läs in den igen och gör om ändringen.",
                current,
            )
        audit_by(
            db,
            actor,
            "ändra",
            "rapportperiod",
            current["id"],
            before=current,
            after=_calendar_audit(entry, data.note),
        )
        return int(current["id"])


def derive_year(db: Database, actor: User, year: int) -> list[int]:
    """Add T1, T2 and helår for a year, deadlines from the meeting plan; periods already set stay."""
    require(actor, Action.MANAGE_MEETINGS)
    added = []
    with write(db):
        for period in calendar.STANDARD_PERIODS:
            if store.period_row(db, year, period) is None:
                added.append(set_period(db, actor, CalendarInput(year=year, period=period)))
    return added


def calendar_frame(db: Database, year: int | None = None) -> Any:
    """The calendar's periods (of one year or all), in deadline order."""
    return store.calendar_frame(db, year)


def set_must_report(db: Database, actor: User, project_id: int, must_report: bool | None) -> None:
    """Whether a project must report (None: by its phase, active phases report); admin only."""
    require(actor, Action.MANAGE_PROJECTS)
    with write(db):
        before = next((p for p in store.reporting_projects(db) if p["id"] == project_id), None)
        if before is None:
            raise NotFoundError("Projektet finns inte.")
        store.set_obligation(db, project_id, must_report)
        audit_by(
            db,
            actor,
            "ändra",
            "rapporteringsplikt",
            project_id,
            before={"rapporterar": before["must_report"]},
            after={"rapporterar": "enligt fas" if must_report is None else must_report},
            project_id=project_id,
        )


# --- who must report, and by when -----------------------------------------------------------


def _obliged(db: Database) -> list[dict[str, Any]]:
    return [p for p in store.reporting_projects(db) if calendar.must_report(p["phase"], p["must_report"])]


def due_reports(db: Database, today: date) -> list[DueReport]:
    """One row per project that must report: for the period whose deadline was the last one
    missed (when the project has not published for it), else the next deadline on/after today."""
    entries = store.calendar_entries(db)
    if not entries:
        return []
    # Two periods may share a deadline: each is considered, in calendar order.
    by_deadline: dict[date, list[CalendarEntry]] = {}
    for entry in entries:
        by_deadline.setdefault(entry.report_deadline, []).append(entry)
    deadlines = list(by_deadline)
    missed = calendar.last_missed(deadlines, today)
    coming = calendar.next_due(deadlines, today)
    done = store.published_pairs(db)
    rows: list[DueReport] = []
    for project in _obliged(db):

        def open_in(day: date, pid: int = project["id"]) -> CalendarEntry | None:
            return next((e for e in by_deadline[day] if (pid, e.year, e.period) not in done), None)

        chosen = open_in(missed) if missed is not None else None
        if chosen is None and coming is not None:
            chosen = open_in(coming) or by_deadline[coming][0]
        if chosen is None:
            continue
        published = (project["id"], chosen.year, chosen.period) in done
        rows.append(
            DueReport(
                project_id=project["id"],
                project_code=project["code"],
                project_name=project["name"],
                period=chosen.period,
                year=chosen.year,
                deadline=chosen.report_deadline,
                published=published,
                days_overdue=calendar.days_overdue(chosen.report_deadline, today, published=published),
                leader_user_ids=project["leaders"],
            )
        )
    return rows


def review_deadlines(db: Database, today: date) -> list[ReviewDue]:
    """The review the kommunchefer owe: the last missed review deadline (if a party has not
    reviewed) and the next one on/after today, each with the parties that have not reviewed."""
    entries = store.calendar_entries(db)
    deadlines = [e.review_deadline for e in entries]
    parties = store.party_codes(db)
    rows: list[ReviewDue] = []
    for day in (calendar.last_missed(deadlines, today), calendar.next_due(deadlines, today)):
        if day is None:
            continue
        for entry in (e for e in entries if e.review_deadline == day):
            reviewed = store.reviewed_parties(db, entry.year, entry.period)
            missing = tuple(p for p in parties if p not in reviewed)
            if day < today and not missing:
                continue
            rows.append(ReviewDue(period=entry.period, year=entry.year, deadline=day, parties=missing))
    return rows


def period_status(db: Database, today: date) -> list[dict[str, Any]]:
    """Every project that must report in the current period (the next deadline on/after today,
    else the last) or has reported in it, with its latest published report of that period and its
    age, or how late it is."""
    entries = store.calendar_entries(db)
    if not entries:
        return []
    current = current_period(entries, today)
    done = store.published_pairs(db)
    return [
        _standing(db, project, current, today)
        for project in store.reporting_projects(db)
        if calendar.must_report(project["phase"], project["must_report"])
        or (project["id"], current.year, current.period) in done
    ]


def project_standing(db: Database, project_id: int, today: date) -> dict[str, Any] | None:
    """The project against the current period (None without a calendar); `must_report` says
    whether the project is expected to report at all."""
    entries = store.calendar_entries(db)
    project = next((p for p in store.reporting_projects(db) if p["id"] == project_id), None)
    if not entries or project is None:
        return None
    row = _standing(db, project, current_period(entries, today), today)
    row["must_report"] = calendar.must_report(project["phase"], project["must_report"])
    return row


def _standing(db: Database, project: dict[str, Any], current: CalendarEntry, today: date) -> dict[str, Any]:
    report = store.latest_published(db, project["id"], current.year, current.period)
    published_on = clock.parse(report["published_at"]).date() if report and report["published_at"] else None
    return {
        "project_id": project["id"],
        "code": project["code"],
        "year": current.year,
        "period": current.period,
        "deadline": current.report_deadline,
        "report_id": report["id"] if report else None,
        "published_on": published_on,
        "overall_status": report["overall_status"] if report else None,
        "age_days": (today - published_on).days if published_on else None,
        "days_overdue": calendar.days_overdue(current.report_deadline, today, published=report is not None),
    }


def standing_text(row: dict[str, Any]) -> str:
    """'T2 2019: publicerad 2019-09-20 (12 dagar sedan)' or 'T2 2019: saknas, 5 dagar sen'."""
    head = f"{row['period']} {row['year']}"
    if row["report_id"] is not None:
        age = row["age_days"]
        when = "i dag" if age == 0 else f"{days_text(age)} sedan"
        return f"{head}: publicerad {row['published_on']} ({when})"
    if row["days_overdue"]:
        return f"{head}: saknas, {days_text(row['days_overdue'])} sen"
    return f"{head}: saknas, senast {row['deadline']}"


def current_period(entries: list[CalendarEntry], today: date) -> CalendarEntry:
    """The period being reported now: the next report deadline on/after today, else the last."""
    coming = calendar.next_due([e.report_deadline for e in entries], today)
    if coming is not None:
        return next(e for e in entries if e.report_deadline == coming)
    return max(entries, key=lambda e: e.report_deadline)


# --- drafts, publishing, corrections --------------------------------------------------------


def _period_or_raise(db: Database, year: int, period: str) -> dict[str, Any]:
    row = store.period_row(db, year, period)
    if row is None:
        raise InvalidInputError(
            [f"Perioden {period} {year} finns inte i rapportkalendern. Be e-strategen lägga in den först."]
        )
    return row


def _require_reporter(actor: User) -> None:
    """Refuse a role that reports for no project before any record is looked up."""
    if not actor.active or actor.role not in (Role.ADMIN, Role.PROJEKTLEDARE):
        require(actor, Action.REPORT_STATUS)


def _draft_or_raise(db: Database, draft_id: int) -> dict[str, Any]:
    row = store.draft(db, draft_id)
    if row is None:
        raise NotFoundError(
            "Utkastet finns inte (längre): det kan ha publicerats. En publicerad rapport ändras inte;"
            " gör en rättelse i stället."
        )
    return row


def _fields(report: dict[str, Any] | None) -> dict[str, Any]:
    if report is None:
        return {}
    return {f: report.get(f) for f in REPORT_FIELDS if f != "reported_on"}


def start_draft(db: Database, actor: User, project_id: int, year: int, period: str) -> int:
    """Start the project's report for a period as a copy of its latest published report.

    When the period already has a published report, the draft is a correction of it: publishing
    it makes a new version (with a reason), never an overwrite.
    """
    require(actor, Action.REPORT_STATUS, project_id=project_id)
    with write(db):
        _period_or_raise(db, year, period)
        existing = store.draft_for(db, project_id, year, period)
        if existing is not None:
            raise InvalidInputError(
                [
                    f"Det finns redan ett utkast för {period} {year}:"
                    " fortsätt på det i stället för att börja om."
                ]
            )
        same_period = store.latest_published(db, project_id, year, period)
        source = same_period or store.latest_published(db, project_id)
        fields = {**_fields(source), "reported_on": clock.today().isoformat()}
        corrects = same_period["id"] if same_period else None
        draft_id = store.insert_draft(
            db, project_id, year, period, fields, corrects_id=corrects, user_id=actor.id
        )
        audit_by(
            db,
            actor,
            "skapa",
            "statusrapport (utkast)",
            draft_id,
            after={"period": f"{period} {year}", "kopia av": source["id"] if source else None, **fields},
            project_id=project_id,
        )
    return draft_id


def correct(db: Database, actor: User, report_id: int) -> int:
    """Start a correction of a published report: a draft of its period, copied from it."""
    _require_reporter(actor)
    report = found_or_raise(store.published(db, report_id), "Statusrapporten finns inte.")
    if report["year"] is None:
        raise InvalidInputError(["Rapporten hör inte till någon period och kan inte rättas."])
    return start_draft(db, actor, report["project_id"], report["year"], report["period"])


def save_draft(db: Database, actor: User, draft_id: int, data: dict[str, Any], *, version: int) -> None:
    """Save a draft's dimensions and next steps (a dimension may still be empty)."""
    _require_reporter(actor)
    row = _draft_or_raise(db, draft_id)
    require(actor, Action.REPORT_STATUS, project_id=row["project_id"])
    report = parse(ReportInput, data)
    fields = report.model_dump(mode="json")
    with write(db):
        if not store.update_draft(db, draft_id, fields, version=version):
            raise StaleEditError(
                "Någon annan har sparat utkastet sedan du öppnade det. Läs in det igen och gör om ändringen.",
                store.draft(db, draft_id),
            )
        audit_by(
            db,
            actor,
            "ändra",
            "statusrapport (utkast)",
            draft_id,
            before=_fields(row),
            after=fields,
            project_id=row["project_id"],
        )


def publish(db: Database, actor: User, draft_id: int, *, version: int, reason: str = "") -> int:
    """Publish a draft: the report is frozen with a snapshot of the project's money, open risks
    and benefits as they stand now. A second report of the same period is a new version and
    needs a reason. Only the project's leaders and the admin publish."""
    _require_reporter(actor)
    row = _draft_or_raise(db, draft_id)
    require(actor, Action.REPORT_STATUS, project_id=row["project_id"])
    report = parse(PublishableReport, {f: row[f] for f in REPORT_FIELDS})
    reason = reason.strip()
    if len(reason) > 2000:
        raise InvalidInputError(["Skälet till rättelsen får vara högst 2 000 tecken."])
    fields = report.model_dump(mode="json")
    with write(db):
        _period_or_raise(db, row["year"], row["period"])
        earlier = store.latest_published(db, row["project_id"], row["year"], row["period"])
        if earlier is not None and not reason:
            raise InvalidInputError(
                [
                    f"Rapporten för {row['period']} {row['year']} är redan publicerad. Den nya blir en ny"
                    " version (den tidigare står kvar): skriv skälet till rättelsen."
                ]
            )
        if not store.delete_draft(db, draft_id, version=version):
            raise StaleEditError(
                "Någon annan har ändrat utkastet sedan du öppnade det. Läs in det igen och publicera sedan.",
                store.draft(db, draft_id),
            )
        snapshot = store.snapshot_facts(db, row["project_id"])
        report_version = store.next_version(db, row["project_id"], row["year"], row["period"])
        report_id = store.insert_published(
            db,
            row["project_id"],
            row["year"],
            row["period"],
            fields,
            report_version=report_version,
            corrects_id=earlier["id"] if earlier else None,
            correction_reason=reason if earlier else "",
            snapshot=snapshot,
            user_id=actor.id,
        )
        audit_by(
            db,
            actor,
            "publicera",
            "statusrapport",
            report_id,
            after={
                "period": f"{row['period']} {row['year']}",
                "version": report_version,
                "rättar": earlier["id"] if earlier else None,
                "skäl": reason or None,
                **fields,
            },
            project_id=row["project_id"],
        )
    return report_id


def period_for_day(db: Database, day: date) -> tuple[int, str]:
    """The calendar period a report dated `day` belongs to: the first whose report deadline is
    on or after the day and which has started by then; else the standard period of its month."""
    candidates = [e for e in store.calendar_entries(db) if e.start <= day <= e.report_deadline]
    if candidates:
        chosen = min(candidates, key=lambda e: e.report_deadline)
        return chosen.year, chosen.period
    return calendar.period_of_day(day)


def dimension_labels() -> dict[str, str]:
    """The six dimensions, key to Swedish label."""
    return dict(DIMENSIONS)


def published_reports(db: Database, project_id: int | None = None) -> Any:
    """Every published report (never a draft), oldest first, each exactly as it was published."""
    return store.published_frame(db, project_id)
