"""Seed of the reporting calendar (reporting.yaml): each period and the meeting that presents it.

Deadlines are derived from the meeting (see portfolio.reporting.calendar); a period already in
the calendar is left as it is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import ValidationError

from portfolio.auth import User
from portfolio.db import Database
from portfolio.models import Model, NonEmpty, Source, source_text, validation_messages
from portfolio.reporting import service, store
from portfolio.reporting.model import CalendarInput

FILE = "reporting.yaml"


class SeedPeriod(Model):
    year: int
    period: NonEmpty
    meeting: date
    note: str | None = None
    source: Source


def load(data_dir: Path) -> list[SeedPeriod]:
    """The whole file, validated; SeedError naming file, record and field otherwise."""
    from seed.loader import SeedError, read_yaml

    try:
        return [SeedPeriod.model_validate(raw) for raw in read_yaml(data_dir / FILE) or []]
    except ValidationError as exc:
        raise SeedError(validation_messages(exc, FILE)) from exc


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the calendar's missing periods (in the caller's transaction)."""
    added = 0
    for entry in load(data_dir):
        if store.period_row(db, entry.year, entry.period) is not None:
            continue
        note = "; ".join(t for t in (entry.note, f"Källa: {source_text(entry.source)}") if t)
        service.set_period(
            db, user, CalendarInput(year=entry.year, period=entry.period, meeting=entry.meeting, note=note)
        )
        added += 1
    return {"rapportperioder": added}
