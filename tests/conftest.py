"""Shared fixtures: a fresh database, and a seeded one made by the app's own loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portfolio.db import Database
from registers.database import open_database
from seed.loader import seed_database

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (`-m browser` / `-m "not browser"`)."""
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty database with the current schema."""
    return open_database(tmp_path / "empty.db")


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seeded.db"
    conn = open_database(path)
    seed_database(conn)
    conn.close()
    return path


@pytest.fixture
def seeded_path(_seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database file, for tests that write."""
    target = tmp_path / "portfolj.db"
    shutil.copy(_seeded_template, target)
    return target


@pytest.fixture
def seeded(seeded_path: Path) -> Database:
    """A connection to a private seeded database."""
    return open_database(seeded_path)
