"""The database: connection, named migrations, write transactions, the audit log, and reading.

Only this module and the store modules (`store.py`, `*_store.py`) touch SQL. Besides opening,
migrating and checking the database, this is where every store finds the small reading helpers
it shares: `frame` runs a query into a polars DataFrame with an explicit schema, `row_dict` and
`row_dicts` return rows as dicts keyed by column name, `exists` says whether a query finds a row.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, TypeVar, Unpack

import polars as pl
from sqlite_utils import Database

from portfolio import clock
from portfolio.errors import DatabaseBusyError, DatabaseDamagedError, DiskFullError, NotFoundError

__all__ = [
    "Database",
    "Migrations",
    "ProgrammingError",
    "audit",
    "audit_by",
    "connect",
    "migrate",
    "revision",
    "write",
]

# Re-exported so callers outside the store modules can name the driver's errors without SQL imports.
ProgrammingError = sqlite3.ProgrammingError

BUSY_TIMEOUT_MS = 30_000


def create_private(path: str | Path) -> None:
    """Create an empty file only its owner can read (SQLite gives its WAL and SHM files the same mode)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def connect(path: str | Path) -> Database:
    """Open (creating if need be, owner-only) the database with WAL and a generous busy timeout."""
    if str(path) != ":memory:":
        create_private(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    with db.ensure_autocommit_on():
        db.execute("PRAGMA journal_mode=wal")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=on")
        db.execute("PRAGMA synchronous=normal")
    return db


def connect_scratch(path: str | Path) -> Database:
    """A scratch database (an import's staging file) a writer thread may use: data a crash may
    lose, since nothing in it is committed anywhere yet, so no journal and no syncs."""
    scratch = Database(sqlite3.connect(str(path), check_same_thread=False))
    scratch.execute("PRAGMA journal_mode=off")
    scratch.execute("PRAGMA synchronous=off")
    return scratch


def json_functions_available(db: Database) -> bool:
    """Whether this SQLite has the JSON functions (json_each, json_extract)."""
    try:
        db.conn.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')").fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def usable_from_another_thread(db: Database) -> bool:
    """Whether this connection may be used from a writer thread (opened with check_same_thread off)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            db.conn.execute("SELECT 1").fetchone()
            result.append(True)
        except sqlite3.ProgrammingError:
            result.append(False)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return bool(result and result[0])


def connect_readonly(path: str | Path) -> Database:
    """Open an existing file read-only (a backup to be checked before it replaces anything)."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(f"{path} är ingen läsbar SQLite-databas: {exc}") from exc
    return Database(conn)


def restore_from(source: Database, target: Database) -> None:
    """Replace the target's content with the source's, page by page, under the target's lock."""
    source.conn.backup(target.conn)


def integrity_problems(db: Database, *, quick: bool = False) -> list[str]:
    """What `PRAGMA integrity_check` (or the faster `quick_check`) reports; empty when sound."""
    try:
        rows = db.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}").fetchall()
    except sqlite3.DatabaseError as exc:
        if "disk is full" in str(exc).lower():
            _raise_named(exc)
        return [str(exc)]
    problems = [r[0] for r in rows if r[0] != "ok"]
    return problems


def integrity_problems_at(path: str | Path, *, quick: bool = False) -> list[str]:
    """`PRAGMA integrity_check` on a file, before anything else opens it; empty when sound.

    A missing file has no problems (it is yet to be created); a 0-byte file is not a database.
    """
    if not Path(path).exists():
        return []
    if Path(path).stat().st_size == 0:
        return ["filen är tom (0 byte) och innehåller ingen portfölj"]
    try:
        db = connect_readonly(path)
    except DatabaseDamagedError as exc:
        return [str(exc)]
    try:
        return integrity_problems(db, quick=quick)
    finally:
        db.close()


def damaged_message(path: str | Path, problems: list[str]) -> str:
    """The one refusal `serve` and every other command give for a file that cannot be used."""
    return (
        f"Databasen {path} är skadad och kan inte användas: {'; '.join(problems[:3])}."
        " Återställ en säkerhetskopia med `portfolj restore FIL`."
    )


def check_integrity(db: Database) -> None:
    """Raise DatabaseDamagedError when the file is damaged."""
    problems = integrity_problems(db)
    if problems:
        raise DatabaseDamagedError(
            "Databasen är skadad och kan inte användas: "
            + "; ".join(problems[:5])
            + ". Återställ den senaste säkerhetskopian med `portfolj restore FIL`."
        )


@dataclass
class Migrations:
    """An ordered, named set of schema steps; each step runs once per database."""

    name: str
    steps: list[tuple[str, Callable[[Database], None]]] = field(default_factory=list)

    def __call__(self, fn: Callable[[Database], None]) -> Callable[[Database], None]:
        self.steps.append((fn.__name__, fn))
        return fn


def _ensure_migrations_table(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " migration_set TEXT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,"
        " PRIMARY KEY (migration_set, name))"
    )
    db.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def pending_migrations(db: Database, *sets: Migrations) -> list[str]:
    """The `set:name` steps this database has not applied yet, read without a write transaction."""
    if not {"_migrations", "_meta"} <= set(db.table_names()):
        return [f"{m.name}:{name}" for m in sets for name, _ in m.steps] or ["_migrations"]
    applied = applied_migrations(db)
    return [f"{m.name}:{name}" for m in sets for name, _ in m.steps if f"{m.name}:{name}" not in applied]


def migrate(db: Database, *sets: Migrations) -> list[str]:
    """Apply the pending steps of each set in order; return the names applied.

    A current database is only read: no write lock is taken when nothing is pending.
    """
    if not pending_migrations(db, *sets):
        return []
    with write(db, audited=False):
        _ensure_migrations_table(db)
    applied: list[str] = []
    for mset in sets:
        done = {
            r[0]
            for r in db.execute(
                "SELECT name FROM _migrations WHERE migration_set = ?", [mset.name]
            ).fetchall()
        }
        for name, step in mset.steps:
            if name in done:
                continue
            with write(db, audited=False):
                step(db)
                db.execute("INSERT INTO _migrations VALUES (?, ?, ?)", [mset.name, name, clock.now()])
            applied.append(f"{mset.name}:{name}")
    return applied


def stamps_to_utc(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """A migration step: rewrite the naive local time stamps older versions stored as UTC."""
    for column in columns:
        rows = db.execute(
            f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE '%+__:__'"
        ).fetchall()
        db.conn.executemany(
            f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
            [(clock.local_to_utc(stamp), rowid) for rowid, stamp in rows],
        )


def applied_migrations(db: Database) -> set[str]:
    """Every `set:name` this database has applied."""
    if "_migrations" not in db.table_names():
        return set()
    return {f"{r[0]}:{r[1]}" for r in db.execute("SELECT * FROM _migrations").fetchall()}


class UnauditedWriteError(RuntimeError):
    """A transaction changed rows but appended nothing to the audit log (a programming error)."""


@dataclass
class _Transaction:
    """The outer write's bookkeeping: changes undone by savepoints that rolled back."""

    undone: int = 0


# The open outer transaction of each connection, so a nested write can report what it undid.
_open: dict[int, _Transaction] = {}


@contextlib.contextmanager
def write(db: Database, *, audited: bool = True, revises: bool = True) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE): all or nothing, and the revision moves on.

    IMMEDIATE takes the write lock up front, so concurrent writers wait on the busy
    timeout instead of failing halfway with "database is locked". A transaction that
    changes rows without an audit row is rolled back: every write is in the audit log
    (only schema migrations pass `audited=False`). Whether an audit row was written is
    asked of the database itself, so an audit row rolled back with a savepoint counts for
    nothing.

    `revises=False` is for bookkeeping that no cached page shows (a session's last use): it
    leaves the revision, so it does not empty every session's caches once a minute per user.
    """
    if db.conn.in_transaction:
        txn = _open.get(id(db))
        changes_before = db.conn.total_changes
        try:
            with db.atomic():
                yield db
        except BaseException:
            if txn is not None:
                txn.undone += db.conn.total_changes - changes_before
            raise
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        _raise_named(exc)
        raise
    txn = _open[id(db)] = _Transaction()
    changes_before = db.conn.total_changes
    last_audit = _last_audit_id(db)
    try:
        yield db
        changed = db.conn.total_changes - txn.undone != changes_before
        if audited and changed and _last_audit_id(db) == last_audit:
            raise UnauditedWriteError("Ändringen saknar rad i ändringsloggen och sparades inte")
        # Only a transaction that changed rows moves the revision: every page run opens its own
        # connection, and that connection's migration check must not empty the caches.
        if changed and revises and "_meta" in db.table_names():
            db.execute(
                "INSERT INTO _meta (key, value) VALUES ('revision', '1') ON CONFLICT(key)"
                " DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        db.rollback()
        _raise_named(exc)
        raise
    except BaseException:
        db.rollback()
        raise
    finally:
        _open.pop(id(db), None)


# SQLite's primary result codes (the low byte of the extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13


def update_if_unchanged(
    db: Database, table: str, values: dict[str, Any], *, where: dict[str, Any], version: int
) -> bool:
    """The optimistic lock of every edit, in one place: set `values` (and step the row's version)
    only if the row matching `where` is still at `version`; False when someone saved it since."""
    sets = "".join(f"{column} = ?, " for column in values)
    keys = "".join(f"{column} = ? AND " for column in where)
    cur = db.execute(
        f"UPDATE {table} SET {sets}version = version + 1 WHERE {keys}version = ?",
        [*values.values(), *where.values(), version],
    )
    return cur.rowcount == 1


def _raise_named(exc: sqlite3.DatabaseError) -> None:
    """Raise a busy or full database as the named error pages and the CLI show; else return."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc).lower()
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        raise DatabaseBusyError(
            [
                "En import pågår eller någon annan sparar just nu, och databasen var upptagen i"
                f" {BUSY_TIMEOUT_MS // 1000} sekunder. Ändringen sparades inte; försök igen om en stund."
            ]
        ) from exc
    if code == _SQLITE_FULL or "disk is full" in text:
        raise DiskFullError(
            [
                "Disken är full: ändringen sparades inte, och inget som redan var sparat gick förlorat."
                " Be driften frigöra utrymme och försök sedan igen."
            ]
        ) from exc


def _last_audit_id(db: Database) -> int | None:
    """The newest audit row's id as this transaction sees it (the log is append-only)."""
    try:
        row = db.execute("SELECT max(id) FROM audit_log").fetchone()
    except sqlite3.OperationalError:  # no audit log yet: only migrations write then
        return None
    return None if row is None else row[0]


def revision(db: Database) -> int:
    """A number that grows with every committed write: the key for cached reads."""
    try:
        row = db.execute("SELECT value FROM _meta WHERE key = 'revision'").fetchone()
    except sqlite3.DatabaseError:  # no _meta yet, or a damaged file about to be replaced
        return 0
    return int(row[0]) if row else 0


def revision_above(db: Database, floor: int) -> None:
    """Move the revision past `floor`, so that keys cached before a restore are never used again."""
    with write(db, audited=False):
        db.execute(
            "INSERT INTO _meta (key, value) VALUES ('revision', ?) ON CONFLICT(key)"
            " DO UPDATE SET value = max(CAST(value AS INTEGER), ?)",
            [str(floor + 1), floor + 1],
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any) -> str | None:
    """JSON text for the audit log and JSON columns; dates as ISO strings."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)


def audit(
    db: Database,
    *,
    user_id: int | None,
    user_email: str,
    action: str,
    entity: str,
    entity_id: str | int | None,
    before: Any = None,
    after: Any = None,
    project_id: int | None = None,
    party: str | None = None,
) -> None:
    """Append one row to the audit log; must run inside the same `write()` as the change."""
    if not db.conn.in_transaction:
        raise RuntimeError("audit() måste köras i samma transaktion som ändringen")
    db.execute(
        "INSERT INTO audit_log (at, user_id, user_email, action, entity, entity_id, project_id,"
        " party, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            clock.now(),
            user_id,
            user_email,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            project_id,
            party,
            to_json(before),
            to_json(after),
        ],
    )


class Actor(Protocol):
    """Who acts, as the audit log names them: a `portfolio.auth.User` is one."""

    @property
    def id(self) -> int | None: ...

    @property
    def email(self) -> str: ...


class AuditChange(TypedDict, total=False):
    """What `audit_by` passes on to `audit` as it is: the change and where it belongs."""

    before: Any
    after: Any
    project_id: int | None
    party: str | None


def audit_by(
    db: Database,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str | int | None,
    **change: Unpack[AuditChange],
) -> None:
    """`audit()` for a change the acting user made: the row names them by id and e-mail."""
    audit(
        db,
        user_id=actor.id,
        user_email=actor.email,
        action=action,
        entity=entity,
        entity_id=entity_id,
        **change,
    )


def create_audit_table(db: Database) -> None:
    """The append-only audit log; triggers refuse UPDATE and DELETE."""
    db.execute(
        "CREATE TABLE audit_log ("
        " id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, user_email TEXT NOT NULL,"
        " action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT, project_id INTEGER,"
        " party TEXT, before TEXT, after TEXT)"
    )
    db.execute("CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)")
    db.execute("CREATE INDEX audit_log_project ON audit_log (project_id)")
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'Ändringsloggen får inte ändras'); END"
        )


def backup(db: Database, target: str | Path) -> None:
    """A consistent copy with SQLite's online backup API, safe while others write."""
    create_private(target)
    Path(target).chmod(0o600)
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()


# --- reading: a query into a frame or dicts, for every store module ---------------------


def frame(db: Database, sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a query into a DataFrame with an explicit schema, so an empty result keeps its columns."""
    rows = db.execute(sql, list(params)).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def table_frame(
    db: Database,
    table: str,
    schema: dict[str, Any],
    *,
    order_by: str,
    where: dict[str, Any] | None = None,
    given: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """The schema's columns of `table`'s rows in `order_by` order; the schema names them once,
    for the query and for the frame. `where` maps columns to the value they must equal (None
    matches nothing); `given` does too, but a column given None is not filtered on, so one
    reader serves "of one year, or all"."""
    equal = {**(where or {}), **{c: v for c, v in (given or {}).items() if v is not None}}
    condition = " WHERE " + " AND ".join(f"{column} = ?" for column in equal) if equal else ""
    return frame(
        db,
        f"SELECT {', '.join(schema)} FROM {table}{condition} ORDER BY {order_by}",
        list(equal.values()),
        schema,
    )


def positioned_frame(db: Database, table: str, key: str, value: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The schema's columns of `table`'s rows whose `key` is `value`, in their `position` order."""
    return table_frame(db, table, schema, order_by="position", where={key: value})


def table_insert(db: Database, table: str, values: dict[str, Any]) -> int:
    """Insert one row (column → value) with sqlite-utils and return its primary key."""
    pk = db.table(table).insert(values).last_pk
    assert pk is not None
    return int(pk)


def row_dict(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The query's first row as a dict keyed by column name, or None when it finds nothing."""
    cur = db.execute(sql, list(params))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def row_dicts(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Every row of the query as a dict keyed by column name."""
    cur = db.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


_T = TypeVar("_T")


def first_value(db: Database, sql: str, params: Sequence[Any], as_type: Callable[[Any], _T]) -> _T | None:
    """The first column of the query's first row as `as_type` (int, str), or None when it finds nothing."""
    row = db.execute(sql, list(params)).fetchone()
    return None if row is None else as_type(row[0])


def found_or_raise(found: _T | None, missing: str) -> _T:
    """What a reader found; NotFoundError with the `missing` message when it found nothing."""
    if found is None:
        raise NotFoundError(missing)
    return found


def exists(db: Database, sql: str, params: Sequence[Any]) -> bool:
    """Whether the query finds any row."""
    return db.execute(sql, list(params)).fetchone() is not None
