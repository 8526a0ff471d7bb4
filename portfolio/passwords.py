"""Password hashing with argon2id; only `$argon2id$` hashes are ever stored."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """An argon2id hash of `password`; refuses passwords shorter than 12 characters."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"Lösenordet måste ha minst {MIN_LENGTH} tecken")
    return _hasher.hash(password)


_dummy_hash: str | None = None


def dummy_verify(password: str) -> bool:
    """Verify `password` against a throwaway hash: the work of a real check, always False.

    A login for an unknown, disabled or locked account does this instead of returning early,
    so the time it takes does not tell whether the e-mail address has an account.
    """
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("ett-lösenord-som-ingen-har-valt")
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash, password)
    return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; False for a wrong password or no hash at all."""
    if not stored_hash:
        return dummy_verify(password)
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
