"""One clock: UTC in storage, Europe/Stockholm for people.

Every stored time stamp is `now()`: ISO text in UTC to the second (`2026-12-03T13:58:07+00:00`).
People read `local_text(stamp)`: `2026-12-03 14:58`, never an offset such as `+00:00`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import polars as pl

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> str:
    """The current time in UTC as ISO text to the second, as every `*_at` column holds it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def today() -> date:
    """Today in Sweden: the date a person means by "today", whatever the server's time zone."""
    return datetime.now(STOCKHOLM).date()


def parse(stamp: str | datetime) -> datetime:
    """A stored time stamp as an aware datetime; a stamp without offset is taken as UTC."""
    value = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp).strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_text(stamp: str | datetime | None, *, empty: str = "–") -> str:
    """A stored time stamp as Stockholm local time to the minute: `2026-12-03 14:58`."""
    if stamp is None or stamp == "":
        return empty
    try:
        value = parse(stamp)
    except ValueError:
        return str(stamp)
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def local_column(name: str) -> pl.Expr:
    """A column of stored time stamps as Stockholm local time text, `2026-12-03 14:58` (a frame's
    `local_text`, without a Python loop); a stamp without offset is taken as UTC, as `parse` does."""
    text = pl.col(name).str.strip_chars()
    aware = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False).dt.convert_time_zone("UTC")
    naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False).dt.replace_time_zone("UTC")
    return (
        pl.coalesce(aware, naive)
        .dt.convert_time_zone("Europe/Stockholm")
        .dt.strftime("%Y-%m-%d %H:%M")
        .alias(name)
    )


def local_to_utc(stamp: str) -> str:
    """A naive Stockholm local time stamp (as older versions stored) as UTC ISO text.

    A stamp that already has an offset is only normalised to UTC; text that is no time stamp
    is returned as it is.
    """
    text = stamp.strip()
    if len(text) <= len("2026-12-03"):  # a date alone has no time to convert
        return stamp
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return stamp
    if value.tzinfo is None:
        value = value.replace(tzinfo=STOCKHOLM)
    return value.astimezone(UTC).isoformat(timespec="seconds")
