"""Accounts: hashing, login, lockout, personas, and that nothing is stored in clear text."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from portfolio import accounts, passwords, store
from portfolio.auth import SYSTEM, Role, User
from portfolio.errors import InvalidInputError, PermissionDeniedError
from portfolio.passwords import hash_password, verify_password
from registers.schema import open_database

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


def test_eight_parallel_sessions_get_no_more_than_five_guesses_checked(seeded_path, monkeypatch):
    conn = open_database(seeded_path)
    make_user(conn)
    stored = store.find_user(conn, "anna@region.se")[1]["password_hash"]
    conn.close()
    checked: list[str] = []
    real = passwords._hasher

    class CountingHasher:
        """The real hasher, counting the guesses checked against Anna's own hash."""

        def hash(self, password):
            return real.hash(password)

        def verify(self, hashed, password):
            if hashed == stored:
                checked.append(password)
            return real.verify(hashed, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    sessions = 8
    start = threading.Barrier(sessions)
    refused: list[str] = []

    def guess(n: int) -> None:
        db = open_database(seeded_path)
        start.wait()
        try:
            accounts.authenticate(db, "anna@region.se", f"gissning-nummer-{n}")
        except accounts.AuthenticationError as exc:
            refused.append(str(exc))
        finally:
            db.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert refused == [accounts.LOGIN_FAILED] * sessions
    assert len(checked) == accounts.MAX_FAILED_LOGINS
    record = store.find_user(open_database(seeded_path), "anna@region.se")[1]
    assert record["locked_until"] is not None


@pytest.fixture
def dummy_verifies(monkeypatch):
    """Every dummy verify the login does (the hash work that hides whether an account exists)."""
    calls: list[str] = []
    real = passwords.dummy_verify

    def spy(password: str) -> bool:
        calls.append(password)
        return real(password)

    monkeypatch.setattr(passwords, "dummy_verify", spy)
    return calls


def test_a_disabled_account_does_the_same_hash_work_as_a_wrong_password(seeded, dummy_verifies):
    make_user(seeded)
    accounts.set_active(seeded, SYSTEM, "anna@region.se", False)
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    assert dummy_verifies == [PASSWORD]


def test_a_locked_account_does_the_same_hash_work_as_a_wrong_password(seeded, dummy_verifies):
    make_user(seeded)
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(seeded, "anna@region.se", "fel-losenord-123", now=t0)
    assert dummy_verifies == []
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD, now=t0 + timedelta(minutes=1))
    assert dummy_verifies == [PASSWORD]


def test_an_unknown_e_mail_does_the_same_hash_work_as_a_wrong_password(seeded, dummy_verifies):
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "ingen@region.se", PASSWORD)
    assert dummy_verifies == [PASSWORD]
