"""Seed of bruttolista: the eleven activities of Verksamhetsplan 2019 with their 2019 outcomes.

Validate the whole file (and that every linked case exists) first, then insert what is missing,
one audit row per insert.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.governance import store as governance_store
from portfolio.models import CaseCode, Model, NonEmpty, Source, source_text, validation_messages
from registers.bruttolista import store
from registers.bruttolista.model import ActivityInput, ActivityStatus, Area, OutcomeInput
from seed.inputs import input_from

FILE = "bruttolista.yaml"


class SeedActivity(Model):
    """One row of the bruttolista table as the annual report gives it."""

    row: Annotated[int, Field(ge=1)]
    activity: NonEmpty
    areas: Annotated[tuple[Area, ...], Field(min_length=1)]
    potential_outcome: str | None = None
    resources: tuple[NonEmpty, ...] = ()
    outcome_2019: str | None = None
    status: ActivityStatus
    status_dot: str | None = None
    linked_cases: tuple[CaseCode, ...] = ()
    note: str | None = None
    source: Source


class BruttolistaFile(Model):
    """A year's bruttolista: the plan's heading and its activities."""

    plan: NonEmpty
    case: CaseCode | None = None
    title: str | None = None
    purpose: str | None = None
    status_values: tuple[ActivityStatus, ...] = ()
    status_note: str | None = None
    activities: tuple[SeedActivity, ...]
    source: Source

    @property
    def year(self) -> int:
        found = re.search(r"(\d{4})\s*$", self.plan)
        assert found is not None  # checked by the validator
        return int(found.group(1))

    @model_validator(mode="after")
    def _plan_year_and_unique_rows(self) -> BruttolistaFile:
        if not re.search(r"(\d{4})\s*$", self.plan):
            raise ValueError(
                f"planens namn ska sluta med året, till exempel 'Verksamhetsplan 2019' (nu '{self.plan}')"
            )
        rows = [a.row for a in self.activities]
        duplicates = sorted({r for r in rows if rows.count(r) > 1})
        if duplicates:
            raise ValueError(f"raden {', '.join(map(str, duplicates))} förekommer flera gånger")
        return self


def load(data_dir: Path) -> BruttolistaFile:
    """The file, validated; SeedError naming file, record and field otherwise."""
    from seed.loader import SeedError, read_yaml

    raw = read_yaml(data_dir / FILE)
    try:
        return BruttolistaFile.model_validate(raw)
    except ValidationError as exc:
        messages = []
        for err, line in zip(exc.errors(), validation_messages(exc, FILE), strict=True):
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "activities" and isinstance(loc[1], int) and isinstance(raw, dict):
                row = (raw.get("activities") or [{}])[loc[1]]
                row_no = row.get("row") if isinstance(row, dict) else None
                line = line.replace(f"{FILE}: ", f"{FILE}, aktivitet rad {row_no or loc[1] + 1}: ", 1)
            messages.append(line)
        raise SeedError(messages) from exc


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing plan, activities, outcomes and links (inside the caller's transaction)."""
    from seed.loader import SeedError

    data = load(data_dir)
    year = data.year
    case_ids: dict[str, int] = {}
    problems = []
    for act in data.activities:
        for code in act.linked_cases:
            found = governance_store.project_by_code(db, code)
            if found is None:
                problems.append(
                    f"{FILE}, aktivitet rad {act.row}: fältet 'linked_cases': ärendet {code} finns inte i"
                    " projects.yaml"
                )
            else:
                case_ids[code] = int(found["id"])
    if problems:
        raise SeedError(problems)

    counts = {"bruttolista-aktiviteter": 0, "bruttolista-utfall": 0, "bruttolista-kopplingar": 0}
    plan_source = source_text(data.source) or None
    if store.insert_plan(
        db,
        year=year,
        plan=data.plan,
        title=data.title,
        case_code=data.case,
        purpose=data.purpose,
        status_note=data.status_note,
        source=plan_source,
    ):
        audit_by(
            db,
            user,
            "skapa",
            "bruttolista",
            str(year),
            after={"plan": data.plan, "case": data.case, "source": plan_source},
        )
    for act in data.activities:
        src = source_text(act.source) or None
        activity_id = store.activity_id_at(db, year, act.row)
        if activity_id is None:
            model = input_from(act, ActivityInput, plan_year=year, source=src)
            activity_id = store.insert_activity(db, model, row=act.row, status_dot=act.status_dot)
            audit_by(
                db,
                user,
                "skapa",
                "bruttolista-aktivitet",
                activity_id,
                after={**model.model_dump(mode="json"), "row": act.row},
            )
            counts["bruttolista-aktiviteter"] += 1
        if store.outcome(db, activity_id, year) is None:
            outcome = OutcomeInput(year=year, status=act.status, outcome=act.outcome_2019, source=src)
            store.upsert_outcome(db, activity_id, outcome)
            audit_by(
                db,
                user,
                "skapa",
                "bruttolista-utfall",
                f"{activity_id} {year}",
                after=outcome.model_dump(mode="json"),
            )
            counts["bruttolista-utfall"] += 1
        for code in act.linked_cases:
            if store.insert_link(db, activity_id, case_ids[code], relation="kopplat", source=src):
                audit_by(
                    db,
                    user,
                    "skapa",
                    "bruttolista-koppling",
                    f"{activity_id} {code}",
                    after={"activity_row": act.row, "case": code},
                    project_id=case_ids[code],
                )
                counts["bruttolista-kopplingar"] += 1
    return counts
