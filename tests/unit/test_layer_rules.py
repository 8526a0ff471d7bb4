"""The house rules a machine can keep: which layer may import what, and where SQL is written.

`make lint` runs ruff with the import bans of portfolio/, registers/, dashboard/ and seed/
(their ruff.toml); these tests show each ban fails on a planted violation, and that no SQL is
executed outside portfolio/db.py and the store modules, and that no face in dashboard/ calls a
store function that writes (faces read through stores, write through services).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterable
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


# --- the faces read through stores but write through services ---------------------------
#
# A page, the CLI and the API may read a store function (one that only returns frames or rows),
# but every write goes through a service that checks permission, validates and audits.

WRITE_SQL = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
# portfolio/db.py's helpers that change the database (each is a writer, and so is any caller);
# restore_from writes through sqlite3's backup API, with no SQL to see.
WRITE_HELPERS = {
    "write",
    "audit",
    "audit_by",
    "update_if_unchanged",
    "migrate",
    "stamps_to_utc",
    "create_audit_table",
    "restore_from",
}
# sqlite-utils' table methods that change rows or schema, when called on `db[...]` or `db.table(...)`.
TABLE_WRITES = {
    "insert",
    "insert_all",
    "upsert",
    "upsert_all",
    "delete",
    "delete_where",
    "update",
    "create",
    "drop",
    "add_column",
    "transform",
}
STORE_GLOBS = (
    "portfolio/**/store.py",
    "portfolio/**/*_store.py",
    "registers/**/store.py",
    "registers/**/*_store.py",
)


def _leading_text(node: ast.AST | None, assigned: dict[str, list[ast.expr]]) -> list[str]:
    """The literal text a SQL argument starts with (each candidate, for a name assigned more than once)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0], assigned)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _leading_text(node.left, assigned)
    if isinstance(node, ast.Name):
        return [text for value in assigned.get(node.id, []) for text in _leading_text(value, {})]
    return []


def _is_table(node: ast.expr) -> bool:
    """`db["risks"]` or `db.table("risks")`: the receiver of a sqlite-utils table method."""
    if isinstance(node, ast.Subscript):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "table"


def _assignments(nodes: Iterable[ast.AST]) -> dict[str, list[ast.expr]]:
    """The values assigned to each plain name among the nodes (a SQL text kept in a variable)."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    return assigned


def _writes_directly(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, constants: dict[str, list[ast.expr]]
) -> bool:
    assigned = {**constants, **_assignments(ast.walk(fn))}
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "executescript":
            return True
        if name in SQL_CALLS and node.args:
            texts = _leading_text(node.args[0], assigned)
            if any(text.lstrip().upper().startswith(WRITE_SQL) for text in texts):
                return True
        if name in WRITE_HELPERS:
            return True
        if isinstance(func, ast.Attribute) and name in TABLE_WRITES and _is_table(func.value):
            return True
    return False


def store_writers(source: str) -> set[str]:
    """The module-level functions of a store module that write, directly or through another writer of it."""
    body = ast.parse(source).body
    functions = {node.name: node for node in body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    constants = _assignments(body)
    writers = {
        name for name, fn in functions.items() if name in WRITE_HELPERS or _writes_directly(fn, constants)
    }
    grew = True
    while grew:
        grew = False
        for name, fn in functions.items():
            if name in writers:
                continue
            called = {
                node.func.id
                for node in ast.walk(fn)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            }
            if called & writers:
                writers.add(name)
                grew = True
    return writers


def _store_modules() -> dict[str, Path]:
    paths = {path for pattern in STORE_GLOBS for path in ROOT.glob(pattern)} | {ROOT / "portfolio" / "db.py"}
    return {".".join(path.relative_to(ROOT).with_suffix("").parts): path for path in sorted(paths)}


def _bound_stores(tree: ast.Module, stores: set[str]) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Names the imports bind: to a store module, and to a function of one."""
    modules: dict[str, str] = {}
    functions: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in stores and alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                bound = alias.asname or alias.name
                if f"{node.module}.{alias.name}" in stores:
                    modules[bound] = f"{node.module}.{alias.name}"
                elif node.module in stores:
                    functions[bound] = (node.module, alias.name)
    return modules, functions


def store_writes_in(source: str, name: str, writers: dict[str, set[str]]) -> list[str]:
    """`name:line module.function` of every call in the source of a store function that writes."""
    tree = ast.parse(source)
    modules, functions = _bound_stores(tree, set(writers))
    found = []
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)), key=lambda n: n.lineno)
    for node in calls:
        func = node.func
        target: tuple[str, str] | None = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
            target = (modules[func.value.id], func.attr)
        elif isinstance(func, ast.Name) and func.id in functions:
            target = functions[func.id]
        if target and target[1] in writers[target[0]]:
            found.append(f"{name}:{node.lineno} {target[0]}.{target[1]}")
    return found


def _all_store_writers() -> dict[str, set[str]]:
    return {
        module: store_writers(path.read_text(encoding="utf-8")) for module, path in _store_modules().items()
    }


# Face calls of store writers not yet moved behind a service, as "path module.function" (no line
# number, so an edit elsewhere in the file does not move it), each with the reason it waits.
ALLOWED: set[str] = set()


def _allowance(hit: str) -> str:
    """`path:line module.function` without its line, the form ALLOWED names a call in."""
    place, target = hit.split(" ")
    return f"{place.rsplit(':', 1)[0]} {target}"


def test_the_writer_finder_sees_sql_helpers_tables_and_calls_within_the_module() -> None:
    planted = (
        "def rows(db):\n    return db.execute('SELECT * FROM risks').fetchall()\n"
        'def add(db, r):\n    db.execute("INSERT INTO risks VALUES (?)", [r])\n'
        "def edit(db, sql=None):\n    sql = f'UPDATE risks SET x = 1'\n    db.execute(sql)\n"
        "def drop(db):\n    db['risks'].delete_where('1')\n"
        "def logged(db, u):\n    with write(db):\n        pass\n"
        "def both(db, r):\n    add(db, r)\n    return rows(db)\n"
        "def keep(d):\n    d.update({})\n"
        "_ADD = 'INSERT INTO risks VALUES (?)'\n"
        "def add_kept(db, r):\n    db.conn.execute(_ADD, [r])\n"
        "def restore_from(source, target):\n    source.conn.backup(target.conn)\n"
    )
    assert store_writers(planted) == {"add", "edit", "drop", "logged", "both", "add_kept", "restore_from"}


def test_the_face_rule_finds_a_planted_store_write() -> None:
    planted = (
        "from portfolio import store\n"
        "from registers.risks import store as risk_store\n"
        "from portfolio.db import write\n"
        "from portfolio import db as core_db\n"
        "def page(db, user, r):\n"
        "    store.projects_frame(db)\n"
        "    risk_store.add(db, r)\n"
        "    with write(db):\n"
        "        core_db.revision(db)\n"
        "    core_db.write(db)\n"
        "    store.insert_party(db, r, user)\n"
    )
    writers = {
        "portfolio.store": {"insert_party"},
        "registers.risks.store": {"add"},
        "portfolio.db": {"write"},
    }
    assert store_writes_in(planted, "dashboard/planted.py", writers) == [
        "dashboard/planted.py:7 registers.risks.store.add",
        "dashboard/planted.py:8 portfolio.db.write",
        "dashboard/planted.py:10 portfolio.db.write",
        "dashboard/planted.py:11 portfolio.store.insert_party",
    ]


def test_the_faces_write_only_through_services() -> None:
    writers = _all_store_writers()
    found = [
        hit
        for path in sorted((ROOT / "dashboard").rglob("*.py"))
        for hit in store_writes_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), writers)
    ]
    unexpected = [hit for hit in found if _allowance(hit) not in ALLOWED]
    assert unexpected == [], "A face writes through a service, not a store:\n" + "\n".join(unexpected)
    stale = ALLOWED - {_allowance(hit) for hit in found}
    assert not stale, "No longer found, remove from ALLOWED: " + ", ".join(sorted(stale))
