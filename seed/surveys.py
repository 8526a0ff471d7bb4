"""Seed of surveys: validate the data file, then insert what is missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import Field, ValidationError, model_validator

from portfolio import store as core_store
from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.errors import InvalidInputError, NotFoundError
from portfolio.models import CaseCode, Model, NonEmpty, Source, source_text, validation_messages
from registers.surveys import store
from registers.surveys.model import GroupInput, Scale, StatementInput, SurveyInput
from seed.inputs import input_from

FILE = "survey.yaml"
Count = Annotated[int, Field(ge=0)]


class SeedGroup(Model):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    name: NonEmpty
    share_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    respondents: Count | None = None
    respondents_source: Source | None = None


class MeanRange(Model):
    min: Decimal
    max: Decimal


class SeedStatement(Model):
    text: NonEmpty
    theme: str | None = None
    mean: Decimal | None = None
    computed_mean: Decimal | None = None
    counts: dict[str, tuple[Count, ...]]
    source: Source


class SeedSurvey(Model):
    """The survey file: a report's aggregates and illustrative statement-level counts."""

    project: CaseCode
    title: NonEmpty
    date: dt.date
    date_source: Source | None = None
    date_note: str | None = None
    distribution: str | None = None
    respondents: Count
    population: Annotated[int, Field(gt=0)]
    population_note: str | None = None
    scale: Scale
    mean_range: MeanRange | None = None
    groups: Annotated[tuple[SeedGroup, ...], Field(min_length=1)]
    findings: tuple[str, ...] = ()
    statements: Annotated[tuple[SeedStatement, ...], Field(min_length=1)]
    statements_note: str | None = None
    source: Source

    @model_validator(mode="after")
    def _figures_agree(self) -> SeedSurvey:
        problems: list[str] = []
        codes = {g.code: g for g in self.groups}
        points = self.scale.points
        stated = [g.respondents for g in self.groups]
        if all(n is not None for n in stated) and sum(n or 0 for n in stated) != self.respondents:
            problems.append(
                f"gruppernas svarande ({sum(n or 0 for n in stated)}) summerar inte till respondents "
                f"({self.respondents})"
            )
        for group in self.groups:
            if group.share_pct is not None and group.respondents is not None and self.respondents:
                exact = Fraction(group.respondents * 100, self.respondents)
                if abs(exact - group.share_pct) > 1:
                    problems.append(
                        f"gruppen {group.code}: {group.respondents} av {self.respondents} är inte "
                        f"{group.share_pct} %"
                    )
        for number, statement in enumerate(self.statements, start=1):
            where = f"påstående {number} ({statement.text[:40]})"
            for code, counts in statement.counts.items():
                if code not in codes:
                    problems.append(f"{where}: okänd grupp '{code}'")
                    continue
                if len(counts) != points:
                    problems.append(f"{where}, grupp {code}: {len(counts)} antal, skalan har {points} värden")
                limit = codes[code].respondents
                if limit is not None and sum(counts) > limit:
                    problems.append(
                        f"{where}, grupp {code}: {sum(counts)} svar men gruppen har {limit} svarande"
                    )
            n = sum(sum(c) for c in statement.counts.values())
            if n == 0:
                problems.append(f"{where}: inga svar")
                continue
            mean = Fraction(
                sum(k * c for counts in statement.counts.values() for k, c in enumerate(counts, start=1)), n
            )
            if statement.computed_mean is not None and abs(
                mean - Fraction(statement.computed_mean)
            ) > Fraction(1, 2000):
                problems.append(
                    f"{where}: computed_mean {statement.computed_mean} men antalen ger {float(mean):.3f}"
                )
            if statement.mean is not None and abs(mean - Fraction(statement.mean)) > Fraction(1, 20):
                problems.append(f"{where}: mean {statement.mean} men antalen ger {float(mean):.3f}")
            if (
                self.mean_range
                and not self.mean_range.min <= (statement.mean or Decimal(0)) <= self.mean_range.max
            ):
                problems.append(f"{where}: medelvärdet ligger utanför mean_range")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def as_input(self) -> SurveyInput:
        return input_from(
            self,
            SurveyInput,
            groups=tuple(GroupInput(code=g.code, name=g.name) for g in self.groups),
            statements=tuple(StatementInput(text=s.text, theme=s.theme) for s in self.statements),
        )


def load(path: Path) -> tuple[SeedSurvey, SurveyInput]:
    """Validate the whole file; InvalidInputError naming file and field for each problem."""
    from seed.loader import read_yaml  # the loader imports this module; import at call time

    try:
        survey = SeedSurvey.model_validate(read_yaml(path))
        return survey, survey.as_input()
    except ValidationError as exc:
        raise InvalidInputError(validation_messages(exc, path.name)) from exc


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing seed records (inside the caller's transaction); counts per kind."""
    path = data_dir / FILE
    if not path.exists():
        return {}
    survey, data = load(path)
    try:
        project_id = core_store.project_id_for(db, survey.project)
    except NotFoundError as exc:
        raise InvalidInputError([f"{FILE}: project: {exc}"]) from exc
    if store.survey_exists(db, project_id, survey.title):
        return {"enkäter": 0}
    source = source_text(survey.source)
    notes = [n for n in (survey.date_note, survey.statements_note) if n]
    survey_id = store.insert_survey(
        db,
        project_id,
        data,
        respondents=survey.respondents,
        date_source=source_text(survey.date_source) or None,
        findings=list(survey.findings),
        notes=notes,
        source=source,
        share_pct={g.code: g.share_pct for g in survey.groups if g.share_pct is not None},
        statement_extra=[
            {"stated_mean": None if s.mean is None else str(s.mean), "source": source_text(s.source)}
            for s in survey.statements
        ],
    )
    group_ids = dict(store.groups_frame(db, survey_id).select("code", "id").iter_rows())
    statement_ids = store.statements_frame(db, survey_id)["id"].to_list()
    counts = pl.DataFrame(
        [
            (statement_ids[index], group_ids[code], answer, count)
            for index, statement in enumerate(survey.statements)
            for code, values in statement.counts.items()
            for answer, count in enumerate(values, start=1)
            if count
        ],
        schema={"statement_id": pl.Int64, "group_id": pl.Int64, "answer": pl.Int64, "count": pl.Int64},
        orient="row",
    )
    store.insert_counts(db, survey_id, counts)
    store.set_answers_meta(db, survey_id, shape="antal", respondents=survey.respondents)
    audit_by(
        db, user, "skapa", "enkät", survey_id, after=survey.model_dump(mode="json"), project_id=project_id
    )
    return {"enkäter": 1}
