"""The API keys' table: the only place that reads and writes it."""

from __future__ import annotations

from typing import Any

import polars as pl

from portfolio.db import Database, Migrations, frame, row_dict, table_insert

MIGRATIONS = Migrations("apikeys")


@MIGRATIONS
def m001_api_keys(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE api_keys (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
            name TEXT NOT NULL, hint TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL, created_by TEXT NOT NULL,
            last_used_at TEXT, revoked_at TEXT, revoked_by TEXT);
        CREATE INDEX api_keys_user ON api_keys (user_id, revoked_at);
        """
    )


def insert_key(
    db: Database, *, user_id: int, name: str, hint: str, key_hash: str, at: str, created_by: str
) -> int:
    """A new key for `user_id`; returns its id. The caller checks rights and audits."""
    return table_insert(
        db,
        "api_keys",
        {
            "user_id": user_id,
            "name": name,
            "hint": hint,
            "key_hash": key_hash,
            "created_at": at,
            "created_by": created_by,
        },
    )


def key_by_hash(db: Database, key_hash: str) -> dict[str, Any] | None:
    """The key with this hash, revoked or not, or None."""
    return row_dict(
        db,
        "SELECT id, user_id, name, hint, created_at, last_used_at, revoked_at FROM api_keys"
        " WHERE key_hash = ?",
        [key_hash],
    )


def get_key(db: Database, key_id: int) -> dict[str, Any] | None:
    """One key's record (never its hash) with its owner's e-mail, or None."""
    return row_dict(
        db,
        "SELECT k.id, k.user_id, u.email AS user_email, k.name, k.hint, k.created_at, k.created_by,"
        " k.last_used_at, k.revoked_at, k.revoked_by"
        " FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = ?",
        [key_id],
    )


def active_count(db: Database, user_id: int) -> int:
    """How many keys of the user are not revoked."""
    row = db.execute(
        "SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL", [user_id]
    ).fetchone()
    return int(row[0])


def revoke(db: Database, key_id: int, *, at: str, by: str) -> bool:
    """Mark a key revoked; False when it already was."""
    cur = db.execute(
        "UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
        [at, by, key_id],
    )
    return cur.rowcount > 0


def touch(db: Database, key_id: int, *, at: str, unless_after: str) -> None:
    """Record the key's last use, unless one was recorded after `unless_after` already."""
    db.execute(
        "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        [at, key_id, unless_after],
    )


def set_busy_timeout(db: Database, milliseconds: int) -> None:
    """How long this connection waits for another writer's lock before giving up."""
    db.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


KEY_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "user_id": pl.Int64,
    "user_email": pl.String,
    "name": pl.String,
    "hint": pl.String,
    "created_at": pl.String,
    "created_by": pl.String,
    "last_used_at": pl.String,
    "revoked_at": pl.String,
    "revoked_by": pl.String,
}


def keys_frame(db: Database, user_id: int | None = None) -> pl.DataFrame:
    """Keys (of one user, or everyone's), active ones first, newest first; never their hashes."""
    where, params = ("WHERE k.user_id = ?", [user_id]) if user_id is not None else ("", [])
    return frame(
        db,
        "SELECT k.id, k.user_id, u.email, k.name, k.hint, k.created_at, k.created_by,"
        " k.last_used_at, k.revoked_at, k.revoked_by"
        f" FROM api_keys k JOIN users u ON u.id = k.user_id {where}"
        " ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC",
        params,
        KEY_SCHEMA,
    )
