"""Shared fixtures: a fresh database, and a seeded one made by the app's own loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portfolio.db import Database
from registers.schema import open_database
from seed.loader import seed_database

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
