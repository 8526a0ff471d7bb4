"""Financial periods: the calendar year and its accumulated tertials."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Period(StrEnum):
    """A reporting period, accumulated from January."""

    T1 = "T1"
    T2 = "T2"
    HELAR = "helår"

    @property
    def last_month(self) -> int:
        return {"T1": 4, "T2": 8, "helår": 12}[self.value]

    @property
    def label(self) -> str:
        return {
            "T1": "Tertial 1 (jan–apr)",
            "T2": "Tertial 2 (jan–aug, delårsrapport)",
            "helår": "Helår (jan–dec, årsbokslut)",
        }[self.value]

    @classmethod
    def parse(cls, text: str) -> Period:
        """Accept T1, T2, helår/helar/HELÅR."""
        norm = text.strip().lower().replace("helar", "helår")
        for member in cls:
            if member.value.lower() == norm:
                return member
        raise ValueError(f"Okänd period '{text}': ange T1, T2 eller helår")


@dataclass(frozen=True, slots=True)
class PeriodRange:
    """The dates a period covers in a year."""

    year: int
    period: Period

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        last = self.period.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    def contains_month(self, year: int, month: int) -> bool:
        return year == self.year and 1 <= month <= self.period.last_month


def last_tertial_end(today: date) -> date:
    """The end date of the most recent tertial that has closed before `today`."""
    candidates = [PeriodRange(y, p).end for y in (today.year - 1, today.year) for p in Period]
    return max(d for d in candidates if d < today)
