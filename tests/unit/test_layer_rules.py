"""The house rules a machine can keep: which layer may import what, and where SQL is written.

`make lint` runs ruff with the import bans of portfolio/, registers/, dashboard/ and seed/
(their ruff.toml); these tests show each ban fails on a planted violation, and that no SQL is
executed outside portfolio/db.py and the store modules.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portfolio", "registers", "dashboard", "seed")
SQL_CALLS = {"execute", "executemany", "executescript", "query"}


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert found, "ruff is in the dev extras"
    return found


@pytest.mark.parametrize(
    ("path", "source", "message"),
    [
        ("portfolio/planted.py", "import sqlite3\n", "Only portfolio/db.py and store modules speak"),
        ("portfolio/planted.py", "from dashboard import ui\n", "never imports dashboard/"),
        ("portfolio/planted.py", "from registers.risks import service\n", "never imports registers/"),
        ("portfolio/planted.py", "import streamlit as st\n", "Only dashboard/ may import streamlit"),
        ("registers/risks/planted.py", "from dashboard.ui import db\n", "never imports dashboard/"),
        ("registers/planted.py", "from sqlite_utils import Database\n", "speak to SQLite"),
        ("dashboard/app_pages/planted.py", "import sqlite3\n", "call a service"),
        ("seed/planted.py", "import dashboard.cli\n", "never dashboard/"),
    ],
)
def test_each_layer_rule_fails_on_a_planted_violation(path: str, source: str, message: str) -> None:
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--select", "TID251", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout


def test_a_store_module_may_speak_to_sqlite() -> None:
    result = subprocess.run(
        [
            _ruff(),
            "check",
            "--no-cache",
            "--select",
            "TID251",
            "--stdin-filename",
            "portfolio/a/store.py",
            "-",
        ],
        input="import sqlite3\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout


def _may_run_sql(path: Path) -> bool:
    store = path.name == "store.py" or path.name.endswith("_store.py")
    return store or path == ROOT / "portfolio" / "db.py"


def sql_outside_stores(source: str, name: str) -> list[str]:
    """`name:line` of every call of execute/executemany/executescript/query in the source."""
    return [
        f"{name}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
    ]


def test_the_sql_rule_finds_a_planted_query() -> None:
    planted = "def page(db):\n    return db.execute('SELECT * FROM risks').fetchall()\n"
    assert sql_outside_stores(planted, "dashboard/planted.py") == ["dashboard/planted.py:2"]


def test_no_sql_is_executed_outside_the_store_modules() -> None:
    found = [
        hit
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not _may_run_sql(path)
        for hit in sql_outside_stores(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == [], "SQL belongs in a store module (or portfolio/db.py): " + ", ".join(found)
