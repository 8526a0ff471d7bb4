"""Named business errors; pages and the CLI catch these, never a bare Exception."""

from __future__ import annotations


class PortfoljError(Exception):
    """Base of every error a user should see as a message."""


class PermissionDeniedError(PortfoljError):
    """The acting user's role does not allow the action."""


class StaleEditError(PortfoljError):
    """The record changed since the user read it; the edit is refused, not merged."""

    def __init__(self, message: str, current: dict | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


class NotFoundError(PortfoljError):
    """A referenced record does not exist."""


MAX_MESSAGES = 20


def capped(messages: list[str], limit: int = MAX_MESSAGES) -> list[str]:
    """Each message once, at most `limit` of them and then "… och N till"."""
    unique = list(dict.fromkeys(messages))
    if len(unique) <= limit:
        return unique
    return [*unique[:limit], f"… och {len(unique) - limit} till"]


class InvalidInputError(PortfoljError):
    """Input failed validation; `messages` lists each problem in Swedish (capped, see `capped`)."""

    def __init__(self, messages: list[str]) -> None:
        messages = capped(list(messages))
        super().__init__("\n".join(messages))
        self.messages = messages


class ImportRejectedError(InvalidInputError):
    """A whole import was refused; nothing was written."""


class DatabaseDamagedError(PortfoljError):
    """The database failed its integrity check and must not be served."""
