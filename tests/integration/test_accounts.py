"""Accounts: hashing, login, lockout, personas, and that nothing is stored in clear text."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portfolio import accounts, store
from portfolio.auth import SYSTEM, Role, User
from portfolio.errors import InvalidInputError, PermissionDeniedError
from portfolio.passwords import hash_password, verify_password

PASSWORD = "korrekt-hast-batteri"


def make_user(db, email="anna@region.se", **kw):
    return accounts.create_user(
        db, SYSTEM, email=email, name="Anna", role=kw.pop("role", "nämnd"), password=PASSWORD, **kw
    )


def test_hash_is_argon2id_and_verifies_only_the_right_password():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)


def test_short_passwords_are_refused():
    with pytest.raises(ValueError, match="minst 12 tecken"):
        hash_password("kort")


def test_database_holds_only_argon2id_hashes(seeded):
    make_user(seeded)
    hashes = [r[0] for r in seeded.execute("SELECT password_hash FROM users").fetchall() if r[0]]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    dump = "\n".join(seeded.conn.iterdump())
    assert PASSWORD not in dump


def test_created_user_logs_in_with_the_right_password(seeded):
    make_user(seeded, role="projektledare", project_codes=("GNS/8/2018",))
    user = accounts.authenticate(seeded, "Anna@Region.se", PASSWORD)
    assert user.role is Role.PROJEKTLEDARE
    assert user.projects == {store.project_id_for(seeded, "GNS/8/2018")}


@pytest.mark.parametrize(
    "email, password", [("anna@region.se", "fel-losenord-123"), ("okand@x.se", PASSWORD)]
)
def test_wrong_password_and_unknown_user_get_the_same_message(seeded, email, password):
    make_user(seeded)
    with pytest.raises(accounts.AuthenticationError) as exc:
        accounts.authenticate(seeded, email, password)
    assert str(exc.value) == accounts.LOGIN_FAILED


def test_disabled_user_cannot_log_in(seeded):
    make_user(seeded)
    accounts.set_active(seeded, SYSTEM, "anna@region.se", False)
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_five_failures_lock_the_account_for_fifteen_minutes(seeded):
    make_user(seeded)
    t0 = datetime(2026, 11, 23, 9, 0)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(seeded, "anna@region.se", "fel-losenord-123", now=t0)
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD, now=t0 + timedelta(minutes=14))
    user = accounts.authenticate(seeded, "anna@region.se", PASSWORD, now=t0 + timedelta(minutes=16))
    assert user.email == "anna@region.se"


def test_a_success_resets_the_failure_count(seeded):
    make_user(seeded)
    t0 = datetime(2026, 11, 23, 9, 0)
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(seeded, "anna@region.se", "fel-losenord-123", now=t0)
    accounts.authenticate(seeded, "anna@region.se", PASSWORD, now=t0)
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", "fel-losenord-123", now=t0)
    assert accounts.authenticate(seeded, "anna@region.se", PASSWORD, now=t0)


def test_personas_exist_without_passwords_and_cannot_log_in_with_one(seeded):
    users = store.users_frame(seeded)
    personas = users.filter(users["demo_persona"].is_not_null())
    assert sorted(personas["role"].to_list()) == sorted(r.value for r in Role)
    assert not personas["has_password"].any()
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "e-strateg@gns.example", "")


def test_only_admin_creates_users(seeded):
    leader = accounts.persona_user(seeded, "projektledare")
    with pytest.raises(PermissionDeniedError):
        accounts.create_user(seeded, leader, email="x@x.se", name="X", role="nämnd", password=PASSWORD)


def test_invalid_account_input_lists_every_problem_and_saves_nothing(seeded):
    before = store.count(seeded, "users")
    with pytest.raises(InvalidInputError) as exc:
        accounts.create_user(
            seeded,
            SYSTEM,
            email="ledamot@gns.example",
            name="X",
            role="kommunchef",
            password="kort",
            party="ATLANTIS",
        )
    text = "\n".join(exc.value.messages)
    assert "finns redan" in text
    assert "ATLANTIS" in text
    assert "minst 12 tecken" in text
    assert store.count(seeded, "users") == before


def test_unknown_project_for_a_leader_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="GNS/99/2019"):
        accounts.create_user(
            seeded, SYSTEM, email="x@x.se", name="X", role="projektledare", project_codes=("GNS/99/2019",)
        )


def test_mapped_sso_identity_must_be_an_active_account(seeded):
    make_user(seeded)
    assert isinstance(accounts.user_by_email(seeded, "anna@region.se"), User)
    assert accounts.user_by_email(seeded, "okand@region.se") is None
