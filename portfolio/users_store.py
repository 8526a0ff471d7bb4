"""The accounts: who may log in, with which role, party and projects, and how their logins went.

Reads and writes of the `users` and `user_projects` tables (created by the core's migrations in
`store.py`): finding a user by e-mail or id, the admin's list and edit form, creating, enabling
and editing an account under its version, binding project leaders, storing a password hash and
the lockout counter. The rules (who may do what, password strength, when to lock) live in
`accounts.py`; this module only stores what it decided, with an audit row where a person acted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.auth import Role, User
from portfolio.db import Database, audit, audit_by, frame, row_dict, update_if_unchanged
from portfolio.errors import NotFoundError

USER_COLUMNS = (
    "id, email, name, role, party_code, password_hash, active, failed_logins, locked_until,"
    " demo_persona, created_at, version, must_change_password"
)


def _user_from_row(db: Database, row: Sequence[Any]) -> tuple[User, dict[str, Any]]:
    cols = [c.strip() for c in USER_COLUMNS.split(",")]
    data = dict(zip(cols, row, strict=True))
    projects = frozenset(
        r[0]
        for r in db.execute("SELECT project_id FROM user_projects WHERE user_id = ?", [data["id"]]).fetchall()
    )
    user = User(
        id=data["id"],
        email=data["email"],
        name=data["name"],
        role=Role(data["role"]),
        party=data["party_code"],
        projects=projects,
        active=bool(data["active"]),
    )
    return user, data


def find_user(db: Database, email: str) -> tuple[User, dict[str, Any]] | None:
    """The user with this e-mail (any case) and its login record, or None."""
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE email = ?", [email]).fetchone()
    return None if row is None else _user_from_row(db, row)


def get_user(db: Database, user_id: int) -> User:
    """The user with this id; NotFoundError otherwise."""
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Användaren {user_id} finns inte")
    return _user_from_row(db, row)[0]


def user_account(db: Database, email: str) -> dict[str, Any] | None:
    """What an admin sees and edits of an account (never its hash), or None when there is none."""
    row = row_dict(
        db,
        """SELECT u.id, u.email, u.name, u.role, u.party_code AS party, u.active,
                  u.password_hash IS NOT NULL AS has_password, u.demo_persona, u.failed_logins,
                  u.locked_until, u.must_change_password, u.version
           FROM users u WHERE u.email = ?""",
        [email],
    )
    if row is None:
        return None
    codes = db.execute(
        "SELECT p.code FROM user_projects up JOIN projects p ON p.id = up.project_id"
        " WHERE up.user_id = ? ORDER BY p.code",
        [row["id"]],
    ).fetchall()
    for flag in ("active", "has_password", "must_change_password"):
        row[flag] = bool(row[flag])
    return {**row, "projects": [c[0] for c in codes]}


def update_user(db: Database, user_id: int, user: User, *, expected_version: int) -> bool:
    """Save name, role, party and projects if the account is still at `expected_version`."""
    values = {"name": user.name, "role": user.role.value, "party_code": user.party}
    if not update_if_unchanged(db, "users", values, where={"id": user_id}, version=expected_version):
        return False
    db.execute("DELETE FROM user_projects WHERE user_id = ?", [user_id])
    bind_user_projects(db, [(user_id, pid) for pid in sorted(user.projects)])
    return True


def bind_user_projects(db: Database, pairs: Sequence[tuple[int, int]]) -> None:
    """Make accounts leaders of projects: (user id, project id) pairs (the caller removed old ones)."""
    db.conn.executemany("INSERT INTO user_projects VALUES (?, ?)", list(pairs))


def set_user_password(db: Database, user_id: int, password_hash: str | None, *, must_change: bool) -> None:
    """Store a new password hash (or none) and whether it must be replaced at the next login."""
    db.execute(
        "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
        [password_hash, must_change, user_id],
    )


def clear_lockout(db: Database, user_id: int) -> None:
    """Forget the failed logins and any lock."""
    db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id])


def insert_user(
    db: Database,
    user: User,
    *,
    password_hash: str | None,
    demo_persona: str | None,
    actor: User,
) -> int:
    """Create an account; the caller checks rights and validates."""
    uid = db.execute(
        "INSERT INTO users (email, name, role, party_code, password_hash, demo_persona, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            user.email,
            user.name,
            user.role.value,
            user.party,
            password_hash,
            demo_persona,
            clock.now(),
        ],
    ).lastrowid
    assert uid is not None
    bind_user_projects(db, [(uid, pid) for pid in sorted(user.projects)])
    audit_by(
        db,
        actor,
        "skapa",
        "användare",
        uid,
        after={
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "party": user.party,
            "projects": sorted(user.projects),
            "password": "satt" if password_hash else "inget",
        },
    )
    return uid


def set_user_active(db: Database, user_id: int, active: bool, actor: User) -> None:
    """Enable or disable an account."""
    before = db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
    db.execute("UPDATE users SET active = ? WHERE id = ?", [active, user_id])
    audit_by(
        db,
        actor,
        "aktivera" if active else "stäng av",
        "användare",
        user_id,
        before={"active": bool(before[0]) if before else None},
        after={"active": active},
    )


def record_login_attempt(
    db: Database, user_id: int, *, success: bool, locked_until: str | None, failed_logins: int
) -> None:
    """Store the outcome of a login attempt (the lockout counter)."""
    db.execute(
        "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
        [0 if success else failed_logins, locked_until, user_id],
    )
    audit(
        db,
        user_id=user_id,
        user_email=str(db.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone()[0]),
        action="inloggning" if success else "misslyckad inloggning",
        entity="användare",
        entity_id=user_id,
        after={"failed_logins": failed_logins, "locked_until": locked_until},
    )


def users_frame(db: Database) -> pl.DataFrame:
    """Every account, without its password hash."""
    return frame(
        db,
        """SELECT u.id, u.email, u.name, u.role, u.party_code, u.active,
                  u.password_hash IS NOT NULL, u.demo_persona, u.created_at,
                  (SELECT group_concat(p.code, ', ') FROM user_projects up
                     JOIN projects p ON p.id = up.project_id WHERE up.user_id = u.id),
                  u.failed_logins, u.locked_until, u.must_change_password, u.version
           FROM users u ORDER BY u.role, u.name""",
        [],
        {
            "id": pl.Int64,
            "email": pl.String,
            "name": pl.String,
            "role": pl.String,
            "party": pl.String,
            "active": pl.Boolean,
            "has_password": pl.Boolean,
            "demo_persona": pl.String,
            "created_at": pl.String,
            "projects": pl.String,
            "failed_logins": pl.Int64,
            "locked_until": pl.String,
            "must_change_password": pl.Boolean,
            "version": pl.Int64,
        },
    )
