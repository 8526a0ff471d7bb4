"""`portfolj api-key`: create, list and revoke keys through the real parser, on a seeded database file."""

from __future__ import annotations

import json

from dashboard.cli import main
from portfolio.apikeys import service
from registers.database import open_database

LEADER = "projektledare.link2@gns.example"
NAMND = "ledamot@gns.example"


def api_key(seeded_path, *args: str) -> int:
    return main(["api-key", *args, "--db", str(seeded_path)])


def test_create_prints_only_the_key_on_stdout_and_the_key_reads_as_its_user(seeded_path, capsys):
    assert api_key(seeded_path, "create", "--user", LEADER, "--name", "Power BI") == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert out == key + "\n" and key.startswith("pfj_")
    assert "visas inte igen" in err and "Power BI" in err and key not in err
    db = open_database(seeded_path, migrate=False)
    found = service.user_for_key(db, key)
    assert found is not None and found.email == LEADER
    db.close()


def test_create_is_audited_as_the_system_under_the_owners_account(seeded_path, capsys):
    api_key(seeded_path, "create", "--user", NAMND, "--name", "Excel")
    key = capsys.readouterr().out.strip()
    db = open_database(seeded_path, migrate=False)
    rows = db.execute(
        "SELECT user_email, action, entity, after FROM audit_log WHERE action = 'skapa API-nyckel'"
    ).fetchall()
    db.close()
    assert [(r[0], r[1], r[2]) for r in rows] == [("system", "skapa API-nyckel", "användare")]
    assert "Excel" in rows[0][3] and key not in rows[0][3]


def test_list_shows_names_and_hints_never_the_keys(seeded_path, capsys):
    api_key(seeded_path, "create", "--user", LEADER, "--name", "Power BI")
    first = capsys.readouterr().out.strip()
    api_key(seeded_path, "create", "--user", NAMND, "--name", "Excel")
    second = capsys.readouterr().out.strip()
    assert api_key(seeded_path, "list") == 0
    table = capsys.readouterr().out
    assert "Power BI" in table and "Excel" in table and first[:10] + "…" in table
    assert first not in table and second not in table


def test_list_for_one_user_as_json_gives_utc_times(seeded_path, capsys):
    api_key(seeded_path, "create", "--user", LEADER, "--name", "Power BI")
    api_key(seeded_path, "create", "--user", NAMND, "--name", "Excel")
    capsys.readouterr()
    assert api_key(seeded_path, "list", "--user", NAMND, "--format", "json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["user"], row["name"], row["revoked"], row["last_used"]) == (NAMND, "Excel", None, None)
    assert row["created"].endswith("+00:00")


def test_list_without_keys_says_so(seeded_path, capsys):
    assert api_key(seeded_path, "list", "--user", NAMND) == 0
    assert capsys.readouterr().out.strip() == f"Inga API-nycklar för {NAMND}."


def test_revoke_stops_the_key_and_says_so_once(seeded_path, capsys):
    api_key(seeded_path, "create", "--user", LEADER, "--name", "Power BI")
    key = capsys.readouterr().out.strip()
    db = open_database(seeded_path, migrate=False)
    (key_id,) = db.execute("SELECT id FROM api_keys").fetchone()
    assert api_key(seeded_path, "revoke", str(key_id)) == 0
    assert "är återkallad" in capsys.readouterr().out
    assert service.user_for_key(db, key) is None
    assert api_key(seeded_path, "revoke", str(key_id)) == 0
    assert "var redan återkallad" in capsys.readouterr().out
    revocations = db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'återkalla API-nyckel'"
    ).fetchone()
    assert revocations[0] == 1
    db.close()


def test_an_unknown_account_or_key_is_an_error_in_swedish_without_a_traceback(seeded_path, capsys):
    assert api_key(seeded_path, "create", "--user", "ingen@example.se", "--name", "x") == 1
    assert "Fel: Det finns inget konto med e-postadressen ingen@example.se" in capsys.readouterr().err
    assert api_key(seeded_path, "revoke", "4711") == 1
    assert "Fel: Det finns ingen API-nyckel med id 4711" in capsys.readouterr().err


def test_a_name_with_a_line_break_creates_nothing(seeded_path, capsys):
    assert api_key(seeded_path, "create", "--user", LEADER, "--name", "Power\nBI") == 1
    assert "Nyckelns namn" in capsys.readouterr().err
    db = open_database(seeded_path, migrate=False)
    assert db.execute("SELECT count(*) FROM api_keys").fetchone()[0] == 0
    db.close()
