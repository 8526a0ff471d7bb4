"""Opening the whole portfolj database: checking a file before use (damaged, empty, foreign, newer),
applying every migration (the core's first, then each register's), backups and restores.

It lives in `registers/` because it is the one place that knows every package's tables; commands
and pages open the database through `open_database` here."""

from __future__ import annotations

from pathlib import Path

from portfolio import db as core_db
from portfolio import store as core_store
from portfolio.apikeys import store as apikeys_store
from portfolio.errors import DatabaseDamagedError, DatabaseNotReadyError
from portfolio.governance import store as governance_store
from portfolio.ledger import party_store
from portfolio.ledger import store as ledger_store
from portfolio.projects import store as projects_store
from portfolio.reporting import store as reporting_store
from portfolio.sessions import store as sessions_store
from portfolio.todo import store as todo_store
from registers.benefits import store as benefits_store
from registers.bruttolista import store as bruttolista_store
from registers.lifecycle import store as lifecycle_store
from registers.risks import store as risks_store
from registers.surveys import store as surveys_store

ALL_MIGRATIONS: tuple[core_db.Migrations, ...] = (
    core_store.MIGRATIONS,
    projects_store.MIGRATIONS,
    sessions_store.MIGRATIONS,
    governance_store.MIGRATIONS,
    ledger_store.MIGRATIONS,
    risks_store.MIGRATIONS,
    benefits_store.MIGRATIONS,
    surveys_store.MIGRATIONS,
    bruttolista_store.MIGRATIONS,
    lifecycle_store.MIGRATIONS,
    apikeys_store.MIGRATIONS,
    todo_store.MIGRATIONS,
    party_store.MIGRATIONS,
    reporting_store.MIGRATIONS,
)


def open_database(path: str | Path, *, migrate: bool = True) -> core_db.Database:
    """Connect and bring the schema up to date (an older database is migrated, never recreated).

    `migrate=False` is for page runs, logins and commands: nothing is created or written, and a
    missing file or a schema that is not current is refused (DatabaseNotReadyError).
    """
    if migrate:
        db = core_db.connect(path)
        core_db.migrate(db, *ALL_MIGRATIONS)
        return db
    if not Path(path).exists():
        raise DatabaseNotReadyError(f"Databasen {path} finns inte. Skapa den med `portfolj seed`.")
    db = core_db.connect(path)
    try:
        require_current(db, path)
    except DatabaseNotReadyError:
        db.close()
        raise
    return db


def require_current(db: core_db.Database, path: str | Path) -> None:
    """Refuse a file that is not a portfolj database of exactly this version's schema (reads only)."""
    applied = core_db.applied_migrations(db)
    _refuse_foreign_or_newer(path, applied, foreign=not applied)
    if core_db.pending_migrations(db, *ALL_MIGRATIONS):
        raise DatabaseNotReadyError(
            f"Databasen {path} har ett äldre schema än den här versionen av portfolj."
            " Uppgradera den med `portfolj seed` (inga uppgifter ändras) och försök igen."
        )


def check_database(path: str | Path, *, quick: bool = True) -> None:
    """Refuse a damaged, empty or foreign file before anything opens it for writing."""
    problems = core_db.integrity_problems_at(path, quick=quick)
    if problems:
        raise DatabaseDamagedError(core_db.damaged_message(path, problems))
    if not Path(path).exists():
        return
    probe = core_db.connect_readonly(path)
    try:
        applied = core_db.applied_migrations(probe)
        foreign = not applied and bool(probe.table_names())
    finally:
        probe.close()
    _refuse_foreign_or_newer(path, applied, foreign=foreign)


def _refuse_foreign_or_newer(path: str | Path, applied: set[str], *, foreign: bool) -> None:
    if foreign:
        raise DatabaseNotReadyError(
            core_db.damaged_message(path, ["filen är ingen portfolj-databas (schemaversion saknas)"])
        )
    unknown = applied - known_migrations()
    if unknown:
        raise DatabaseNotReadyError(
            f"Databasen {path} kommer från en nyare version av portfolj (okända migreringar:"
            f" {', '.join(sorted(unknown)[:3])}); uppgradera portfolj först."
        )


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
            # Pages cache reads under (path, revision): the restored file must not reuse a revision
            # the replaced one already had, or a page could show rows that no longer exist.
            replaced_revision = core_db.revision(target_db)
            core_db.restore_from(backup, target_db)
            core_db.migrate(target_db, *ALL_MIGRATIONS)
            core_db.revision_above(target_db, max(replaced_revision, core_db.revision(target_db)))
        finally:
            target_db.close()
    finally:
        backup.close()
