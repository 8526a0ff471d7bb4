"""Password hashing with argon2id; only `$argon2id$` hashes are ever stored."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """An argon2id hash of `password`; refuses passwords shorter than 12 characters."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"Lösenordet måste ha minst {MIN_LENGTH} tecken")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; False for a wrong password or no hash at all."""
    if not stored_hash:
        # Hash anyway so a missing account takes as long as a wrong password.
        _hasher.hash("dummy-password-for-timing")
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
