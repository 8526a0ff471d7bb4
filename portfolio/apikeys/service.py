"""Personal API keys: create, list, revoke, and find the user behind a key.

A key is `pfj_` and 43 random URL-safe characters (`secrets.token_urlsafe(32)`). Only its SHA-256
hash is stored, with the first characters as a hint the owner can recognise it by; the key is
returned once, by `create_key`, and cannot be read again. A key reads as its user, whose role and
state are looked up on every use: a revoked key, or the key of a disabled account, stops working
at once. Keys never write: the read API serves only GET, and the one thing a key's use changes is
its own `last_used_at`, recorded at most once a minute and skipped while another writer holds the
database.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from portfolio import clock, users_store
from portfolio.apikeys import store
from portfolio.auth import Action, User, can, require
from portfolio.db import BUSY_TIMEOUT_MS, Database, audit_by, found_or_raise, write
from portfolio.errors import (
    DatabaseBusyError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from portfolio.models import Model, NonEmptyLine, parse

__all__ = [
    "MAX_ACTIVE_KEYS",
    "PREFIX",
    "CreatedKey",
    "all_keys",
    "create_key",
    "hash_key",
    "keys_of",
    "revoke_key",
    "user_for_key",
]

PREFIX = "pfj_"
HINT_LENGTH = len(PREFIX) + 6
MAX_KEY_LENGTH = 200
MAX_ACTIVE_KEYS = 20
TOUCH_EVERY = timedelta(seconds=60)
QUICK_MS = 50
# The audit log files a key under its owner's account, so the log shows it to the owner and the
# admin only, as it does every other account entry (portfolio.audit_view).
AUDIT_ENTITY = "användare"


class KeyName(Model):
    """What the owner calls a key: one printable line."""

    name: NonEmptyLine


@dataclass(frozen=True)
class CreatedKey:
    """A key just created: `key` is the only time the key itself is available."""

    id: int
    name: str
    hint: str
    key: str
    user_email: str


def hash_key(key_text: str) -> str:
    """The stored form of a key: its SHA-256 hash, so the database never holds a usable key."""
    return hashlib.sha256(key_text.encode("utf-8")).hexdigest()


def _owner(db: Database, email: str) -> User:
    found = found_or_raise(
        users_store.find_user(db, email.strip()), f"Det finns inget konto med e-postadressen {email}"
    )
    return found[0]


def _require_may_manage(actor: User, owner: User) -> None:
    """A user manages their own keys; the admin anyone's."""
    if not actor.active:
        raise PermissionDeniedError("Kontot är avstängt.")
    if actor.id is not None and actor.id == owner.id:
        return
    if not can(actor, Action.MANAGE_USERS):
        raise PermissionDeniedError("Du får bara skapa, se och återkalla dina egna API-nycklar.")


def create_key(db: Database, actor: User, *, owner_email: str, name: str) -> CreatedKey:
    """Create a named key for the account `owner_email`; the key is in the result, and only there."""
    owner = _owner(db, owner_email)
    _require_may_manage(actor, owner)
    checked = parse(KeyName, {"name": name.strip()}, {"name": "Nyckelns namn"})
    if not owner.active:
        raise InvalidInputError([f"Kontot {owner.email} är avstängt; aktivera det innan det får en nyckel."])
    assert owner.id is not None
    key = PREFIX + secrets.token_urlsafe(32)
    hint = key[:HINT_LENGTH]
    at = clock.now()
    with write(db):
        if store.active_count(db, owner.id) >= MAX_ACTIVE_KEYS:
            raise InvalidInputError(
                [
                    f"{owner.email} har redan {MAX_ACTIVE_KEYS} aktiva API-nycklar;"
                    " återkalla en som inte används innan du skapar en ny."
                ]
            )
        key_id = store.insert_key(
            db,
            user_id=owner.id,
            name=checked.name,
            hint=hint,
            key_hash=hash_key(key),
            at=at,
            created_by=actor.email,
        )
        audit_by(
            db,
            actor,
            "skapa API-nyckel",
            AUDIT_ENTITY,
            owner.id,
            after={"nyckel": key_id, "namn": checked.name, "början": hint, "konto": owner.email},
        )
    return CreatedKey(id=key_id, name=checked.name, hint=hint, key=key, user_email=owner.email)


def revoke_key(db: Database, actor: User, key_id: int) -> bool:
    """Revoke a key at once; False (nothing written) when it was revoked already."""
    record = found_or_raise(store.get_key(db, key_id), f"Det finns ingen API-nyckel med id {key_id}")
    owner = users_store.get_user(db, int(record["user_id"]))
    _require_may_manage(actor, owner)
    with write(db):
        if not store.revoke(db, key_id, at=clock.now(), by=actor.email):
            return False
        audit_by(
            db,
            actor,
            "återkalla API-nyckel",
            AUDIT_ENTITY,
            owner.id,
            before={"nyckel": key_id, "namn": record["name"], "början": record["hint"]},
            after={"nyckel": key_id, "återkallad": True, "konto": owner.email},
        )
    return True


def keys_of(db: Database, actor: User, owner_email: str | None = None) -> pl.DataFrame:
    """The keys of one account: the actor's own, or (for the admin) the account `owner_email`."""
    owner = _owner(db, owner_email) if owner_email is not None else actor
    _require_may_manage(actor, owner)
    return store.keys_frame(db, owner.id)


def all_keys(db: Database, actor: User) -> pl.DataFrame:
    """Every account's keys (admin only)."""
    require(actor, Action.MANAGE_USERS)
    return store.keys_frame(db)


@contextlib.contextmanager
def _quick(db: Database) -> Iterator[None]:
    """Bookkeeping that gives way to other writers at once instead of waiting for them."""
    store.set_busy_timeout(db, QUICK_MS)
    try:
        yield
    except DatabaseBusyError:
        pass
    finally:
        store.set_busy_timeout(db, BUSY_TIMEOUT_MS)


def user_for_key(db: Database, key_text: str | None, *, now: datetime | None = None) -> User | None:
    """The active user a key belongs to; None for no key, an unknown or revoked key, a disabled account."""
    text = (key_text or "").strip()
    if not text.startswith(PREFIX) or len(text) > MAX_KEY_LENGTH:
        return None
    record = store.key_by_hash(db, hash_key(text))
    if record is None or record["revoked_at"] is not None:
        return None
    try:
        user = users_store.get_user(db, int(record["user_id"]))
    except NotFoundError:
        return None
    if not user.active:
        return None
    moment = now or clock.parse(clock.now())
    last = record["last_used_at"]
    if last is None or moment - clock.parse(last) >= TOUCH_EVERY:
        with _quick(db), write(db, audited=False):
            # When the key was last used is the key's bookkeeping, not a change of the portfolio.
            store.touch(
                db,
                int(record["id"]),
                at=moment.isoformat(timespec="seconds"),
                unless_after=(moment - TOUCH_EVERY).isoformat(timespec="seconds"),
            )
    return user
