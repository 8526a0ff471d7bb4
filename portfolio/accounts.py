"""Accounts: creating users, logging in with lockout, and the demo personas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from portfolio import store
from portfolio.auth import Action, Role, User, require
from portfolio.db import Database, write
from portfolio.errors import InvalidInputError, NotFoundError, PortfoljError
from portfolio.models import validation_messages
from portfolio.passwords import hash_password, verify_password

MAX_FAILED_LOGINS = 5
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
    """Create an account (admin only); the password is stored as an argon2id hash."""
    require(actor, Action.MANAGE_USERS)
    problems: list[str] = []
    try:
        role_value = Role(role)
    except ValueError:
        raise InvalidInputError([f"Okänd roll '{role}': välj {', '.join(r.value for r in Role)}"]) from None
    try:
        project_ids = frozenset(store.project_codes(db, project_codes).values())
    except NotFoundError as exc:
        raise InvalidInputError([str(exc)]) from exc
    if party and not store.party_exists(db, party):
        problems.append(f"Parten '{party}' finns inte")
    if store.find_user(db, email) is not None:
        problems.append(f"Det finns redan ett konto med e-postadressen {email}")
    try:
        user = User(
            id=None,
            email=email.strip(),
            name=name,
            role=role_value,
            party=party,
            projects=project_ids,
        )
    except ValidationError as exc:
        problems += validation_messages(exc)
        user = None
    password_hash = None
    if password is not None:
        try:
            password_hash = hash_password(password)
        except ValueError as exc:
            problems.append(str(exc))
    if problems or user is None:
        raise InvalidInputError(problems)
    with write(db):
        return store.insert_user(
            db, user, password_hash=password_hash, demo_persona=demo_persona, actor=actor
        )


def set_active(db: Database, actor: User, email: str, active: bool) -> None:
    """Disable (or enable again) an account; admin only."""
    require(actor, Action.MANAGE_USERS)
    found = store.find_user(db, email)
    if found is None:
        raise NotFoundError(f"Det finns inget konto med e-postadressen {email}")
    with write(db):
        store.set_user_active(db, found[0].id or 0, active, actor)


def authenticate(db: Database, email: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials; AuthenticationError (one message for every cause) else."""
    now = now or datetime.now()
    found = store.find_user(db, email.strip())
    if found is None:
        verify_password(None, password)  # same work as a real check: no timing hint
        raise AuthenticationError(LOGIN_FAILED)
    user, record = found
    locked_until = record["locked_until"]
    if locked_until and datetime.fromisoformat(locked_until) > now:
        verify_password(None, password)
        raise AuthenticationError(LOGIN_FAILED)
    ok = user.active and verify_password(record["password_hash"], password)
    failed = 0 if ok else int(record["failed_logins"]) + 1
    lock = (now + LOCKOUT).isoformat(timespec="seconds") if failed >= MAX_FAILED_LOGINS else None
    with write(db):
        store.record_login_attempt(
            db,
            user.id or 0,
            success=ok,
            locked_until=lock,
            failed_logins=0 if lock else failed,
        )
    if not ok:
        raise AuthenticationError(LOGIN_FAILED)
    return user


def persona_user(db: Database, key: str) -> User:
    """The seeded user behind a demo persona (the caller checks that demo mode is on)."""
    persona = next((p for p in PERSONAS if p.key == key), None)
    if persona is None:
        raise NotFoundError(f"Okänd demoperson '{key}'")
    found = store.find_user(db, persona.email)
    if found is None or not found[0].active:
        raise NotFoundError(f"Demopersonen {persona.label} finns inte i databasen; kör `portfolj seed`.")
    return found[0]


def ensure_personas(db: Database, actor: User) -> int:
    """Create the demo personas that are missing (no passwords); returns how many were made."""
    made = 0
    for persona in PERSONAS:
        if store.find_user(db, persona.email) is not None:
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
    found = store.find_user(db, email)
    if found is None or not found[0].active:
        return None
    return found[0]


def persona_login(db: Database, key: str) -> User:
    """Sign in as a demo persona and log it; the dashboard offers this only in demo mode."""
    user = persona_user(db, key)
    with write(db):
        store.record_login_attempt(db, user.id or 0, success=True, locked_until=None, failed_logins=0)
    return user
