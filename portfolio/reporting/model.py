"""What a reporting period, a status report and its frozen snapshot are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import Field, model_validator

from portfolio import clock
from portfolio.models import Model, OneLine, Printable, Status, WindowsNewlines

DIMENSIONS = {
    "time": "Tid",
    "cost": "Kostnad",
    "scope": "Omfattning/kvalitet",
    "risk": "Risk",
    "benefit": "Nytta",
    "overall": "Totalt",
}
STATUS_COLUMNS = tuple(f"{d}_status" for d in DIMENSIONS)
REASON_COLUMNS = tuple(f"{d}_reason" for d in DIMENSIONS)
REPORT_FIELDS = (
    "reported_on",
    *(c for d in DIMENSIONS for c in (f"{d}_status", f"{d}_reason")),
    "next_steps",
)

DRAFT = "utkast"
PUBLISHED = "publicerad"
NO_SNAPSHOT = "ej sparat"
NO_SNAPSHOT_TEXT = (
    "Ej sparat: rapporten lämnades innan publicerade rapporter fick ett fruset underlag"
    " (budget, risker och nyttor vid publiceringen)."
)

Reason = Annotated[str, WindowsNewlines, Field(max_length=2000), Printable]
PeriodName = Annotated[str, OneLine, Field(min_length=1, max_length=30)]


class CalendarInput(Model):
    """One period of a year as the admin sets it."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    period: PeriodName
    start: date | None = None
    end: date | None = None
    meeting: date | None = None
    report_deadline: date | None = None
    review_deadline: date | None = None
    note: Annotated[str, OneLine, Field(max_length=500)] = ""


class ReportInput(Model):
    """A draft as the project leader writes it; every dimension may still be empty."""

    reported_on: date
    time_status: Status | None = None
    time_reason: Reason = ""
    cost_status: Status | None = None
    cost_reason: Reason = ""
    scope_status: Status | None = None
    scope_reason: Reason = ""
    risk_status: Status | None = None
    risk_reason: Reason = ""
    benefit_status: Status | None = None
    benefit_reason: Reason = ""
    overall_status: Status | None = None
    overall_reason: Reason = ""
    next_steps: Annotated[str, WindowsNewlines, Field(max_length=4000), Printable] = ""

    @model_validator(mode="after")
    def _not_in_future(self) -> ReportInput:
        if self.reported_on > clock.today():
            raise ValueError("Rapportdatum kan inte ligga i framtiden")
        return self


class PublishableReport(ReportInput):
    """A report ready to publish: every dimension has a status, each deviation a reason."""

    @model_validator(mode="after")
    def _complete(self) -> PublishableReport:
        empty = [label for key, label in DIMENSIONS.items() if getattr(self, f"{key}_status") is None]
        if empty:
            raise ValueError("Ange status för varje dimension innan du publicerar: " + ", ".join(empty))
        missing = [
            label
            for key, label in DIMENSIONS.items()
            if getattr(self, f"{key}_status") is not Status.GRON
            and not getattr(self, f"{key}_reason").strip()
        ]
        if missing:
            raise ValueError("Skriv ett skäl för varje status som inte är grön: " + ", ".join(missing))
        return self


@dataclass(frozen=True, slots=True)
class ReportDue:
    """A project's status report for a period and when it is due (from the reporting calendar)."""

    project_id: int
    project_code: str
    project_name: str
    period: str
    year: int
    deadline: date
    published: bool
    leader_user_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DueReport(ReportDue):
    """A project that must report in a period, and how it stands against the deadline."""

    days_overdue: int


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """A period's review deadline and the parties that have not recorded their review."""

    period: str
    year: int
    deadline: date
    parties: tuple[str, ...]


def days_text(days: int) -> str:
    """'1 dag', '3 dagar'."""
    return f"{days} dag" if days == 1 else f"{days} dagar"


def snapshot_label(snapshot: dict[str, Any] | None) -> str:
    """How a report's snapshot is named to a reader."""
    return NO_SNAPSHOT_TEXT if not snapshot else "Underlag fruset vid publiceringen"
