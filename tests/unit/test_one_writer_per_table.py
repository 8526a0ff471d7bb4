"""One INSERT per table of the portfolio's register: the seed, the pages and the CLI share the writers."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "projects",
    "project_parties",
    "project_people",
    "project_objects",
    "budget_lines",
    "budget_shares",
    "stated_totals",
    "milestones",
    "milestone_changes",
    "meetings",
    "agenda_items",
    "users",
    "user_projects",
)
INSERT = re.compile(r"""INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\[?(\w+)""")


def inserted_table(call: ast.Call) -> str | None:
    """The table a call inserts into, whatever the helper is called: `table_insert(db, "t", …)`
    or any other `…insert(db, "t", …)`, and sqlite-utils' `db.table("t").insert(…)`/`db["t"].insert(…)`."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if not name.endswith("insert"):
        return None
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str):
        return call.args[1].value
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Call) and owner.args and isinstance(owner.args[0], ast.Constant):
            return str(owner.args[0].value)
        if isinstance(owner, ast.Subscript) and isinstance(owner.slice, ast.Constant):
            return str(owner.slice.value)
    return None


def inserts() -> Counter[str]:
    """Where each table is inserted into, outside the numbered migrations (which move old rows)."""
    found: Counter[str] = Counter()
    for package in ("portfolio", "registers", "dashboard", "seed"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            migrations = [
                (n.lineno, n.end_lineno or n.lineno)
                for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef) and re.match(r"m\d{3}_", n.name)
            ]
            for node in ast.walk(tree):
                if any(start <= getattr(node, "lineno", 0) <= end for start, end in migrations):
                    continue
                if isinstance(node, ast.Call) and (table := inserted_table(node)):
                    found[table] += 1
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for match in INSERT.finditer(node.value):
                        found[match.group(1)] += 1
    return found


def test_every_register_table_has_exactly_one_insert_in_the_code():
    counts = inserts()
    assert {t: counts[t] for t in TABLES} == dict.fromkeys(TABLES, 1)
