"""What an Att göra item is, and the inputs the items are built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import polars as pl

from portfolio.reporting.model import ReportDue  # the calendar's report due; the items are built from it


class Kind(StrEnum):
    """The kinds of item; the value is the heading the page and the e-mail use."""

    REPORT = "Statusrapporter"
    REVIEW = "Granskning av tertialrapporter"
    ACTION = "Försenade åtgärder"
    RISK_REVIEW = "Risker att följa upp"
    BENEFIT = "Nyttor att mäta"
    MISSING_REPORTS = "Projekt som inte har rapporterat"
    MISSING_REVIEWS = "Granskningar som saknas"
    CHANGE = "Ändrat sedan förra sammanträdet"


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One thing to do (or, for the nämnd, to know), with the page where it is done.

    `key` names the thing itself (not the day it was built), so a reminder about it is sent once;
    `due` is its deadline when it has one; `remind` says whether it is worth an e-mail.
    """

    kind: Kind
    key: str
    text: str  # may hold user text: shown as written, never as Markdown
    page: str  # the page's file under dashboard/, e.g. "app_pages/risks.py"
    params: tuple[tuple[str, str], ...] = ()
    due: date | None = None
    remind: bool = False

    def days_left(self, today: date) -> int | None:
        """Days to the deadline (negative when it has passed), or None without one."""
        return None if self.due is None else (self.due - today).days

    def when_text(self, today: date) -> str:
        """The deadline in a reader's words: "senast 2020-05-15 (om 3 dagar)", "försenad 12 dagar"."""
        left = self.days_left(today)
        if left is None or self.due is None:
            return ""
        if left < 0:
            late = -left
            return f"försenad {late} {'dag' if late == 1 else 'dagar'} (senast {self.due.isoformat()})"
        if left == 0:
            return f"senast i dag ({self.due.isoformat()})"
        return f"senast {self.due.isoformat()} (om {left} {'dag' if left == 1 else 'dagar'})"


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """A tertial report's review deadline and the parties that have not recorded their review."""

    period: str
    year: int
    deadline: date
    missing_parties: tuple[str, ...] = ()


def _empty(schema: Mapping[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


ACTIONS_SCHEMA = {
    "id": pl.Int64,
    "risk_id": pl.Int64,
    "risk": pl.String,
    "project_id": pl.Int64,
    "project": pl.String,
    "description": pl.String,
    "due_date": pl.String,
    "status": pl.String,
}
RISKS_SCHEMA = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,  # the project's code
    "title": pl.String,
    "status": pl.String,
    "next_review": pl.String,
}
BENEFITS_SCHEMA = {
    "id": pl.Int64,
    "project_id": pl.Int64,
    "project": pl.String,
    "title": pl.String,
    "owner_email": pl.String,
    "latest_date": pl.Date,
    "target_date": pl.Date,
}
CHANGES_SCHEMA = {
    "on": pl.String,  # YYYY-MM-DD
    "project": pl.String,  # project code, or null
    "text": pl.String,
}


@dataclass(frozen=True)
class TodoInputs:
    """Everything the items are built from, read once; frames hold at least the schemas above.

    `actions`: risk actions; `risks`: risks with their next review date; `benefits`: the benefit
    register with each benefit's latest measurement; `changes`: what happened since the last
    held meeting (`since`), for the nämnd.
    """

    today: date
    actions: pl.DataFrame = field(default_factory=lambda: _empty(ACTIONS_SCHEMA))
    risks: pl.DataFrame = field(default_factory=lambda: _empty(RISKS_SCHEMA))
    benefits: pl.DataFrame = field(default_factory=lambda: _empty(BENEFITS_SCHEMA))
    reports: tuple[ReportDue, ...] = ()
    reviews: tuple[ReviewDue, ...] = ()
    party_names: dict[str, str] = field(default_factory=dict)
    next_meeting: date | None = None
    since: date | None = None  # the last meeting that was held
    changes: pl.DataFrame = field(default_factory=lambda: _empty(CHANGES_SCHEMA))
