"""From a seed record to the input model the app's services take."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def input_from(record: BaseModel, model: type[M], **given: Any) -> M:
    """`model` built from every field it shares by name with the seed `record`, and `given` for the rest.

    `given` also replaces a shared field whose value the seed keeps in another form (a source, öre).
    """
    shared = {
        name: getattr(record, name)
        for name in model.model_fields
        if name in type(record).model_fields and name not in given
    }
    return model(**shared, **given)
