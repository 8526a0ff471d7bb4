"""Server-side login sessions: a hashed token, and every way a session ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portfolio import accounts, audit_store, clock, store, users_store
from portfolio.auth import SYSTEM
from portfolio.db import Database, revision
from portfolio.sessions import service as sessions
from portfolio.sessions import store as sessions_store
from tests.personas import PASSWORD, add_anna
from tests.present import present

POLICY = sessions.Policy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


@pytest.fixture
def anna(seeded: Database):
    add_anna(seeded)
    return accounts.authenticate(seeded, "anna@region.se", PASSWORD)


def later(minutes: float):
    return clock.parse(clock.now()) + timedelta(minutes=minutes)


def test_a_session_keeps_only_the_hash_of_its_token(seeded, anna):
    token = sessions.start(seeded, anna)
    assert sessions_store.session_by_hash(seeded, sessions.token_hash(token)) is not None
    dump = "\n".join(seeded.conn.iterdump())
    assert token not in dump


def test_the_token_finds_its_user_until_logout_ends_it_everywhere(seeded, anna):
    token = sessions.start(seeded, anna)
    assert present(sessions.resolve(seeded, token, POLICY)).email == "anna@region.se"
    sessions.end_token(seeded, token, anna)
    assert sessions.resolve(seeded, token, POLICY) is None
    assert sessions.ended_reason(seeded, token) == "utloggad"


def test_an_unknown_or_missing_token_is_nobody(seeded):
    assert sessions.resolve(seeded, "påhittad", POLICY) is None
    assert sessions.resolve(seeded, None, POLICY) is None


def test_idle_too_long_ends_the_session_one_minute_past_the_limit_not_before(seeded, anna):
    token = sessions.start(seeded, anna)
    assert sessions.resolve(seeded, token, POLICY, now=later(29)) is not None
    assert sessions.resolve(seeded, token, POLICY, now=later(29 + 31)) is None
    assert sessions.ended_reason(seeded, token) == "inaktiv för länge"


def test_a_used_session_still_ends_after_its_absolute_lifetime(seeded, anna):
    token = sessions.start(seeded, anna)
    short = sessions.Policy(idle=timedelta(minutes=30), lifetime=timedelta(minutes=50))
    for minutes in (20, 40):
        assert sessions.resolve(seeded, token, short, now=later(minutes)) is not None
    assert sessions.resolve(seeded, token, short, now=later(55)) is None
    assert sessions.ended_reason(seeded, token) == "längsta tid för en session"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda db: accounts.set_active(db, SYSTEM, "anna@region.se", False), "kontot stängdes av"),
        (lambda db: accounts.reset_password(db, SYSTEM, "anna@region.se", None), "lösenordet återställdes"),
        (
            lambda db: accounts.edit_user(
                db,
                SYSTEM,
                "anna@region.se",
                name="Anna Andersson",
                role="nämnd",
                party=None,
                project_codes=(),
                version=present(users_store.user_account(db, "anna@region.se"))["version"],
            ),
            "rollen ändrades",
        ),
    ],
)
def test_a_disabled_account_or_a_new_role_or_password_ends_its_sessions_at_once(seeded, anna, change, reason):
    token = sessions.start(seeded, anna)
    change(seeded)
    assert sessions.resolve(seeded, token, POLICY) is None
    assert sessions.ended_reason(seeded, token) == reason


def test_changing_ones_own_password_ends_the_other_sessions_but_not_this_one(seeded, anna):
    here, there = sessions.start(seeded, anna), sessions.start(seeded, anna)
    accounts.change_own_password(seeded, anna, PASSWORD, "ett-helt-nytt-losenord", keep_token=here)
    assert sessions.resolve(seeded, here, POLICY) is not None
    assert sessions.resolve(seeded, there, POLICY) is None


def test_a_user_sees_their_open_sessions_and_ends_one_but_not_anothers(seeded, anna):
    here, there = sessions.start(seeded, anna), sessions.start(seeded, anna)
    rows = sessions.open_sessions(seeded, anna, current_token=here)
    assert [r["current"] for r in rows].count(True) == 1
    other = next(r for r in rows if not r["current"])
    member = present(users_store.find_user(seeded, "ledamot@gns.example"))[0]
    with pytest.raises(Exception, match="inte din"):
        sessions.end_session(seeded, member, other["id"])
    sessions.end_session(seeded, anna, other["id"])
    assert sessions.resolve(seeded, there, POLICY) is None
    assert sessions.resolve(seeded, here, POLICY) is not None


def test_starting_and_ending_sessions_is_in_the_audit_log(seeded, anna):
    before = store.count(seeded, "audit_log")
    token = sessions.start(seeded, anna)
    sessions.end_token(seeded, token, anna)
    actions = audit_store.audit_frame(seeded)["action"].to_list()[:2]
    assert store.count(seeded, "audit_log") == before + 2
    assert actions == ["avsluta session", "ny session"]


def test_use_within_a_short_idle_timeout_keeps_the_session_alive(seeded, anna):
    short = sessions.Policy(idle=timedelta(seconds=8), lifetime=timedelta(hours=1))
    token = sessions.start(seeded, anna)
    start = clock.parse(clock.now())
    for seconds in (5, 10, 15, 20):  # each use within 8 s of the one before
        assert sessions.resolve(seeded, token, short, now=start + timedelta(seconds=seconds)) is not None


def test_recording_a_sessions_use_leaves_the_revision_so_no_cache_is_emptied(seeded, anna):
    # Every page run of every user checks its session; its last use is written at most once a
    # minute. That bookkeeping must not move the revision that keys every shared cache.
    token = sessions.start(seeded, anna)
    before = revision(seeded)
    assert sessions.resolve(seeded, token, POLICY, now=later(5)) is not None
    row = sessions_store.session_by_hash(seeded, sessions.token_hash(token))
    assert row is not None and clock.parse(row["last_used_at"]) > clock.parse(row["created_at"])
    assert revision(seeded) == before
