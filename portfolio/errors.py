"""Named business errors; pages and the CLI catch these, never a bare Exception."""

from __future__ import annotations

import re


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


_MORE_RE = re.compile(r"^… och (\d+) (?:\w+ )?till\.?$")


def capped(messages: list[str], limit: int = MAX_MESSAGES) -> list[str]:
    """Each message once, at most `limit` of them and then "… och N till".

    A list that was capped before keeps its count: capping again folds the earlier "… och N
    till" into the new one.
    """
    unique = list(dict.fromkeys(messages))
    more = 0
    found = _MORE_RE.match(unique[-1]) if unique else None
    if found:
        more, unique = int(found.group(1)), unique[:-1]
    if len(unique) > limit:
        more += len(unique) - limit
        unique = unique[:limit]
    return [*unique, f"… och {more} till"] if more else unique


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


class DatabaseNotReadyError(DatabaseDamagedError):
    """The file is missing, empty, foreign or has an older or newer schema than this version."""


class DatabaseBusyError(InvalidInputError):
    """Another write (an import) held the write lock longer than a write waits; nothing was saved."""


class DiskFullError(InvalidInputError):
    """The disk (or the database's size limit) is full; the write was rolled back, nothing was lost."""
