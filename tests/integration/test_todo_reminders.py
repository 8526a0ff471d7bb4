"""Att göra on the seeded data, and `portfolj remind` through a real SMTP server the test starts."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import date
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dashboard.cli import main
from dashboard.todo_data import inputs
from portfolio import clock
from portfolio.auth import User
from portfolio.db import Database
from portfolio.reminders import settings
from portfolio.todo import logic
from portfolio.todo.model import Kind
from registers.database import open_database
from registers.risks import service as risks
from registers.risks import store as risks_store
from registers.risks.model import RiskInput
from tests.personas import persona
from tests.stored import action_4_due

TODAY = date(2026, 12, 3)
LEADER = "projektledare.link2@gns.example"
SMTP_ENV = (*(settings.PREFIX + k.upper() for k in settings.KEYS), settings.CONFIG_ENV)


def make_work_for_the_leader(db: Database) -> User:
    """The leader lets an action slip (due 2026-11-20) and sets a risk's review to 2026-12-01."""
    leader = persona(db, LEADER)
    action_4_due(db, leader, date(2026, 11, 20))
    risk = risks_store.get_risk(db, 8)
    data = {f: risk[f] for f in risks_store.RISK_FIELDS} | {"next_review": date(2026, 12, 1)}
    risks.update_risk(db, leader, 8, RiskInput.model_validate(data), version=risk["version"])
    return leader


class Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Meddelandet är mottaget"


USER, PASSWORD = "portfolj", "ratt-losenord-123"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok)


def serve(monkeypatch: pytest.MonkeyPatch, **server: Any) -> Iterator[Inbox]:
    """A real SMTP server on a free local port, and the environment pointing at it (no STARTTLS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port, **server)
    controller.start()
    for name in SMTP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTFOLJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLJ_SMTP_PORT", str(port))
    monkeypatch.setenv("PORTFOLJ_SMTP_STARTTLS", "nej")
    monkeypatch.setenv("PORTFOLJ_SMTP_FROM", "portfolj@gns.example")
    monkeypatch.delenv("PORTFOLJ_BASE_URL", raising=False)
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server that takes every message."""
    yield from serve(monkeypatch)


@pytest.fixture
def login_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server that requires a login (over plain text: a local test server only)."""
    yield from serve(monkeypatch, authenticator=authenticate, auth_required=True, auth_require_tls=False)


def reminder_rows(db: Database) -> list[tuple]:
    return db.execute("SELECT user_id, reminder_key FROM reminder_log ORDER BY id").fetchall()


def audit_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM audit_log WHERE entity = 'påminnelse'").fetchone()[0]


def test_each_persona_sees_its_own_items_on_the_seeded_data(seeded):
    leader = make_work_for_the_leader(seeded)
    data = inputs(seeded, TODAY)
    mine = logic.items_for(leader, data)
    assert [i.text for i in mine if i.kind is Kind.ACTION] == [
        "GNS/8/2018: E-learning Kunskap kring riktlinjer ingår i utbildningstillfällen"
        " (risk: Stress på grund av otillräckliga kunskaper)"
    ]
    assert [i.text for i in mine if i.kind is Kind.RISK_REVIEW] == [
        "GNS/8/2018: Åtkomst och inloggningsproblem"
    ]
    # LINK2's seven effect goals and five benefits were never measured: they are due.
    assert len([i for i in mine if i.kind is Kind.BENEFIT]) == 12
    # The nämnd sees what the leader changed after the last meeting held (2020-02-14).
    namnd = logic.items_for(persona(seeded, "ledamot@gns.example"), data)
    assert data.since == date(2020, 2, 14)
    name = "GNS/8/2018 LINK2 – Införande av nytt IT-stöd för samordnad planering (Cosmic Link)"
    changed_on = clock.today().isoformat()  # the audit log's own time of the leader's edits
    assert sorted(i.text for i in namnd) == [
        f"{changed_on}: {name}: 1 ändring – risk",
        f"{changed_on}: {name}: 1 ändring – åtgärd",
    ]
    assert {i.params for i in namnd} == {(("projekt", "GNS/8/2018"),)}
    # The kommunchef owes Bräcke's review of the 2019 annual report (due 2020-02-09, seeded calendar);
    # the admin sees the projects that have not reported and the reviews missing.
    chef = logic.items_for(persona(seeded, "kommunchef.bracke@gns.example"), data)
    assert [(i.kind, i.text, i.params) for i in chef] == [
        (
            Kind.REVIEW,
            "Granska tertialrapporten helår 2019 för Bräcke kommun",
            (("ar", "2019"), ("period", "helår")),
        )
    ]
    admin = logic.items_for(persona(seeded, "e-strateg@gns.example"), data)
    assert {i.kind for i in admin} == {Kind.MISSING_REPORTS, Kind.MISSING_REVIEWS}
    assert "GNS/11/2018 Gemensamt dataskyddsombud (DSO): statusrapport helår 2019 saknas" in [
        i.text for i in admin
    ]
    missing = next(i for i in admin if i.kind is Kind.MISSING_REVIEWS)
    assert missing.text.startswith("Tertialrapport helår 2019: granskning saknas från ")
    assert "Bräcke kommun" in missing.text


def test_remind_sends_the_swedish_reminder_to_the_leader_once_and_logs_it(seeded_path, inbox, capsys):
    db = open_database(seeded_path)
    make_work_for_the_leader(db)
    args = ["remind", "--db", str(seeded_path), "--today", TODAY.isoformat()]

    assert main(args) == 0
    assert "Skickade 3 påminnelser i 2 e-postmeddelanden" in capsys.readouterr().out
    assert [recipients for recipients, _ in inbox.messages] == [["kommunchef.bracke@gns.example"], [LEADER]]
    chef = inbox.messages[0][1]
    assert chef["Subject"] == "Påminnelse från portfolj: 1 sak att göra, 1 försenad"
    chef_body = chef.get_content().replace("\r\n", "\n")
    assert (
        "Granskning av tertialrapporter:\n- FÖRSENAD: Granska tertialrapporten helår 2019 för Bräcke kommun,"
        " försenad 2489 dagar (senast 2020-02-09)\n  http://127.0.0.1:8501/tertialrapport?ar=2019&period=hel%C3%A5r"
    ) in chef_body
    message = inbox.messages[1][1]
    assert message["Subject"] == "Påminnelse från portfolj: 2 saker att göra, 2 försenade"
    assert message["From"] == "portfolj <portfolj@gns.example>"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Hej Demo Projektledare LINK2!\n\nDet här väntar på dig i portfolj:")
    assert "Försenade åtgärder:\n- FÖRSENAD: GNS/8/2018: E-learning Kunskap kring riktlinjer" in body
    assert "försenad 13 dagar (senast 2026-11-20)" in body
    assert "http://127.0.0.1:8501/riskregister?projekt=GNS/8/2018&risk=4" in body
    assert "Risker att följa upp:\n- FÖRSENAD: GNS/8/2018: Åtkomst och inloggningsproblem" in body
    assert [key for _, key in reminder_rows(db)] == [
        "granskning:2019:helår:BRACKE:försenad",
        "åtgärd:4:2026-11-20:försenad",
        "risk:8:2026-12-01:försenad",
    ]
    assert audit_count(db) == 3

    # The next day's run sends nothing again.
    assert main(["remind", "--db", str(seeded_path), "--today", "2026-12-04"]) == 0
    assert "Inga påminnelser att skicka" in capsys.readouterr().out
    assert len(inbox.messages) == 2
    assert len(reminder_rows(db)) == 3


def test_dry_run_lists_the_reminders_and_sends_and_saves_nothing(seeded_path, inbox, capsys):
    db = open_database(seeded_path)
    make_work_for_the_leader(db)
    before = audit_count(db)
    assert main(["remind", "--dry-run", "--db", str(seeded_path), "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Skulle skicka 3 påminnelser till 2 mottagare via 127.0.0.1:" in out
    assert f"- till {LEADER} (försenad): GNS/8/2018: Åtkomst och inloggningsproblem" in out
    assert "Provkörning: inget skickades och inget sparades." in out
    assert inbox.messages == []
    assert reminder_rows(db) == []
    assert audit_count(db) == before


def test_without_smtp_the_reminders_only_appear_in_att_gora(seeded_path, monkeypatch, capsys):
    for name in SMTP_ENV:
        monkeypatch.delenv(name, raising=False)
    db = open_database(seeded_path)
    make_work_for_the_leader(db)
    assert main(["remind", "--db", str(seeded_path), "--today", TODAY.isoformat()]) == 0
    assert "SMTP är inte inställt" in capsys.readouterr().out
    assert reminder_rows(db) == []
    assert main(["remind", "--dry-run", "--db", str(seeded_path), "--today", TODAY.isoformat()]) == 0
    assert "SMTP är inte inställt: de syns bara under Att göra" in capsys.readouterr().out


def test_a_server_without_starttls_is_refused_when_starttls_is_required(
    seeded_path, inbox, monkeypatch, capsys
):
    monkeypatch.setenv("PORTFOLJ_SMTP_STARTTLS", "ja")
    db = open_database(seeded_path)
    make_work_for_the_leader(db)
    assert main(["remind", "--db", str(seeded_path), "--today", TODAY.isoformat()]) == 1
    assert "erbjuder inte STARTTLS" in capsys.readouterr().err
    assert inbox.messages == []
    assert reminder_rows(db) == []


def test_todo_command_lists_one_users_items_and_refuses_an_unknown_one(seeded_path, capsys):
    make_work_for_the_leader(open_database(seeded_path))
    assert main(["todo", "--db", str(seeded_path), "--user", LEADER, "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Försenade åtgärder" in out
    assert "/riskregister?projekt=GNS/8/2018&risk=8" in out
    assert main(["todo", "--db", str(seeded_path), "--user", "okand@gns.example"]) == 1
    assert "Det finns inget aktivt konto med e-postadressen okand@gns.example" in capsys.readouterr().err


def test_smtp_settings_come_from_a_file_or_the_environment_and_never_show_the_password(tmp_path: Path):
    config = tmp_path / "smtp.toml"
    config.write_text(
        '[smtp]\nhost = "smtp.region.se"\nuser = "portfolj@region.se"\npassword = "hemligt-lösen"\n',
        encoding="utf-8",
    )
    loaded = settings.load({"PORTFOLJ_SMTP_CONFIG": str(config), "PORTFOLJ_SMTP_PORT": "2525"})
    assert loaded is not None
    assert (loaded.host, loaded.port, loaded.starttls, loaded.sender) == (
        "smtp.region.se",
        2525,
        True,
        "portfolj@region.se",
    )
    assert "hemligt" not in repr(loaded) and "hemligt" not in loaded.describe()
    assert settings.load({}) is None
    with pytest.raises(Exception, match="PORTFOLJ_SMTP_PORT ska vara ett portnummer 1–65535"):
        settings.load({"PORTFOLJ_SMTP_HOST": "smtp.region.se", "PORTFOLJ_SMTP_PORT": "noll"})
    with pytest.raises(Exception, match="Okänd inställning"):
        config.write_text('[smtp]\nhost = "x"\npasword = "y"\n', encoding="utf-8")
        settings.load({"PORTFOLJ_SMTP_CONFIG": str(config)})


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_remind_logs_in_with_the_configured_user_and_never_shows_the_password(
    seeded_path, login_inbox, monkeypatch, capsys
):
    monkeypatch.setenv("PORTFOLJ_SMTP_USER", USER)
    monkeypatch.setenv("PORTFOLJ_SMTP_PASSWORD", PASSWORD)
    db = open_database(seeded_path)
    make_work_for_the_leader(db)
    assert main(["remind", "--db", str(seeded_path), "--today", TODAY.isoformat()]) == 0
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert [r for r, _ in login_inbox.messages] == [["kommunchef.bracke@gns.example"], [LEADER]]
    assert len(reminder_rows(db)) == 3
    assert PASSWORD not in str(db.execute("SELECT * FROM audit_log WHERE entity = 'påminnelse'").fetchall())
