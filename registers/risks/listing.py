"""Which risks a list shows, and in what order: filter by register, status, matrix cell and band,
search the text, sort. Frames in, frames out; no database, no Streamlit.

The frames are those of `service.risks_with_bands` (risks with ``band`` and ``residual_band``) and
`service.actions_with_lateness` (actions with ``days_late``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

# The sort keys a list offers; the two risk values sort highest first, the rest ascending.
SORT_KEYS = ("score", "residual_score", "next_review", "title", "id")
_HIGHEST_FIRST = frozenset({"score", "residual_score"})

# The text a search looks in.
SEARCHED = ("title", "description", "owner")


class ViewColumns(NamedTuple):
    """The columns that hold a view's levels, value and band."""

    probability: str
    consequence: str
    score: str
    band: str


def view_columns(view: str) -> ViewColumns:
    """The inherent risk (view "inherent", before actions) or else the residual risk (after them)."""
    if view == "inherent":
        return ViewColumns("probability", "consequence", "score", "band")
    return ViewColumns("residual_probability", "residual_consequence", "residual_score", "residual_band")


def in_scope(risks: pl.DataFrame, register_ids: Sequence[int], statuses: Sequence[str]) -> pl.DataFrame:
    """The risks of the chosen registers with a chosen status; nothing chosen means every one."""
    return risks.filter(
        (pl.col("register_id").is_in(list(register_ids)) if register_ids else pl.lit(True))
        & (pl.col("status").is_in(list(statuses)) if statuses else pl.lit(True))
    )


def late_per_risk(actions: pl.DataFrame) -> pl.DataFrame:
    """Per risk with a late action: ``risk_id``, how many are ``late`` and the most days (``max_late``)."""
    return (
        actions.filter(pl.col("days_late").is_not_null())
        .group_by("risk_id")
        .agg(late=pl.len().cast(pl.Int64), max_late=pl.col("days_late").max())
    )


def _search(text: str) -> pl.Expr:
    """Case-insensitive, literal, in title, description and owner; empty or blank text finds all."""
    wanted = text.strip().lower()
    if not wanted:
        return pl.lit(True)
    return (
        pl.concat_str(list(SEARCHED), separator=" ", ignore_nulls=True)
        .str.to_lowercase()
        .str.contains(wanted, literal=True)
    )


def sort_risks(risks: pl.DataFrame, sort_by: str) -> pl.DataFrame:
    """Sorted by `sort_by`; risk values highest first, everything else ascending; empty values last."""
    return risks.sort(sort_by, descending=sort_by in _HIGHEST_FIRST, nulls_last=True)


def listed(
    scope: pl.DataFrame,
    actions: pl.DataFrame,
    columns: ViewColumns,
    *,
    probability: int | None = None,
    consequence: int | None = None,
    bands: Sequence[str] = (),
    search: str = "",
    sort_by: str = "score",
) -> pl.DataFrame:
    """The risks in scope that the list shows, with their late actions (``late``, ``max_late``), sorted.

    A matrix cell (probability, consequence of the view; None means any), the view's bands (none
    chosen means all) and the search text narrow the list.
    """
    shown = scope.join(late_per_risk(actions), left_on="id", right_on="risk_id", how="left").filter(
        (pl.col(columns.probability) == probability if probability is not None else pl.lit(True))
        & (pl.col(columns.consequence) == consequence if consequence is not None else pl.lit(True))
        & (pl.col(columns.band).is_in(list(bands)) if bands else pl.lit(True))
        & _search(search)
    )
    return sort_risks(shown, sort_by)


def late_actions(actions: pl.DataFrame) -> pl.DataFrame:
    """The late actions, the latest first."""
    return actions.filter(pl.col("days_late").is_not_null()).sort("days_late", descending=True)


def actions_of(actions: pl.DataFrame, risks: pl.DataFrame) -> pl.DataFrame:
    """The actions of the risks in `risks`."""
    return actions.filter(pl.col("risk_id").is_in(risks["id"].to_list()))


def detail_choices(
    listed_ids: Sequence[int], all_ids: Sequence[int], kept: int | None
) -> tuple[list[int], bool]:
    """The risks to choose from for the detail view, and whether `kept` is there though the filters hide it.

    The listed risks (every risk when none is listed); the risk chosen before (`kept`) stays
    choosable when the filters hide it, so the view never switches to another risk by itself.
    """
    options = list(listed_ids) or list(all_ids)
    if kept is not None and kept in all_ids and kept not in options:
        return [*options, kept], True
    return options, False
