"""What a valid handover item, deviation count and identified need are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from portfolio.models import Model, NonEmpty, Text

DeviationType = Literal["system", "arbetssätt", "övrigt"]

DEVIATION_LABELS = {
    "system": "Gäller systemet",
    "arbetssätt": "Gäller arbetssätt",
    "övrigt": "Övriga",
}


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class HandoverInput(Model):
    """One deliverable of the handover checklist: delivered yes/no (or not yet judged) and a comment."""

    project_id: int
    section: Annotated[NonEmpty, Field(max_length=500)]
    deliverable: Annotated[NonEmpty, Field(max_length=2000)]
    delivered: bool | None = None
    comment: Text | None = None
    reference: Text | None = None

    @field_validator("comment", "reference", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class HandoverMark(Model):
    """The answer to one checklist line."""

    delivered: bool | None
    comment: Text | None = None

    @field_validator("comment", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class DeviationInput(Model):
    """How many deviations of a type a project reported for a period."""

    project_id: int
    type: DeviationType
    count: Annotated[int, Field(ge=0, le=1_000_000)]
    period: Text | None = None
    text: Text | None = None
    categories: tuple[Annotated[NonEmpty, Field(max_length=500)], ...] = ()

    @field_validator("period", "text", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class NeedInput(Model):
    """A need identified for continued work, with its sub-points."""

    project_id: int
    need: Annotated[NonEmpty, Field(max_length=2000)]
    details: tuple[Annotated[NonEmpty, Field(max_length=2000)], ...] = ()


LABELS = {
    "section": "Avsnitt",
    "deliverable": "Leverabel",
    "delivered": "Levererad",
    "comment": "Kommentar",
    "type": "Typ",
    "count": "Antal",
    "period": "Period",
    "need": "Behov",
    "details": "Underpunkter",
}
