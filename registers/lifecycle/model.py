"""What a valid handover item, deviation count and identified need are."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from portfolio.models import Model, NonEmpty
from registers.fields import OptionalText

DeviationType = Literal["system", "arbetssätt", "övrigt"]

DEVIATION_LABELS = {
    "system": "Gäller systemet",
    "arbetssätt": "Gäller arbetssätt",
    "övrigt": "Övriga",
}


class HandoverInput(Model):
    """One deliverable of the handover checklist: delivered yes/no (or not yet judged) and a comment."""

    project_id: int
    section: Annotated[NonEmpty, Field(max_length=500)]
    deliverable: Annotated[NonEmpty, Field(max_length=2000)]
    delivered: bool | None = None
    comment: OptionalText = None
    reference: OptionalText = None


class HandoverMark(Model):
    """The answer to one checklist line."""

    delivered: bool | None
    comment: OptionalText = None


class DeviationInput(Model):
    """How many deviations of a type a project reported for a period."""

    project_id: int
    type: DeviationType
    count: Annotated[int, Field(ge=0, le=1_000_000)]
    period: OptionalText = None
    text: OptionalText = None
    categories: tuple[Annotated[NonEmpty, Field(max_length=500)], ...] = ()


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
