"""Accounts: creating and maintaining users, passwords, logging in with lockout, the demo personas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from portfolio import clock, passwords, store, users_store
from portfolio.auth import Action, Role, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PortfoljError,
    StaleEditError,
)
from portfolio.models import validation_messages
from portfolio.parties import resolve_party
from portfolio.passwords import hash_password
from portfolio.sessions import service as sessions
from portfolio.textsafe import control_problem

MAX_FAILED_LOGINS = 5
MAX_EMAIL = 254
MAX_NAME = 200
# A practical check, not RFC 5322: one @, no spaces, a dot in the domain.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
LOCKOUT = timedelta(minutes=15)

# Deliberately the same for an unknown e-mail, a wrong password, a locked or a disabled account.
LOGIN_FAILED = (
    "Inloggningen misslyckades. Kontrollera e-postadress och lösenord. "
    "Efter fem misslyckade försök spärras kontot i 15 minuter."
)


class AuthenticationError(PortfoljError):
    """Login refused; the message never tells whether the account exists."""


@dataclass(frozen=True, slots=True)
class Persona:
    """A demo persona: an ordinary user without a password, offered only in demo mode."""

    key: str
    label: str
    email: str
    name: str
    role: Role
    party: str | None = None
    project_code: str | None = None


PERSONAS = (
    Persona("namnd", "Ledamot i nämnden", "ledamot@gns.example", "Demo Ledamot", Role.NAMND),
    Persona(
        "kommunchef",
        "Kommunchef Bräcke",
        "kommunchef.bracke@gns.example",
        "Demo Kommunchef Bräcke",
        Role.KOMMUNCHEF,
        party="BRACKE",
    ),
    Persona(
        "projektledare",
        "Projektledare LINK2",
        "projektledare.link2@gns.example",
        "Demo Projektledare LINK2",
        Role.PROJEKTLEDARE,
        project_code="GNS/8/2018",
    ),
    Persona("admin", "E-strateg", "e-strateg@gns.example", "Demo E-strateg", Role.ADMIN),
)


def _profile(
    db: Database,
    *,
    user_id: int | None,
    email: str,
    name: str,
    role: str,
    party: str | None,
    project_codes: tuple[str, ...],
) -> tuple[User | None, list[str]]:
    """The account these fields describe, or the Swedish reasons they do not fit together."""
    problems: list[str] = []
    try:
        role_value = Role(role)
    except ValueError:
        return None, [f"Okänd roll '{role}': välj {', '.join(r.value for r in Role)}"]
    if not name.strip():
        problems.append("Ange kontots namn")
    for label, text in (("Namnet", name), ("E-postadressen", email)):
        if problem := control_problem(text):
            problems.append(f"{label} {problem}")
    if len(name) > MAX_NAME:
        problems.append(f"Namnet är för långt: högst {MAX_NAME} tecken")
    if not EMAIL_RE.match(email.strip()) or len(email.strip()) > MAX_EMAIL:
        problems.append(
            f"E-postadressen '{email.strip()[:60]}' har inte formen namn@organisation.se"
            f" (högst {MAX_EMAIL} tecken)"
        )
    party_code = None
    if party and party.strip():
        try:
            party_code = resolve_party(db, party)
        except InvalidInputError as exc:
            problems += exc.messages
            party_code = party.strip()  # refused already; no second message that it is missing
    project_ids: frozenset[int] = frozenset()
    try:
        project_ids = frozenset(store.project_codes(db, project_codes).values())
    except NotFoundError as exc:
        problems.append(str(exc))
    try:
        user = User(
            id=user_id,
            email=email.strip(),
            name=name.strip(),
            role=role_value,
            party=party_code,
            projects=project_ids,
        )
    except ValidationError as exc:
        return None, problems + validation_messages(exc)
    return (None if problems else user), problems


def _account(db: Database, email: str) -> dict[str, Any]:
    account = users_store.user_account(db, email.strip())
    if account is None:
        raise NotFoundError(f"Det finns inget konto med e-postadressen {email}")
    return account


def _new_hash(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise InvalidInputError([str(exc)]) from exc


def create_user(
    db: Database,
    actor: User,
    *,
    email: str,
    name: str,
    role: str,
    party: str | None = None,
    project_codes: tuple[str, ...] = (),
    password: str | None = None,
    demo_persona: str | None = None,
) -> int:
    """Create an account (admin only); the password is stored as an argon2id hash.

    The party may be given by code or name in any case ("BRACKE", "Bräcke kommun").
    """
    require(actor, Action.MANAGE_USERS)
    user, problems = _profile(
        db, user_id=None, email=email, name=name, role=role, party=party, project_codes=project_codes
    )
    if users_store.find_user(db, email.strip()) is not None:
        problems.append(f"Det finns redan ett konto med e-postadressen {email}")
    password_hash = None
    if password is not None:
        try:
            password_hash = hash_password(password)
        except ValueError as exc:
            problems.append(str(exc))
    if problems or user is None:
        raise InvalidInputError(problems)
    with write(db):
        return users_store.insert_user(
            db, user, password_hash=password_hash, demo_persona=demo_persona, actor=actor
        )


PROFILE_FIELDS = ("name", "role", "party", "projects")


def edit_user(
    db: Database,
    actor: User,
    email: str,
    *,
    name: str,
    role: str,
    party: str | None,
    project_codes: tuple[str, ...],
    version: int,
) -> bool:
    """Save an account's name, role, party and projects as edited from `version` (admin only).

    Returns False when nothing differed (nothing is written); a newer version in the database
    refuses the edit with StaleEditError, whose `current` holds what the other person saved.
    """
    require(actor, Action.MANAGE_USERS)
    account = _account(db, email)
    user, problems = _profile(
        db,
        user_id=account["id"],
        email=account["email"],
        name=name,
        role=role,
        party=party,
        project_codes=project_codes,
    )
    if problems or user is None:
        raise InvalidInputError(problems)
    if account["id"] == actor.id and user.role is not Role.ADMIN:
        raise PermissionDeniedError(
            "Du kan inte ta bort din egen administratörsroll; be en annan administratör."
        )
    with write(db):
        before = _account(db, email)
        after = {
            "name": user.name,
            "role": user.role.value,
            "party": user.party,
            "projects": sorted(set(project_codes)),
        }
        if before["version"] != version:
            raise StaleEditError(
                f"Kontot {before['email']} har ändrats av någon annan sedan du öppnade det"
                f" (version {before['version']}, du utgick från version {version}); inget sparades."
                " Så här ser det ut nu:",
                current={f: before[f] for f in (*PROFILE_FIELDS, "version")},
            )
        if {f: before[f] for f in PROFILE_FIELDS} == after:
            return False
        if not users_store.update_user(db, before["id"], user, expected_version=version):
            raise StaleEditError(f"Kontot {before['email']} ändrades samtidigt; inget sparades.")
        if before["role"] != user.role.value:
            sessions.end_for_user(db, before["id"], "rollen ändrades")
        audit_by(
            db,
            actor,
            "ändra",
            "användare",
            before["id"],
            before={f: before[f] for f in (*PROFILE_FIELDS, "version")},
            after={**after, "version": version + 1},
        )
    return True


def set_active(db: Database, actor: User, email: str, active: bool) -> None:
    """Disable (or enable again) an account; admin only."""
    require(actor, Action.MANAGE_USERS)
    account = _account(db, email)
    if not active and account["id"] == actor.id:
        raise PermissionDeniedError("Du kan inte stänga av ditt eget konto.")
    with write(db):
        users_store.set_user_active(db, account["id"], active, actor)
        if not active:
            sessions.end_for_user(db, account["id"], "kontot stängdes av")


def reset_password(db: Database, actor: User, email: str, password: str | None) -> None:
    """Give an account a temporary password, or none (admin only); the user must choose a new one.

    Without a password the account cannot log in with one until an admin sets one.
    """
    require(actor, Action.MANAGE_USERS)
    account = _account(db, email)
    password_hash = None if password is None else _new_hash(password)
    with write(db):
        users_store.set_user_password(db, account["id"], password_hash, must_change=True)
        sessions.end_for_user(db, account["id"], "lösenordet återställdes")
        audit_by(
            db,
            actor,
            "återställ lösenord",
            "användare",
            account["id"],
            before={"password": "satt" if account["has_password"] else "inget"},
            after={"password": "tillfälligt" if password_hash else "inget", "must_change_password": True},
        )


def unlock(db: Database, actor: User, email: str) -> None:
    """Forget an account's failed logins and lift its lock (admin only)."""
    require(actor, Action.MANAGE_USERS)
    account = _account(db, email)
    with write(db):
        users_store.clear_lockout(db, account["id"])
        audit_by(
            db,
            actor,
            "lås upp",
            "användare",
            account["id"],
            before={"failed_logins": account["failed_logins"], "locked_until": account["locked_until"]},
            after={"failed_logins": 0, "locked_until": None},
        )


def must_choose_password(db: Database, user: User) -> bool:
    """Whether the user must choose a new password before using the app (after an admin's reset)."""
    account = users_store.user_account(db, user.email)
    return bool(account and account["must_change_password"])


def choose_new_password(db: Database, user: User, new: str, *, keep_token: str | None = None) -> None:
    """The new password of a user whose password an admin reset; allowed only then.

    Every other session of the account ends; `keep_token` is this browser's session.
    """
    if not user.active:
        raise PermissionDeniedError("Kontot är avstängt.")
    account = _account(db, user.email)
    if not account["must_change_password"]:
        raise PermissionDeniedError("Byt lösenord under Mitt konto; då anger du ditt nuvarande lösenord.")
    password_hash = _new_hash(new)
    with write(db):
        _store_new_password(
            db,
            user,
            account["id"],
            password_hash,
            keep_token=keep_token,
            action="välj nytt lösenord",
            before={"must_change_password": True},
        )


def _store_new_password(
    db: Database,
    user: User,
    account_id: int,
    password_hash: str,
    *,
    keep_token: str | None,
    action: str,
    before: dict[str, Any] | None = None,
) -> None:
    """Set the user's own new password, end their other sessions, and audit it as `action`."""
    users_store.set_user_password(db, account_id, password_hash, must_change=False)
    sessions.end_for_user(db, account_id, "lösenordet byttes", except_token=keep_token)
    audit_by(
        db,
        user,
        action,
        "användare",
        account_id,
        before=before,
        after={"password": "satt", "must_change_password": False},
    )


NO_PASSWORD_PERSONA = (
    "Demopersoner har inget lösenord: de loggar bara in med ett klick i demoläget. Det finns inget att byta."
)
NO_PASSWORD = (
    "Kontot har inget lösenord att byta (du loggar in via organisationens inloggning)."
    " Be e-strategen sätta ett om du behöver ett."
)
WRONG_PASSWORD = "Det nuvarande lösenordet stämmer inte; lösenordet är inte bytt."


def change_own_password(
    db: Database,
    user: User,
    old: str,
    new: str,
    now: datetime | None = None,
    *,
    keep_token: str | None = None,
) -> None:
    """Any signed-in user changes their own password after giving the current one.

    Every other session of the account ends; `keep_token` is this browser's session.

    A wrong current password counts as a failed login (five lock the account for 15 minutes).
    """
    if not user.active:
        raise PermissionDeniedError("Kontot är avstängt.")
    account = _account(db, user.email)
    if not account["has_password"]:
        raise InvalidInputError([NO_PASSWORD_PERSONA if account["demo_persona"] else NO_PASSWORD])
    password_hash = _new_hash(new)
    with write(db):
        found = users_store.find_user(db, user.email)
        assert found is not None
        ok = _check_password(db, found[0], found[1], old, _utc(now))
        if ok:
            _store_new_password(
                db, user, account["id"], password_hash, keep_token=keep_token, action="byt eget lösenord"
            )
    if not ok:
        raise InvalidInputError([WRONG_PASSWORD])


def _utc(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else clock.parse(now)


def _check_password(db: Database, user: User, record: dict[str, Any], password: str, now: datetime) -> bool:
    """Check a password inside the caller's write transaction and count a failure.

    Reading and updating the counter in one transaction (BEGIN IMMEDIATE) means parallel
    attempts queue: no more than MAX_FAILED_LOGINS guesses are ever checked before the lock.
    A disabled or locked account does a dummy verify, the same hash work as a real check.
    """
    locked_until = record["locked_until"]
    if locked_until and clock.parse(locked_until) > now:
        passwords.dummy_verify(password)
        return False
    if user.active:
        ok = passwords.verify_password(record["password_hash"], password)
    else:
        ok = passwords.dummy_verify(password)
    failed = 0 if ok else int(record["failed_logins"]) + 1
    lock = (now + LOCKOUT).isoformat(timespec="seconds") if failed >= MAX_FAILED_LOGINS else None
    users_store.record_login_attempt(
        db, user.id or 0, success=ok, locked_until=lock, failed_logins=0 if lock else failed
    )
    return ok


def authenticate(db: Database, email: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials; AuthenticationError (one message for every cause) else."""
    moment = _utc(now)
    with write(db):
        found = users_store.find_user(db, email.strip())
        if found is None:
            passwords.dummy_verify(password)  # the same work as a real check: no timing hint
            ok = False
        else:
            ok = _check_password(db, found[0], found[1], password, moment)
    if not ok or found is None:
        raise AuthenticationError(LOGIN_FAILED)
    return found[0]


def persona_user(db: Database, key: str) -> User:
    """The seeded user behind a demo persona (the caller checks that demo mode is on)."""
    persona = next((p for p in PERSONAS if p.key == key), None)
    if persona is None:
        raise NotFoundError(f"Okänd demoperson '{key}'")
    found = users_store.find_user(db, persona.email)
    if found is None or not found[0].active:
        raise NotFoundError(f"Demopersonen {persona.label} finns inte i databasen; kör `portfolj seed`.")
    return found[0]


def ensure_personas(db: Database, actor: User) -> int:
    """Create the demo personas that are missing (no passwords); returns how many were made."""
    made = 0
    for persona in PERSONAS:
        if users_store.find_user(db, persona.email) is not None:
            continue
        create_user(
            db,
            actor,
            email=persona.email,
            name=persona.name,
            role=persona.role.value,
            party=persona.party,
            project_codes=(persona.project_code,) if persona.project_code else (),
            demo_persona=persona.key,
        )
        made += 1
    return made


def user_by_email(db: Database, email: str) -> User | None:
    """An active account with this e-mail (used to map a single-sign-on identity)."""
    found = users_store.find_user(db, email)
    if found is None or not found[0].active:
        return None
    return found[0]


def persona_login(db: Database, key: str) -> User:
    """Sign in as a demo persona and log it; the dashboard offers this only in demo mode."""
    user = persona_user(db, key)
    with write(db):
        users_store.record_login_attempt(db, user.id or 0, success=True, locked_until=None, failed_logins=0)
    return user
