"""Pydantic models of the core: what a valid party, project, budget line or meeting is."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from portfolio.money import to_ore


class Model(BaseModel):
    """Frozen, strict about unknown fields: a typo in a seed file is an error, not a silent drop."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _ore_from_kronor(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        raise ValueError("belopp får inte vara flyttal; skriv heltal kronor eller text '12.50'")
    if isinstance(value, int | str | Decimal):
        return to_ore(value)
    return value


# Amounts arrive in kronor (as the documents write them) and are kept as integer öre.
Ore = Annotated[int, BeforeValidator(_ore_from_kronor)]

DIARIENUMMER_RE = re.compile(r"^[A-ZÅÄÖ]+/\d+/\d{4}$")
CODE_RE = re.compile(r"^([A-ZÅÄÖ]+/\d+/\d{4}|\d{3,8}|[A-ZÅÄÖ][A-ZÅÄÖ0-9-]{1,30})$")


def _check_code(value: str) -> str:
    if not CODE_RE.match(value):
        raise ValueError(
            f"'{value}' är inget giltigt ärendenummer: skriv diarienummer som GNS/8/2018, "
            "ett objektnummer som 6663 eller en kort kod med versaler som INFO-ATLAS"
        )
    return value


def _check_diarienummer(value: str) -> str:
    if not DIARIENUMMER_RE.match(value):
        raise ValueError(f"'{value}' är inget diarienummer: skriv till exempel GNS/8/2018")
    return value


Diarienummer = Annotated[str, AfterValidator(_check_diarienummer)]
CaseCode = Annotated[str, AfterValidator(_check_code)]
PartyCode = Annotated[str, Field(pattern=r"^[A-Z]{2,12}$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class DocRef(Model):
    """Where a record comes from: a seed document and its § or section."""

    doc: NonEmpty
    ref: str | None = None

    def text(self) -> str:
        return f"{self.doc}, {self.ref}" if self.ref else self.doc


ILLUSTRATIVE = "illustrativ"
Source = Literal["illustrativ"] | DocRef


def source_text(source: Source | None) -> str:
    """One line of text for a source: the document and § or "illustrativ"."""
    if source is None:
        return ""
    return source if isinstance(source, str) else source.text()


class Phase(StrEnum):
    IDE = "idé"
    FORSTUDIE = "förstudie"
    GENOMFORANDE = "genomförande"
    FORVALTNING = "förvaltning"
    AVSLUTAD = "avslutad"


class Status(StrEnum):
    """Traffic-light status with a symbol and a word, so colour never carries it alone."""

    GRON = "grön"
    GUL = "gul"
    ROD = "röd"

    @property
    def symbol(self) -> str:
        return {"grön": "●", "gul": "▲", "röd": "■"}[self.value]

    @property
    def label(self) -> str:
        return {"grön": "Enligt plan", "gul": "Risk för avvikelse", "röd": "Avviker"}[self.value]

    @property
    def display(self) -> str:
        return f"{self.symbol} {self.value.capitalize()} – {self.label}"


class CaseKind(StrEnum):
    PROJEKT = "projekt"
    FORSTUDIE = "förstudie"
    ARENDE = "ärende"
    DRIFT = "drift"


class Party(Model):
    code: PartyCode
    name: NonEmpty
    kind: Literal["region", "kommun"]
    population: dict[int, Annotated[int, Field(gt=0)]] | None = None
    source: Source
    name_source: Source | None = None
    note: str | None = None


class Person(Model):
    name: NonEmpty
    organisation: str | None = None


class MilestoneChange(Model):
    changed_on: date | None = None
    new_date: date
    reason: str | None = None
    note: str | None = None
    source: Source | None = None


class Milestone(Model):
    name: NonEmpty
    planned_date: date | None = None
    actual_date: date | None = None
    changes: tuple[MilestoneChange, ...] = ()
    note: str | None = None
    source: Source | None = None

    @property
    def current_planned(self) -> date | None:
        return self.changes[-1].new_date if self.changes else self.planned_date


class Split(Model):
    """An amount and its split between the region and the municipalities."""

    total: Ore | None = None
    region: Ore | None = None
    kommunerna: Ore | None = None

    @property
    def rounding_difference(self) -> int | None:
        """What the document's total differs from its parts by (a rounding in the source)."""
        if self.total is None or (self.region is None and self.kommunerna is None):
            return None
        return self.total - (self.region or 0) - (self.kommunerna or 0)


class BudgetLine(Model):
    activity: NonEmpty
    kind: Literal["budget", "tillkommande"] = "budget"
    budget: Split | None = None
    outcome: Split | None = None
    note: str | None = None
    source: Source


class BudgetTotals(Model):
    """The document's own totals of a budget table, checked against its lines."""

    budget: Split
    outcome: Split
    tillkommande_kr: Ore | None = None
    total_cost_kr: Ore | None = None
    note: str | None = None
    source: Source | None = None


class Project(Model):
    code: CaseCode
    has_diarienummer: bool = True
    name: NonEmpty
    kind: CaseKind
    purpose: str | None = None
    phase: Phase
    status: Status
    status_reason: str | None = None
    owner_party: PartyCode | None = None
    financing_parties: tuple[PartyCode, ...] = ()
    object: str | None = None
    leaders: tuple[Person, ...] = ()
    steering_group: tuple[Person, ...] = ()
    start_date: date | None = None
    planned_end_date: date | None = None
    actual_end_date: date | None = None
    milestones: tuple[Milestone, ...] = ()
    budget_lines: tuple[BudgetLine, ...] = ()
    budget_totals: BudgetTotals | None = None
    budget_kr: Ore | None = None
    actual_kr: Ore | None = None
    notes: str | None = None
    source: Source

    @model_validator(mode="after")
    def _dates_in_order(self) -> Project:
        if self.start_date and self.planned_end_date and self.planned_end_date < self.start_date:
            raise ValueError("Slutdatum måste vara samma dag som eller efter startdatum")
        if self.has_diarienummer and not DIARIENUMMER_RE.match(self.code) and not self.code.isdigit():
            raise ValueError(
                f"'{self.code}' är inget diarienummer; sätt has_diarienummer: false för en kort kod"
            )
        return self


class AgendaItem(Model):
    number: Annotated[int, Field(ge=0)] | None = None
    number_kind: Literal["paragraf", "punkt"] = "paragraf"
    case: CaseCode | None = None
    title: NonEmpty
    summary: str | None = None
    proposal: str | None = None
    decision: str | None = None
    documents: tuple[str, ...] = ()
    related_cases: tuple[CaseCode, ...] = ()
    decision_differs: bool | None = None
    decision_note: str | None = None
    decision_source: Source | None = None
    number_inferred: bool = False
    number_note: str | None = None
    note: str | None = None
    source: Source


class Meeting(Model):
    date: dt.date
    kind: Literal["sammanträde", "extra sammanträde"] = "sammanträde"
    place: str | None = None
    time: str | None = None
    chair: str | None = None
    adjuster: str | None = None
    minutes_in_seeds: bool = False
    paragraphs: str | None = None
    moved_from: dt.date | None = None
    moved_reason: str | None = None
    planned: bool = False
    items: tuple[AgendaItem, ...] = ()
    note: str | None = None
    source: Source

    @model_validator(mode="after")
    def _unique_numbers(self) -> Meeting:
        seen: set[tuple[str, int]] = set()
        for item in self.items:
            if item.number is None:
                continue
            key = (item.number_kind, item.number)
            if key in seen:
                sign = "§" if item.number_kind == "paragraf" else "punkt "
                raise ValueError(f"{sign}{item.number} förekommer två gånger i mötet {self.date}")
            seen.add(key)
        return self


def validation_messages(error: ValidationError, where: str = "") -> list[str]:
    """Turn a pydantic ValidationError into readable Swedish lines naming each field."""
    messages = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "__root__")
        msg = err["msg"].removeprefix("Value error, ")
        msg = _SWEDISH.get(err["type"], msg) if err["type"] in _SWEDISH else msg
        prefix = f"{where}: " if where else ""
        field = f"fältet '{loc}': " if loc else ""
        messages.append(f"{prefix}{field}{msg}")
    return messages


_SWEDISH = {
    "missing": "saknas men måste anges",
    "extra_forbidden": "okänt fält (stavfel?)",
    "date_from_datetime_parsing": "är inget datum; skriv ÅÅÅÅ-MM-DD",
    "date_parsing": "är inget datum; skriv ÅÅÅÅ-MM-DD",
    "date_type": "är inget datum; skriv ÅÅÅÅ-MM-DD",
    "int_parsing": "är inget heltal",
    "int_type": "är inget heltal",
    "string_type": "måste vara text",
    "enum": "har ett värde som inte är tillåtet",
    "literal_error": "har ett värde som inte är tillåtet",
    "string_pattern_mismatch": "har fel form",
    "string_too_short": "får inte vara tomt",
    "greater_than": "måste vara större än noll",
    "greater_than_equal": "får inte vara negativt",
}
