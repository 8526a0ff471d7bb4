"""What a valid bruttolista activity, yearly outcome and status are."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from portfolio.models import Model, NonEmpty
from registers.fields import OptionalText

AREAS = (
    "Ledning/Styrning",
    "Digital kompetens",
    "Kärnverksamhet",
    "Kommunikation",
    "Infrastruktur",
    "Intern service och stöd",
    "Specialistfunktioner",
    "Expertis",
)


class ActivityStatus(StrEnum):
    """What became of an activity; shown as symbol + word, never colour alone."""

    EJ_PABORJAD = "ej påbörjad"
    PAGAR = "pågår"
    GENOMFORD = "genomförd"
    EJ_AKTUELL = "ej aktuell"
    BORDLAGD = "bordlagd"

    @property
    def symbol(self) -> str:
        return {
            "ej påbörjad": "○",
            "pågår": "◐",
            "genomförd": "●",
            "ej aktuell": "✕",
            "bordlagd": "‖",
        }[self.value]

    @property
    def display(self) -> str:
        return f"{self.symbol} {self.value.capitalize()}"


def status_display(status: str | None) -> str:
    """`◐ Pågår`; a dash for an activity without an outcome yet."""
    return ActivityStatus(status).display if status else "– Ingen uppföljning"


def _known_area(value: str) -> str:
    if value not in AREAS:
        raise ValueError(f"Okänt område '{value}'; välj bland {', '.join(AREAS)}")
    return value


Area = Annotated[str, AfterValidator(_known_area)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class ActivityInput(Model):
    """An activity of a year's operational plan."""

    plan_year: Year
    activity: Annotated[NonEmpty, Field(max_length=2000)]
    areas: Annotated[tuple[Area, ...], Field(min_length=1)]
    potential_outcome: OptionalText = None
    resources: tuple[Annotated[NonEmpty, Field(max_length=500)], ...] = ()
    note: OptionalText = None
    source: OptionalText = None


class OutcomeInput(Model):
    """What came of an activity in a year, and its status."""

    year: Year
    status: ActivityStatus
    outcome: OptionalText = None
    source: OptionalText = None


LABELS = {
    "plan_year": "Verksamhetsplanens år",
    "activity": "Aktivitet",
    "areas": "Område",
    "potential_outcome": "Potentiellt utfall",
    "resources": "Resurser",
    "year": "År",
    "status": "Status",
    "outcome": "Utfall",
}
