"""The ledger's tables: its migrations, settings, imports and their rows, mapping, allocation keys.

The ledger's migrations (set "ledger") create every ledger table, also those that
`columns_store.py` (the columnar copy reports read), `tertial_store.py` (notes, snapshots,
reviews) and `organisations_store.py` (the accepted organisations) read and write. What the
ledger needs from the core's tables alone (parties, projects, budget lines, funding) it reads
through `portfolio/store.py`, except the list of budget lines the allocation page offers
(`budget_line_names`).

Ledger rows are stored one per `#TRANS` (integer öre, date as YYYYMMDD). Budget (`#PBUDGET`)
and period balances (`#PSALDO`) keep their year index and whether the object list was empty
(a total that repeats the per-object rows).

Reports never scan those rows: they read the columnar copy of each import's sums, which
`columns_store.py` writes and reads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import polars as pl

from portfolio import clock
from portfolio.db import Database, Migrations, frame, to_json, update_if_unchanged
from portfolio.ledger.columns_store import ACTUAL_SCHEMA, BUDGET_SUMS_SCHEMA, insert_columns

MIGRATIONS = Migrations("ledger")


@MIGRATIONS
def m001_ledger(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE ledger_imports (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, file_name TEXT NOT NULL,
            fingerprint TEXT NOT NULL UNIQUE, user_id INTEGER, user_email TEXT NOT NULL,
            imported_at TEXT NOT NULL, organisation TEXT NOT NULL, company TEXT,
            fiscal_start TEXT, fiscal_end TEXT, year INTEGER, encoding TEXT, encoding_message TEXT,
            vouchers INTEGER NOT NULL DEFAULT 0, trans_rows INTEGER NOT NULL DEFAULT 0,
            ignored_rows INTEGER NOT NULL DEFAULT 0, budget_rows INTEGER NOT NULL DEFAULT 0,
            balance_rows INTEGER NOT NULL DEFAULT 0, objects INTEGER NOT NULL DEFAULT 0,
            first_date TEXT, last_date TEXT, warnings TEXT, unbalanced INTEGER NOT NULL DEFAULT 0,
            allow_unbalanced INTEGER NOT NULL DEFAULT 0, unmapped_accounts TEXT,
            project_dimension TEXT NOT NULL DEFAULT '6',
            superseded_by INTEGER REFERENCES ledger_imports(id), removed_at TEXT);
        CREATE TABLE ledger_rows (
            import_id INTEGER NOT NULL, date INTEGER NOT NULL, account TEXT NOT NULL,
            object TEXT, objects TEXT, amount_ore INTEGER NOT NULL, voucher TEXT, text TEXT);
        CREATE TABLE ledger_month_totals (
            import_id INTEGER NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
            account TEXT NOT NULL, object TEXT, amount_ore INTEGER NOT NULL);
        CREATE INDEX ledger_month_totals_year ON ledger_month_totals (year, month);
        CREATE TABLE ledger_budget (
            import_id INTEGER NOT NULL, kind TEXT NOT NULL, year_index INTEGER NOT NULL,
            year INTEGER NOT NULL, month INTEGER NOT NULL, account TEXT NOT NULL, object TEXT,
            objects TEXT, amount_ore INTEGER NOT NULL, is_total INTEGER NOT NULL, line INTEGER);
        CREATE INDEX ledger_budget_year ON ledger_budget (kind, year);
        CREATE TABLE ledger_objects (
            import_id INTEGER NOT NULL, dimension TEXT NOT NULL, object TEXT NOT NULL, name TEXT,
            PRIMARY KEY (import_id, dimension, object));
        CREATE TABLE ledger_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE ledger_account_map (
            organisation TEXT NOT NULL, position INTEGER NOT NULL, from_account TEXT NOT NULL,
            to_account TEXT NOT NULL, line TEXT NOT NULL, kind TEXT NOT NULL, source TEXT,
            PRIMARY KEY (organisation, position));
        CREATE TABLE ledger_object_projects (
            object TEXT PRIMARY KEY, project_code TEXT, name TEXT, source TEXT);
        CREATE TABLE tertial_notes (
            year INTEGER NOT NULL, period TEXT NOT NULL, object TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '', forecast_ore INTEGER, user_email TEXT NOT NULL,
            updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (year, period, object));
        CREATE TABLE tertial_snapshots (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, period TEXT NOT NULL,
            scope TEXT NOT NULL, frozen_at TEXT NOT NULL, user_email TEXT NOT NULL,
            source TEXT NOT NULL, payload TEXT NOT NULL, note TEXT);
        CREATE INDEX tertial_snapshots_period ON tertial_snapshots (year, period, scope);
        CREATE TABLE tertial_reviews (
            year INTEGER NOT NULL, period TEXT NOT NULL, party TEXT NOT NULL,
            user_id INTEGER, user_email TEXT NOT NULL, user_name TEXT, comment TEXT NOT NULL,
            reviewed_at TEXT NOT NULL, PRIMARY KEY (year, period, party));
        CREATE TABLE allocation_keys (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, name TEXT NOT NULL,
            kind TEXT NOT NULL, spec TEXT NOT NULL, note TEXT, source TEXT,
            version INTEGER NOT NULL DEFAULT 1, UNIQUE (year, name));
        CREATE TABLE allocation_population (
            party_code TEXT NOT NULL, year INTEGER NOT NULL, version INTEGER NOT NULL,
            population INTEGER NOT NULL, source TEXT, user_email TEXT NOT NULL,
            changed_at TEXT NOT NULL, note TEXT, PRIMARY KEY (party_code, year, version));
        CREATE TABLE allocation_items (
            id INTEGER PRIMARY KEY, year INTEGER NOT NULL, name TEXT NOT NULL,
            source_kind TEXT NOT NULL, ref TEXT, amount_ore INTEGER,
            key_id INTEGER NOT NULL REFERENCES allocation_keys(id), note TEXT, source TEXT,
            UNIQUE (year, name));
        """
    )


@MIGRATIONS
def m002_columnar_copy(db: Database) -> None:
    """Move the month totals into the columnar copy, and add the budget's sums beside them."""
    db.execute(
        "CREATE TABLE ledger_columns (import_id INTEGER NOT NULL, part TEXT NOT NULL,"
        " year INTEGER NOT NULL, rows INTEGER NOT NULL, parquet BLOB NOT NULL,"
        " PRIMARY KEY (part, year, import_id))"
    )
    imports = [r[0] for r in db.execute("SELECT DISTINCT import_id FROM ledger_month_totals").fetchall()]
    for import_id in imports:
        totals = frame(
            db,
            "SELECT year, month, account, object, SUM(amount_ore) FROM ledger_month_totals"
            " WHERE import_id = ? GROUP BY year, month, account, object",
            [import_id],
            ACTUAL_SCHEMA,
        )
        insert_columns(db, import_id, "utfall", totals)
    imports = [r[0] for r in db.execute("SELECT DISTINCT import_id FROM ledger_budget").fetchall()]
    for import_id in imports:
        sums = frame(
            db,
            "SELECT kind, year_index, year, month, account, object, SUM(amount_ore), is_total"
            " FROM ledger_budget WHERE import_id = ?"
            " GROUP BY kind, year_index, year, month, account, object, is_total",
            [import_id],
            BUDGET_SUMS_SCHEMA,
        )
        insert_columns(db, import_id, "budget", sums)
    db.execute("DROP TABLE ledger_month_totals")


@MIGRATIONS
def m003_organisations(db: Database) -> None:
    """The organisations whose ledgers belong to the nämnd, and what each SIE import was."""
    from portfolio.ledger.orgno import normalise_org_no

    db.executescript(
        """
        CREATE TABLE ledger_organisations (
            org_no TEXT PRIMARY KEY, name TEXT NOT NULL, added_at TEXT NOT NULL,
            added_by TEXT NOT NULL);
        ALTER TABLE ledger_imports ADD COLUMN sie_type TEXT;
        ALTER TABLE ledger_imports ADD COLUMN addition TEXT;
        ALTER TABLE ledger_imports ADD COLUMN checksum TEXT;
        """
    )
    # Organisations already imported stay importable, under their normalised number.
    for organisation, company in db.execute(
        "SELECT organisation, MAX(company) FROM ledger_imports WHERE removed_at IS NULL GROUP BY organisation"
    ).fetchall():
        key = normalise_org_no(str(organisation)).key
        if key is not None:
            db.execute(
                "INSERT OR IGNORE INTO ledger_organisations VALUES (?, ?, ?, ?)",
                [key, company or key, clock.now(), "uppgradering"],
            )
            db.execute(
                "UPDATE ledger_imports SET organisation = ? WHERE organisation = ?", [key, organisation]
            )


# --- settings -----------------------------------------------------------------------------


def get_setting(db: Database, key: str) -> str | None:
    """A ledger setting's text, or None."""
    row = db.execute("SELECT value FROM ledger_settings WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_setting(db: Database, key: str, value: str) -> str | None:
    """Set a setting; returns the previous value."""
    before = get_setting(db, key)
    db.execute(
        "INSERT INTO ledger_settings (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    return before


def insert_setting_if_missing(db: Database, key: str, value: str) -> bool:
    """Insert a setting unless present; True when inserted."""
    cur = db.execute("INSERT OR IGNORE INTO ledger_settings (key, value) VALUES (?, ?)", [key, value])
    return cur.rowcount > 0


# --- imports ------------------------------------------------------------------------------

IMPORT_COLUMNS = (
    "id",
    "kind",
    "file_name",
    "fingerprint",
    "user_email",
    "imported_at",
    "organisation",
    "company",
    "fiscal_start",
    "fiscal_end",
    "year",
    "encoding",
    "encoding_message",
    "vouchers",
    "trans_rows",
    "ignored_rows",
    "budget_rows",
    "balance_rows",
    "objects",
    "first_date",
    "last_date",
    "warnings",
    "unbalanced",
    "allow_unbalanced",
    "unmapped_accounts",
    "project_dimension",
    "superseded_by",
    "removed_at",
    "sie_type",
    "addition",
    "checksum",
)
IMPORT_SCHEMA: dict[str, Any] = {
    **dict.fromkeys(IMPORT_COLUMNS, pl.String),
    "id": pl.Int64,
    "year": pl.Int64,
    "vouchers": pl.Int64,
    "trans_rows": pl.Int64,
    "ignored_rows": pl.Int64,
    "budget_rows": pl.Int64,
    "balance_rows": pl.Int64,
    "objects": pl.Int64,
    "unbalanced": pl.Int64,
    "allow_unbalanced": pl.Boolean,
    "superseded_by": pl.Int64,
}


def import_by_fingerprint(db: Database, fingerprint: str) -> dict[str, Any] | None:
    """The import log row of a file already imported, or None."""
    cur = db.execute(
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM ledger_imports WHERE fingerprint = ?", [fingerprint]
    )
    row = cur.fetchone()
    return None if row is None else dict(zip(IMPORT_COLUMNS, row, strict=True))


def get_import(db: Database, import_id: int) -> dict[str, Any] | None:
    """One import log row, or None."""
    row = db.execute(
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM ledger_imports WHERE id = ?", [import_id]
    ).fetchone()
    return None if row is None else dict(zip(IMPORT_COLUMNS, row, strict=True))


def imports_frame(db: Database) -> pl.DataFrame:
    """The import log, newest first."""
    return frame(
        db,
        f"SELECT {', '.join(IMPORT_COLUMNS)} FROM ledger_imports ORDER BY id DESC",
        [],
        IMPORT_SCHEMA,
    )


def insert_import(
    db: Database,
    *,
    kind: str,
    file_name: str,
    fingerprint: str,
    user_id: int | None,
    user_email: str,
    organisation: str,
    project_dimension: str,
    allow_unbalanced: bool,
) -> int:
    """Start an import log row; its counts are filled in by `finish_import`."""
    cur = db.execute(
        "INSERT INTO ledger_imports (kind, file_name, fingerprint, user_id, user_email, imported_at,"
        " organisation, project_dimension, allow_unbalanced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            kind,
            file_name,
            fingerprint,
            user_id,
            user_email,
            clock.now(),
            organisation,
            project_dimension,
            allow_unbalanced,
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def finish_import(db: Database, import_id: int, facts: dict[str, Any]) -> None:
    """Store an import's counts, period range and warnings."""
    allowed = set(IMPORT_COLUMNS) - {"id", "fingerprint", "user_email", "imported_at", "kind"}
    cols = [c for c in facts if c in allowed]
    values = [to_json(facts[c]) if isinstance(facts[c], list | dict) else facts[c] for c in cols]
    db.execute(
        f"UPDATE ledger_imports SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
        [*values, import_id],
    )


def earlier_imports_of_year(
    db: Database, organisation: str, year: int, kind: str, import_id: int
) -> list[int]:
    """Live imports of the same organisation, fiscal year and kind, other than `import_id`."""
    rows = db.execute(
        "SELECT id FROM ledger_imports WHERE organisation = ? AND year = ? AND kind = ? AND id != ?"
        " AND superseded_by IS NULL AND removed_at IS NULL",
        [organisation, year, kind, import_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def delete_import_rows(db: Database, import_id: int) -> int:
    """Delete an import's rows (superseded or removed); the log row stays. Returns rows deleted."""
    deleted = 0
    for table in ("ledger_rows", "ledger_columns", "ledger_budget", "ledger_objects"):
        deleted += db.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id]).rowcount
    return deleted


def mark_superseded(db: Database, import_id: int, by: int) -> None:
    """Record that a later import of the same year replaced this one."""
    db.execute("UPDATE ledger_imports SET superseded_by = ? WHERE id = ?", [by, import_id])


def mark_removed(db: Database, import_id: int) -> None:
    """Record that an import was removed by hand."""
    db.execute("UPDATE ledger_imports SET removed_at = ? WHERE id = ?", [clock.now(), import_id])


# Rows are inserted in batches inside the import's single transaction: executemany keeps the
# per-row cost in C.
def insert_rows(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ledger rows: (import_id, date, account, object, objects, amount_ore, voucher, text)."""
    db.conn.executemany("INSERT INTO ledger_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


# One statement per batch: SQLite unpacks the JSON array in C with the GIL released, so on a
# second core it runs beside the parser instead of taking turns with it row by row.
_INSERT_ROWS_JSON = (
    "INSERT INTO ledger_rows SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(8))
    + " FROM json_each(?)"
)


def json_rows_supported(db: Database) -> bool:
    """Whether this SQLite has the JSON functions `insert_rows_json` needs."""
    try:
        db.conn.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')").fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def insert_rows_json(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ledger rows (see `insert_rows`) as one JSON array in one statement.

    orjson writes the array about five times faster than the json module; the writer thread
    holds the GIL while it does, so that time is taken from the parser.
    """
    db.conn.execute(_INSERT_ROWS_JSON, [orjson.dumps(rows).decode()])


def last_row_id(db: Database) -> int:
    """The highest rowid of ledger_rows (0 when empty): rows inserted after it are newer."""
    return int(db.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM ledger_rows").fetchone()[0])


def month_sums_after(db: Database, row_id: int) -> list[tuple[int, str, str | None, int]]:
    """(year*100 + month, account, object, sum in öre) of the ledger rows after `row_id`."""
    return db.conn.execute(
        "SELECT date / 100, account, object, SUM(amount_ore) FROM ledger_rows WHERE rowid > ?"
        " GROUP BY date / 100, account, object",
        [row_id],
    ).fetchall()


# An import parses into a scratch file first, outside the database's write lock, and copies the
# rows in with one INSERT … SELECT per table in its short final transaction.
STAGED_TABLES = ("ledger_rows", "ledger_budget")


def create_staging(db: Database, path: str) -> Database:
    """A scratch database at `path` with empty copies of the import's row tables (read from `db`)."""
    marks = ", ".join("?" * len(STAGED_TABLES))
    ddl = [
        r[0]
        for r in db.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})", STAGED_TABLES
        ).fetchall()
    ]
    staging = Database(sqlite3.connect(path, check_same_thread=False))
    # Scratch data: a crash loses nothing that was committed, so no journal and no syncs.
    staging.execute("PRAGMA journal_mode=off")
    staging.execute("PRAGMA synchronous=off")
    for sql in ddl:
        staging.execute(sql)
    return staging


def database_file(db: Database) -> str | None:
    """The main database's file, or None for one in memory."""
    row = db.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
    return row[0] if row and row[0] else None


def attach_staging(db: Database, path: str) -> None:
    """Make a finished scratch file readable as `staging` (outside a transaction, as SQLite asks)."""
    db.execute("ATTACH DATABASE ? AS staging", [path])


def detach_staging(db: Database) -> None:
    """Forget the scratch file again."""
    db.execute("DETACH DATABASE staging")


def copy_staged(db: Database, import_id: int) -> None:
    """Copy the staged rows in under `import_id`, in file order (inside the import's write)."""
    db.execute(
        "INSERT INTO main.ledger_rows SELECT ?, date, account, object, objects, amount_ore, voucher, text"
        " FROM staging.ledger_rows ORDER BY rowid",
        [import_id],
    )
    db.execute(
        "INSERT INTO main.ledger_budget SELECT ?, kind, year_index, year, month, account, object,"
        " objects, amount_ore, is_total, line FROM staging.ledger_budget ORDER BY rowid",
        [import_id],
    )


def insert_budget_rows(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert (import_id, kind, year_index, year, month, account, object, objects, amount, is_total, line)."""
    db.conn.executemany("INSERT INTO ledger_budget VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def insert_objects(db: Database, rows: Iterable[tuple[str | int, ...]]) -> None:
    """Insert (import_id, dimension, object, name)."""
    db.conn.executemany("INSERT OR IGNORE INTO ledger_objects VALUES (?, ?, ?, ?)", rows)


# --- mapping ------------------------------------------------------------------------------

MAPPING_SCHEMA: dict[str, Any] = {
    "position": pl.Int64,
    "from_account": pl.String,
    "to_account": pl.String,
    "line": pl.String,
    "kind": pl.String,
}


def mapping_frame(db: Database, organisation: str) -> pl.DataFrame:
    """The account → line mapping of an organisation (empty when it has none)."""
    return frame(
        db,
        "SELECT position, from_account, to_account, line, kind FROM ledger_account_map"
        " WHERE organisation = ? ORDER BY position",
        [organisation],
        MAPPING_SCHEMA,
    )


def mapping_organisations(db: Database) -> list[str]:
    """Organisations with their own mapping."""
    return [str(r[0]) for r in db.execute("SELECT DISTINCT organisation FROM ledger_account_map ORDER BY 1")]


def replace_mapping(
    db: Database, organisation: str, rows: Sequence[dict[str, Any]], source: str | None
) -> None:
    """Replace an organisation's mapping with `rows` (position, from, to, line, kind)."""
    db.execute("DELETE FROM ledger_account_map WHERE organisation = ?", [organisation])
    db.conn.executemany(
        "INSERT INTO ledger_account_map VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (organisation, r["position"], r["from_account"], r["to_account"], r["line"], r["kind"], source)
            for r in rows
        ],
    )


def live_fiscal_years(db: Database) -> list[tuple[str, str]]:
    """The fiscal years (first and last day, ISO) that the live SIE imports state in #RAR 0."""
    return [
        (str(r[0]), str(r[1]))
        for r in db.execute(
            "SELECT DISTINCT fiscal_start, fiscal_end FROM ledger_imports"
            " WHERE superseded_by IS NULL AND removed_at IS NULL AND fiscal_start IS NOT NULL"
            " AND fiscal_end IS NOT NULL ORDER BY fiscal_start"
        )
    ]


def live_organisations(db: Database) -> list[str]:
    """Organisations of the live SIE imports, most recent first."""
    return [
        str(r[0])
        for r in db.execute(
            "SELECT organisation FROM ledger_imports WHERE superseded_by IS NULL AND removed_at IS NULL"
            " GROUP BY organisation ORDER BY MAX(id) DESC"
        )
    ]


def object_projects(db: Database) -> pl.DataFrame:
    """Object → project (case) mapping: explicit rows first, then the projects' own object column."""
    return frame(
        db,
        """SELECT object, project_code, name, source FROM ledger_object_projects
           UNION ALL
           SELECT o.object, p.code, p.name, 'projektregistret'
           FROM project_objects o JOIN projects p ON p.id = o.project_id
           WHERE o.object NOT IN (SELECT object FROM ledger_object_projects)
           ORDER BY 1""",
        [],
        {"object": pl.String, "project_code": pl.String, "name": pl.String, "source": pl.String},
    )


def set_object_project(db: Database, obj: str, project_code: str | None, name: str | None) -> dict | None:
    """Link an object to a project (case); returns the previous link."""
    row = db.execute(
        "SELECT project_code, name FROM ledger_object_projects WHERE object = ?", [obj]
    ).fetchone()
    db.execute(
        "INSERT INTO ledger_object_projects (object, project_code, name, source) VALUES (?, ?, ?, 'manuell')"
        " ON CONFLICT(object) DO UPDATE SET project_code = excluded.project_code, name = excluded.name",
        [obj, project_code, name],
    )
    return None if row is None else {"project_code": row[0], "name": row[1]}


# --- allocation keys ----------------------------------------------------------------------

KEY_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "year": pl.Int64,
    "name": pl.String,
    "kind": pl.String,
    "spec": pl.String,
    "note": pl.String,
    "source": pl.String,
    "version": pl.Int64,
}


def keys_frame(db: Database, year: int | None = None) -> pl.DataFrame:
    """Allocation keys, for one year or all."""
    where, params = (" WHERE year = ?", [year]) if year is not None else ("", [])
    return frame(
        db,
        f"SELECT id, year, name, kind, spec, note, source, version FROM allocation_keys{where}"
        " ORDER BY year, name",
        params,
        KEY_SCHEMA,
    )


def get_key(db: Database, key_id: int) -> dict[str, Any] | None:
    """One allocation key as a dict (spec parsed), or None."""
    cur = db.execute(
        "SELECT id, year, name, kind, spec, note, source, version FROM allocation_keys WHERE id = ?", [key_id]
    )
    row = cur.fetchone()
    if row is None:
        return None
    data = dict(zip(KEY_SCHEMA, row, strict=True))
    data["spec"] = json.loads(data["spec"])
    return data


def key_id_by_name(db: Database, year: int, name: str) -> int | None:
    """The id of a year's key by name (any case), or None."""
    row = db.execute(
        "SELECT id FROM allocation_keys WHERE year = ? AND lower(name) = lower(?)", [year, name]
    ).fetchone()
    return None if row is None else int(row[0])


def insert_key(
    db: Database, *, year: int, name: str, kind: str, spec: Any, note: str | None, source: str | None
) -> int:
    """Insert an allocation key; returns its id."""
    cur = db.execute(
        "INSERT INTO allocation_keys (year, name, kind, spec, note, source) VALUES (?, ?, ?, ?, ?, ?)",
        [year, name, kind, to_json(spec), note, source],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def update_key(
    db: Database, key_id: int, *, name: str, kind: str, spec: Any, note: str | None, expected_version: int
) -> bool:
    """Update a key made from `expected_version`; False when it changed meanwhile."""
    values = {"name": name, "kind": kind, "spec": to_json(spec), "note": note}
    return update_if_unchanged(db, "allocation_keys", values, where={"id": key_id}, version=expected_version)


POPULATION_SCHEMA: dict[str, Any] = {
    "party_code": pl.String,
    "year": pl.Int64,
    "version": pl.Int64,
    "population": pl.Int64,
    "source": pl.String,
    "user_email": pl.String,
    "changed_at": pl.String,
    "note": pl.String,
}


def population_history(db: Database, year: int | None = None) -> pl.DataFrame:
    """Every version of every population figure (newest version last)."""
    where, params = (" WHERE year = ?", [year]) if year is not None else ("", [])
    return frame(
        db,
        "SELECT party_code, year, version, population, source, user_email, changed_at, note"
        f" FROM allocation_population{where} ORDER BY year, party_code, version",
        params,
        POPULATION_SCHEMA,
    )


def current_populations(db: Database, year: int) -> dict[str, tuple[int, int]]:
    """Party → (population, version) for a year: the latest version, else the core's figure (version 0)."""
    result = {
        str(p): (int(n), 0)
        for p, n in db.execute(
            "SELECT party_code, population FROM party_population WHERE year = ?", [year]
        ).fetchall()
    }
    for party, population, version in db.execute(
        "SELECT a.party_code, a.population, a.version FROM allocation_population a"
        " WHERE a.year = ? AND a.version = (SELECT MAX(version) FROM allocation_population b"
        " WHERE b.party_code = a.party_code AND b.year = a.year)",
        [year],
    ).fetchall():
        result[str(party)] = (int(population), int(version))
    return result


def insert_population_version(
    db: Database,
    *,
    party: str,
    year: int,
    version: int,
    population: int,
    source: str | None,
    user_email: str,
    note: str | None,
) -> bool:
    """Add a version of a population figure; False when that version already exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO allocation_population VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [party, year, version, population, source, user_email, clock.now(), note],
    )
    return cur.rowcount > 0


ITEM_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "year": pl.Int64,
    "name": pl.String,
    "source_kind": pl.String,
    "ref": pl.String,
    "amount_ore": pl.Int64,
    "key_id": pl.Int64,
    "key_name": pl.String,
    "note": pl.String,
    "source": pl.String,
}


def items_frame(db: Database, year: int | None = None) -> pl.DataFrame:
    """What is allocated in a year (or all years), with its key's name."""
    where, params = (" WHERE i.year = ?", [year]) if year is not None else ("", [])
    return frame(
        db,
        "SELECT i.id, i.year, i.name, i.source_kind, i.ref, i.amount_ore, i.key_id, k.name, i.note, i.source"
        f" FROM allocation_items i JOIN allocation_keys k ON k.id = i.key_id{where} ORDER BY i.year, i.id",
        params,
        ITEM_SCHEMA,
    )


def insert_item(
    db: Database,
    *,
    year: int,
    name: str,
    source_kind: str,
    ref: str | None,
    amount_ore: int | None,
    key_id: int,
    note: str | None,
    source: str | None,
) -> int | None:
    """Insert an allocation item unless one with that name exists; returns its id or None."""
    cur = db.execute(
        "INSERT OR IGNORE INTO allocation_items (year, name, source_kind, ref, amount_ore, key_id, note,"
        " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [year, name, source_kind, ref, amount_ore, key_id, note, source],
    )
    return cur.lastrowid if cur.rowcount > 0 else None


def delete_item(db: Database, item_id: int) -> dict[str, Any] | None:
    """Delete an item; returns what it was."""
    cur = db.execute(
        "SELECT year, name, source_kind, ref, amount_ore, key_id FROM allocation_items WHERE id = ?",
        [item_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    db.execute("DELETE FROM allocation_items WHERE id = ?", [item_id])
    return dict(zip(["year", "name", "source_kind", "ref", "amount_ore", "key_id"], row, strict=True))


def budget_line_names(db: Database) -> list[tuple[str, str]]:
    """(project code, activity) of every budget line."""
    return [
        (str(c), str(a))
        for c, a in db.execute(
            "SELECT p.code, b.activity FROM budget_lines b JOIN projects p ON p.id = b.project_id"
            " ORDER BY p.code, b.position"
        )
    ]


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
