"""What a valid handover item, deviation count and identified need are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from portfolio.models import Model, NonEmpty

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
    section: NonEmpty
    deliverable: NonEmpty
    delivered: bool | None = None
    comment: str | None = None
    reference: str | None = None

    @field_validator("comment", "reference", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class HandoverMark(Model):
    """The answer to one checklist line."""

    delivered: bool | None
    comment: str | None = None

    @field_validator("comment", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class DeviationInput(Model):
    """How many deviations of a type a project reported for a period."""

    project_id: int
    type: DeviationType
    count: Annotated[int, Field(ge=0)]
    period: str | None = None
    text: str | None = None
    categories: tuple[NonEmpty, ...] = ()

    @field_validator("period", "text", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


class NeedInput(Model):
    """A need identified for continued work, with its sub-points."""

    project_id: int
    need: NonEmpty
    details: tuple[NonEmpty, ...] = ()


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
