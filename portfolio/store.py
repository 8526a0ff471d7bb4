"""The core's tables: parties, projects, budget lines, milestones, meetings, finance, status reports.

This module holds the core's migrations (`MIGRATIONS`, set "portfolio", which also creates the
users and audit tables), the readers that return these tables as polars DataFrames with an
explicit schema, the seed's inserts that add what is missing without overwriting what users
changed, the status reports, and the figures other areas (the ledger's allocation, mapping and
tertial report) read from these tables. Accounts (logging in, editing, and `users_frame`, the
list pages and registers offer as owners and leaders) live in `users_store.py`, reading the
audit log in `audit_store.py`, and the reading helpers every store shares in `db.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import polars as pl

from portfolio.auth import User
from portfolio.db import (
    Database,
    Migrations,
    audit_by,
    create_audit_table,
    first_value,
    frame,
    positioned_frame,
    stamps_to_utc,
    table_frame,
)
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


# A budget's amounts: budgeted and spent, each in total, the region's part and the municipalities'.
AMOUNT_COLUMNS = (
    "budget_total_ore",
    "budget_region_ore",
    "budget_kommunerna_ore",
    "outcome_total_ore",
    "outcome_region_ore",
    "outcome_kommunerna_ore",
)
STATED_COLUMNS = (*AMOUNT_COLUMNS, "extra_ore", "total_cost_ore")


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
    return table_frame(db, "parties", PARTY_SCHEMA, order_by="kind = 'kommun', name")


POPULATION_SCHEMA: dict[str, Any] = {
    "party_code": pl.String,
    "year": pl.Int64,
    "population": pl.Int64,
    "source": pl.String,
}


def populations_frame(db: Database) -> pl.DataFrame:
    """Population per municipality and year."""
    return table_frame(db, "party_population", POPULATION_SCHEMA, order_by="year, party_code")


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
    return table_frame(
        db, "statement_lines", STATEMENT_SCHEMA, order_by="position", where={"year": year, "period": period}
    )


PERIOD_RESULT_SCHEMA: dict[str, Any] = {
    "year": pl.Int64,
    "period": pl.String,
    "scope": pl.String,
    "case_code": pl.String,
    "object": pl.String,
    "result_ore": pl.Int64,
    "text": pl.String,
    "source": pl.String,
}


def period_results_frame(db: Database) -> pl.DataFrame:
    """Results the minutes report per period (e.g. T1 2019 −219 tkr), with their scope."""
    return table_frame(db, "period_results", PERIOD_RESULT_SCHEMA, order_by="year, period, id")


FUNDING_SCHEMA: dict[str, Any] = {
    "year": pl.Int64,
    "kind": pl.String,
    "amount_ore": pl.Int64,
    "allocation": pl.String,
    "note": pl.String,
    "source": pl.String,
}


def funding_frame(db: Database) -> pl.DataFrame:
    """Base funding and surpluses per year."""
    return table_frame(db, "funding", FUNDING_SCHEMA, order_by="year, kind")


PRICE_RATE_SCHEMA: dict[str, Any] = {
    "year": pl.Int64,
    "resource": pl.String,
    "rate_ore": pl.Int64,
    "case_code": pl.String,
    "source": pl.String,
}


def price_rates_frame(db: Database) -> pl.DataFrame:
    """The price list for debiting extra resources, per year."""
    return table_frame(db, "price_rates", PRICE_RATE_SCHEMA, order_by="year, resource")


def count(db: Database, table: str) -> int:
    """Rows in one of the core's tables."""
    return db.table(table).count if table in db.table_names() else 0


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
    audit_by(
        db,
        user,
        "skapa",
        "part",
        party.code,
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
    audit_by(
        db,
        user,
        "skapa",
        entity,
        entity_id,
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


def party_exists(db: Database, code: str) -> bool:
    """Whether a party with this code exists."""
    return db.execute("SELECT 1 FROM parties WHERE code = ?", [code]).fetchone() is not None


def project_codes(db: Database, codes: Iterable[str]) -> dict[str, int]:
    """Map project codes to ids; NotFoundError naming the first unknown code."""
    result = {}
    for code in codes:
        result[code] = project_id_for(db, code)
    return result


# --- figures other areas read from the core (the ledger's allocation, mapping and tertial) --


def reported_years(db: Database) -> list[int]:
    """Years with a statement or a period result from the committee's documents."""
    return [
        int(r[0])
        for r in db.execute(
            "SELECT year FROM statement_lines UNION SELECT year FROM period_results ORDER BY 1"
        )
    ]


def project_code_exists(db: Database, code: str) -> bool:
    """Whether the core has a project or case with this code."""
    return db.execute("SELECT 1 FROM projects WHERE code = ?", [code]).fetchone() is not None


def project_objects(db: Database) -> dict[str, str]:
    """Project code → its object, for projects that have one."""
    return {
        str(c): str(o) for c, o in db.execute("SELECT code, object FROM projects WHERE object IS NOT NULL")
    }


def funding_amount(db: Database, year: int, kind: str) -> int | None:
    """The committee's funding of a kind in a year (öre), or None."""
    return first_value(db, "SELECT amount_ore FROM funding WHERE year = ? AND kind = ?", [year, kind], int)


def project_budget_split(db: Database, code: str) -> dict[str, int | None] | None:
    """A project's budget and outcome totals and region/municipal split from its budget lines."""
    row = db.execute(
        """SELECT SUM(CASE WHEN b.kind = 'budget' THEN b.budget_total_ore END),
                  SUM(CASE WHEN b.kind = 'budget' THEN b.budget_region_ore END),
                  SUM(CASE WHEN b.kind = 'budget' THEN b.budget_kommunerna_ore END),
                  SUM(b.outcome_total_ore), COUNT(b.id)
           FROM projects p LEFT JOIN budget_lines b ON b.project_id = p.id WHERE p.code = ?""",
        [code],
    ).fetchone()
    if row is None or not row[4]:
        return None
    return {"budget": row[0], "region": row[1], "kommunerna": row[2], "outcome": row[3]}


def budget_line(db: Database, code: str, activity: str) -> dict[str, int | None] | None:
    """One budget line of a project by its activity text, or None."""
    row = db.execute(
        """SELECT b.budget_total_ore, b.budget_region_ore, b.budget_kommunerna_ore,
                  b.outcome_total_ore, b.outcome_region_ore, b.outcome_kommunerna_ore
           FROM budget_lines b JOIN projects p ON p.id = b.project_id
           WHERE p.code = ? AND b.activity = ?""",
        [code, activity],
    ).fetchone()
    if row is None:
        return None
    keys = ["budget", "budget_region", "budget_kommunerna", "outcome", "outcome_region", "outcome_kommunerna"]
    return dict(zip(keys, row, strict=True))


def budget_line_names(db: Database) -> list[tuple[str, str]]:
    """(project code, activity) of every budget line."""
    return [
        (str(c), str(a))
        for c, a in db.execute(
            "SELECT p.code, b.activity FROM budget_lines b JOIN projects p ON p.id = b.project_id"
            " ORDER BY p.code, b.position"
        )
    ]


def project_figures(db: Database, code: str) -> dict[str, Any] | None:
    """A project's name, object and stated budget/total cost, or None."""
    row = db.execute(
        """SELECT p.name, p.object, COALESCE(t.budget_total_ore, p.budget_ore),
                  COALESCE(t.total_cost_ore, p.actual_ore)
           FROM projects p LEFT JOIN stated_totals t ON t.project_id = p.id WHERE p.code = ?""",
        [code],
    ).fetchone()
    return None if row is None else {"name": row[0], "object": row[1], "budget": row[2], "actual": row[3]}


def party_codes(db: Database, kind: str | None = None) -> list[str]:
    """Party codes, the region first, optionally of one kind."""
    parties = parties_frame(db)
    if kind:
        parties = parties.filter(pl.col("kind") == kind)
    return parties["code"].to_list()


def json_list(text: str | None) -> list[str]:
    """A JSON list column as a Python list."""
    return list(json.loads(text)) if text else []
