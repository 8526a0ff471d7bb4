"""Open a database with every migration applied: the core's first, then each register's."""

from __future__ import annotations

from pathlib import Path

from portfolio import db as core_db
from portfolio import store as core_store

ALL_MIGRATIONS: tuple[core_db.Migrations, ...] = (core_store.MIGRATIONS,)


def open_database(path: str | Path) -> core_db.Database:
    """Connect and bring the schema up to date (an older database is migrated, never recreated)."""
    db = core_db.connect(path)
    core_db.migrate(db, *ALL_MIGRATIONS)
    return db
