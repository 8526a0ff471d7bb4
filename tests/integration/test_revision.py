"""The database revision is the key of every cached read: it moves with a change, never without."""

from __future__ import annotations

from datetime import date

from portfolio import status, store
from portfolio.auth import SYSTEM
from portfolio.db import revision, write
from registers.database import open_database


def test_opening_the_database_again_keeps_the_revision_and_so_the_caches(seeded_path):
    # Every page run opens its own connection; the migration check it makes is not a change.
    before = revision(open_database(seeded_path))
    for _ in range(3):
        again = open_database(seeded_path)
        with write(again):
            again.execute("SELECT count(*) FROM projects").fetchall()
    assert revision(open_database(seeded_path)) == before


def test_a_saved_change_moves_the_revision(seeded_path):
    db = open_database(seeded_path)
    before = revision(db)
    report = status.parse_report(
        {
            "reported_on": date(2026, 11, 1),
            "time_status": "grön",
            "cost_status": "grön",
            "scope_status": "grön",
            "overall_status": "grön",
        }
    )
    status.record(db, SYSTEM, store.project_id_for(db, "GNS/8/2018"), report)
    assert revision(open_database(seeded_path)) == before + 1
