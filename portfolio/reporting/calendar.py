"""The reporting calendar's rules: pure functions on dates, no database.

A reporting period (T1, T2, helår or another the admin names) has a deadline for the
projects' status reports and one for the kommunchefer's review, by default derived from the
meeting where the period's report is presented: ten and five days before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portfolio.models import Phase
from portfolio.periods import Period, PeriodRange

REPORT_DAYS_BEFORE_MEETING = 10
REVIEW_DAYS_BEFORE_MEETING = 5
# The phases whose projects report unless the project says otherwise.
ACTIVE_PHASES = frozenset({Phase.FORSTUDIE, Phase.GENOMFORANDE})
STANDARD_PERIODS = (Period.T1.value, Period.T2.value, Period.HELAR.value)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One period of a year in the calendar, with its deadlines."""

    year: int
    period: str
    start: date
    end: date
    report_deadline: date
    review_deadline: date
    meeting: date | None = None


def standard_range(year: int, period: str) -> tuple[date, date] | None:
    """The dates T1, T2 and helår cover (accumulated from January); None for another name."""
    if period not in STANDARD_PERIODS:
        return None
    span = PeriodRange(year, Period(period))
    return span.start, span.end


def presenting_meeting(period_end: date, meetings: Iterable[date]) -> date | None:
    """The first meeting after the period has ended: where its report is presented."""
    later = sorted(m for m in meetings if m > period_end)
    return later[0] if later else None


def default_deadlines(meeting: date) -> tuple[date, date]:
    """Status reports ten days and the review five days before the meeting."""
    return (
        meeting - timedelta(days=REPORT_DAYS_BEFORE_MEETING),
        meeting - timedelta(days=REVIEW_DAYS_BEFORE_MEETING),
    )


def deadline_window(year: int, end: date) -> tuple[date, date]:
    """When a deadline of the year's period may fall: within the year, and for a period that
    ends with the year (helår, presented at the next year's first meetings) up to 30 June after."""
    last = date(year + 1, 6, 30) if end >= date(year, 12, 31) else date(year, 12, 31)
    return date(year, 1, 1), last


def deadline_problems(entry: CalendarEntry) -> list[str]:
    """Why the entry's dates cannot stand, in Swedish; empty when they can."""
    problems: list[str] = []
    if entry.end < entry.start:
        problems.append(
            f"Perioden {entry.period} {entry.year} slutar ({entry.end}) före sin början ({entry.start})."
        )
    first, last = deadline_window(entry.year, entry.end)
    for label, day in (
        ("Sista dag för statusrapporter", entry.report_deadline),
        ("Sista dag för kommunchefernas granskning", entry.review_deadline),
    ):
        if not first <= day <= last:
            problems.append(
                f"{label} ({day}) ligger utanför rapportåret {entry.year}:"
                f" den ska ligga mellan {first} och {last}."
            )
        if entry.meeting is not None and day > entry.meeting:
            problems.append(
                f"{label} ({day}) ligger efter sammanträdet där rapporten redovisas ({entry.meeting})."
            )
    if entry.review_deadline < entry.report_deadline:
        problems.append(
            f"Granskningen ({entry.review_deadline}) kan inte sluta före sista dag för"
            f" statusrapporterna ({entry.report_deadline})."
        )
    return problems


def days_overdue(deadline: date, today: date, *, published: bool) -> int:
    """Whole days past the deadline of a report not yet published; 0 on the deadline itself."""
    if published:
        return 0
    return max(0, (today - deadline).days)


def last_missed(deadlines: Sequence[date], today: date) -> date | None:
    """The latest deadline that has passed (before today), or None."""
    passed = [d for d in deadlines if d < today]
    return max(passed) if passed else None


def next_due(deadlines: Sequence[date], today: date) -> date | None:
    """The first deadline on or after today, or None."""
    coming = [d for d in deadlines if d >= today]
    return min(coming) if coming else None


def period_of_day(day: date) -> tuple[int, str]:
    """The standard period a day falls in (jan–apr T1, maj–aug T2, sep–dec helår): used to bind
    reports filed before the calendar existed."""
    if day.month <= 4:
        return day.year, Period.T1.value
    if day.month <= 8:
        return day.year, Period.T2.value
    return day.year, Period.HELAR.value


def must_report(phase: str, override: bool | None) -> bool:
    """A project reports when it says so, else when its phase is active."""
    if override is not None:
        return override
    return phase in {p.value for p in ACTIVE_PHASES}
