"""Login sessions kept on the server: a random token in an HttpOnly cookie, its hash in the database.

A session ends at logout, after the idle timeout, after its absolute lifetime, and at once when
the account is disabled or its role or password changes. Checking a session only reads; the
bookkeeping writes (last use, ending an expired session) never make a page wait for another
writer such as a long import: when the database is busy they are skipped and done next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portfolio import clock, users_store
from portfolio.auth import Role, User
from portfolio.db import BUSY_TIMEOUT_MS, Database, audit_by, write
from portfolio.errors import DatabaseBusyError, NotFoundError, PermissionDeniedError
from portfolio.sessions import store as sessions_store

COOKIE = "portfolj_session"
TOUCH_EVERY = timedelta(seconds=60)
QUICK_MS = 50


@dataclass(frozen=True)
class Policy:
    """How long a session lives: idle time without use, and at most in all."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256, so the database never holds a usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or clock.parse(clock.now())


@contextlib.contextmanager
def _quick(db: Database) -> Iterator[None]:
    """Bookkeeping that gives way to other writers at once instead of waiting 30 s for them."""
    sessions_store.set_busy_timeout(db, QUICK_MS)
    try:
        yield
    except DatabaseBusyError:
        pass
    finally:
        sessions_store.set_busy_timeout(db, BUSY_TIMEOUT_MS)


def start(
    db: Database, user: User, *, user_agent: str | None = None, sso_fingerprint: str | None = None
) -> str:
    """Open a session for a user who has just logged in; returns the token for the cookie."""
    if user.id is None or not user.active:
        raise PermissionDeniedError("Kontot kan inte logga in.")
    token = secrets.token_urlsafe(32)
    at = clock.now()
    with write(db):
        session_id = sessions_store.insert_session(
            db, token_hash(token), user.id, at, (user_agent or "")[:200], sso_fingerprint
        )
        after = {"skapad": at, "inloggning": "organisationens konto" if sso_fingerprint else "lösenord"}
        audit_by(db, user, "ny session", "session", session_id, after=after)
    return token


def start_from_sso(db: Database, email: str, sign_in: str, *, user_agent: str | None = None) -> str | None:
    """A session for the account behind a single sign-on, or None when none may be opened.

    `sign_in` is the identity provider's signed cookie as the browser sent it; a new sign-in gives a
    new value. Once a session opened from it has ended (logout, idle, ended from another device,
    account disabled), the same sign-in opens no new session: the user signs in again.
    """
    fingerprint = token_hash(sign_in)
    found = users_store.find_user(db, email)
    user = found[0] if found is not None and found[0].active else None
    if user is None or sessions_store.sso_sign_in_ended(db, fingerprint):
        return None
    return start(db, user, user_agent=user_agent, sso_fingerprint=fingerprint)


def resolve(db: Database, token: str | None, policy: Policy, *, now: datetime | None = None) -> User | None:
    """The active user behind a cookie's token, or None when the session is unknown or has ended."""
    if not token:
        return None
    row = sessions_store.session_by_hash(db, token_hash(token))
    if row is None or row["ended_at"] is not None:
        return None
    moment = _now(now)
    reason = None
    if moment - clock.parse(row["last_used_at"]) > policy.idle:
        reason = "inaktiv för länge"
    elif moment - clock.parse(row["created_at"]) > policy.lifetime:
        reason = "längsta tid för en session"
    try:
        user = users_store.get_user(db, int(row["user_id"]))
    except NotFoundError:
        user = None
    if user is not None and not user.active:
        reason, user = "kontot är avstängt", None
    if reason is not None or user is None:
        with _quick(db), write(db):
            _end(db, "id = ?", [row["id"]], reason or "kontot finns inte", actor_id=int(row["user_id"]))
        return None
    # Recorded at most once a minute, but often enough that a short idle timeout sees the use.
    if moment - clock.parse(row["last_used_at"]) > min(TOUCH_EVERY, policy.idle / 4):
        with _quick(db), write(db, audited=False, revises=False):
            # Last use is session bookkeeping, not a change of the committee's data: no audit
            # row, and the revision (the key of every cached read) stays where it is.
            sessions_store.touch(db, int(row["id"]), moment.isoformat(timespec="seconds"))
    return user


def _end(db: Database, where: str, params: list[Any], reason: str, *, actor_id: int | None) -> int:
    ended = sessions_store.end(db, where, params, clock.now(), reason)
    if ended:
        audit_by(
            db,
            _Actor(actor_id),
            "avsluta session",
            "session",
            None,
            after={"antal": ended, "skäl": reason},
        )
    return ended


@dataclass(frozen=True)
class _Actor:
    id: int | None
    email: str = "system"


def end_token(db: Database, token: str | None, user: User | None = None) -> None:
    """Log out: the session behind this token ends, wherever its cookie is used."""
    if not token:
        return
    with write(db):
        _end(db, "token_hash = ?", [token_hash(token)], "utloggad", actor_id=user.id if user else None)


def end_for_user(db: Database, user_id: int, reason: str, *, except_token: str | None = None) -> int:
    """End every open session of an account (disabled, role or password changed); inside a write."""
    if except_token:
        return _end(
            db,
            "user_id = ? AND token_hash != ?",
            [user_id, token_hash(except_token)],
            reason,
            actor_id=user_id,
        )
    return _end(db, "user_id = ?", [user_id], reason, actor_id=user_id)


def open_sessions(db: Database, user: User, *, current_token: str | None = None) -> list[dict[str, Any]]:
    """The user's open sessions, newest use first, each marked whether it is this browser's."""
    current = sessions_store.session_by_hash(db, token_hash(current_token)) if current_token else None
    rows = sessions_store.open_sessions(db, user.id or 0)
    for r in rows:
        r["current"] = current is not None and current["id"] == r["id"]
    return rows


def end_session(db: Database, actor: User, session_id: int) -> None:
    """End one session: the user's own, or any as the e-strateg."""
    where, params = ("id = ? AND user_id = ?", [session_id, actor.id])
    if actor.role is Role.ADMIN:
        where, params = ("id = ?", [session_id])
    with write(db):
        if not _end(db, where, params, "avslutad av användaren", actor_id=actor.id):
            raise NotFoundError("Sessionen är redan avslutad eller inte din.")


def ended_reason(db: Database, token: str) -> str | None:
    """Why the session behind a token ended (to tell the user at the login), or None."""
    row = sessions_store.session_by_hash(db, token_hash(token))
    return None if row is None else row["end_reason"]
