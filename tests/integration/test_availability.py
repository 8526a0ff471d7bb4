"""Issue 14: reads never wait for a writer, and a busy or full database is named, not a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import ui
from portfolio import accounts, store
from portfolio.auth import SYSTEM
from portfolio.db import BUSY_TIMEOUT_MS, audit, write
from portfolio.errors import DatabaseBusyError, DatabaseNotReadyError, DiskFullError
from portfolio.ledger.generate import generate_sie
from registers.database import open_database

PASSWORD = "korrekt-hast-batteri"
LINK2 = "GNS/8/2018"


def _write_lock_held(path: Path) -> bool:
    probe = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _wait_for_lock(path: Path, proc: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not _write_lock_held(path):
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "writer ended"
        assert time.monotonic() < deadline, "the writer never took the write lock"
        time.sleep(0.02)


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process holding the write lock, as a long import does."""
    script = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"INSERT INTO _meta VALUES ('lock-test', 'x') ON CONFLICT DO NOTHING\")\n"
        "time.sleep(float(sys.argv[2]))\n"
        "c.execute('ROLLBACK')\n"
    )
    return subprocess.Popen([sys.executable, "-c", script, str(path), str(seconds)], stderr=subprocess.PIPE)


def test_a_page_run_opens_and_reads_while_another_process_holds_the_write_lock(seeded_path, monkeypatch):
    monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
    monkeypatch.setattr(ui, "_local", type(ui._local)())
    writer = _hold_write_lock(seeded_path, 6)
    try:
        _wait_for_lock(seeded_path, writer)
        started = time.monotonic()
        codes = store.projects_frame(ui.db())["code"].to_list()
        waited = time.monotonic() - started
    finally:
        writer.kill()
        writer.wait(20)
    assert LINK2 in codes
    assert waited < 1.5, f"the page waited {waited:.1f} s for the writer"


def test_a_write_that_waits_too_long_says_an_import_is_running_and_saves_nothing(seeded_path, monkeypatch):
    monkeypatch.setattr("portfolio.db.BUSY_TIMEOUT_MS", 300)
    conn = open_database(seeded_path, migrate=False)
    conn.execute("PRAGMA busy_timeout=300")
    before = store.projects_frame(conn).height
    writer = _hold_write_lock(seeded_path, 3)
    try:
        _wait_for_lock(seeded_path, writer)
        with pytest.raises(DatabaseBusyError) as caught, write(conn):
            conn.execute("UPDATE projects SET name = 'Nytt namn' WHERE code = ?", [LINK2])
    finally:
        writer.wait(20)
    assert "En import pågår" in caught.value.messages[0]
    assert store.projects_frame(conn).height == before
    assert "Nytt namn" not in store.projects_frame(conn)["name"].to_list()
    assert BUSY_TIMEOUT_MS == 30_000  # what real writes wait, before the message


def test_a_full_disk_is_named_and_the_write_rolled_back(seeded_path):
    conn = open_database(seeded_path, migrate=False)
    revision_rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow: as a full disk
    with pytest.raises(DiskFullError) as caught, write(conn):
        audit(conn, user_id=None, user_email="x", action="ändra", entity="test", entity_id=1)
        conn.execute("INSERT INTO _meta VALUES ('fyllnad', ?)", ["x" * 5_000_000])
    assert "Disken är full" in caught.value.messages[0]
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == revision_rows
    assert conn.execute("SELECT count(*) FROM _meta WHERE key = 'fyllnad'").fetchone()[0] == 0


def test_a_page_run_refuses_a_database_with_an_older_schema_without_writing(seeded_path):
    conn = sqlite3.connect(str(seeded_path))
    conn.execute("DELETE FROM _migrations WHERE rowid = (SELECT max(rowid) FROM _migrations)")
    conn.commit()
    applied = conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
    conn.close()
    with pytest.raises(DatabaseNotReadyError, match="portfolj seed"):
        open_database(seeded_path, migrate=False)
    conn = sqlite3.connect(str(seeded_path))
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == applied  # nothing ran
    conn.close()


def test_opening_a_current_database_takes_no_write_lock(seeded_path):
    writer = _hold_write_lock(seeded_path, 4)
    try:
        _wait_for_lock(seeded_path, writer)
        started = time.monotonic()
        open_database(seeded_path).close()  # the migration check of seed/serve reads first
        waited = time.monotonic() - started
    finally:
        writer.kill()
        writer.wait(20)
    assert waited < 1.5


def test_pages_and_logins_answer_at_once_all_through_a_long_import(seeded_path, tmp_path, monkeypatch):
    """The load test: another process imports a generated ledger for several seconds.

    The import parses into a scratch file without the write lock and holds it only for its
    final copy, so a page read never waits and a login (which writes its counter) waits at
    most for that copy.
    """
    conn = open_database(seeded_path)
    accounts.create_user(conn, SYSTEM, email="anna@region.se", name="Anna", role="nämnd", password=PASSWORD)
    conn.close()
    ledger = generate_sie(tmp_path / "stor.se", rows=150_000)
    importer = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "import-sie", str(ledger.path), "--db", str(seeded_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reads: list[float] = []
    logins: list[float] = []
    started_import = time.monotonic()
    try:
        while importer.poll() is None:
            monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
            monkeypatch.setattr(ui, "_local", type(ui._local)())  # a new page run's thread
            started = time.monotonic()
            codes = store.projects_frame(ui.db())["code"].to_list()
            reads.append(time.monotonic() - started)
            started = time.monotonic()
            user = accounts.authenticate(ui.db(), "anna@region.se", PASSWORD)
            logins.append(time.monotonic() - started)
            assert LINK2 in codes and user.email == "anna@region.se"
        import_seconds = time.monotonic() - started_import
        _out, err = importer.communicate(timeout=60)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, err.decode()
    assert import_seconds > 2, "the import was too short to test anything; make the ledger larger"
    assert len(reads) >= 5
    assert max(reads) < 1.0, f"a page read waited {max(reads):.1f} s for the import"
    assert max(logins) < 5, f"a login waited {max(logins):.1f} s for the import"
    check = open_database(seeded_path, migrate=False)
    assert check.execute("SELECT count(*) FROM ledger_rows").fetchone()[0] == ledger.trans_rows


def test_a_sie_import_parses_without_the_write_lock_and_holds_it_only_for_its_final_copy(
    seeded_path, tmp_path
):
    """Sampled from another process, as a second user's page would see it.

    The import runs as the command line does, in its own process, so the sampler here is not
    starved by the parser's hold on this interpreter; the share is measured in time, so a fast
    or a slow machine gives the same answer.
    """
    ledger = generate_sie(tmp_path / "medel.se", rows=80_000)
    importer = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "import-sie", str(ledger.path), "--db", str(seeded_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    held_seconds = 0.0
    samples = 0
    started = last = time.monotonic()
    try:
        while importer.poll() is None:
            held = _write_lock_held(seeded_path)
            now = time.monotonic()
            if held:
                held_seconds += now - last
            last = now
            samples += 1
            time.sleep(0.005)
        _out, err = importer.communicate(timeout=60)
    finally:
        if importer.poll() is None:
            importer.kill()
    total = time.monotonic() - started
    assert importer.returncode == 0, err.decode()
    assert samples >= 20 and total > 0.5, "the import was too short to sample; make the ledger larger"
    share = held_seconds / total
    assert share < 0.25, f"the write lock was held for {share:.0%} of the import"
    check = open_database(seeded_path, migrate=False)
    assert check.execute("SELECT count(*) FROM ledger_rows").fetchone()[0] == ledger.trans_rows
