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
INSERT = re.compile(r"""INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\[?(\w+)|_insert\(\s*db,\s*"(\w+)\"""")


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
                if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                    continue
                if any(start <= node.lineno <= end for start, end in migrations):
                    continue
                for match in INSERT.finditer(node.value):
                    found[match.group(1) or match.group(2)] += 1
            for match in re.finditer(r'_insert\(\s*db,\s*"(\w+)"', path.read_text(encoding="utf-8")):
                found[match.group(1)] += 1
    return found


def test_every_register_table_has_exactly_one_insert_in_the_code():
    counts = inserts()
    assert {t: counts[t] for t in TABLES} == dict.fromkeys(TABLES, 1)
