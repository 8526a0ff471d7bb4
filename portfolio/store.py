"""The core's tables: the only place besides db.py that reads and writes them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.auth import Role, User
from portfolio.db import Database, Migrations, audit, create_audit_table, stamps_to_utc, update_if_unchanged
from portfolio.errors import NotFoundError
from portfolio.models import (
    Party,
    source_text,
)

MIGRATIONS = Migrations("portfolio")


@MIGRATIONS
def m001_core(db: Database) -> None:
    create_audit_table(db)
    db.executescript(
        """
        CREATE TABLE parties (
            code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, source TEXT);
        CREATE TABLE party_population (
            party_code TEXT NOT NULL REFERENCES parties(code), year INTEGER NOT NULL,
            population INTEGER NOT NULL, source TEXT, PRIMARY KEY (party_code, year));
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, has_diarienummer INTEGER NOT NULL,
            name TEXT NOT NULL, kind TEXT NOT NULL, purpose TEXT, phase TEXT NOT NULL,
            status TEXT NOT NULL, status_reason TEXT, owner_party TEXT REFERENCES parties(code),
            object TEXT, start_date TEXT, planned_end_date TEXT, actual_end_date TEXT,
            budget_ore INTEGER, actual_ore INTEGER, notes TEXT, source TEXT,
            version INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE project_parties (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            party_code TEXT NOT NULL REFERENCES parties(code),
            PRIMARY KEY (project_id, party_code));
        CREATE TABLE project_people (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            role TEXT NOT NULL, name TEXT NOT NULL, organisation TEXT, position INTEGER NOT NULL);
        CREATE TABLE milestones (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            name TEXT NOT NULL, planned_date TEXT, actual_date TEXT, source TEXT,
            position INTEGER NOT NULL);
        CREATE TABLE milestone_changes (
            id INTEGER PRIMARY KEY, milestone_id INTEGER NOT NULL REFERENCES milestones(id),
            changed_on TEXT, new_date TEXT NOT NULL, reason TEXT, source TEXT,
            position INTEGER NOT NULL);
        CREATE TABLE budget_lines (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            position INTEGER NOT NULL, activity TEXT NOT NULL, kind TEXT NOT NULL,
            budget_total_ore INTEGER, budget_region_ore INTEGER, budget_kommunerna_ore INTEGER,
            outcome_total_ore INTEGER, outcome_region_ore INTEGER,
            outcome_kommunerna_ore INTEGER, note TEXT, source TEXT);
        CREATE INDEX budget_lines_project ON budget_lines (project_id);
        CREATE TABLE stated_totals (
            project_id INTEGER PRIMARY KEY REFERENCES projects(id),
            budget_total_ore INTEGER, budget_region_ore INTEGER, budget_kommunerna_ore INTEGER,
            outcome_total_ore INTEGER, outcome_region_ore INTEGER, outcome_kommunerna_ore INTEGER,
            extra_ore INTEGER, total_cost_ore INTEGER, source TEXT);
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY, date TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, place TEXT,
            paragraphs TEXT, moved_from TEXT, moved_reason TEXT, planned INTEGER NOT NULL,
            source TEXT);
        CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            number INTEGER, number_kind TEXT NOT NULL, case_code TEXT,
            title TEXT NOT NULL, summary TEXT, proposal TEXT, decision TEXT, documents TEXT,
            source TEXT, UNIQUE (meeting_id, number_kind, number));
        CREATE INDEX agenda_items_case ON agenda_items (case_code);
        CREATE TABLE users (
            id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,
            role TEXT NOT NULL, party_code TEXT REFERENCES parties(code), password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1, failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT, demo_persona TEXT, created_at TEXT NOT NULL);
        CREATE TABLE user_projects (
            user_id INTEGER NOT NULL REFERENCES users(id),
            project_id INTEGER NOT NULL REFERENCES projects(id),
            PRIMARY KEY (user_id, project_id));
        CREATE TABLE statement_lines (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, period TEXT NOT NULL,
            position INTEGER NOT NULL, line TEXT NOT NULL, kind TEXT NOT NULL,
            actual_ore INTEGER NOT NULL, budget_ore INTEGER NOT NULL,
            previous_year_ore INTEGER NOT NULL, source TEXT, UNIQUE (year, period, line));
        CREATE TABLE period_results (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, period TEXT NOT NULL,
            scope TEXT NOT NULL, case_code TEXT, object TEXT, result_ore INTEGER NOT NULL,
            text TEXT, source TEXT, UNIQUE (year, period, scope));
        CREATE TABLE funding (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, kind TEXT NOT NULL,
            amount_ore INTEGER NOT NULL, allocation TEXT, note TEXT, source TEXT,
            UNIQUE (year, kind));
        CREATE TABLE price_rates (
            year INTEGER NOT NULL, resource TEXT NOT NULL, rate_ore INTEGER NOT NULL,
            case_code TEXT, source TEXT, PRIMARY KEY (year, resource));
        """
    )


@MIGRATIONS
def m002_status_reports(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE status_reports (
            id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),
            reported_on TEXT NOT NULL,
            time_status TEXT NOT NULL, time_reason TEXT NOT NULL,
            cost_status TEXT NOT NULL, cost_reason TEXT NOT NULL,
            scope_status TEXT NOT NULL, scope_reason TEXT NOT NULL,
            overall_status TEXT NOT NULL, overall_reason TEXT NOT NULL,
            next_steps TEXT NOT NULL, user_id INTEGER REFERENCES users(id), created_at TEXT NOT NULL);
        CREATE INDEX status_reports_project ON status_reports (project_id, reported_on);
        """
    )


@MIGRATIONS
def m003_utc_timestamps(db: Database) -> None:
    # Versions before the one clock stored these in naive Stockholm time.
    stamps_to_utc(db, "status_reports", ("created_at",))
    stamps_to_utc(db, "users", ("created_at",))


@MIGRATIONS
def m004_user_accounts(db: Database) -> None:
    # An account edit carries the version it was based on; a password an admin reset must be
    # replaced by the user at the next login.
    db.execute("ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")
    # A lock older versions stored in naive local time ends at the same moment in UTC.
    stamps_to_utc(db, "users", ("locked_until",))


# --- reading -----------------------------------------------------------------------------


def frame(db: Database, sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a query into a DataFrame with an explicit schema, so an empty result keeps its columns."""
    rows = db.execute(sql, list(params)).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def positioned_frame(db: Database, table: str, key: str, value: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The schema's columns of `table`'s rows whose `key` is `value`, in their `position` order."""
    return frame(
        db, f"SELECT {', '.join(schema)} FROM {table} WHERE {key} = ? ORDER BY position", [value], schema
    )


def row_dict(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The query's first row as a dict keyed by column name, or None when it finds nothing."""
    cur = db.execute(sql, list(params))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def row_dicts(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Every row of the query as a dict keyed by column name."""
    cur = db.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def exists(db: Database, sql: str, params: Sequence[Any]) -> bool:
    """Whether the query finds any row."""
    return db.execute(sql, list(params)).fetchone() is not None


def now_text() -> str:
    """The time in UTC to the second as ISO text, as `created_at` columns hold it (`clock.now`)."""
    return clock.now()


PROJECT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "code": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "phase": pl.String,
    "status": pl.String,
    "status_reason": pl.String,
    "owner_party": pl.String,
    "object": pl.String,
    "start_date": pl.String,
    "planned_end_date": pl.String,
    "actual_end_date": pl.String,
    "budget_ore": pl.Int64,
    "actual_ore": pl.Int64,
    "financing_parties": pl.String,
    "source": pl.String,
    "version": pl.Int64,
}


def projects_frame(db: Database) -> pl.DataFrame:
    """Every project and case with its budget and actual in öre.

    The document's own stated totals win where it gives them (they do not always equal the
    sum of its lines, and the page shows the difference); else the sum of the budget lines
    (actual includes costs outside the budget); else the single amount the case carries.
    Extra resources debited by the price list (resource_debits, written by governance/) add
    to the actual.
    """
    sql = """
        SELECT p.id, p.code, p.name, p.kind, p.phase, p.status, p.status_reason, p.owner_party,
               p.object, p.start_date, p.planned_end_date, p.actual_end_date,
               COALESCE(t.budget_total_ore, b.budget, p.budget_ore) AS budget_ore,
               COALESCE(t.total_cost_ore, b.outcome, p.actual_ore, 0 + d.debited)
                   + CASE WHEN COALESCE(t.total_cost_ore, b.outcome, p.actual_ore) IS NULL THEN 0
                          ELSE COALESCE(d.debited, 0) END AS actual_ore,
               (SELECT group_concat(party_code, ',') FROM
                   (SELECT party_code FROM project_parties pp WHERE pp.project_id = p.id
                    ORDER BY party_code)) AS financing_parties,
               p.source, p.version
        FROM projects p
        LEFT JOIN (
            SELECT project_id,
                   SUM(CASE WHEN kind = 'budget' THEN budget_total_ore END) AS budget,
                   SUM(outcome_total_ore) AS outcome
            FROM budget_lines GROUP BY project_id) b ON b.project_id = p.id
        LEFT JOIN stated_totals t ON t.project_id = p.id
        LEFT JOIN (SELECT project_id, SUM(amount_ore) AS debited FROM resource_debits
                   GROUP BY project_id) d ON d.project_id = p.id
        ORDER BY p.code
    """
    return frame(db, sql, [], PROJECT_SCHEMA)


def project_id_for(db: Database, code: str) -> int:
    """The id of the project with this code; NotFoundError otherwise."""
    row = db.execute("SELECT id FROM projects WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFoundError(f"Det finns inget projekt eller ärende med koden {code}")
    return int(row[0])


def project_detail(db: Database, project_id: int) -> dict[str, Any]:
    """One project's facts as a dict, with its people and financing parties."""
    cur = db.execute("SELECT * FROM projects WHERE id = ?", [project_id])
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"Projektet med id {project_id} finns inte")
    cols = [d[0] for d in cur.description]
    detail = dict(zip(cols, row, strict=True))
    people = db.execute(
        "SELECT role, name, organisation FROM project_people WHERE project_id = ? ORDER BY position",
        [project_id],
    ).fetchall()
    detail["leaders"] = [(n, o) for r, n, o in people if r == "projektledare"]
    detail["steering_group"] = [(n, o) for r, n, o in people if r == "styrgrupp"]
    detail["financing_parties"] = [
        r[0]
        for r in db.execute(
            "SELECT party_code FROM project_parties WHERE project_id = ? ORDER BY party_code",
            [project_id],
        ).fetchall()
    ]
    return detail


BUDGET_SCHEMA: dict[str, Any] = {
    "activity": pl.String,
    "kind": pl.String,
    "budget_total_ore": pl.Int64,
    "budget_region_ore": pl.Int64,
    "budget_kommunerna_ore": pl.Int64,
    "outcome_total_ore": pl.Int64,
    "outcome_region_ore": pl.Int64,
    "outcome_kommunerna_ore": pl.Int64,
    "note": pl.String,
    "source": pl.String,
}


def budget_lines_frame(db: Database, project_id: int) -> pl.DataFrame:
    """A project's budget and outcome lines in the document's order."""
    return positioned_frame(db, "budget_lines", "project_id", project_id, BUDGET_SCHEMA)


MILESTONE_SCHEMA: dict[str, Any] = {
    "milestone": pl.String,
    "step": pl.Int64,
    "date": pl.String,
    "changed_on": pl.String,
    "reason": pl.String,
    "kind": pl.String,
    "source": pl.String,
}


STATED_COLUMNS = (
    "budget_total_ore",
    "budget_region_ore",
    "budget_kommunerna_ore",
    "outcome_total_ore",
    "outcome_region_ore",
    "outcome_kommunerna_ore",
    "extra_ore",
    "total_cost_ore",
)


def stated_totals(db: Database, project_id: int) -> dict[str, Any] | None:
    """The totals the project's own report states, or None."""
    row = db.execute(
        f"SELECT {', '.join(STATED_COLUMNS)}, source FROM stated_totals WHERE project_id = ?",
        [project_id],
    ).fetchone()
    return None if row is None else dict(zip([*STATED_COLUMNS, "source"], row, strict=True))


def milestones_frame(db: Database, project_id: int) -> pl.DataFrame:
    """Each milestone's original plan, every postponement and its actual date, in order."""
    sql = """
        SELECT m.name, 0, m.planned_date, NULL, NULL, 'ursprunglig plan', m.source, m.position
            FROM milestones m WHERE m.project_id = ? AND m.planned_date IS NOT NULL
        UNION ALL
        SELECT m.name, c.position + 1, c.new_date, c.changed_on, c.reason, 'ändrad plan',
               c.source, m.position
            FROM milestone_changes c JOIN milestones m ON m.id = c.milestone_id
            WHERE m.project_id = ?
        UNION ALL
        SELECT m.name, 1000, m.actual_date, NULL, NULL, 'utfall', m.source, m.position
            FROM milestones m WHERE m.project_id = ? AND m.actual_date IS NOT NULL
        ORDER BY 8, 2
    """
    rows = db.execute(sql, [project_id] * 3).fetchall()
    return pl.DataFrame([r[:7] for r in rows], schema=MILESTONE_SCHEMA, orient="row")


MEETING_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "date": pl.String,
    "kind": pl.String,
    "place": pl.String,
    "paragraphs": pl.String,
    "moved_from": pl.String,
    "moved_reason": pl.String,
    "planned": pl.Boolean,
    "items": pl.Int64,
    "source": pl.String,
}


def meetings_frame(db: Database) -> pl.DataFrame:
    """Every meeting, held or planned, with its number of agenda items."""
    sql = """
        SELECT m.id, m.date, m.kind, m.place, m.paragraphs, m.moved_from, m.moved_reason,
               m.planned, COUNT(a.id), m.source
        FROM meetings m LEFT JOIN agenda_items a ON a.meeting_id = m.id
        GROUP BY m.id ORDER BY m.date
    """
    return frame(db, sql, [], MEETING_SCHEMA)


PARTY_SCHEMA: dict[str, Any] = {"code": pl.String, "name": pl.String, "kind": pl.String}


def parties_frame(db: Database) -> pl.DataFrame:
    """The parties, the region first, then the municipalities by name."""
    return frame(
        db,
        "SELECT code, name, kind FROM parties ORDER BY kind = 'kommun', name",
        [],
        PARTY_SCHEMA,
    )


def populations_frame(db: Database) -> pl.DataFrame:
    """Population per municipality and year."""
    return frame(
        db,
        "SELECT party_code, year, population, source FROM party_population ORDER BY year, party_code",
        [],
        {"party_code": pl.String, "year": pl.Int64, "population": pl.Int64, "source": pl.String},
    )


STATEMENT_SCHEMA: dict[str, Any] = {
    "position": pl.Int64,
    "line": pl.String,
    "kind": pl.String,
    "actual_ore": pl.Int64,
    "budget_ore": pl.Int64,
    "previous_year_ore": pl.Int64,
    "source": pl.String,
}


def reported_statement(db: Database, year: int, period: str) -> pl.DataFrame:
    """The income statement as the committee's own report gives it (from the documents)."""
    return frame(
        db,
        "SELECT position, line, kind, actual_ore, budget_ore, previous_year_ore, source"
        " FROM statement_lines WHERE year = ? AND period = ? ORDER BY position",
        [year, period],
        STATEMENT_SCHEMA,
    )


def period_results_frame(db: Database) -> pl.DataFrame:
    """Results the minutes report per period (e.g. T1 2019 −219 tkr), with their scope."""
    return frame(
        db,
        "SELECT year, period, scope, case_code, object, result_ore, text, source"
        " FROM period_results ORDER BY year, period, id",
        [],
        {
            "year": pl.Int64,
            "period": pl.String,
            "scope": pl.String,
            "case_code": pl.String,
            "object": pl.String,
            "result_ore": pl.Int64,
            "text": pl.String,
            "source": pl.String,
        },
    )


def funding_frame(db: Database) -> pl.DataFrame:
    """Base funding and surpluses per year."""
    return frame(
        db,
        "SELECT year, kind, amount_ore, allocation, note, source FROM funding ORDER BY year, kind",
        [],
        {
            "year": pl.Int64,
            "kind": pl.String,
            "amount_ore": pl.Int64,
            "allocation": pl.String,
            "note": pl.String,
            "source": pl.String,
        },
    )


def price_rates_frame(db: Database) -> pl.DataFrame:
    """The price list for debiting extra resources, per year."""
    return frame(
        db,
        "SELECT year, resource, rate_ore, case_code, source FROM price_rates ORDER BY year, resource",
        [],
        {
            "year": pl.Int64,
            "resource": pl.String,
            "rate_ore": pl.Int64,
            "case_code": pl.String,
            "source": pl.String,
        },
    )


def count(db: Database, table: str) -> int:
    """Rows in one of the core's tables."""
    if table not in db.table_names():
        return 0
    return int(db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])


# --- seeding (insert what is missing; never overwrite what users changed) -----------------


def _src(source: Any) -> str | None:
    return source_text(source) or None


def insert_party(db: Database, party: Party, user: User) -> bool:
    """Insert a party and its populations if it is not there; True when inserted."""
    if db.execute("SELECT 1 FROM parties WHERE code = ?", [party.code]).fetchone():
        return False
    db.execute(
        "INSERT INTO parties (code, name, kind, source) VALUES (?, ?, ?, ?)",
        [party.code, party.name, party.kind, _src(party.source)],
    )
    for year, population in (party.population or {}).items():
        db.execute(
            "INSERT INTO party_population VALUES (?, ?, ?, ?)",
            [party.code, year, population, _src(party.source)],
        )
    audit(
        db,
        user_id=user.id,
        user_email=user.email,
        action="skapa",
        entity="part",
        entity_id=party.code,
        after=party.model_dump(mode="json"),
        party=party.code,
    )
    return True


def insert_statement_line(
    db: Database,
    *,
    year: int,
    period: str,
    position: int,
    line: str,
    kind: str,
    actual_ore: int,
    budget_ore: int,
    previous_year_ore: int,
    source: str | None,
) -> bool:
    """Insert one line of a reported income statement unless it exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO statement_lines (year, period, position, line, kind, actual_ore,"
        " budget_ore, previous_year_ore, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [year, period, position, line, kind, actual_ore, budget_ore, previous_year_ore, source],
    )
    return cur.rowcount > 0


def insert_period_result(
    db: Database,
    *,
    year: int,
    period: str,
    scope: str,
    case_code: str | None,
    object: str | None,
    result_ore: int,
    text: str | None,
    source: str | None,
) -> bool:
    """Insert a reported result against budget (T1 2019: −219 tkr) unless it exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO period_results (year, period, scope, case_code, object, result_ore,"
        " text, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [year, period, scope, case_code, object, result_ore, text, source],
    )
    return cur.rowcount > 0


def insert_funding(
    db: Database,
    *,
    year: int,
    kind: str,
    amount_ore: int,
    allocation: str | None,
    note: str | None,
    source: str | None,
) -> bool:
    """Insert base funding or a surplus for a year unless it exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO funding (year, kind, amount_ore, allocation, note, source)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [year, kind, amount_ore, allocation, note, source],
    )
    return cur.rowcount > 0


def insert_price_rate(
    db: Database,
    *,
    year: int,
    resource: str,
    rate_ore: int,
    case_code: str | None,
    source: str | None,
) -> bool:
    """Insert a price-list rate for a year unless it exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO price_rates VALUES (?, ?, ?, ?, ?)",
        [year, resource, rate_ore, case_code, source],
    )
    return cur.rowcount > 0


def audit_bulk(db: Database, user: User, entity: str, entity_id: str, after: Any) -> None:
    """One audit row for a group of inserted rows (a statement, a price list)."""
    audit(
        db,
        user_id=user.id,
        user_email=user.email,
        action="skapa",
        entity=entity,
        entity_id=entity_id,
        after=after,
    )


# --- status reports -----------------------------------------------------------------------

STATUS_REPORT_FIELDS = (
    "reported_on",
    "time_status",
    "time_reason",
    "cost_status",
    "cost_reason",
    "scope_status",
    "scope_reason",
    "overall_status",
    "overall_reason",
    "next_steps",
)


def insert_status_report(db: Database, project_id: int, report: dict[str, Any], user_id: int | None) -> int:
    """Store one status report; returns its id."""
    cur = db.execute(
        f"INSERT INTO status_reports (project_id, {', '.join(STATUS_REPORT_FIELDS)}, user_id, created_at)"
        f" VALUES (?, {', '.join('?' * len(STATUS_REPORT_FIELDS))}, ?, ?)",
        [
            project_id,
            *(report[f] for f in STATUS_REPORT_FIELDS),
            user_id,
            now_text(),
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


STATUS_REPORT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    **dict.fromkeys(STATUS_REPORT_FIELDS, pl.String),
    "reporter": pl.String,
}


def status_reports_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Status reports, oldest first, for one project or all."""
    where, params = ("WHERE r.project_id = ?", [project_id]) if project_id is not None else ("", [])
    cols = ", ".join(f"r.{f}" for f in STATUS_REPORT_FIELDS)
    return frame(
        db,
        f"SELECT r.id, r.project_id, {cols}, u.name FROM status_reports r"
        f" LEFT JOIN users u ON u.id = r.user_id {where} ORDER BY r.reported_on, r.id",
        params,
        STATUS_REPORT_SCHEMA,
    )


# --- users --------------------------------------------------------------------------------

USER_COLUMNS = (
    "id, email, name, role, party_code, password_hash, active, failed_logins, locked_until,"
    " demo_persona, created_at, version, must_change_password"
)


def _user_from_row(db: Database, row: Sequence[Any]) -> tuple[User, dict[str, Any]]:
    cols = [c.strip() for c in USER_COLUMNS.split(",")]
    data = dict(zip(cols, row, strict=True))
    projects = frozenset(
        r[0]
        for r in db.execute("SELECT project_id FROM user_projects WHERE user_id = ?", [data["id"]]).fetchall()
    )
    user = User(
        id=data["id"],
        email=data["email"],
        name=data["name"],
        role=Role(data["role"]),
        party=data["party_code"],
        projects=projects,
        active=bool(data["active"]),
    )
    return user, data


def find_user(db: Database, email: str) -> tuple[User, dict[str, Any]] | None:
    """The user with this e-mail (any case) and its login record, or None."""
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE email = ?", [email]).fetchone()
    return None if row is None else _user_from_row(db, row)


def get_user(db: Database, user_id: int) -> User:
    """The user with this id; NotFoundError otherwise."""
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Användaren {user_id} finns inte")
    return _user_from_row(db, row)[0]


def users_frame(db: Database) -> pl.DataFrame:
    """Every account, without its password hash."""
    return frame(
        db,
        """SELECT u.id, u.email, u.name, u.role, u.party_code, u.active,
                  u.password_hash IS NOT NULL, u.demo_persona, u.created_at,
                  (SELECT group_concat(p.code, ', ') FROM user_projects up
                     JOIN projects p ON p.id = up.project_id WHERE up.user_id = u.id),
                  u.failed_logins, u.locked_until, u.must_change_password, u.version
           FROM users u ORDER BY u.role, u.name""",
        [],
        {
            "id": pl.Int64,
            "email": pl.String,
            "name": pl.String,
            "role": pl.String,
            "party": pl.String,
            "active": pl.Boolean,
            "has_password": pl.Boolean,
            "demo_persona": pl.String,
            "created_at": pl.String,
            "projects": pl.String,
            "failed_logins": pl.Int64,
            "locked_until": pl.String,
            "must_change_password": pl.Boolean,
            "version": pl.Int64,
        },
    )


def user_account(db: Database, email: str) -> dict[str, Any] | None:
    """What an admin sees and edits of an account (never its hash), or None when there is none."""
    row = row_dict(
        db,
        """SELECT u.id, u.email, u.name, u.role, u.party_code AS party, u.active,
                  u.password_hash IS NOT NULL AS has_password, u.demo_persona, u.failed_logins,
                  u.locked_until, u.must_change_password, u.version
           FROM users u WHERE u.email = ?""",
        [email],
    )
    if row is None:
        return None
    codes = db.execute(
        "SELECT p.code FROM user_projects up JOIN projects p ON p.id = up.project_id"
        " WHERE up.user_id = ? ORDER BY p.code",
        [row["id"]],
    ).fetchall()
    for flag in ("active", "has_password", "must_change_password"):
        row[flag] = bool(row[flag])
    return {**row, "projects": [c[0] for c in codes]}


def update_user(db: Database, user_id: int, user: User, *, expected_version: int) -> bool:
    """Save name, role, party and projects if the account is still at `expected_version`."""
    values = {"name": user.name, "role": user.role.value, "party_code": user.party}
    if not update_if_unchanged(db, "users", values, where={"id": user_id}, version=expected_version):
        return False
    db.execute("DELETE FROM user_projects WHERE user_id = ?", [user_id])
    bind_user_projects(db, [(user_id, pid) for pid in sorted(user.projects)])
    return True


def bind_user_projects(db: Database, pairs: Sequence[tuple[int, int]]) -> None:
    """Make accounts leaders of projects: (user id, project id) pairs (the caller removed old ones)."""
    db.conn.executemany("INSERT INTO user_projects VALUES (?, ?)", list(pairs))


def set_user_password(db: Database, user_id: int, password_hash: str | None, *, must_change: bool) -> None:
    """Store a new password hash (or none) and whether it must be replaced at the next login."""
    db.execute(
        "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
        [password_hash, must_change, user_id],
    )


def clear_lockout(db: Database, user_id: int) -> None:
    """Forget the failed logins and any lock."""
    db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id])


def insert_user(
    db: Database,
    user: User,
    *,
    password_hash: str | None,
    demo_persona: str | None,
    actor: User,
) -> int:
    """Create an account; the caller checks rights and validates."""
    uid = db.execute(
        "INSERT INTO users (email, name, role, party_code, password_hash, demo_persona, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            user.email,
            user.name,
            user.role.value,
            user.party,
            password_hash,
            demo_persona,
            now_text(),
        ],
    ).lastrowid
    assert uid is not None
    bind_user_projects(db, [(uid, pid) for pid in sorted(user.projects)])
    audit(
        db,
        user_id=actor.id,
        user_email=actor.email,
        action="skapa",
        entity="användare",
        entity_id=uid,
        after={
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "party": user.party,
            "projects": sorted(user.projects),
            "password": "satt" if password_hash else "inget",
        },
    )
    return uid


def set_user_active(db: Database, user_id: int, active: bool, actor: User) -> None:
    """Enable or disable an account."""
    before = db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
    db.execute("UPDATE users SET active = ? WHERE id = ?", [active, user_id])
    audit(
        db,
        user_id=actor.id,
        user_email=actor.email,
        action="aktivera" if active else "stäng av",
        entity="användare",
        entity_id=user_id,
        before={"active": bool(before[0]) if before else None},
        after={"active": active},
    )


def record_login_attempt(
    db: Database, user_id: int, *, success: bool, locked_until: str | None, failed_logins: int
) -> None:
    """Store the outcome of a login attempt (the lockout counter)."""
    db.execute(
        "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
        [0 if success else failed_logins, locked_until, user_id],
    )
    audit(
        db,
        user_id=user_id,
        user_email=str(db.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone()[0]),
        action="inloggning" if success else "misslyckad inloggning",
        entity="användare",
        entity_id=user_id,
        after={"failed_logins": failed_logins, "locked_until": locked_until},
    )


def party_exists(db: Database, code: str) -> bool:
    """Whether a party with this code exists."""
    return db.execute("SELECT 1 FROM parties WHERE code = ?", [code]).fetchone() is not None


def project_codes(db: Database, codes: Iterable[str]) -> dict[str, int]:
    """Map project codes to ids; NotFoundError naming the first unknown code."""
    result = {}
    for code in codes:
        result[code] = project_id_for(db, code)
    return result


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


def json_list(text: str | None) -> list[str]:
    """A JSON list column as a Python list."""
    return list(json.loads(text)) if text else []
