"""The import also works on a connection that refuses other threads (batches written inline)."""

from __future__ import annotations

import sqlite3

from portfolio import store as core_store
from portfolio.auth import SYSTEM
from portfolio.db import Database, migrate
from portfolio.ledger import store
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie_import import import_sie


def test_a_same_thread_connection_imports_every_row(tmp_path):
    made = generate_sie(tmp_path / "t.se", rows=60_000, seed=4)
    db = Database(sqlite3.connect(str(tmp_path / "same.db")))
    migrate(db, core_store.MIGRATIONS, store.MIGRATIONS)
    summary = import_sie(db, SYSTEM, made.path, new_organisation=True)
    assert summary.trans_rows == made.trans_rows
    assert db.execute("SELECT COUNT(*) FROM ledger_rows").fetchone()[0] == made.trans_rows
