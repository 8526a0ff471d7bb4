"""A party's own view: what one party pays in a year per item, budgeted and actual, and its deviation.

Pure: item figures in, a frame out; no database and no Streamlit. Each item is split twice by
its key, once for the budget and once for the outcome, each with the largest-remainder method so
the parts sum exactly to what was split. When the outcome is already divided among financiers
(LINK2's final report: the region's outcome column and the municipalities' column), the
municipalities' part of the *outcome* is split by the key's second step (population), rather
than the outcome being cut in the budget's proportions. Every amount is integer öre, costs
positive; the deviation is budget − actual as in the tertial report (negative: the party pays
more than budgeted).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from portfolio.allocation import AllocationKey, TwoLevel, allocate

__all__ = [
    "VIEW_SCHEMA",
    "ItemFigures",
    "PartyTotals",
    "all_parties",
    "fingerprint",
    "party_frame",
    "totals",
]

VIEW_SCHEMA: dict[str, Any] = {
    "item": pl.String,
    "key": pl.String,
    "party": pl.String,
    "budget_ore": pl.Int64,
    "actual_ore": pl.Int64,
    "deviation_ore": pl.Int64,
    "item_budget_ore": pl.Int64,
    "item_actual_ore": pl.Int64,
    "rounding_ore": pl.Int64,
    "actual_basis": pl.String,
}


@dataclass(frozen=True)
class ItemFigures:
    """One item of a year: its key, the amounts to split, and the outcome per financier if known.

    `actual_by_financier` maps the first-level names of a two-level key (a party code, or the
    key's group such as "kommunerna") to their part of the outcome. `item_actual_ore` is the
    outcome as the document states it; when the financiers' columns do not add up to it
    (the document's own rounding) the difference is kept in `rounding_ore`, not hidden.
    """

    item: str
    key_name: str
    key: AllocationKey
    budget_ore: int
    actual_ore: int
    actual_basis: str = ""
    actual_by_financier: Mapping[str, int] | None = field(default=None, hash=False)


def _actual_parts(figures: ItemFigures) -> dict[str, int]:
    key, by_financier = figures.key, figures.actual_by_financier
    if by_financier is None or not isinstance(key, TwoLevel):
        return allocate(figures.actual_ore, key)
    parts: dict[str, int] = {}
    for financier, amount in by_financier.items():
        split = allocate(amount, key.then) if financier == key.group else {financier: amount}
        for party, part in split.items():
            parts[party] = parts.get(party, 0) + part
    return parts


def all_parties(items: Sequence[ItemFigures], parties: Sequence[str]) -> pl.DataFrame:
    """Every item split per party (one row per item and party in `parties`, zero where none)."""
    rows: list[tuple[Any, ...]] = []
    for figures in items:
        budget = allocate(figures.budget_ore, figures.key)
        actual = _actual_parts(figures)
        rounding = figures.actual_ore - sum(actual.values())
        for party in dict.fromkeys([*parties, *budget, *actual]):
            b, a = budget.get(party, 0), actual.get(party, 0)
            rows.append(
                (
                    figures.item,
                    figures.key_name,
                    party,
                    b,
                    a,
                    b - a,
                    figures.budget_ore,
                    figures.actual_ore,
                    rounding,
                    figures.actual_basis,
                )
            )
    return pl.DataFrame(rows, schema=VIEW_SCHEMA, orient="row")


def party_frame(items: Sequence[ItemFigures], party: str) -> pl.DataFrame:
    """One party's view: one row per item with key, budgeted share, actual share and deviation."""
    return all_parties(items, [party]).filter(pl.col("party") == party)


@dataclass(frozen=True)
class PartyTotals:
    """A party view's sums, and a fingerprint of its rows that changes when any figure changes."""

    budget_ore: int
    actual_ore: int
    deviation_ore: int
    fingerprint: str

    def as_dict(self) -> dict[str, Any]:
        """The totals as stored with a review."""
        return {
            "budget_ore": self.budget_ore,
            "actual_ore": self.actual_ore,
            "deviation_ore": self.deviation_ore,
            "fingerprint": self.fingerprint,
        }


def fingerprint(view: pl.DataFrame) -> str:
    """A short stable hash of the view's items, keys and amounts (order as given)."""
    rows = view.select("item", "key", "party", "budget_ore", "actual_ore").rows()
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:16]


def totals(view: pl.DataFrame) -> PartyTotals:
    """The sums of a party view (öre) and its fingerprint."""
    budget = int(view["budget_ore"].sum()) if view.height else 0
    actual = int(view["actual_ore"].sum()) if view.height else 0
    return PartyTotals(budget, actual, budget - actual, fingerprint(view))
