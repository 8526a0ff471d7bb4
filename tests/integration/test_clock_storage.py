"""Every stored time stamp is UTC; an older database's naive local stamps are migrated to UTC."""

from __future__ import annotations

from datetime import date

import pytest

from portfolio import accounts, status, store
from portfolio.db import migrate, write
from registers.database import ALL_MIGRATIONS

UTC_STAMPED = {
    "status_reports": ("created_at",),
    "users": ("created_at",),
    "risk_categories": ("created_at",),
    "risks": ("created_at", "updated_at"),
    "risk_actions": ("created_at", "updated_at"),
    "benefits": ("created_at",),
    "benefit_measurements": ("created_at",),
    "benefit_values": ("created_at",),
    "surveys": ("created_at",),
}


def test_a_status_report_is_stamped_in_utc(seeded):
    leader = accounts.persona_user(seeded, "projektledare")
    report = status.parse_report(
        {
            "reported_on": date(2019, 6, 3),
            "time_status": "grön",
            "cost_status": "grön",
            "scope_status": "grön",
            "overall_status": "grön",
        }
    )
    report_id = status.record(seeded, leader, store.project_id_for(seeded, "GNS/8/2018"), report)
    (stamp,) = seeded.execute("SELECT created_at FROM status_reports WHERE id = ?", [report_id]).fetchone()
    assert stamp.endswith("+00:00")


@pytest.mark.parametrize(("table", "columns"), UTC_STAMPED.items())
def test_seeded_stamps_are_utc(seeded, table, columns):
    for column in columns:
        naive = seeded.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE '%+00:00'"
        ).fetchone()[0]
        assert naive == 0, f"{table}.{column}"


def test_an_older_database_has_its_naive_local_stamps_moved_to_utc(seeded):
    winter, summer = "2025-01-15T09:30:00", "2025-06-15T09:30:00"
    with write(seeded, audited=False):
        seeded.execute("UPDATE risks SET created_at = ?, updated_at = ?", [winter, summer])
        seeded.execute("UPDATE users SET created_at = ?", [winter])
        seeded.execute("UPDATE surveys SET created_at = ?", [summer])
        seeded.execute("UPDATE benefits SET created_at = ?", [winter])
        # As if this database had been made before the clock migrations existed.
        seeded.execute("DELETE FROM _migrations WHERE name LIKE '%utc_timestamps'")
    applied = migrate(seeded, *ALL_MIGRATIONS)
    assert len([a for a in applied if a.endswith("utc_timestamps")]) >= 4
    assert {r[0] for r in seeded.execute("SELECT created_at FROM risks")} == {"2025-01-15T08:30:00+00:00"}
    assert {r[0] for r in seeded.execute("SELECT updated_at FROM risks")} == {"2025-06-15T07:30:00+00:00"}
    assert {r[0] for r in seeded.execute("SELECT created_at FROM surveys")} == {"2025-06-15T07:30:00+00:00"}
    assert {r[0] for r in seeded.execute("SELECT created_at FROM benefits")} == {"2025-01-15T08:30:00+00:00"}
    assert {r[0] for r in seeded.execute("SELECT created_at FROM users")} == {"2025-01-15T08:30:00+00:00"}
