"""The project register's tables: projects, their people, parties, objects, budget lines and milestones.

The only module that writes `projects`, `project_parties`, `project_people`, `project_objects`,
`budget_lines`, `budget_shares`, `stated_totals`, `milestones` and `milestone_changes`.
Budget lines keep the region/municipalities columns the reports read; `budget_shares` holds the
split per financier that those columns sum up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from portfolio import store as core_store
from portfolio.db import Database, Migrations, exists, row_dict, row_dicts, table_insert, update_if_unchanged
from portfolio.users_store import bind_user_projects

MIGRATIONS = Migrations("projects")


@MIGRATIONS
def m001_editable_register(db: Database) -> None:
    """Goals, several ledger objects, splits per financier and versions for optimistic locking."""
    db.executescript(
        """
        ALTER TABLE projects ADD COLUMN goals TEXT;
        CREATE TABLE project_objects (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            object TEXT NOT NULL UNIQUE, position INTEGER NOT NULL,
            PRIMARY KEY (project_id, object));
        INSERT INTO project_objects (project_id, object, position)
            SELECT id, object, 0 FROM projects WHERE object IS NOT NULL;
        ALTER TABLE budget_lines ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE budget_lines ADD COLUMN document_rounding INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE budget_shares (
            line_id INTEGER NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
            side TEXT NOT NULL CHECK (side IN ('budget', 'outcome')),
            financier TEXT NOT NULL, amount_ore INTEGER NOT NULL,
            PRIMARY KEY (line_id, side, financier));
        ALTER TABLE stated_totals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE milestones ADD COLUMN note TEXT;
        ALTER TABLE milestones ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        """
    )
    # Lines written before this version carried a region and a municipalities column: those are
    # the region's party and the group of municipalities.
    region = db.execute("SELECT code FROM parties WHERE kind = 'region' ORDER BY code LIMIT 1").fetchone()
    for side in ("budget", "outcome"):
        if region is not None:
            db.execute(
                f"INSERT INTO budget_shares SELECT id, '{side}', ?, {side}_region_ore FROM budget_lines"
                f" WHERE {side}_region_ore IS NOT NULL",
                [region[0]],
            )
        db.execute(
            f"INSERT INTO budget_shares SELECT id, '{side}', 'KOMMUNERNA', {side}_kommunerna_ore"
            f" FROM budget_lines WHERE {side}_kommunerna_ore IS NOT NULL"
        )
        db.execute(
            f"UPDATE budget_lines SET document_rounding = 1 WHERE {side}_total_ore IS NOT NULL"
            f" AND ({side}_region_ore IS NOT NULL OR {side}_kommunerna_ore IS NOT NULL)"
            f" AND {side}_total_ore != COALESCE({side}_region_ore, 0) + COALESCE({side}_kommunerna_ore, 0)"
        )


def _next_position(db: Database, table: str, column: str, value: int) -> int:
    """The position after the last row of `table` whose `column` is `value` (0 for the first)."""
    row = db.execute(
        f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE {column} = ?", [value]
    ).fetchone()
    return int(row[0])


def _positioned_insert(db: Database, table: str, column: str, value: int, values: dict[str, Any]) -> int:
    """Insert a row after the last of `table`'s rows whose `column` is `value`; returns its id."""
    position = _next_position(db, table, column, value)
    return table_insert(db, table, {column: value, **values, "position": position})


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- projects -----------------------------------------------------------------------------

PROJECT_FIELDS = (
    "code",
    "has_diarienummer",
    "name",
    "kind",
    "purpose",
    "goals",
    "phase",
    "status",
    "status_reason",
    "owner_party",
    "object",
    "start_date",
    "planned_end_date",
    "actual_end_date",
    "budget_ore",
    "actual_ore",
    "notes",
    "source",
)


def insert_project(db: Database, values: dict[str, Any]) -> int:
    """A new row in the portfolio from column values (PROJECT_FIELDS); returns its id."""
    return table_insert(db, "projects", {f: values.get(f) for f in PROJECT_FIELDS})


def update_project(db: Database, project_id: int, values: dict[str, Any], *, expected_version: int) -> bool:
    """Overwrite the given columns if nobody changed the project since `expected_version`."""
    return update_if_unchanged(db, "projects", values, where={"id": project_id}, version=expected_version)


def project_row(db: Database, project_id: int) -> dict[str, Any] | None:
    """Every column of one project, or None."""
    return row_dict(db, "SELECT * FROM projects WHERE id = ?", [project_id])


def project_id(db: Database, code: str) -> int | None:
    """The id of the project with this code, or None."""
    row = db.execute("SELECT id FROM projects WHERE code = ?", [code]).fetchone()
    return None if row is None else int(row[0])


def replace_parties(db: Database, project_id: int, codes: Sequence[str]) -> None:
    """The project's financing parties become exactly `codes`."""
    db.execute("DELETE FROM project_parties WHERE project_id = ?", [project_id])
    add_parties(db, project_id, codes)


def add_parties(db: Database, project_id: int, codes: Sequence[str]) -> None:
    """Add financing parties the project does not have yet (a party that pays a budget line)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO project_parties VALUES (?, ?)", [(project_id, c) for c in codes]
    )


def parties_of(db: Database, project_id: int) -> list[str]:
    """The project's financing parties' codes, sorted."""
    return [
        str(r[0])
        for r in db.execute(
            "SELECT party_code FROM project_parties WHERE project_id = ? ORDER BY party_code", [project_id]
        )
    ]


def replace_objects(db: Database, project_id: int, objects: Sequence[str]) -> None:
    """The ledger objects (dimension 6) whose lines belong to the project become `objects`."""
    db.execute("DELETE FROM project_objects WHERE project_id = ?", [project_id])
    db.conn.executemany(
        "INSERT INTO project_objects (project_id, object, position) VALUES (?, ?, ?)",
        [(project_id, o, i) for i, o in enumerate(objects)],
    )


def objects_of(db: Database, project_id: int) -> list[str]:
    """The project's ledger objects in the order given."""
    return [
        str(r[0])
        for r in db.execute(
            "SELECT object FROM project_objects WHERE project_id = ? ORDER BY position", [project_id]
        )
    ]


def object_owners(db: Database, objects: Sequence[str]) -> dict[str, tuple[int, str]]:
    """For each object already in use: (project id, project code)."""
    if not objects:
        return {}
    marks = ", ".join("?" * len(objects))
    return {
        str(o): (int(pid), str(code))
        for o, pid, code in db.execute(
            f"SELECT o.object, p.id, p.code FROM project_objects o JOIN projects p ON p.id = o.project_id"
            f" WHERE o.object IN ({marks})",
            list(objects),
        )
    }


def replace_people(
    db: Database, project_id: int, people: Sequence[tuple[str, str, str | None]], roles: Sequence[str]
) -> None:
    """The project's people of the given roles become `people` (role, name, organisation), in order."""
    marks = ", ".join("?" * len(roles))
    db.execute(f"DELETE FROM project_people WHERE project_id = ? AND role IN ({marks})", [project_id, *roles])
    start = _next_position(db, "project_people", "project_id", project_id)
    db.conn.executemany(
        "INSERT INTO project_people (project_id, role, name, organisation, position) VALUES (?, ?, ?, ?, ?)",
        [(project_id, role, name, org, start + i) for i, (role, name, org) in enumerate(people)],
    )


def people_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's named people (role, name, organisation) in order."""
    return row_dicts(
        db,
        "SELECT role, name, organisation FROM project_people WHERE project_id = ? ORDER BY position",
        [project_id],
    )


def replace_leader_accounts(db: Database, project_id: int, user_ids: Sequence[int]) -> None:
    """The accounts that lead the project (and so may report on it) become `user_ids`."""
    db.execute("DELETE FROM user_projects WHERE project_id = ?", [project_id])
    bind_user_projects(db, [(u, project_id) for u in user_ids])


def leader_accounts_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The accounts bound to the project: id, e-mail, name, active."""
    return row_dicts(
        db,
        "SELECT u.id, u.email, u.name, u.active FROM user_projects up JOIN users u ON u.id = up.user_id"
        " WHERE up.project_id = ? ORDER BY u.name",
        [project_id],
    )


def leader_candidates(db: Database) -> list[str]:
    """E-mail addresses of active project leaders' accounts, sorted."""
    return [
        str(r[0])
        for r in db.execute(
            "SELECT email FROM users WHERE role = 'projektledare' AND active = 1 ORDER BY email"
        )
    ]


def accounts_by_email(db: Database, emails: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Accounts by case-folded e-mail: id, email, name, role, active."""
    if not emails:
        return {}
    marks = ", ".join("?" * len(emails))
    rows = row_dicts(
        db, f"SELECT id, email, name, role, active FROM users WHERE email IN ({marks})", list(emails)
    )
    return {str(r["email"]).casefold(): r for r in rows}


def party_kinds(db: Database) -> dict[str, str]:
    """Party code → kind (region or kommun)."""
    return {str(c): str(k) for c, k in db.execute("SELECT code, kind FROM parties")}


# --- budget lines ---------------------------------------------------------------------------

LINE_COLUMNS = ("activity", "kind", *core_store.AMOUNT_COLUMNS, "note", "source", "document_rounding")


def insert_line(db: Database, project_id: int, values: dict[str, Any], shares: Sequence[tuple]) -> int:
    """A new budget line at the end of the project's table, with its shares; returns its id."""
    line_id = _positioned_insert(
        db, "budget_lines", "project_id", project_id, {c: values[c] for c in LINE_COLUMNS}
    )
    _replace_shares(db, line_id, shares)
    return line_id


def update_line(
    db: Database, line_id: int, values: dict[str, Any], shares: Sequence[tuple], *, expected_version: int
) -> bool:
    """Overwrite a line and its shares if it is still at `expected_version`."""
    line = {c: values[c] for c in LINE_COLUMNS}
    if not update_if_unchanged(db, "budget_lines", line, where={"id": line_id}, version=expected_version):
        return False
    _replace_shares(db, line_id, shares)
    return True


def delete_line(db: Database, line_id: int, *, expected_version: int) -> bool:
    """Remove a line and its shares if it is still at `expected_version`."""
    db.execute(
        "DELETE FROM budget_shares WHERE line_id = ? AND EXISTS"
        " (SELECT 1 FROM budget_lines WHERE id = ? AND version = ?)",
        [line_id, line_id, expected_version],
    )
    cur = db.execute("DELETE FROM budget_lines WHERE id = ? AND version = ?", [line_id, expected_version])
    return cur.rowcount == 1


def _replace_shares(db: Database, line_id: int, shares: Sequence[tuple]) -> None:
    db.execute("DELETE FROM budget_shares WHERE line_id = ?", [line_id])
    db.conn.executemany(
        "INSERT INTO budget_shares (line_id, side, financier, amount_ore) VALUES (?, ?, ?, ?)",
        [(line_id, *s) for s in shares],
    )


def lines_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's budget lines in order, each with id, version and its columns."""
    return row_dicts(
        db,
        f"SELECT id, version, position, {', '.join(LINE_COLUMNS)} FROM budget_lines"
        " WHERE project_id = ? ORDER BY position, id",
        [project_id],
    )


def line_row(db: Database, line_id: int) -> dict[str, Any] | None:
    """One budget line with its project id, or None."""
    return row_dict(
        db,
        f"SELECT id, project_id, version, position, {', '.join(LINE_COLUMNS)} FROM budget_lines WHERE id = ?",
        [line_id],
    )


def shares_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """Every share of the project's lines: line id, side, financier, amount."""
    return row_dicts(
        db,
        "SELECT s.line_id, s.side, s.financier, s.amount_ore FROM budget_shares s"
        " JOIN budget_lines b ON b.id = s.line_id WHERE b.project_id = ? ORDER BY b.position, s.rowid",
        [project_id],
    )


# --- stated totals -------------------------------------------------------------------------

STATED_COLUMNS = (*core_store.STATED_COLUMNS, "source")


def stated_row(db: Database, project_id: int) -> dict[str, Any] | None:
    """The totals the project's report states, with their version, or None."""
    return row_dict(
        db,
        f"SELECT {', '.join(STATED_COLUMNS)}, version FROM stated_totals WHERE project_id = ?",
        [project_id],
    )


def upsert_stated(
    db: Database, project_id: int, values: dict[str, Any], *, expected_version: int | None
) -> bool:
    """Insert (expected_version None) or overwrite the stated totals at `expected_version`."""
    if expected_version is None:
        if exists(db, "SELECT 1 FROM stated_totals WHERE project_id = ?", [project_id]):
            return False
        table_insert(
            db, "stated_totals", {"project_id": project_id, **{c: values[c] for c in STATED_COLUMNS}}
        )
        return True
    stated = {c: values[c] for c in STATED_COLUMNS}
    return update_if_unchanged(
        db, "stated_totals", stated, where={"project_id": project_id}, version=expected_version
    )


def delete_stated(db: Database, project_id: int, *, expected_version: int) -> bool:
    """Remove the stated totals (the lines' sums count again) if still at `expected_version`."""
    cur = db.execute(
        "DELETE FROM stated_totals WHERE project_id = ? AND version = ?", [project_id, expected_version]
    )
    return cur.rowcount == 1


# --- milestones ----------------------------------------------------------------------------


def insert_milestone(
    db: Database, project_id: int, *, name: str, planned: date | None, note: str | None, source: str | None
) -> int:
    """A new milestone at the end of the project's plan; returns its id."""
    return _positioned_insert(
        db,
        "milestones",
        "project_id",
        project_id,
        {"name": name, "planned_date": _iso(planned), "actual_date": None, "note": note, "source": source},
    )


def milestone_row(db: Database, milestone_id: int) -> dict[str, Any] | None:
    """One milestone with its current planned date (the latest re-plan), or None."""
    return row_dict(
        db,
        """SELECT m.id, m.project_id, m.name, m.planned_date, m.actual_date, m.note, m.source, m.version,
                  COALESCE((SELECT c.new_date FROM milestone_changes c WHERE c.milestone_id = m.id
                            ORDER BY c.position DESC LIMIT 1), m.planned_date) AS current_date,
                  (SELECT COUNT(*) FROM milestone_changes c WHERE c.milestone_id = m.id) AS changes
           FROM milestones m WHERE m.id = ?""",
        [milestone_id],
    )


def milestone_by_name(db: Database, project_id: int, name: str) -> int | None:
    """The id of the project's milestone with this name (any case), or None."""
    row = db.execute(
        "SELECT id FROM milestones WHERE project_id = ? AND lower(name) = lower(?) ORDER BY position LIMIT 1",
        [project_id, name],
    ).fetchone()
    return None if row is None else int(row[0])


def milestones_of(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's milestones in order, each as `milestone_row` gives it."""
    ids = [
        r[0]
        for r in db.execute("SELECT id FROM milestones WHERE project_id = ? ORDER BY position", [project_id])
    ]
    return [row for i in ids if (row := milestone_row(db, int(i))) is not None]


def update_milestone(
    db: Database, milestone_id: int, values: dict[str, Any], *, expected_version: int
) -> bool:
    """Overwrite the given columns if the milestone is still at `expected_version`."""
    return update_if_unchanged(db, "milestones", values, where={"id": milestone_id}, version=expected_version)


def insert_milestone_change(
    db: Database,
    milestone_id: int,
    *,
    changed_on: date | None,
    new_date: date,
    reason: str,
    source: str | None,
) -> int:
    """One re-planning of a milestone, after the earlier ones."""
    return _positioned_insert(
        db,
        "milestone_changes",
        "milestone_id",
        milestone_id,
        {
            "changed_on": _iso(changed_on),
            "new_date": new_date.isoformat(),
            "reason": reason,
            "source": source,
        },
    )


def delete_milestone(db: Database, milestone_id: int, *, expected_version: int) -> bool:
    """Remove a milestone and its re-plans if it is still at `expected_version`."""
    if not exists(
        db, "SELECT 1 FROM milestones WHERE id = ? AND version = ?", [milestone_id, expected_version]
    ):
        return False
    db.execute("DELETE FROM milestone_changes WHERE milestone_id = ?", [milestone_id])
    db.execute("DELETE FROM milestones WHERE id = ?", [milestone_id])
    return True
