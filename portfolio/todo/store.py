"""The reminder log (each reminder is sent once) and the audit rows the nämnd's Att göra reads."""

from __future__ import annotations

from typing import Any

import polars as pl

from portfolio.db import Database, Migrations, frame, table_frame

MIGRATIONS = Migrations("todo")


@MIGRATIONS
def m001_reminder_log(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE reminder_log (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
            email TEXT NOT NULL, reminder_key TEXT NOT NULL, subject TEXT NOT NULL,
            sent_at TEXT NOT NULL, UNIQUE (user_id, reminder_key));
        """
    )


def sent_keys(db: Database) -> set[tuple[int, str]]:
    """(user id, reminder key) of every reminder already sent."""
    return {(int(r[0]), str(r[1])) for r in db.execute("SELECT user_id, reminder_key FROM reminder_log")}


def insert_sent(db: Database, user_id: int, email: str, key: str, subject: str, at: str) -> bool:
    """Log a sent reminder; False when it was logged before (it is then not logged twice)."""
    cur = db.execute(
        "INSERT INTO reminder_log (user_id, email, reminder_key, subject, sent_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(user_id, reminder_key) DO NOTHING",
        [user_id, email, key, subject, at],
    )
    return cur.rowcount == 1


LOG_SCHEMA: dict[str, Any] = {
    "sent_at": pl.String,
    "email": pl.String,
    "reminder_key": pl.String,
    "subject": pl.String,
}


def log_frame(db: Database, user_id: int | None = None) -> pl.DataFrame:
    """The reminders sent (to one user, or all), newest first."""
    return table_frame(
        db, "reminder_log", LOG_SCHEMA, order_by="sent_at DESC, id DESC", given={"user_id": user_id}
    )


CHANGE_SCHEMA: dict[str, Any] = {
    "project": pl.String,
    "name": pl.String,
    "entity": pl.String,
    "changes": pl.Int64,
    "last_at": pl.String,
}


def people_changes_since(db: Database, since_utc: str, hidden: tuple[str, ...]) -> pl.DataFrame:
    """Audit rows written by people (not the seed loader) after `since_utc`, counted per project
    and kind of record; `hidden` kinds (accounts, keys, reminders) are left out."""
    marks = ", ".join("?" * len(hidden)) or "''"
    return frame(
        db,
        f"""SELECT p.code, p.name, a.entity, COUNT(*), MAX(a.at) FROM audit_log a
            LEFT JOIN projects p ON p.id = a.project_id
            WHERE a.at > ? AND a.user_email != 'system' AND a.entity NOT IN ({marks})
            GROUP BY p.code, p.name, a.entity ORDER BY MAX(a.at) DESC""",
        [since_utc, *hidden],
        CHANGE_SCHEMA,
    )
