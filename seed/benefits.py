"""Seed of benefits: validate the data file, then insert what is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from portfolio import store as core_store
from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.errors import InvalidInputError, NotFoundError
from portfolio.models import (
    CaseCode,
    Model,
    NonEmpty,
    Ore,
    PartyCode,
    Source,
    source_text,
    validation_messages,
)
from portfolio.money import ore_to_kronor
from registers.benefits import store
from registers.benefits.model import BenefitInput, BenefitValueInput, Direction, Kind, Measured, Point
from seed.inputs import input_from

FILE = "benefits.yaml"


class SeedPoint(Model):
    date: dt.date
    value: Measured


class Observation(Model):
    text: NonEmpty
    kind: Literal["signal", "iakttagelse"] = "signal"
    date: dt.date | None = None
    source: Source


class SeedValue(Model):
    year: Annotated[int, Field(ge=2000, le=2100)]
    amount_kr: Ore | None = None
    hours: Measured | None = None
    rate_kr: Ore | None = None
    party: PartyCode | None = None
    source: Source


class SeedBenefit(Model):
    """One benefit or effect goal as the seed file writes it."""

    kind: Kind
    title: NonEmpty
    indicator: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    definition_source: Source | None = None
    baseline: SeedPoint | None = None
    target: SeedPoint | None = None
    owner: str | None = None
    owner_email: str | None = None
    parties: tuple[PartyCode, ...] = ()
    measured: bool = False
    monetary: bool = False
    value_kr_per_year: None = None
    values: tuple[SeedValue, ...] = ()
    status_text: str | None = None
    observations: tuple[Observation, ...] = ()
    note: str | None = None
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> SeedBenefit:
        if self.measured:
            raise ValueError(
                "measured: true kräver mätningar, som grunddatan inte har; skriv measured: false"
            )
        if self.values and not self.monetary:
            raise ValueError("values (belopp per år) kräver monetary: true")
        return self

    def as_input(self) -> BenefitInput:
        return input_from(
            self,
            BenefitInput,
            baseline=Point(date=self.baseline.date, value=self.baseline.value) if self.baseline else None,
            target=Point(date=self.target.date, value=self.target.value) if self.target else None,
        )


class FollowUp(Model):
    text: NonEmpty
    source: Source


class BenefitsHeader(Model):
    """The file's fields besides its list of benefits."""

    project: CaseCode
    follow_up: FollowUp | None = None


def load(path: Path) -> tuple[BenefitsHeader, list[SeedBenefit], list[BenefitInput]]:
    """Validate the whole file; InvalidInputError naming file, record and field for each problem."""
    from seed.loader import read_yaml  # the loader imports this module; import at call time

    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InvalidInputError([f"{path.name}: filen ska vara en mappning med project och benefits"])
    problems: list[str] = []
    records: list[SeedBenefit] = []
    items = raw.get("benefits")
    if not isinstance(items, list):
        raise InvalidInputError([f"{path.name}: fältet 'benefits' ska vara en lista"])
    for index, item in enumerate(items):
        name = f"post {index + 1}" + (f" ({item.get('title')})" if isinstance(item, dict) else "")
        try:
            records.append(SeedBenefit.model_validate(item))
        except ValidationError as exc:
            problems += validation_messages(exc, f"{path.name}, {name}")
    try:
        header = BenefitsHeader.model_validate({k: v for k, v in raw.items() if k != "benefits"})
    except ValidationError as exc:
        problems += validation_messages(exc, path.name)
        header = None
    inputs: list[BenefitInput] = []
    for index, record in enumerate(records):
        try:
            inputs.append(record.as_input())
        except ValidationError as exc:
            problems += validation_messages(exc, f"{path.name}, post {index + 1} ({record.title})")
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.kind, record.title)
        if key in seen:
            problems.append(f"{path.name}: {record.kind} '{record.title}' förekommer två gånger")
        seen.add(key)
    if problems or header is None:
        raise InvalidInputError(problems)
    return header, records, inputs


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing seed records (inside the caller's transaction); counts per kind."""
    path = data_dir / FILE
    if not path.exists():
        return {}
    header, records, inputs = load(path)
    try:
        project_id = core_store.project_id_for(db, header.project)
    except NotFoundError as exc:
        raise InvalidInputError([f"{FILE}: project: {exc}"]) from exc
    unknown = sorted(
        {p for r in records for p in r.parties if not core_store.party_exists(db, p)}
        | {v.party for r in records for v in r.values if v.party and not core_store.party_exists(db, v.party)}
    )
    if unknown:
        raise InvalidInputError([f"{FILE}: okänd part '{p}'" for p in unknown])
    inserted = {"effektmål": 0, "nyttor": 0}
    if header.follow_up is not None and store.insert_follow_up(
        db, project_id, header.follow_up.text, source_text(header.follow_up.source)
    ):
        audit_by(
            db,
            user,
            "skapa",
            "nyttouppföljning",
            header.project,
            after=header.follow_up.model_dump(mode="json"),
            project_id=project_id,
        )
    for record, data in zip(records, inputs, strict=True):
        if store.benefit_exists(db, project_id, data.kind, data.title):
            continue
        benefit_id = store.insert_benefit(
            db,
            project_id,
            data,
            source=source_text(record.source) or None,
            definition_source=source_text(record.definition_source) or None,
            doc_status=record.status_text,
        )
        for observation in record.observations:
            store.insert_observation(
                db,
                benefit_id,
                text=observation.text,
                kind=observation.kind,
                observed_on=observation.date.isoformat() if observation.date else None,
                source=source_text(observation.source),
            )
        for value in record.values:
            store.insert_value(
                db, benefit_id, _value_input(value), user_id=user.id, source=source_text(value.source)
            )
        audit_by(
            db,
            user,
            "skapa",
            "nytta",
            benefit_id,
            after=record.model_dump(mode="json"),
            project_id=project_id,
        )
        inserted["effektmål" if data.kind == "effektmål" else "nyttor"] += 1
    return inserted


def _value_input(value: SeedValue) -> BenefitValueInput:
    data: dict[str, Any] = {"year": value.year, "party": value.party}
    if value.amount_kr is not None:
        data["amount"] = ore_to_kronor(value.amount_kr)
    if value.hours is not None:
        data["hours"] = value.hours
        if value.rate_kr is not None:
            data["rate"] = ore_to_kronor(value.rate_kr)
    return BenefitValueInput.model_validate(data)
