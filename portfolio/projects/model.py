"""What a valid project, budget line, stated total and milestone is, as the writes receive them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from portfolio.models import (
    DIARIENUMMER_RE,
    CaseCode,
    CaseKind,
    Line,
    Model,
    NonEmpty,
    NonEmptyLine,
    OneLine,
    Ore,
    Phase,
    Split,
    Status,
    Text,
)

OBJECT_RE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")

# The largest amount one budget line may carry (10 000 000 000 kr, in öre): far above any
# municipal project and far below what a sum of many lines could overflow.
MAX_LINE_ORE = 10_000_000_000 * 100

KIND_LABELS = {
    CaseKind.PROJEKT: "projekt",
    CaseKind.FORSTUDIE: "förstudie",
    CaseKind.ARENDE: "ärende",
    CaseKind.DRIFT: "löpande drift",
}

LINE_KIND_LABELS = {"budget": "budgetrad", "tillkommande": "kostnad utanför budget"}

LABELS = {
    "code": "Diarienummer",
    "name": "Namn",
    "kind": "Typ",
    "purpose": "Syfte",
    "goals": "Mål",
    "phase": "Fas",
    "status": "Status",
    "status_reason": "Skäl till status",
    "owner_party": "Ägande part",
    "financing_parties": "Finansierande parter",
    "objects": "Objekt i redovisningen",
    "leaders": "Projektledare",
    "leader_accounts": "Projektledarkonton",
    "steering_group": "Styrgrupp",
    "start_date": "Planerad start",
    "planned_end_date": "Planerat slut",
    "actual_end_date": "Faktiskt slut",
    "budget_kr": "Budget / kostnadstak",
    "actual_kr": "Utfall",
    "notes": "Anteckningar",
    "activity": "Aktivitet",
    "budget": "Budget per finansiär",
    "outcome": "Utfall per finansiär",
    "budget_total": "Budget totalt",
    "outcome_total": "Utfall totalt",
    "financier": "Finansiär",
    "amount": "Belopp",
    "planned_date": "Planerat datum",
    "new_date": "Nytt planerat datum",
    "reason": "Skäl",
    "actual_date": "Datum då milstolpen nåddes",
    "extra": "Tillkommande kostnader",
    "total_cost": "Total kostnad",
}


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class Person(Model):
    """A named person and the organisation they come from (a leader without an account)."""

    name: NonEmptyLine
    organisation: Line | None = None

    @field_validator("organisation", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)

    def text(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @classmethod
    def parse(cls, text: str) -> Person:
        """`Anna Berg (Bräcke kommun)` → name and organisation."""
        text = text.strip()
        if text.endswith(")") and "(" in text:
            name, _, org = text[:-1].partition("(")
            return cls(name=name.strip(), organisation=org.strip() or None)
        return cls(name=text)


ObjectNumber = Annotated[str, Field(pattern=OBJECT_RE.pattern)]


class ProjectInput(Model):
    """A project's or case's facts, people and parties; money lives in budget lines."""

    code: CaseCode
    name: Annotated[NonEmpty, Field(max_length=300), OneLine]
    kind: CaseKind = CaseKind.PROJEKT
    purpose: Text | None = None
    goals: Text | None = None
    phase: Phase = Phase.IDE
    status: Status = Status.GRON
    status_reason: Text | None = None
    owner_party: Line | None = None
    financing_parties: tuple[Line, ...] = ()
    objects: tuple[ObjectNumber, ...] = ()
    leaders: tuple[Person, ...] = ()
    leader_accounts: tuple[Line, ...] = ()
    steering_group: tuple[Person, ...] = ()
    start_date: dt.date | None = None
    planned_end_date: dt.date | None = None
    actual_end_date: dt.date | None = None
    budget_kr: Ore | None = None
    actual_kr: Ore | None = None
    notes: Text | None = None
    source: Line | None = None

    @field_validator(
        "purpose", "goals", "status_reason", "owner_party", "notes", "source", "code", mode="before"
    )
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)

    @field_validator("financing_parties", "objects", "leader_accounts", mode="before")
    @classmethod
    def _no_blank_items(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(v.strip() if isinstance(v, str) else v for v in value if v not in (None, ""))
        return value

    @field_validator("budget_kr", "actual_kr")
    @classmethod
    def _money_bounds(cls, value: int | None) -> int | None:
        return _check_amount(value)

    @model_validator(mode="after")
    def _consistent(self) -> ProjectInput:
        if self.start_date and self.planned_end_date and self.planned_end_date < self.start_date:
            raise ValueError("Planerat slut måste vara samma dag som eller efter planerad start")
        if self.start_date and self.actual_end_date and self.actual_end_date < self.start_date:
            raise ValueError("Faktiskt slut måste vara samma dag som eller efter planerad start")
        if self.actual_end_date and self.phase is not Phase.AVSLUTAD:
            raise ValueError("Ett faktiskt slutdatum anges när projektet avslutas (fas avslutad)")
        for name, values in (
            ("Finansierande parter", self.financing_parties),
            ("Objekt i redovisningen", self.objects),
            ("Projektledarkonton", tuple(v.casefold() for v in self.leader_accounts)),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"{name}: samma värde finns två gånger")
        return self

    @property
    def has_diarienummer(self) -> bool:
        return bool(DIARIENUMMER_RE.match(self.code))


# Fields only the e-strateg (admin) changes: who leads, who pays, money and the ledger's objects.
ADMIN_ONLY_FIELDS = (
    "code",
    "kind",
    "phase",
    "owner_party",
    "financing_parties",
    "objects",
    "leaders",
    "leader_accounts",
    "budget_kr",
    "actual_kr",
    "actual_end_date",
)


def _check_amount(value: int | None) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise ValueError("Beloppet får inte vara negativt")
    if value > MAX_LINE_ORE:
        raise ValueError("Beloppet är orimligt stort (högst 10 000 000 000 kr)")
    return value


class Share(Model):
    """One financier's part of a line: a party code, or KOMMUNERNA (shared by population)."""

    financier: NonEmptyLine
    amount: Ore

    @field_validator("amount")
    @classmethod
    def _bounds(cls, value: int) -> int:
        checked = _check_amount(value)
        assert checked is not None
        return checked


class BudgetLineInput(Model):
    """One activity's budget and outcome, each split between its financiers.

    A total is the sum of its parts. A document that rounds each figure on its own may
    differ by less than one krona per part; `document_rounding` keeps such a total as written.
    """

    activity: NonEmptyLine
    kind: Literal["budget", "tillkommande"] = "budget"
    budget: tuple[Share, ...] = ()
    budget_total: Ore | None = None
    outcome: tuple[Share, ...] = ()
    outcome_total: Ore | None = None
    note: Text | None = None
    source: Line | None = None
    document_rounding: bool = False

    @field_validator("note", "source", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)

    @field_validator("budget_total", "outcome_total")
    @classmethod
    def _bounds(cls, value: int | None) -> int | None:
        return _check_amount(value)

    @model_validator(mode="after")
    def _parts_add_up(self) -> BudgetLineInput:
        if self.kind == "tillkommande" and (self.budget or self.budget_total):
            raise ValueError("En kostnad utanför budget har inget budgetbelopp, bara utfall")
        for side, shares, total in (
            ("budgeten", self.budget, self.budget_total),
            ("utfallet", self.outcome, self.outcome_total),
        ):
            financiers = [s.financier for s in shares]
            if len(set(financiers)) != len(financiers):
                raise ValueError(f"Samma finansiär förekommer två gånger i {side}")
            if total is None or not shares:
                continue
            parts = sum(s.amount for s in shares)
            tolerance = 100 * len(shares) if self.document_rounding else 0
            if abs(total - parts) > tolerance:
                raise ValueError(
                    f"Finansiärernas delar i {side} blir {parts // 100} kr men totalen är {total // 100} kr;"
                    " delarna måste tillsammans bli totalen"
                )
        return self

    def total(self, side: Literal["budget", "outcome"]) -> int | None:
        """The line's total on one side: as given, else the sum of its parts, else None."""
        shares = self.budget if side == "budget" else self.outcome
        given = self.budget_total if side == "budget" else self.outcome_total
        if given is not None:
            return given
        return sum(s.amount for s in shares) if shares else None


class StatedTotalsInput(Model):
    """The totals a report states where they differ from the sum of its lines (LINK2's final report)."""

    budget: Split = Split()
    outcome: Split = Split()
    extra_kr: Ore | None = None
    total_cost_kr: Ore | None = None
    source: Line | None = None

    @field_validator("extra_kr", "total_cost_kr")
    @classmethod
    def _bounds(cls, value: int | None) -> int | None:
        return _check_amount(value)


class MilestoneInput(Model):
    """A milestone's name and first planned date; later dates come by re-planning."""

    name: NonEmptyLine
    planned_date: dt.date | None = None
    note: Text | None = None
    source: Line | None = None

    @field_validator("note", "source", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_is_none(value)


class ReplanInput(Model):
    """A milestone moves to a new date for a reason; every earlier date is kept."""

    new_date: dt.date
    reason: Annotated[NonEmpty, Field(max_length=2000)]
    changed_on: dt.date | None = None
    source: Line | None = None
