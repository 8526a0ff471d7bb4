"""`portfolj calendar` and `portfolj status-report` on a seeded database."""

from __future__ import annotations

from dashboard.cli import main

LEADER = ["--user", "projektledare.link2@gns.example"]


def test_the_calendar_is_listed_and_a_bad_deadline_is_refused_in_swedish(seeded_path, capsys):
    db = ["--db", str(seeded_path)]
    assert main(["calendar", "list", "--year", "2019", *db]) == 0
    out = capsys.readouterr().out
    assert "2019  T2      2019-01-01  2019-08-31  2019-10-11   2019-10-01" in out
    bad = ["--report-deadline", "2020-06-01", "--review-deadline", "2020-06-01"]
    assert main(["calendar", "set", "--year", "2020", "--period", "T1", *bad, *db]) == 1
    assert "ligger efter sammanträdet där rapporten redovisas (2020-05-29)" in capsys.readouterr().err
    assert main(["calendar", "set", "--year", "2020", "--period", "T1", *db]) == 0
    assert "statusrapporter senast 2020-05-19" in capsys.readouterr().out


def test_a_leader_drafts_publishes_and_corrects_a_report_from_the_command_line(seeded_path, capsys):
    db = ["--db", str(seeded_path)]

    def leader(*args: str) -> int:
        """`portfolj status-report <args>` as LINK2's leader: the exit code."""
        return main(["status-report", *args, *LEADER, *db])

    assert leader("draft", "--project", "GNS/8/2018", "--year", "2019", "--period", "T2") == 0
    assert leader("publish", "--draft", "1") == 1
    assert "Ange status för varje dimension" in capsys.readouterr().err
    dims = [a for d in ("time", "cost", "scope", "risk", "benefit", "overall") for a in (f"--{d}", "grön")]
    assert leader("edit", "--draft", "1", *dims) == 0
    assert leader("publish", "--draft", "1") == 0
    assert leader("edit", "--draft", "1", "--time", "röd") == 1
    assert "En publicerad rapport ändras inte" in capsys.readouterr().err
    assert leader("correct", "--report", "1") == 0
    assert leader("edit", "--draft", "2", "--cost", "gul", "--cost-reason", "Licens") == 0
    assert leader("publish", "--draft", "2") == 1
    assert "skriv skälet till rättelsen" in capsys.readouterr().err
    assert leader("publish", "--draft", "2", "--reason", "Fel kostnad") == 0
    capsys.readouterr()
    assert main(["status-report", "list", "--project", "GNS/8/2018", "--format", "csv", *db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[3] for line in lines[1:]] == ["1", "2"]
    assert main(["status-report", "show", "--report", "1", *db]) == 0
    shown = capsys.readouterr().out
    assert "Underlag fruset vid publiceringen" in shown and "Risk: Stress" in shown


def test_who_must_report_is_set_from_the_command_line_and_shows_in_due(seeded_path, capsys):
    db = ["--db", str(seeded_path)]
    assert main(["calendar", "must-report", "--project", "GNS/8/2018", "--value", "ja", *db]) == 0
    assert "GNS/8/2018 rapporterar alltid." in capsys.readouterr().out
    assert main(["calendar", "must-report", "--project", "GNS/8/2018", "--value", "ja", *LEADER, *db]) == 1
    assert "får inte" in capsys.readouterr().err
    assert main(["calendar", "due", "--today", "2019-05-25", *db]) == 0
    assert "GNS/8/2018           T1 2019  2019-05-24  saknas, 1 dag sen" in capsys.readouterr().out


def test_the_leaders_commands_are_recorded_as_the_leaders_and_a_disabled_account_is_refused(
    seeded_path, capsys
):
    from portfolio import accounts
    from registers.database import open_database
    from tests.personas import persona

    db = ["--db", str(seeded_path)]
    draft = ["status-report", "draft", "--project", "GNS/8/2018", "--year", "2019", "--period", "T2"]
    assert main([*draft, *LEADER, *db]) == 0
    conn = open_database(seeded_path)
    last = conn.execute("SELECT user_email FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == "projektledare.link2@gns.example"  # not the command line's system user

    accounts.set_active(conn, persona(conn, "e-strateg@gns.example"), LEADER[1], False)
    before = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    capsys.readouterr()
    assert main(["status-report", "edit", "--draft", "1", "--time", "grön", *LEADER, *db]) == 1
    assert f"Kontot {LEADER[1]} är avstängt; inget ändrades." in capsys.readouterr().err
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
