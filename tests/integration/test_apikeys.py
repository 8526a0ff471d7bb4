"""Personal API keys: stored only as hashes, shown once, revoked at once, every change audited."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from portfolio import accounts, users_store
from portfolio.apikeys import service
from portfolio.auth import SYSTEM
from portfolio.db import revision, write
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from registers.database import open_database

LEADER = "projektledare.link2@gns.example"
NAMND = "ledamot@gns.example"
ADMIN = "e-strateg@gns.example"


def user(db, email):
    found = users_store.find_user(db, email)
    assert found is not None
    return found[0]


def key_audit_rows(db):
    return db.execute(
        "SELECT user_email, action, entity, entity_id, before, after FROM audit_log"
        " WHERE action LIKE '%API-nyckel' ORDER BY id"
    ).fetchall()


def test_a_new_key_is_stored_only_as_its_sha256_hash(seeded):
    created = service.create_key(seeded, user(seeded, LEADER), owner_email=LEADER, name="Power BI")
    assert created.key.startswith("pfj_") and len(created.key) >= 40
    stored = seeded.execute("SELECT * FROM api_keys WHERE id = ?", [created.id]).fetchone()
    assert created.key not in [str(v) for v in stored]
    (key_hash,) = seeded.execute("SELECT key_hash FROM api_keys WHERE id = ?", [created.id]).fetchone()
    assert key_hash == hashlib.sha256(created.key.encode()).hexdigest()


def test_a_key_is_shown_once_and_never_listed_again(seeded):
    leader = user(seeded, LEADER)
    created = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    listed = service.keys_of(seeded, leader)
    assert listed["name"].to_list() == ["Power BI"]
    assert created.key not in listed.write_csv()
    assert listed["hint"][0] == created.key[:10]
    assert "key_hash" not in listed.columns


def test_two_keys_are_different(seeded):
    leader = user(seeded, LEADER)
    first = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    second = service.create_key(seeded, leader, owner_email=LEADER, name="Excel")
    assert first.key != second.key


def test_a_key_reads_as_its_user(seeded):
    created = service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    found = service.user_for_key(seeded, created.key)
    assert found is not None and found.email == LEADER
    assert found.projects == user(seeded, LEADER).projects


@pytest.mark.parametrize("text", [None, "", "pfj_", "pfj_inte-en-nyckel", "Bearer x", "pfj_" + "a" * 500])
def test_an_unknown_key_reads_as_nobody(seeded, text):
    service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    assert service.user_for_key(seeded, text) is None


def test_a_revoked_key_stops_working_at_once(seeded):
    leader = user(seeded, LEADER)
    created = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    assert service.revoke_key(seeded, leader, created.id) is True
    assert service.user_for_key(seeded, created.key) is None
    assert service.keys_of(seeded, leader)["revoked_at"][0] is not None


def test_revoking_a_revoked_key_changes_nothing(seeded):
    leader = user(seeded, LEADER)
    created = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    service.revoke_key(seeded, leader, created.id)
    rows = len(key_audit_rows(seeded))
    assert service.revoke_key(seeded, leader, created.id) is False
    assert len(key_audit_rows(seeded)) == rows


def test_a_disabled_accounts_key_stops_working_at_once_and_again_when_enabled(seeded):
    created = service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    accounts.set_active(seeded, SYSTEM, LEADER, False)
    assert service.user_for_key(seeded, created.key) is None
    accounts.set_active(seeded, SYSTEM, LEADER, True)
    assert service.user_for_key(seeded, created.key) is not None


def test_creation_and_revocation_are_audited_under_the_owners_account(seeded):
    leader = user(seeded, LEADER)
    created = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    service.revoke_key(seeded, SYSTEM, created.id)
    rows = key_audit_rows(seeded)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (LEADER, "skapa API-nyckel", "användare", str(leader.id)),
        ("system", "återkalla API-nyckel", "användare", str(leader.id)),
    ]
    assert "Power BI" in rows[0][5] and created.hint in rows[0][5]
    assert all(created.key not in str(r) for r in rows)


def test_a_key_whose_audit_row_fails_is_not_created(seeded, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ändringsloggen är full")

    monkeypatch.setattr(service, "audit_by", broken)
    with pytest.raises(RuntimeError):
        service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    assert seeded.execute("SELECT count(*) FROM api_keys").fetchone()[0] == 0


def test_a_user_may_not_create_or_revoke_another_users_keys(seeded):
    leader = user(seeded, LEADER)
    namnd = user(seeded, NAMND)
    with pytest.raises(PermissionDeniedError, match="egna API-nycklar"):
        service.create_key(seeded, namnd, owner_email=LEADER, name="Smyg")
    created = service.create_key(seeded, leader, owner_email=LEADER, name="Power BI")
    with pytest.raises(PermissionDeniedError):
        service.revoke_key(seeded, namnd, created.id)
    with pytest.raises(PermissionDeniedError):
        service.keys_of(seeded, namnd, LEADER)
    assert service.user_for_key(seeded, created.key) is not None


def test_the_admin_creates_lists_and_revokes_keys_for_anyone(seeded):
    admin = user(seeded, ADMIN)
    created = service.create_key(seeded, admin, owner_email=NAMND, name="Excel för nämnden")
    assert service.keys_of(seeded, admin, NAMND)["name"].to_list() == ["Excel för nämnden"]
    assert service.all_keys(seeded, admin)["user_email"].to_list() == [NAMND]
    assert service.revoke_key(seeded, admin, created.id)


def test_only_the_admin_lists_everyones_keys(seeded):
    with pytest.raises(PermissionDeniedError):
        service.all_keys(seeded, user(seeded, LEADER))


def test_a_disabled_account_gets_no_new_key(seeded):
    accounts.set_active(seeded, SYSTEM, LEADER, False)
    with pytest.raises(InvalidInputError, match="avstängt"):
        service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")


@pytest.mark.parametrize(
    ("name", "problem"),
    [("", "Nyckelns namn"), ("rad ett\nrad två", "en rad"), ("a\x07b", "styrtecken"), ("x" * 201, "200")],
)
def test_a_key_name_must_be_one_printable_line(seeded, name, problem):
    with pytest.raises(InvalidInputError, match=problem):
        service.create_key(seeded, SYSTEM, owner_email=LEADER, name=name)


def test_an_unknown_account_or_key_is_named(seeded):
    with pytest.raises(NotFoundError, match=re.escape("nobody@example.se")):
        service.create_key(seeded, SYSTEM, owner_email="nobody@example.se", name="x")
    with pytest.raises(NotFoundError, match="9999"):
        service.revoke_key(seeded, SYSTEM, 9999)


def test_a_user_has_at_most_twenty_active_keys(seeded):
    for n in range(service.MAX_ACTIVE_KEYS):
        last = service.create_key(seeded, SYSTEM, owner_email=LEADER, name=f"nyckel {n}")
    with pytest.raises(InvalidInputError, match="återkalla"):
        service.create_key(seeded, SYSTEM, owner_email=LEADER, name="en till")
    service.revoke_key(seeded, SYSTEM, last.id)
    service.create_key(seeded, SYSTEM, owner_email=LEADER, name="en till")


def test_times_are_stored_in_utc(seeded):
    created = service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    service.user_for_key(seeded, created.key)
    service.revoke_key(seeded, SYSTEM, created.id)
    stamps = seeded.execute("SELECT created_at, last_used_at, revoked_at FROM api_keys").fetchone()
    assert all(s.endswith("+00:00") for s in stamps)


def test_last_use_is_recorded_at_most_once_a_minute(seeded):
    created = service.create_key(seeded, SYSTEM, owner_email=LEADER, name="Power BI")
    start = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def last_used():
        return seeded.execute("SELECT last_used_at FROM api_keys").fetchone()[0]

    service.user_for_key(seeded, created.key, now=start)
    assert last_used() == "2026-12-03T12:00:00+00:00"
    before = revision(seeded)
    service.user_for_key(seeded, created.key, now=start + timedelta(seconds=30))
    assert last_used() == "2026-12-03T12:00:00+00:00"
    assert revision(seeded) == before  # nothing written, so no page loses its cache
    service.user_for_key(seeded, created.key, now=start + timedelta(seconds=61))
    assert last_used() == "2026-12-03T12:01:01+00:00"


def test_a_key_works_at_once_while_another_writer_holds_the_database(seeded_path):
    writer = open_database(seeded_path)
    created = service.create_key(writer, SYSTEM, owner_email=LEADER, name="Power BI")
    reader = open_database(seeded_path, migrate=False)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write(writer, audited=False):
            writer.execute("UPDATE parties SET name = name")
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(5)
        started = datetime.now(UTC)
        found = service.user_for_key(reader, created.key)
        waited = datetime.now(UTC) - started
    finally:
        release.set()
        thread.join()
    assert found is not None and found.email == LEADER
    assert waited < timedelta(seconds=2)
    assert reader.execute("SELECT last_used_at FROM api_keys").fetchone()[0] is None
