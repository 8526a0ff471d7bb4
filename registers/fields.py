"""Field types the registers' input models share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from portfolio.models import Text

__all__ = ["OptionalText"]


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# A text that may be left out: an empty or all-blank entry (a cleared form field) is stored as None.
OptionalText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
