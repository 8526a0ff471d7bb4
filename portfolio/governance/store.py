"""Tables of governance: the only module that reads and writes them.

Governance also writes the core's `meetings`, `agenda_items`, `projects` and `price_rates`
(through the functions here, never from a page) and adds two tables of its own: the phase
history of each project and the hours debited by the price list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from portfolio import clock
from portfolio import store as core_store
from portfolio.db import Database, Migrations, first_value, frame, row_dict, table_insert, update_if_unchanged
from portfolio.governance.logic import fold
from portfolio.governance.model import AgendaItemInput, JusteringInput, MeetingInput, PriceRateInput

MIGRATIONS = Migrations("governance")


@MIGRATIONS
def m001_phases_and_debits(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE phase_changes (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            changed_on TEXT NOT NULL, from_phase TEXT, to_phase TEXT NOT NULL,
            agenda_item_id INTEGER REFERENCES agenda_items(id), note TEXT, source TEXT,
            created_at TEXT NOT NULL);
        CREATE INDEX phase_changes_project ON phase_changes (project_id, changed_on);
        CREATE TABLE resource_debits (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            work_date TEXT NOT NULL, year INTEGER NOT NULL, resource TEXT NOT NULL,
            hours_centi INTEGER NOT NULL CHECK (hours_centi > 0),
            rate_ore INTEGER NOT NULL CHECK (rate_ore > 0), amount_ore INTEGER NOT NULL,
            note TEXT, created_at TEXT NOT NULL);
        CREATE INDEX resource_debits_project ON resource_debits (project_id, year);
        """
    )


@MIGRATIONS
def m002_meeting_cycle(db: Database) -> None:
    # A meeting's state (planerat → kallat → genomfört → justerat), its kallelse and justering
    # details, the presenter of an item, corrections of justerat decisions, and attached files.
    db.executescript(
        """
        ALTER TABLE meetings ADD COLUMN state TEXT NOT NULL DEFAULT 'planerat';
        UPDATE meetings SET state = CASE WHEN planned THEN 'planerat' ELSE 'genomfört' END;
        ALTER TABLE meetings ADD COLUMN time TEXT;
        ALTER TABLE meetings ADD COLUMN chair TEXT;
        ALTER TABLE meetings ADD COLUMN members TEXT;
        ALTER TABLE meetings ADD COLUMN justering_date TEXT;
        ALTER TABLE meetings ADD COLUMN justering_place TEXT;
        ALTER TABLE meetings ADD COLUMN justerare TEXT;
        ALTER TABLE meetings ADD COLUMN anslag_up TEXT;
        ALTER TABLE meetings ADD COLUMN anslag_down TEXT;
        ALTER TABLE meetings ADD COLUMN justering_note TEXT;
        ALTER TABLE agenda_items ADD COLUMN presenter TEXT;
        ALTER TABLE agenda_items ADD COLUMN corrects_item_id INTEGER REFERENCES agenda_items(id);
        CREATE TABLE item_attachments (
            id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES agenda_items(id),
            filename TEXT NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL,
            sha256 TEXT NOT NULL, content BLOB NOT NULL, created_at TEXT NOT NULL,
            UNIQUE (item_id, filename));
        """
    )


def _now() -> str:
    return clock.now()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- meetings -----------------------------------------------------------------------------

MEETING_COLUMNS = (
    "id, date, kind, place, paragraphs, moved_from, moved_reason, planned, source, state, time, chair,"
    " members, justering_date, justering_place, justerare, anslag_up, anslag_down, justering_note"
)


def meeting(db: Database, meeting_id: int) -> dict[str, Any] | None:
    """One meeting as a dict, or None."""
    return row_dict(db, f"SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?", [meeting_id])


def meeting_on(db: Database, day: date) -> dict[str, Any] | None:
    """The meeting held (or planned) on `day`, or None."""
    return row_dict(db, f"SELECT {MEETING_COLUMNS} FROM meetings WHERE date = ?", [day.isoformat()])


def _meeting_values(data: MeetingInput) -> dict[str, Any]:
    """A meeting's columns as the form gave them."""
    return {
        "date": data.date.isoformat(),
        "kind": data.kind,
        "place": data.place,
        "paragraphs": data.paragraphs,
        "moved_from": _iso(data.moved_from),
        "moved_reason": data.moved_reason,
        "planned": data.planned,
        "source": data.source,
        "time": data.time,
        "chair": data.chair,
        "members": data.members,
    }


def insert_meeting(db: Database, data: MeetingInput) -> int:
    """Insert a meeting without agenda; returns its id."""
    return table_insert(db, "meetings", _meeting_values(data))


def update_meeting(db: Database, meeting_id: int, data: MeetingInput) -> None:
    """Overwrite a meeting's fields (the caller checked for a stale edit)."""
    values = _meeting_values(data)
    if values["source"] is None:  # an edit that names no source keeps the one stored
        del values["source"]
    sets = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE meetings SET {sets} WHERE id = ?", [*values.values(), meeting_id])


def set_meeting_state(db: Database, meeting_id: int, state: str, *, expected: str) -> bool:
    """Move a meeting to `state` if it still is in `expected`; True when done."""
    cur = db.execute(
        "UPDATE meetings SET state = ?, planned = CASE WHEN ? = 'planerat' THEN planned ELSE 0 END"
        " WHERE id = ? AND state = ?",
        [state, state, meeting_id, expected],
    )
    return cur.rowcount == 1


def set_justering(db: Database, meeting_id: int, data: JusteringInput) -> None:
    """Record the justering's date, place, justerare and notice-board dates."""
    db.execute(
        "UPDATE meetings SET justering_date = ?, justering_place = ?, justerare = ?, anslag_up = ?,"
        " anslag_down = ?, justering_note = ? WHERE id = ?",
        [
            _iso(data.date),
            data.place,
            data.justerare,
            _iso(data.anslag_up),
            _iso(data.anslag_down),
            data.note,
            meeting_id,
        ],
    )


# The core's meeting columns, with how many items carry a decision just before the source.
PLAN_SCHEMA: dict[str, Any] = {
    **{name: dtype for name, dtype in core_store.MEETING_SCHEMA.items() if name != "source"},
    "decisions": pl.Int64,
    "source": pl.String,
}


def _plan_frame(db: Database, where: str, params: Sequence[Any], limit: str = "") -> pl.DataFrame:
    """Meetings in PLAN_SCHEMA, in date order, kept by the SQL `where` and `limit` (their `params`)."""
    return frame(
        db,
        f"""SELECT m.id, m.date, m.kind, m.place, m.paragraphs, m.moved_from, m.moved_reason,
                   m.planned, COUNT(a.id), COUNT(a.decision), m.source
            FROM meetings m LEFT JOIN agenda_items a ON a.meeting_id = m.id {where}
            GROUP BY m.id ORDER BY m.date {limit}""",
        params,
        PLAN_SCHEMA,
    )


def meeting_plan(db: Database, year: int | None = None) -> pl.DataFrame:
    """The meetings of a year (or all), with moved dates, reasons and how many items each has."""
    if not year:
        return _plan_frame(db, "", [])
    return _plan_frame(db, "WHERE substr(m.date, 1, 4) = ?", [f"{year:04d}"])


def upcoming_meetings(db: Database, today: date, limit: int = 5) -> pl.DataFrame:
    """The next meetings on or after `today`, nearest first."""
    return _plan_frame(db, "WHERE m.date >= ?", [today.isoformat(), limit], "LIMIT ?")


def meeting_years(db: Database) -> list[int]:
    """Every year that has a meeting, in order."""
    rows = db.execute("SELECT DISTINCT CAST(substr(date, 1, 4) AS INTEGER) FROM meetings ORDER BY 1")
    return [int(r[0]) for r in rows.fetchall()]


# --- agenda items and decisions -------------------------------------------------------------

ITEM_COLUMNS = (
    "id, meeting_id, number, number_kind, case_code, title, summary, proposal, decision, documents, source,"
    " presenter, corrects_item_id"
)


def agenda_item(db: Database, item_id: int) -> dict[str, Any] | None:
    """One agenda item with its meeting date, or None."""
    row = row_dict(
        db,
        f"SELECT {', '.join('a.' + c.strip() for c in ITEM_COLUMNS.split(','))}, m.date AS meeting_date"
        " FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id WHERE a.id = ?",
        [item_id],
    )
    if row is not None:
        row["documents"] = json.loads(row["documents"]) if row["documents"] else []
    return row


def item_with_number(
    db: Database, meeting_id: int, number_kind: str, number: int, *, other_than: int | None = None
) -> dict[str, Any] | None:
    """The agenda item that already uses this § (or punkt) in the meeting, if any."""
    return row_dict(
        db,
        "SELECT id, title FROM agenda_items WHERE meeting_id = ? AND number_kind = ? AND number = ?"
        " AND id IS NOT ?",
        [meeting_id, number_kind, number, other_than],
    )


def _item_values(meeting_id: int, data: AgendaItemInput) -> list[Any]:
    """An agenda item's columns, meeting_id to source, in the order both statements below use."""
    return [
        meeting_id,
        data.number,
        data.number_kind,
        data.case,
        data.title,
        data.summary,
        data.proposal,
        data.decision,
        json.dumps(list(data.documents), ensure_ascii=False),
        data.source,
        data.presenter,
        data.corrects_item_id,
    ]


def insert_agenda_item(db: Database, meeting_id: int, data: AgendaItemInput) -> int:
    """Insert one agenda item; returns its id."""
    cur = db.execute(
        "INSERT INTO agenda_items (meeting_id, number, number_kind, case_code, title, summary,"
        " proposal, decision, documents, source, presenter, corrects_item_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _item_values(meeting_id, data),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def update_agenda_item(db: Database, item_id: int, meeting_id: int, data: AgendaItemInput) -> None:
    """Overwrite an agenda item (the caller checked for a stale edit)."""
    db.execute(
        "UPDATE agenda_items SET meeting_id = ?, number = ?, number_kind = ?, case_code = ?, title = ?,"
        " summary = ?, proposal = ?, decision = ?, documents = ?, source = COALESCE(?, source),"
        " presenter = ?, corrects_item_id = ? WHERE id = ?",
        [*_item_values(meeting_id, data), item_id],
    )


def paragraph_in_year(
    db: Database, year: int, number: int, *, other_meeting: int | None
) -> dict[str, Any] | None:
    """The item of another meeting the same year that already has §`number`, with its date."""
    return row_dict(
        db,
        "SELECT a.id, a.title, m.date FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE substr(m.date, 1, 4) = ? AND a.number_kind = 'paragraf' AND a.number = ?"
        " AND m.id IS NOT ?",
        [f"{year:04d}", number, other_meeting],
    )


def last_paragraph(db: Database, year: int) -> int:
    """The highest § number used in the year (0 when none)."""
    row = db.execute(
        "SELECT MAX(a.number) FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE substr(m.date, 1, 4) = ? AND a.number_kind = 'paragraf'",
        [f"{year:04d}"],
    ).fetchone()
    return int(row[0] or 0)


def last_point(db: Database, meeting_id: int) -> int:
    """The highest agenda point (punkt) number of a meeting (0 when none)."""
    row = db.execute(
        "SELECT MAX(number) FROM agenda_items WHERE meeting_id = ? AND number_kind = 'punkt'", [meeting_id]
    ).fetchone()
    return int(row[0] or 0)


def shift_points(db: Database, meeting_id: int, by: int) -> None:
    """Move every punkt of a meeting `by` places down (in two steps: the numbers are unique)."""
    db.execute(
        "UPDATE agenda_items SET number = -(number + ?) WHERE meeting_id = ? AND number_kind = 'punkt'",
        [by, meeting_id],
    )
    db.execute(
        "UPDATE agenda_items SET number = -number WHERE meeting_id = ? AND number_kind = 'punkt'"
        " AND number < 0",
        [meeting_id],
    )


def meeting_items(db: Database, meeting_id: int) -> list[dict[str, Any]]:
    """A meeting's items in agenda order, as dicts."""
    cur = db.execute(
        f"SELECT {ITEM_COLUMNS} FROM agenda_items WHERE meeting_id = ?"
        " ORDER BY number_kind DESC, number IS NULL, number, id",
        [meeting_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def set_point(db: Database, item_id: int, number: int) -> None:
    """Move an item to another place (punkt) on the agenda of a meeting not yet held."""
    db.execute("UPDATE agenda_items SET number = ? WHERE id = ? AND number_kind = 'punkt'", [number, item_id])


def set_paragraph(db: Database, item_id: int, number: int) -> None:
    """Give an item its § number (when the meeting is held)."""
    db.execute("UPDATE agenda_items SET number_kind = 'paragraf', number = ? WHERE id = ?", [number, item_id])


def corrections_of(db: Database, item_id: int) -> list[dict[str, Any]]:
    """Later decisions that correct this one, with their meeting date and number."""
    cur = db.execute(
        "SELECT a.id, a.number_kind, a.number, a.title, a.decision, m.date FROM agenda_items a"
        " JOIN meetings m ON m.id = a.meeting_id WHERE a.corrects_item_id = ? ORDER BY m.date, a.id",
        [item_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --- attachments ----------------------------------------------------------------------------


def insert_attachment(
    db: Database, item_id: int, *, filename: str, kind: str, sha256: str, content: bytes
) -> int:
    """Store one attached file with its hash; returns its id."""
    return table_insert(
        db,
        "item_attachments",
        {
            "item_id": item_id,
            "filename": filename,
            "kind": kind,
            "size": len(content),
            "sha256": sha256,
            "content": content,
            "created_at": _now(),
        },
    )


def attachment_named(db: Database, item_id: int, filename: str) -> dict[str, Any] | None:
    """The item's attachment with this name, if any (without its content)."""
    return row_dict(
        db, "SELECT id, sha256 FROM item_attachments WHERE item_id = ? AND filename = ?", [item_id, filename]
    )


ATTACHMENT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "item_id": pl.Int64,
    "filename": pl.String,
    "kind": pl.String,
    "size": pl.Int64,
    "sha256": pl.String,
    "created_at": pl.String,
}


def attachments_frame(db: Database, meeting_id: int) -> pl.DataFrame:
    """The files attached to a meeting's items (without their contents)."""
    return frame(
        db,
        """SELECT f.id, f.item_id, f.filename, f.kind, f.size, f.sha256, f.created_at
           FROM item_attachments f JOIN agenda_items a ON a.id = f.item_id
           WHERE a.meeting_id = ? ORDER BY f.item_id, f.id""",
        [meeting_id],
        ATTACHMENT_SCHEMA,
    )


def attachment_content(db: Database, attachment_id: int) -> tuple[str, str, bytes] | None:
    """An attachment's name, kind and bytes, or None."""
    row = db.execute(
        "SELECT filename, kind, content FROM item_attachments WHERE id = ?", [attachment_id]
    ).fetchone()
    return None if row is None else (row[0], row[1], bytes(row[2]))


def find_agenda_item(
    db: Database, day: date, *, case: str | None, number_kind: str, number: int | None
) -> int | None:
    """The id of the item of the meeting on `day` with this number (or, unnumbered, this case)."""
    if number is not None:
        where, params = "a.number_kind = ? AND a.number = ?", [number_kind, number]
    else:
        where, params = "a.case_code = ? AND a.number IS NULL", [case]
    return first_value(
        db,
        "SELECT a.id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id"
        f" WHERE m.date = ? AND {where} ORDER BY a.id LIMIT 1",
        [day.isoformat(), *params],
        int,
    )


DECISION_SCHEMA: dict[str, Any] = {
    "item_id": pl.Int64,
    "meeting_id": pl.Int64,
    "date": pl.String,
    "number": pl.Int64,
    "number_kind": pl.String,
    "case_code": pl.String,
    "title": pl.String,
    "summary": pl.String,
    "proposal": pl.String,
    "decision": pl.String,
    "documents": pl.String,
    "planned": pl.Boolean,
    "source": pl.String,
}

_DECISION_SELECT = """
    SELECT a.id, m.id, m.date, a.number, a.number_kind, a.case_code, a.title, a.summary,
           a.proposal, a.decision, a.documents, m.planned, a.source
    FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
"""
_DECISION_ORDER = "ORDER BY m.date, a.number_kind DESC, a.number IS NULL, a.number, a.id"


def decisions_frame(db: Database, *, case_code: str | None = None) -> pl.DataFrame:
    """Every agenda item with its meeting, for one case or all, in date and § order."""
    where, params = ("WHERE a.case_code = ?", [case_code]) if case_code else ("", [])
    return frame(db, f"{_DECISION_SELECT} {where} {_DECISION_ORDER}", params, DECISION_SCHEMA)


_SEARCH_FIELDS = (
    ("a.title", 4),
    ("a.case_code", 4),
    ("a.decision", 3),
    ("a.proposal", 2),
    ("a.summary", 1),
    ("a.documents", 1),
)


def search_decisions(
    db: Database,
    terms: Sequence[str],
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    number: int | None = None,
    number_kind: str | None = None,
) -> pl.DataFrame:
    """Agenda items whose text holds every term (folded substrings), best match first.

    Only items of meetings from `first_day` to `last_day`, and with `number` (of `number_kind`),
    when given. Substring search over folded text rather than FTS5 tokens: Swedish compounds
    ("IT-serverdrift", "serverdriftsavtal") must match "serverdrift", and the few hundred
    items of a committee need no index that would have to be kept in step with the core table.
    """
    schema = {**DECISION_SCHEMA, "score": pl.Int64}
    if not terms and first_day is None and number is None:
        return pl.DataFrame(schema=schema)
    db.conn.create_function("gns_fold", 1, fold, deterministic=True)
    everything = " || ' ' || ".join(f"COALESCE({col}, '')" for col, _ in _SEARCH_FIELDS)
    conditions = [f"instr(gns_fold({everything}), ?) > 0" for _ in terms]
    params: list[Any] = list(terms)
    if first_day is not None:
        conditions.append("m.date BETWEEN ? AND ?")
        params += [first_day.isoformat(), (last_day or first_day).isoformat()]
    if number is not None:
        conditions.append("a.number = ? AND a.number_kind = ?")
        params += [number, number_kind or "paragraf"]
    score = (
        " + ".join(
            f"(instr(gns_fold(COALESCE({col}, '')), ?) > 0) * {weight}"
            for _ in terms
            for col, weight in _SEARCH_FIELDS
        )
        or "0"
    )
    score_params = [t for t in terms for _ in _SEARCH_FIELDS]
    sql = f"""
        SELECT * FROM (
            SELECT a.id, m.id, m.date, a.number, a.number_kind, a.case_code, a.title, a.summary,
                   a.proposal, a.decision, a.documents, m.planned, a.source, {score} AS score
            FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
            WHERE {" AND ".join(conditions)})
        ORDER BY score DESC, 3 DESC, 5, 4
    """
    return frame(db, sql, [*score_params, *params], schema)


# --- projects and cases ---------------------------------------------------------------------


def project(db: Database, project_id: int) -> dict[str, Any] | None:
    """id, code, name, kind, phase and version of a project, or None."""
    return row_dict(
        db, "SELECT id, code, name, kind, phase, version FROM projects WHERE id = ?", [project_id]
    )


def project_by_code(db: Database, code: str) -> dict[str, Any] | None:
    """id, code, name, kind, phase and version of the project with this code, or None."""
    return row_dict(db, "SELECT id, code, name, kind, phase, version FROM projects WHERE code = ?", [code])


def set_project_phase(db: Database, project_id: int, phase: str, *, expected_version: int) -> bool:
    """Move a project to `phase` if nobody changed it since `expected_version`; True when done."""
    return update_if_unchanged(
        db, "projects", {"phase": phase}, where={"id": project_id}, version=expected_version
    )


# --- phase history --------------------------------------------------------------------------


def insert_phase_change(
    db: Database,
    *,
    project_id: int,
    changed_on: date,
    from_phase: str | None,
    to_phase: str,
    agenda_item_id: int | None,
    note: str | None,
    source: str | None,
) -> int:
    """Record that a project entered (or stayed in, by a new decision) a phase on a date."""
    return table_insert(
        db,
        "phase_changes",
        {
            "project_id": project_id,
            "changed_on": changed_on.isoformat(),
            "from_phase": from_phase,
            "to_phase": to_phase,
            "agenda_item_id": agenda_item_id,
            "note": note,
            "source": source,
            "created_at": _now(),
        },
    )


def latest_phase_change(db: Database, project_id: int) -> dict[str, Any] | None:
    """The most recent entry of a project's phase history, or None."""
    return row_dict(
        db,
        "SELECT id, changed_on, from_phase, to_phase FROM phase_changes WHERE project_id = ?"
        " ORDER BY changed_on DESC, id DESC LIMIT 1",
        [project_id],
    )


def phase_change_exists(db: Database, project_id: int, changed_on: date, to_phase: str) -> bool:
    """Whether this entry is already in the history (the seed inserts only what is missing)."""
    row = db.execute(
        "SELECT 1 FROM phase_changes WHERE project_id = ? AND changed_on = ? AND to_phase = ?",
        [project_id, changed_on.isoformat(), to_phase],
    ).fetchone()
    return row is not None


PHASE_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "changed_on": pl.String,
    "from_phase": pl.String,
    "to_phase": pl.String,
    "agenda_item_id": pl.Int64,
    "meeting_date": pl.String,
    "number_kind": pl.String,
    "number": pl.Int64,
    "decision_title": pl.String,
    "decision": pl.String,
    "proposal": pl.String,
    "note": pl.String,
    "source": pl.String,
}


def phase_history(db: Database, project_id: int) -> pl.DataFrame:
    """A project's phase changes in date order, each with the decision behind it."""
    return frame(
        db,
        """SELECT p.id, p.changed_on, p.from_phase, p.to_phase, p.agenda_item_id, m.date,
                  a.number_kind, a.number, a.title, a.decision, a.proposal, p.note, p.source
           FROM phase_changes p
           LEFT JOIN agenda_items a ON a.id = p.agenda_item_id
           LEFT JOIN meetings m ON m.id = a.meeting_id
           WHERE p.project_id = ? ORDER BY p.changed_on, p.id""",
        [project_id],
        PHASE_SCHEMA,
    )


def phase_changes_between(db: Database, after: date | None, until: date) -> pl.DataFrame:
    """Phase changes of every project after `after` (or ever) up to and including `until`."""
    return frame(
        db,
        """SELECT p.changed_on, j.code, j.name, p.from_phase, p.to_phase
           FROM phase_changes p JOIN projects j ON j.id = p.project_id
           WHERE p.changed_on > ? AND p.changed_on <= ? ORDER BY p.changed_on, j.code""",
        [after.isoformat() if after else "", until.isoformat()],
        {
            "changed_on": pl.String,
            "code": pl.String,
            "name": pl.String,
            "from_phase": pl.String,
            "to_phase": pl.String,
        },
    )


# --- price list and debits ------------------------------------------------------------------


def price_rate(db: Database, year: int, resource: str) -> int | None:
    """The rate in öre per hour for a resource in a year, or None."""
    return first_value(
        db, "SELECT rate_ore FROM price_rates WHERE year = ? AND resource = ?", [year, resource], int
    )


def price_resources(db: Database, year: int | None = None) -> list[str]:
    """Resource types of a year's price list (or of any year), by name."""
    where, params = ("WHERE year = ?", [year]) if year else ("", [])
    rows = db.execute(f"SELECT DISTINCT resource FROM price_rates {where} ORDER BY resource", params)
    return [r[0] for r in rows.fetchall()]


def price_years(db: Database) -> list[int]:
    """The years that have a price list."""
    return [int(r[0]) for r in db.execute("SELECT DISTINCT year FROM price_rates ORDER BY year").fetchall()]


def upsert_price_rate(db: Database, data: PriceRateInput) -> None:
    """Set a year's rate for a resource (a new year is a new version of the list)."""
    db.execute(
        "INSERT INTO price_rates (year, resource, rate_ore, case_code, source) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(year, resource) DO UPDATE SET rate_ore = excluded.rate_ore,"
        " case_code = excluded.case_code, source = excluded.source",
        [data.year, data.resource, data.kr_per_hour, data.case, data.source],
    )


def insert_debit(
    db: Database,
    *,
    project_id: int,
    work_date: date,
    resource: str,
    hours_centi: int,
    rate_ore: int,
    amount_ore: int,
    note: str | None,
) -> int:
    """Store one debit with the rate it was priced at (later changes to the list do not move it)."""
    return table_insert(
        db,
        "resource_debits",
        {
            "project_id": project_id,
            "work_date": work_date.isoformat(),
            "year": work_date.year,
            "resource": resource,
            "hours_centi": hours_centi,
            "rate_ore": rate_ore,
            "amount_ore": amount_ore,
            "note": note,
            "created_at": _now(),
        },
    )


DEBIT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "code": pl.String,
    "work_date": pl.String,
    "year": pl.Int64,
    "resource": pl.String,
    "hours_centi": pl.Int64,
    "rate_ore": pl.Int64,
    "amount_ore": pl.Int64,
    "note": pl.String,
}


def debits_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Debited hours with the rate and amount, for one project or all, oldest first."""
    where, params = ("WHERE d.project_id = ?", [project_id]) if project_id is not None else ("", [])
    return frame(
        db,
        f"""SELECT d.id, d.project_id, p.code, d.work_date, d.year, d.resource, d.hours_centi,
                   d.rate_ore, d.amount_ore, d.note
            FROM resource_debits d JOIN projects p ON p.id = d.project_id {where}
            ORDER BY d.work_date, d.id""",
        params,
        DEBIT_SCHEMA,
    )


def debit_totals(db: Database) -> pl.DataFrame:
    """Outcome from debited resources per project and year, in öre."""
    return frame(
        db,
        """SELECT project_id, year, SUM(amount_ore) FROM resource_debits
           GROUP BY project_id, year ORDER BY project_id, year""",
        [],
        {"project_id": pl.Int64, "year": pl.Int64, "amount_ore": pl.Int64},
    )
