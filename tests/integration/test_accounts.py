"""Accounts: hashing, login, lockout, personas, and that nothing is stored in clear text."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portfolio import accounts, passwords, store, users_store
from portfolio.auth import SYSTEM, Role, User
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.passwords import hash_password, verify_password
from registers.database import open_database

PASSWORD = "korrekt-hast-batteri"


def account_of(db, email: str) -> dict[str, Any]:
    """The admin's view of an account that must exist."""
    found = users_store.user_account(db, email)
    assert found is not None, f"inget konto {email}"
    return found


def stored_row_of(db, email: str) -> dict[str, Any]:
    """The stored row of an account that must exist (with its password hash)."""
    found = users_store.find_user(db, email)
    assert found is not None, f"inget konto {email}"
    return found[1]


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
    users = users_store.users_frame(seeded)
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
    stored = stored_row_of(conn, "anna@region.se")["password_hash"]
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
    record = stored_row_of(open_database(seeded_path), "anna@region.se")
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


def edit(db, actor=SYSTEM, email="anna@region.se", **changes):
    """Edit Anna from the version she is at now, changing only `changes`."""
    account = account_of(db, email)
    fields = {
        "name": account["name"],
        "role": account["role"],
        "party": account["party"],
        "project_codes": tuple(account["projects"]),
        "version": account["version"],
    }
    return accounts.edit_user(db, actor, email, **{**fields, **changes})


def test_an_admin_edits_name_role_party_and_the_change_is_audited(seeded):
    make_user(seeded)
    assert edit(seeded, name="Anna Berg", role="kommunchef", party="BRACKE")
    account = account_of(seeded, "anna@region.se")
    assert (account["name"], account["role"], account["party"]) == ("Anna Berg", "kommunchef", "BRACKE")
    assert account["version"] == 2
    row = seeded.execute(
        "SELECT action, before, after FROM audit_log WHERE entity = 'användare' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row[0] == "ändra"
    assert '"name": "Anna"' in row[1]
    assert '"name": "Anna Berg"' in row[2]


def test_a_leader_is_bound_to_the_projects_of_an_edit(seeded):
    make_user(seeded, role="projektledare", project_codes=("GNS/8/2018",))
    edit(seeded, project_codes=("GNS/8/2018", "GNS/11/2018"))
    user = accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    assert user.projects == {
        store.project_id_for(seeded, "GNS/8/2018"),
        store.project_id_for(seeded, "GNS/11/2018"),
    }


def test_an_edit_that_changes_nothing_writes_nothing(seeded):
    make_user(seeded)
    audits = store.count(seeded, "audit_log")
    assert not edit(seeded)
    assert store.count(seeded, "audit_log") == audits
    assert account_of(seeded, "anna@region.se")["version"] == 1


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_only_an_admin_edits_an_account(seeded, role):
    make_user(seeded)
    someone = accounts.persona_user(seeded, role)
    with pytest.raises(PermissionDeniedError):
        edit(seeded, actor=someone, name="Kapad")
    assert account_of(seeded, "anna@region.se")["name"] == "Anna"


@pytest.mark.parametrize(
    "call",
    [
        lambda db, actor: accounts.set_active(db, actor, "anna@region.se", False),
        lambda db, actor: accounts.reset_password(db, actor, "anna@region.se", None),
        lambda db, actor: accounts.unlock(db, actor, "anna@region.se"),
    ],
    ids=["disable", "reset-password", "unlock"],
)
def test_only_an_admin_disables_resets_or_unlocks(seeded, call):
    make_user(seeded)
    audits = store.count(seeded, "audit_log")
    with pytest.raises(PermissionDeniedError):
        call(seeded, accounts.persona_user(seeded, "kommunchef"))
    assert store.count(seeded, "audit_log") == audits


def test_a_stale_edit_is_refused_and_shows_what_the_other_admin_saved(seeded):
    make_user(seeded)
    opened_at = account_of(seeded, "anna@region.se")["version"]
    edit(seeded, name="Anna Berg")
    with pytest.raises(StaleEditError) as exc:
        edit(seeded, name="Anna Andersson", version=opened_at)
    assert exc.value.current["name"] == "Anna Berg"
    assert exc.value.current["version"] == opened_at + 1
    assert account_of(seeded, "anna@region.se")["name"] == "Anna Berg"


def test_an_edit_that_breaks_the_role_rules_is_refused_with_the_reason(seeded):
    make_user(seeded)
    with pytest.raises(InvalidInputError, match="måste knytas till en part"):
        edit(seeded, role="kommunchef", party=None)
    with pytest.raises(InvalidInputError, match="Endast projektledare"):
        edit(seeded, project_codes=("GNS/8/2018",))
    assert account_of(seeded, "anna@region.se")["role"] == "nämnd"


@pytest.mark.parametrize("party", ["Bräcke", "Bräcke kommun", "BRACKE", "bracke", "  bräcke KOMMUN "])
def test_a_party_is_accepted_by_name_or_code_in_any_case(seeded, party):
    make_user(seeded, role="kommunchef", party=party)
    assert account_of(seeded, "anna@region.se")["party"] == "BRACKE"


def test_an_edit_takes_the_party_by_name(seeded):
    make_user(seeded, role="kommunchef", party="BRACKE")
    edit(seeded, party="Östersunds kommun")
    assert account_of(seeded, "anna@region.se")["party"] == "OSTERSUND"


def test_an_unknown_party_is_refused_with_the_valid_ones_listed(seeded):
    with pytest.raises(InvalidInputError) as exc:
        make_user(seeded, role="kommunchef", party="Atlantis")
    text = "\n".join(exc.value.messages)
    assert "Okänd part 'Atlantis'" in text
    assert "Bräcke kommun" in text
    assert "Region Jämtland Härjedalen" in text
    assert users_store.find_user(seeded, "anna@region.se") is None


def test_a_disabled_account_is_enabled_again_and_logs_in(seeded):
    make_user(seeded)
    accounts.set_active(seeded, SYSTEM, "anna@region.se", False)
    accounts.set_active(seeded, SYSTEM, "anna@region.se", True)
    assert accounts.authenticate(seeded, "anna@region.se", PASSWORD).active


def test_a_reset_password_logs_in_once_and_must_be_replaced(seeded):
    make_user(seeded)
    accounts.reset_password(seeded, SYSTEM, "anna@region.se", "tillfalligt-losenord")
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    anna = accounts.authenticate(seeded, "anna@region.se", "tillfalligt-losenord")
    assert accounts.must_choose_password(seeded, anna)
    accounts.choose_new_password(seeded, anna, "mitt-eget-nya-losenord")
    assert not accounts.must_choose_password(seeded, anna)
    assert accounts.authenticate(seeded, "anna@region.se", "mitt-eget-nya-losenord")
    with pytest.raises(PermissionDeniedError):  # without a reset, the current password is asked for
        accounts.choose_new_password(seeded, anna, "ett-tredje-losenord-x")


def test_a_reset_without_password_leaves_the_account_without_one(seeded):
    make_user(seeded)
    accounts.reset_password(seeded, SYSTEM, "anna@region.se", None)
    account = account_of(seeded, "anna@region.se")
    assert not account["has_password"]
    assert account["must_change_password"]
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_a_short_temporary_password_is_refused_and_the_old_one_kept(seeded):
    make_user(seeded)
    with pytest.raises(InvalidInputError, match="minst 12 tecken"):
        accounts.reset_password(seeded, SYSTEM, "anna@region.se", "kort")
    assert accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_unlock_lets_a_locked_account_log_in_at_once(seeded):
    make_user(seeded)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(seeded, "anna@region.se", "fel-losenord-123")
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    accounts.unlock(seeded, SYSTEM, "anna@region.se")
    account = account_of(seeded, "anna@region.se")
    assert (account["failed_logins"], account["locked_until"]) == (0, None)
    assert accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_a_user_changes_their_own_password_with_the_current_one(seeded):
    make_user(seeded)
    anna = accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    accounts.change_own_password(seeded, anna, PASSWORD, "ett-helt-nytt-losenord")
    assert accounts.authenticate(seeded, "anna@region.se", "ett-helt-nytt-losenord")
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_a_wrong_current_password_is_refused_counted_and_nothing_changed(seeded):
    make_user(seeded)
    anna = accounts.authenticate(seeded, "anna@region.se", PASSWORD)
    with pytest.raises(InvalidInputError, match="nuvarande lösenordet stämmer inte"):
        accounts.change_own_password(seeded, anna, "fel-losenord-123", "ett-helt-nytt-losenord")
    assert account_of(seeded, "anna@region.se")["failed_logins"] == 1
    assert accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def test_a_demo_persona_is_told_it_has_no_password_to_change(seeded):
    persona = accounts.persona_user(seeded, "namnd")
    with pytest.raises(InvalidInputError, match="Demopersoner har inget lösenord"):
        accounts.change_own_password(seeded, persona, "", "ett-helt-nytt-losenord")


def test_a_database_of_the_previous_version_gets_versions_and_its_locks_in_utc(tmp_path):
    from portfolio import db as core_db

    path = tmp_path / "gammal.db"
    old = core_db.connect(path)
    core_db.migrate(old, core_db.Migrations("portfolio", store.MIGRATIONS.steps[:-1]))
    assert "version" not in old["users"].columns_dict
    old.execute(
        "INSERT INTO users (email, name, role, created_at, locked_until)"
        " VALUES ('a@x.se', 'A', 'nämnd', '2026-12-03T13:00:00+00:00', '2026-12-03T14:15:00')"
    )
    old.conn.commit()
    old.close()
    upgraded = open_database(path)
    assert {"version", "must_change_password"} <= set(upgraded["users"].columns_dict)
    account = account_of(upgraded, "a@x.se")
    assert account["version"] == 1
    assert account["locked_until"] == "2026-12-03T13:15:00+00:00"  # Stockholm local time, now UTC


def test_an_admin_can_neither_disable_nor_demote_themselves(seeded):
    admin = accounts.persona_user(seeded, "admin")
    with pytest.raises(PermissionDeniedError, match="eget konto"):
        accounts.set_active(seeded, admin, admin.email, False)
    with pytest.raises(PermissionDeniedError, match="administratörsroll"):
        edit(seeded, actor=admin, email=admin.email, role="nämnd")
    assert account_of(seeded, admin.email)["role"] == "admin"


@pytest.mark.parametrize(
    "name, message", [("   ", "Ange kontots namn"), ("Anna\x07", "styrtecken")], ids=["empty", "control"]
)
def test_an_empty_name_or_a_control_character_is_refused(seeded, name, message):
    with pytest.raises(InvalidInputError, match=message):
        accounts.create_user(seeded, SYSTEM, email="anna@region.se", name=name, role="nämnd")
    make_user(seeded)
    with pytest.raises(InvalidInputError, match=message):
        edit(seeded, name=name)
    assert account_of(seeded, "anna@region.se")["name"] == "Anna"


@pytest.mark.parametrize(
    "email", ["inte-en-adress", "anna@bracke", "två ord@bracke.se", "x" * 250 + "@bracke.se"]
)
def test_an_email_address_in_the_wrong_form_is_refused_and_no_account_made(seeded, email):
    before = store.count(seeded, "users")
    with pytest.raises(InvalidInputError, match=r"har inte formen namn@organisation\.se"):
        accounts.create_user(seeded, SYSTEM, email=email, name="Anna", role="nämnd")
    assert store.count(seeded, "users") == before


def test_a_name_longer_than_200_characters_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="högst 200 tecken"):
        accounts.create_user(seeded, SYSTEM, email="anna@bracke.se", name="A" * 201, role="nämnd")
