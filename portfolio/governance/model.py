"""What a valid meeting, agenda item, phase change, debit or new case is (input to the writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator, model_validator

from portfolio import models
from portfolio.models import (
    CaseCode,
    CaseKind,
    Line,
    Model,
    NonEmpty,
    NonEmptyLine,
    Ore,
    PartyCode,
    Phase,
    Text,
)

M = TypeVar("M", bound=BaseModel)

NumberKind = Literal["paragraf", "punkt"]


def parse(model: type[M], data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> M:
    """`portfolio.models.parse`, naming fields by the governance forms' labels unless given others."""
    return models.parse(model, data, labels or LABELS)


LABELS = {
    "date": "Datum",
    "kind": "Typ",
    "place": "Plats",
    "paragraphs": "Paragrafer",
    "moved_from": "Flyttat från",
    "moved_reason": "Skäl till flytten",
    "meeting_date": "Sammanträde",
    "number": "Nummer",
    "number_kind": "Numrering",
    "case": "Ärendenummer",
    "title": "Rubrik",
    "documents": "Beslutsunderlag",
    "changed_on": "Datum",
    "phase": "Fas",
    "work_date": "Datum för arbetet",
    "resource": "Resurs",
    "hours": "Timmar",
    "year": "År",
    "kr_per_hour": "Pris per timme",
    "code": "Ärendenummer",
    "name": "Namn",
    "owner_party": "Ägande part",
    "time": "Tid",
    "chair": "Ordförande",
    "members": "Ledamöter",
    "presenter": "Föredragande",
    "corrects_item_id": "Rättar beslut",
    "justerare": "Justerare",
    "anslag_up": "Anslag uppsatt",
    "anslag_down": "Anslag nedtaget",
    "note": "Anteckning",
}

MeetingState = Literal["planerat", "kallat", "genomfört", "justerat"]
STATES: tuple[MeetingState, ...] = ("planerat", "kallat", "genomfört", "justerat")


def paragraph_label(number_kind: str | None, number: int | None) -> str | None:
    """`§17` or `punkt 3`; None when the number is unknown."""
    if number is None:
        return None
    return f"§{number}" if number_kind == "paragraf" else f"punkt {number}"


class MeetingInput(Model):
    """A meeting in the plan: the date it is held and, if it was moved, from when and why."""

    date: dt.date
    kind: Literal["sammanträde", "extra sammanträde"] = "sammanträde"
    place: Line | None = None
    paragraphs: Line | None = None
    planned: bool = True
    moved_from: dt.date | None = None
    moved_reason: Text | None = None
    time: Line | None = None
    chair: Line | None = None
    members: Text | None = None
    source: Text | None = None

    @model_validator(mode="after")
    def _move_has_reason(self) -> MeetingInput:
        if self.moved_from is not None and not (self.moved_reason or "").strip():
            raise ValueError(f"Ange varför sammanträdet flyttades från {self.moved_from}")
        if self.moved_from is not None and self.moved_from == self.date:
            raise ValueError("Ett flyttat sammanträde måste ha ett annat datum än det ursprungliga")
        return self


class AgendaItemInput(Model):
    """One item of a meeting's agenda: §, case, title, summary, proposal and decision."""

    meeting_date: dt.date
    number_kind: NumberKind = "paragraf"
    number: Annotated[int, Field(ge=1)] | None = None
    case: CaseCode | None = None
    title: Annotated[NonEmpty, Field(max_length=2000)]
    summary: Text | None = None
    proposal: Text | None = None
    decision: Text | None = None
    documents: Annotated[tuple[Annotated[NonEmpty, Field(max_length=2000)], ...], Field(max_length=200)] = ()
    presenter: Line | None = None
    corrects_item_id: int | None = None
    source: Text | None = None

    @field_validator("case", "summary", "proposal", "decision", "presenter", "source", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class JusteringInput(Model):
    """How the protocol was justerat: when and where, by whom, and the notice board's dates."""

    date: dt.date | None = None
    place: Line | None = None
    justerare: Line | None = None
    anslag_up: dt.date | None = None
    anslag_down: dt.date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> JusteringInput:
        if self.date is None and not (self.note or "").strip():
            raise ValueError("Ange justeringens datum (eller i anteckningen varför det inte är känt)")
        if self.date and self.anslag_up and self.anslag_up < self.date:
            raise ValueError("Anslaget kan inte sättas upp före justeringen")
        if self.anslag_up and self.anslag_down and self.anslag_down < self.anslag_up:
            raise ValueError("Anslaget kan inte tas ned före den dag det sattes upp")
        return self


class PhaseChangeInput(Model):
    """A project enters `phase` on `changed_on`, by the decision in agenda item `agenda_item_id`."""

    project_id: int
    changed_on: dt.date
    phase: Phase
    agenda_item_id: int | None = None
    note: Text | None = None
    source: Text | None = None


MAX_HOURS = 10_000  # one debit: more than a person-year of work is a typing error
MAX_RATE_ORE = 100_000_00  # 100 000 kr an hour: with MAX_HOURS, no debit or sum nears 2**63 öre


def _hours(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("ange timmar som text eller Decimal, inte flyttal")
    if isinstance(value, str):
        value = value.strip().replace(",", ".").replace("\u2212", "-")
    return value


class DebitInput(Model):
    """Hours of an extra resource (jurist, ekonomi/personalstöd, upphandlare) worked for a project."""

    project_id: int
    work_date: dt.date
    resource: NonEmptyLine
    hours: Decimal
    note: Text | None = None

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_text(cls, value: Any) -> Any:
        return _hours(value)

    @field_validator("hours")
    @classmethod
    def _hours_positive(cls, value: Decimal) -> Decimal:
        shown = f"{value}".replace(".", ",").replace("-", "\u2212")
        if value < 0:
            raise ValueError(f"Antal timmar kan inte vara mindre än noll (angivet: {shown} h)")
        if value == 0:
            raise ValueError("Antal timmar måste vara fler än noll")
        if value > MAX_HOURS:
            raise ValueError(f"Ange högst {MAX_HOURS} timmar för ett arbete (angivet: {shown} h)")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"Ange timmar med högst två decimaler (angivet: {shown} h)")
        return value


class PriceRateInput(Model):
    """A year's price per hour for one resource type; each year has its own list."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    resource: NonEmptyLine
    kr_per_hour: Ore
    case: CaseCode | None = None
    source: Text | None = None

    @field_validator("kr_per_hour")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("Priset per timme måste vara större än noll")
        if value > MAX_RATE_ORE:
            raise ValueError("Priset per timme får vara högst 100 000 kr")
        return value


class NewCaseInput(Model):
    """A new case (ärende), pre-study or project in the portfolio."""

    code: CaseCode
    name: Annotated[NonEmpty, Field(max_length=500)]
    kind: CaseKind = CaseKind.ARENDE
    phase: Phase = Phase.IDE
    purpose: Text | None = None
    owner_party: PartyCode | None = None
    opened_on: dt.date | None = None
    source: Text | None = None

    @field_validator("owner_party", "purpose", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value
