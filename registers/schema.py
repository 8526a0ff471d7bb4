"""Open a database with every migration applied: the core's first, then each register's."""

from __future__ import annotations

from pathlib import Path

from portfolio import db as core_db
from portfolio import store as core_store
from portfolio.errors import DatabaseDamagedError
from portfolio.governance import store as governance_store
from portfolio.ledger import store as ledger_store
from portfolio.projects import store as projects_store
from registers.benefits import store as benefits_store
from registers.bruttolista import store as bruttolista_store
from registers.lifecycle import store as lifecycle_store
from registers.risks import store as risks_store
from registers.surveys import store as surveys_store

ALL_MIGRATIONS: tuple[core_db.Migrations, ...] = (
    core_store.MIGRATIONS,
    projects_store.MIGRATIONS,
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


def known_migrations() -> set[str]:
    """Every `set:name` this version of portfolj knows how to apply."""
    return {f"{m.name}:{name}" for m in ALL_MIGRATIONS for name, _ in m.steps}


def restore_database(source: Path, target: Path, *, known: set[str]) -> None:
    """Check a backup (integrity, schema from this or an older version), then copy it over `target`.

    The copy goes through SQLite's backup API, so a running app sees the old or the new
    database, never half of each. Nothing is replaced when a check fails.
    """
    if not source.exists():
        raise DatabaseDamagedError(f"Säkerhetskopian {source} finns inte")
    backup = core_db.connect_readonly(source)
    try:
        core_db.check_integrity(backup)
        applied = core_db.applied_migrations(backup)
        if not applied:
            raise DatabaseDamagedError(f"{source} är ingen portfolj-databas (schemaversion saknas)")
        unknown = applied - known
        if unknown:
            raise DatabaseDamagedError(
                f"{source} kommer från en nyare version av portfolj (okända migreringar:"
                f" {', '.join(sorted(unknown))}); uppgradera portfolj först"
            )
        target_db = core_db.connect(target)
        try:
            core_db.restore_from(backup, target_db)
            core_db.migrate(target_db, *ALL_MIGRATIONS)
        finally:
            target_db.close()
    finally:
        backup.close()
