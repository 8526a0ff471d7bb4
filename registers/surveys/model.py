"""What a valid survey is: scale, respondent groups and statements; messages in Swedish."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import Field, model_validator

from portfolio import clock
from portfolio.models import Model, NonEmpty, Printable, WindowsNewlines, parse


def slug(text: str) -> str:
    """A short code for a group name: `Stab, förvaltning` → `stab-forvaltning`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "grupp"


# Respondents a survey was sent to: every inhabitant of the region with room to spare.
MAX_POPULATION = 10_000_000


class Scale(Model):
    """A Likert scale 1..points with the texts of its ends (LINK2: 1–6)."""

    points: Annotated[int, Field(ge=2, le=11)]
    low_label: Annotated[str, WindowsNewlines, Field(max_length=200), Printable] | None = None
    high_label: Annotated[str, WindowsNewlines, Field(max_length=200), Printable] | None = None


class GroupInput(Model):
    """A respondent group; `code` defaults to a slug of the name."""

    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")] | None = None
    name: Annotated[NonEmpty, Field(max_length=200)]

    @property
    def key(self) -> str:
        return self.code or slug(self.name)


class StatementInput(Model):
    """A statement the respondents rate on the scale."""

    text: Annotated[NonEmpty, Field(max_length=1000)]
    theme: Annotated[str, WindowsNewlines, Field(max_length=100), Printable] | None = None


class SurveyInput(Model):
    """A survey: what was asked, of how many, on what scale and in which groups."""

    title: Annotated[NonEmpty, Field(max_length=300)]
    date: dt.date
    population: Annotated[int, Field(gt=0, le=MAX_POPULATION)] | None = None
    population_note: Annotated[str, WindowsNewlines, Field(max_length=1000), Printable] | None = None
    scale: Scale
    groups: Annotated[tuple[GroupInput, ...], Field(min_length=1)]
    statements: Annotated[tuple[StatementInput, ...], Field(min_length=1)]
    distribution: Annotated[str, WindowsNewlines, Field(max_length=2000), Printable] | None = None

    @model_validator(mode="after")
    def _unique(self) -> SurveyInput:
        problems = []
        keys = [g.key for g in self.groups]
        names = [g.name.casefold() for g in self.groups]
        if len(set(keys)) != len(keys) or len(set(names)) != len(names):
            problems.append("Varje grupp måste ha ett eget namn och en egen kod")
        texts = [s.text.casefold() for s in self.statements]
        if len(set(texts)) != len(texts):
            problems.append("Samma påstående förekommer två gånger")
        if self.date > clock.today():
            problems.append("Enkätens datum kan inte ligga i framtiden")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_survey(data: dict[str, Any]) -> SurveyInput:
    """A survey from form input (groups and statements one per line); InvalidInputError else."""
    raw = dict(data)
    for key, item in (("groups", "name"), ("statements", "text")):
        value = raw.get(key)
        if isinstance(value, str):
            raw[key] = [{item: line.strip()} for line in value.splitlines() if line.strip()]
    return parse(SurveyInput, raw)
