"""Open a database with every migration applied: the core's first, then each register's."""

from __future__ import annotations

from pathlib import Path

from portfolio import db as core_db
from portfolio import store as core_store
from portfolio.governance import store as governance_store
from portfolio.ledger import store as ledger_store
from registers.benefits import store as benefits_store
from registers.bruttolista import store as bruttolista_store
from registers.lifecycle import store as lifecycle_store
from registers.risks import store as risks_store
from registers.surveys import store as surveys_store

ALL_MIGRATIONS: tuple[core_db.Migrations, ...] = (
    core_store.MIGRATIONS,
    governance_store.MIGRATIONS,
    ledger_store.MIGRATIONS,
    risks_store.MIGRATIONS,
    benefits_store.MIGRATIONS,
    surveys_store.MIGRATIONS,
    bruttolista_store.MIGRATIONS,
    lifecycle_store.MIGRATIONS,
)


def open_database(path: str | Path) -> core_db.Database:
    """Connect and bring the schema up to date (an older database is migrated, never recreated)."""
    db = core_db.connect(path)
    core_db.migrate(db, *ALL_MIGRATIONS)
    return db
