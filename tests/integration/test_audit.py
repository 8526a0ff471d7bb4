"""Every write leaves a row in the append-only audit log, in the same transaction."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from portfolio import accounts, status, store
from portfolio.auth import SYSTEM
from portfolio.db import UnauditedWriteError, audit, revision, write


def audit_rows(db):
    return db.execute("SELECT action, entity, entity_id, user_email, project_id FROM audit_log").fetchall()


def test_audit_log_refuses_updates_and_deletes(seeded):
    for sql in ("UPDATE audit_log SET user_email = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="Ändringsloggen får inte ändras"), write(seeded):
            seeded.execute(sql)


def test_a_write_without_an_audit_row_is_rolled_back(seeded):
    with pytest.raises(UnauditedWriteError), write(seeded):
        seeded.execute("UPDATE projects SET name = 'Hemlig ändring' WHERE code = 'GNS/8/2018'")
    assert "Hemlig ändring" not in store.projects_frame(seeded)["name"].to_list()


def report():
    return status.parse_report(
        {
            "reported_on": date(2019, 6, 3),
            "time_status": "gul",
            "time_reason": "Driftstarten flyttad till 2019-05-20",
            "cost_status": "grön",
            "scope_status": "grön",
            "overall_status": "gul",
            "overall_reason": "Förlängt till 2019-10-31",
        }
    )


def failed_login(db):
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(db, "ledamot@gns.example", "fel")


WRITES = {
    "skapa användare": lambda db: accounts.create_user(
        db, SYSTEM, email="ny@x.se", name="Ny", role="nämnd", password="ett-langt-losenord"
    ),
    "stäng av användare": lambda db: accounts.set_active(db, SYSTEM, "ledamot@gns.example", False),
    "misslyckad inloggning": lambda db: failed_login(db),
    "demoinloggning": lambda db: accounts.persona_login(db, "namnd"),
    "statusrapport": lambda db: status.record(
        db, accounts.persona_user(db, "projektledare"), store.project_id_for(db, "GNS/8/2018"), report()
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_path_leaves_an_audit_row(seeded, name):
    before = len(audit_rows(seeded))
    WRITES[name](seeded)
    rows = audit_rows(seeded)
    assert len(rows) > before
    assert all(r[3] for r in rows[before:])  # who did it is always recorded


def test_status_report_audit_row_names_user_project_and_values(seeded):
    WRITES["statusrapport"](seeded)
    row = seeded.execute(
        "SELECT user_email, entity, project_id, after FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row[0] == "projektledare.link2@gns.example"
    assert row[1] == "statusrapport"
    assert row[2] == store.project_id_for(seeded, "GNS/8/2018")
    assert "Förlängt till 2019-10-31" in row[3]


def test_seeding_is_audited_per_record(seeded):
    entities = {r[1] for r in audit_rows(seeded) if r[3] == "system"}
    assert {"part", "projekt", "sammanträde", "resultaträkning", "användare"} <= entities


def test_an_audit_row_rolled_back_with_its_savepoint_does_not_cover_a_later_change(seeded):
    with pytest.raises(UnauditedWriteError), write(seeded):
        try:
            with write(seeded):
                audit(
                    seeded, user_id=None, user_email="system", action="ändra", entity="projekt", entity_id=1
                )
                raise RuntimeError("the nested step fails")
        except RuntimeError:
            pass
        seeded.execute("UPDATE projects SET name = 'Hemlig ändring' WHERE code = 'GNS/8/2018'")
    assert "Hemlig ändring" not in store.projects_frame(seeded)["name"].to_list()


def test_a_savepoint_rolled_back_alone_leaves_nothing_to_audit(seeded):
    revision_before = revision(seeded)
    with write(seeded):
        try:
            with write(seeded):
                seeded.execute("UPDATE projects SET name = 'Ångrad' WHERE code = 'GNS/8/2018'")
                raise RuntimeError("the nested step fails")
        except RuntimeError:
            pass
    assert revision(seeded) == revision_before
    assert "Ångrad" not in store.projects_frame(seeded)["name"].to_list()


def test_an_audited_nested_write_commits_with_its_transaction(seeded):
    before = len(audit_rows(seeded))
    with write(seeded), write(seeded):
        seeded.execute("UPDATE projects SET name = 'Nytt namn' WHERE code = 'GNS/8/2018'")
        audit(seeded, user_id=None, user_email="system", action="ändra", entity="projekt", entity_id=1)
    assert len(audit_rows(seeded)) == before + 1
    assert "Nytt namn" in store.projects_frame(seeded)["name"].to_list()
