"""The ledger's migrations (set "ledger") and its settings (`ledger_settings`).

The migrations create every ledger table; the modules beside this one read and write them by
area: `imports_store.py` (the import log and the rows, budget and objects an import writes),
`columns_store.py` (the columnar copy reports read), `mapping_store.py` (accounts → budget lines,
objects → projects), `keys_store.py` (allocation keys, populations and items), `tertial_store.py`
(notes, snapshots, reviews) and `organisations_store.py` (the accepted organisations). What the
ledger needs from the core's tables alone (parties, projects, budget lines, funding) it reads
through `portfolio/store.py`.
"""

from __future__ import annotations

from portfolio import clock
from portfolio.db import Database, Migrations, first_value, frame
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
    return first_value(db, "SELECT value FROM ledger_settings WHERE key = ?", [key], str)


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
