"""Issue 14: every command checks its database; restore never reuses a cache key; private files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dashboard.cli import APP, main
from portfolio import db as core_db
from registers.database import known_migrations, open_database, restore_database

LINK2 = "GNS/8/2018"
EMAIL = "ledamot@gns.example"

# Commands that read and commands that write, as a user would type them.
COMMANDS = [
    ["projects"],
    ["risks"],
    ["benefits"],
    ["surveys"],
    ["decisions", "--project", LINK2],
    ["bruttolista", "--year", "2019"],
    ["user", "list"],
    ["report", "tertial", "--year", "2019", "--period", "T1"],
    ["project", "show", LINK2],
    ["backup", "--out", "KOPIA"],
]


@pytest.fixture(autouse=True)
def _serve_never_starts_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` must refuse before it starts Streamlit; if it did not, fail instead of serving."""

    def refuse(*args: object) -> None:
        raise AssertionError("serve started Streamlit on a database it should have refused")

    monkeypatch.setattr("dashboard.cli.run_streamlit", refuse)


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file with junk, as a failing disk would."""
    data = bytearray(path.read_bytes())
    start = 4096 * 3
    data[start : start + 4096 * 6] = b"\xa5" * (4096 * 6)
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE kunder (id INTEGER PRIMARY KEY, namn TEXT)")
    conn.commit()
    conn.close()


def _run(capsys, args: list[str], path: Path, tmp_path: Path) -> tuple[int, str]:
    argv = [str(tmp_path / "kopia.db") if a == "KOPIA" else a for a in args]
    code = main([*argv, "--db", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_refuses_a_damaged_database_with_the_message_serve_gives(
    seeded_path, tmp_path, capsys, args
):
    _damage(seeded_path)
    code, err = _run(capsys, args, seeded_path, tmp_path)
    serve_code, serve_err = _run(capsys, ["serve"], seeded_path, tmp_path)
    assert code == 1 and serve_code == 1
    assert err.startswith(f"Fel: Databasen {seeded_path} är skadad och kan inte användas")
    assert "Återställ en säkerhetskopia med `portfolj restore FIL`" in err
    assert "Traceback" not in err
    assert serve_err.split(":")[0:2] == err.split(":")[0:2]
    assert not (tmp_path / "kopia.db").exists()  # backup copied nothing


@pytest.mark.parametrize("kind", ["tom", "främmande", "text"])
@pytest.mark.parametrize("args", [["projects"], ["import-sie", "FIL"], ["backup", "--out", "KOPIA"]])
def test_an_empty_foreign_or_text_file_is_refused_by_commands_and_serve(tmp_path, capsys, kind, args):
    path = tmp_path / "portfolj.db"
    if kind == "tom":
        path.write_bytes(b"")
    elif kind == "främmande":
        _foreign(path)
    else:
        path.write_text("Det här är ingen databas.\n" * 100)
    before = path.read_bytes()
    sie = tmp_path / "liten.se"
    sie.write_bytes(b"#FLAGGA 0\n")
    argv = [str(sie) if a == "FIL" else a for a in args]
    code, err = _run(capsys, argv, path, tmp_path)
    serve_code, _ = _run(capsys, ["serve"], path, tmp_path)
    assert (code, serve_code) == (1, 1)
    assert f"Fel: Databasen {path}" in err
    assert "kan inte användas" in err
    assert path.read_bytes() == before  # nothing written into it
    assert not (tmp_path / "kopia.db").exists()


def test_a_command_on_a_missing_database_says_to_seed_and_creates_nothing(tmp_path, capsys):
    path = tmp_path / "saknas.db"
    assert main(["projects", "--db", str(path)]) == 1
    assert "finns inte. Skapa den med `portfolj seed`" in capsys.readouterr().err
    assert not path.exists()


def test_a_full_disk_during_a_command_is_reported_as_a_full_disk_and_nothing_is_lost(
    seeded_path, capsys, monkeypatch
):
    real_connect = core_db.connect

    def full_disk(path):
        conn = real_connect(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        return conn

    monkeypatch.setattr(core_db, "connect", full_disk)
    before = open_database(seeded_path).execute("SELECT count(*) FROM audit_log").fetchone()[0]
    # Notes of 5 000 characters, in the project row and twice in the audit row, need new pages.
    code = main(["project", "edit", LINK2, "--notes", "x" * 5000, "--db", str(seeded_path)])
    err = capsys.readouterr().err
    monkeypatch.setattr(core_db, "connect", real_connect)
    after = open_database(seeded_path).execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert code == 1
    assert "Disken är full" in err and "skadad" not in err and "Traceback" not in err
    assert after == before
    assert core_db.integrity_problems_at(seeded_path) == []


def test_after_restore_the_revision_is_above_any_the_replaced_database_had(seeded_path, tmp_path):
    backup = tmp_path / "kopia.db"
    conn = open_database(seeded_path)
    core_db.backup(conn, backup)
    backed_up = core_db.revision(conn)
    for n in range(3):
        with core_db.write(conn):
            conn.execute("UPDATE projects SET name = ? WHERE code = ?", [f"Namn {n}", LINK2])
            core_db.audit(conn, user_id=None, user_email="t", action="ändra", entity="projekt", entity_id=1)
    replaced = core_db.revision(conn)
    assert replaced > backed_up
    restore_database(backup, seeded_path, known=known_migrations())
    # A page's cached read under (path, revision) of the replaced file can never match again.
    assert core_db.revision(conn) > replaced
    assert "Namn 2" not in [r[0] for r in conn.execute("SELECT name FROM projects").fetchall()]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_wal_and_shm_and_backups_are_readable_by_their_owner_only(tmp_path, capsys):
    path = tmp_path / "ny" / "portfolj.db"
    assert main(["seed", "--db", str(path)]) == 0
    conn = open_database(path, migrate=False)  # keeps the WAL and SHM files open
    with core_db.write(conn, audited=False):
        conn.execute("INSERT INTO _meta VALUES ('prov', '1')")
    assert main(["backup", "--db", str(path), "--out", str(tmp_path / "kopia.db")]) == 0
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), tmp_path / "kopia.db"):
        assert file.exists(), file
        assert _mode(file) == 0o600, f"{file.name}: {oct(_mode(file))}"


def test_a_page_never_shows_a_cached_read_of_the_database_a_restore_replaced(
    seeded_path, tmp_path, monkeypatch
):
    from dashboard import ui

    monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
    monkeypatch.setattr(ui, "_local", type(ui._local)())
    ui._projects.clear()
    conn = ui.db()

    def rename(name: str) -> None:
        with core_db.write(conn):
            conn.execute("UPDATE projects SET name = ? WHERE code = ?", [name, LINK2])
            core_db.audit(conn, user_id=None, user_email="t", action="ändra", entity="projekt", entity_id=1)

    def shown() -> str:
        frame = ui.projects()
        return frame.filter(frame["code"] == LINK2)["name"].item()

    core_db.backup(conn, tmp_path / "kopia.db")
    rename("Före återställningen")
    assert shown() == "Före återställningen"  # cached under the revision this write made
    restore_database(tmp_path / "kopia.db", seeded_path, known=known_migrations())
    rename("Efter återställningen")  # the restored file's next write
    assert shown() == "Efter återställningen"


def test_the_server_serve_starts_skips_the_second_full_check_and_others_still_make_it(
    seeded_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` checks the whole file before it starts Streamlit; the app's own check at its first
    page run would make the first person to log in wait for the same seconds again (2 s on the
    large tier). A server started another way (`streamlit run`) still checks."""
    started: dict[str, str] = {}

    def start_streamlit(arguments: list[str]) -> None:
        started.update(os.environ)

    monkeypatch.setattr("dashboard.cli.run_streamlit", start_streamlit)
    for key in ("PORTFOLJ_DB", "PORTFOLJ_DB_CHECKED", "PORTFOLJ_DEMO"):
        monkeypatch.setenv(key, "")  # serve sets them in this process; put back after the test
    umask = os.umask(0o022)
    try:
        assert main(["serve", "--db", str(seeded_path)]) == 0
    finally:
        os.umask(umask)

    from dashboard import ui

    checks: list[str] = []

    def integrity_problems_at(path: str) -> list[str]:
        checks.append(path)
        return []

    monkeypatch.setattr(ui.core_db, "integrity_problems_at", integrity_problems_at)
    ui.startup_problems.clear()
    for key in ("PORTFOLJ_DB", "PORTFOLJ_DB_CHECKED"):
        monkeypatch.setenv(key, started[key])
    assert ui.startup_problems(str(seeded_path.resolve())) == []
    assert checks == []

    monkeypatch.delenv("PORTFOLJ_DB_CHECKED")
    ui.startup_problems.clear()
    ui.startup_problems(str(seeded_path.resolve()))
    assert checks == [str(seeded_path.resolve())]


def test_serve_starts_the_app_in_its_own_process_without_watching_source_files(
    seeded_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served app never changes under the server: Streamlit's watcher of source files walked
    every loaded module after each run of each session (docs/performance.md, issue 20)."""
    calls: list[list[str]] = []
    monkeypatch.setattr("dashboard.cli.run_streamlit", calls.append)
    for key in ("PORTFOLJ_DB", "PORTFOLJ_DB_CHECKED", "PORTFOLJ_DEMO"):
        monkeypatch.setenv(key, "")
    umask = os.umask(0o022)
    try:
        assert main(["serve", "--db", str(seeded_path), "--port", "8999"]) == 0
    finally:
        os.umask(umask)
    [arguments] = calls
    assert arguments[:2] == ["run", str(APP)]
    options = dict(zip(arguments[2::2], arguments[3::2], strict=True))
    assert options["--server.fileWatcherType"] == "none"
    assert options["--server.port"] == "8999"
