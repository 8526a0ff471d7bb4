"""Server-side login sessions: only the SHA-256 hash of each session's random token is stored."""

from __future__ import annotations

from typing import Any

from portfolio.db import Database, Migrations, row_dict, row_dicts, table_insert

MIGRATIONS = Migrations("sessions")


@MIGRATIONS
def m001_sessions(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL, last_used_at TEXT NOT NULL,
            ended_at TEXT, end_reason TEXT, user_agent TEXT);
        CREATE INDEX sessions_user ON sessions (user_id, ended_at);
        """
    )


@MIGRATIONS
def m002_single_sign_on(db: Database) -> None:
    # A session opened from the identity provider's sign-in keeps a fingerprint of that sign-in,
    # so the same sign-in cannot open a new session once this one has ended.
    db.executescript(
        """
        ALTER TABLE sessions ADD COLUMN sso_fingerprint TEXT;
        CREATE INDEX sessions_sso ON sessions (sso_fingerprint) WHERE sso_fingerprint IS NOT NULL;
        """
    )


def insert_session(
    db: Database,
    token_hash: str,
    user_id: int,
    at: str,
    user_agent: str | None,
    sso_fingerprint: str | None = None,
) -> int:
    """A new open session; returns its id."""
    return table_insert(
        db,
        "sessions",
        {
            "token_hash": token_hash,
            "user_id": user_id,
            "created_at": at,
            "last_used_at": at,
            "user_agent": user_agent,
            "sso_fingerprint": sso_fingerprint,
        },
    )


def session_by_hash(db: Database, token_hash: str) -> dict[str, Any] | None:
    """The session with this token hash, open or ended, or None."""
    return row_dict(
        db,
        "SELECT id, user_id, created_at, last_used_at, ended_at, end_reason FROM sessions"
        " WHERE token_hash = ?",
        [token_hash],
    )


def sso_sign_in_ended(db: Database, fingerprint: str) -> bool:
    """Whether a session opened from this single sign-on has ended (the sign-in is spent)."""
    row = row_dict(
        db,
        "SELECT 1 AS spent FROM sessions WHERE sso_fingerprint = ? AND ended_at IS NOT NULL LIMIT 1",
        [fingerprint],
    )
    return row is not None


def touch(db: Database, session_id: int, at: str) -> None:
    """Record that the session was used now."""
    db.execute("UPDATE sessions SET last_used_at = ? WHERE id = ?", [at, session_id])


def end(db: Database, where: str, params: list[Any], at: str, reason: str) -> int:
    """End the open sessions matching `where`; returns how many ended."""
    cur = db.execute(
        f"UPDATE sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL AND {where}",
        [at, reason, *params],
    )
    return cur.rowcount


def open_sessions(db: Database, user_id: int) -> list[dict[str, Any]]:
    """A user's open sessions, newest first."""
    return row_dicts(
        db,
        "SELECT id, created_at, last_used_at, user_agent, sso_fingerprint IS NOT NULL AS sso"
        " FROM sessions WHERE user_id = ? AND ended_at IS NULL"
        " ORDER BY last_used_at DESC",
        [user_id],
    )


def set_busy_timeout(db: Database, milliseconds: int) -> None:
    """How long this connection waits for another writer's lock before giving up."""
    db.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
