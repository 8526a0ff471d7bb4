"""Backups are consistent while the app writes; a restore checks the file before replacing."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from portfolio import accounts, status, store
from portfolio.db import backup
from portfolio.errors import DatabaseDamagedError
from registers.database import known_migrations, open_database, restore_database


def write_reports(path, n, started):
    conn = open_database(path)
    leader = accounts.persona_user(conn, "projektledare")
    link2 = store.project_id_for(conn, "GNS/8/2018")
    for i in range(n):
        status.record(
            conn,
            leader,
            link2,
            status.parse_report(
                {
                    "reported_on": date(2019, 1, 1),
                    "time_status": "grön",
                    "cost_status": "grön",
                    "scope_status": "grön",
                    "overall_status": "grön",
                    "next_steps": f"steg {i}",
                }
            ),
        )
        if i == 20:
            started.set()
    conn.close()


def test_backup_while_writing_is_consistent_and_restore_loses_nothing(seeded_path, tmp_path):
    started = threading.Event()
    writer = threading.Thread(target=write_reports, args=(seeded_path, 200, started))
    writer.start()
    started.wait(30)
    copy = tmp_path / "kopia.db"
    backup(open_database(seeded_path), copy)
    writer.join()

    copied = open_database(copy)
    n_copy = store.status_reports_frame(copied).height
    assert 20 <= n_copy <= 200
    # The copy holds whole transactions: every report has its audit row.
    audited = copied.execute("SELECT COUNT(*) FROM audit_log WHERE entity = 'statusrapport'").fetchone()[0]
    assert audited == n_copy
    copied.close()

    target = tmp_path / "aterstalld.db"
    restore_database(copy, target, known=known_migrations())
    assert store.status_reports_frame(open_database(target)).height == n_copy


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path, seeded_path):
    junk = tmp_path / "skrap.db"
    junk.write_bytes(b"inte en databas" * 100)
    before = seeded_path.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="ingen läsbar SQLite-databas"):
        restore_database(junk, seeded_path, known=known_migrations())
    assert seeded_path.read_bytes() == before


def test_restore_refuses_a_backup_from_a_newer_version(tmp_path, seeded_path):
    newer = tmp_path / "nyare.db"
    conn = open_database(newer)
    conn.execute("INSERT INTO _migrations VALUES ('portfolio', 'm999_framtid', '2030-01-01')")
    conn.conn.commit()
    conn.close()
    with pytest.raises(DatabaseDamagedError, match="nyare version"):
        restore_database(newer, seeded_path, known=known_migrations())
