"""A party's own view from the database: each item's budget and outcome, split by its key.

Reads only. `load_view` gathers a year's allocation items (base funding, a project's budget and
outcome, a budget line, an object's ledger figures, a fixed amount), hands them to the pure
`portfolio.ledger.party` and returns one party's rows with their totals; `view_reference` is
what a municipal CEO's review stores about the view it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from portfolio import db as core_db
from portfolio import store as core_store
from portfolio.allocation import AllocationKey, TwoLevel
from portfolio.db import Database
from portfolio.errors import InvalidInputError, NotFoundError
from portfolio.ledger import columns_store, keys, keys_store, party, reports
from portfolio.ledger.party import ItemFigures, PartyTotals
from portfolio.parties import KOMMUNERNA, resolve_party
from portfolio.periods import Period
from portfolio.projects import store as project_store

__all__ = ["PartyView", "item_figures", "load_view", "view_reference"]


@dataclass(frozen=True)
class PartyView:
    """One party's figures for a year and period: rows per item and their totals."""

    party: str
    party_name: str
    year: int
    period: Period
    rows: pl.DataFrame
    totals: PartyTotals
    revision: int

    @property
    def title(self) -> str:
        """'Bräcke kommun – vad parten betalar 2019 (helår)'."""
        return f"{self.party_name} – vad parten betalar {self.year} ({self.period.value})"

    @property
    def rounding_notes(self) -> list[str]:
        """Items whose stated outcome and the financiers' columns differ (the document's rounding)."""
        from portfolio.money import format_kr

        seen = self.rows.filter(pl.col("rounding_ore") != 0).unique("item", maintain_order=True)
        return [
            f"{r['item']}: utfallet {format_kr(r['item_actual_ore'])} och summan av finansiärernas"
            f" kolumner skiljer {format_kr(r['rounding_ore'])} (avrundning i dokumentet)"
            for r in seen.iter_rows(named=True)
        ]


def _resolved(db: Database, key_id: int) -> tuple[str, AllocationKey]:
    key = keys_store.get_key(db, key_id)
    if key is None:
        raise NotFoundError(f"Fördelningsnyckeln {key_id} finns inte")
    return str(key["name"]), keys.resolve_key(db, keys.spec_from_json(key["spec"]))


def _financiers(key: AllocationKey, shares: dict[str, int]) -> dict[str, int] | None:
    """Outcome per first-level name of a two-level key, or None when the key is not two-level."""
    if not isinstance(key, TwoLevel) or not shares:
        return None
    out: dict[str, int] = {}
    for financier, amount in shares.items():
        name = key.group if financier == KOMMUNERNA else financier
        out[name] = out.get(name, 0) + amount
    return out


def _project(db: Database, code: str, key: AllocationKey) -> tuple[int, str, dict[str, int] | None]:
    split = core_store.project_budget_split(db, code) or {}
    figures = core_store.project_figures(db, code) or {}
    actual = split.get("outcome")
    if actual is None:
        actual = figures.get("actual")
    if actual is None:
        return 0, "utfall saknas för projektet", None
    shares: dict[str, int] = {}
    try:
        project_id = core_store.project_id_for(db, code)
    except NotFoundError:
        project_id = None
    if project_id is not None:
        for share in project_store.shares_of(db, project_id):
            if share["side"] == "outcome":
                financier = str(share["financier"])
                shares[financier] = shares.get(financier, 0) + int(share["amount_ore"])
    by_financier = _financiers(key, shares)
    basis = (
        "projektets utfall, kommunernas del av utfallet efter befolkning"
        if by_financier is not None
        else "projektets utfall fördelat med nyckeln"
    )
    return int(actual), basis, by_financier


def _line(db: Database, ref: str, key: AllocationKey) -> tuple[int | None, int, str, dict[str, int] | None]:
    code, _, activity = ref.partition("|")
    line = core_store.budget_line(db, code, activity)
    if line is None:
        return None, 0, "", None
    shares: dict[str, int] = {}
    if isinstance(key, TwoLevel):
        region = next((name for name in key.first if name != key.group), None)
        if region is not None and line["outcome_region"] is not None:
            shares[region] = int(line["outcome_region"])
        if line["outcome_kommunerna"] is not None:
            shares[KOMMUNERNA] = int(line["outcome_kommunerna"])
    by_financier = _financiers(key, shares)
    budget = line["budget"] if line["budget"] is not None else line["outcome"]
    return budget, int(line["outcome"] or 0), "budgetradens utfall", by_financier


def item_figures(db: Database, year: int, period: Period) -> list[ItemFigures]:
    """Every allocation item of a year with its budget and outcome for the period (öre)."""
    out: list[ItemFigures] = []
    objects: pl.DataFrame | None = None
    for item in keys_store.items_frame(db, year).iter_rows(named=True):
        key_name, key = _resolved(db, int(item["key_id"]))
        kind, ref = item["source_kind"], str(item["ref"] or "")
        by_financier: dict[str, int] | None = None
        if kind == "objekt":
            if objects is None:
                objects = reports.by_object(
                    columns_store.actual_months(db, [year]),
                    columns_store.budget_months(db, "PBUDGET", [year], 0),
                    year=year,
                    period=period,
                )
            row = objects.filter(pl.col("object") == ref)
            budget = int(row["budget_ore"][0]) if row.height else 0
            actual = int(row["actual_ore"][0]) if row.height else 0
            basis = f"huvudbokens ack utfall för objekt {ref}, {period.value}"
        elif kind == "projektbudget":
            budget = keys.item_amount(db, item, period)
            actual, basis, by_financier = _project(db, ref, key)
        elif kind == "budgetrad":
            line_budget, actual, basis, by_financier = _line(db, ref, key)
            budget = line_budget if line_budget is not None else keys.item_amount(db, item, period)
        else:  # a fixed amount or the base funding: paid as decided, so the outcome is the budget
            budget = actual = keys.item_amount(db, item, period)
            basis = (
                "basfinansieringen, betald i förskott enligt budgetbeslutet"
                if kind == "basfinansiering"
                else "fast belopp"
            )
        out.append(
            ItemFigures(
                item=str(item["name"]),
                key_name=key_name,
                key=key,
                budget_ore=int(budget),
                actual_ore=int(actual),
                actual_basis=basis,
                actual_by_financier=by_financier,
            )
        )
    return out


def load_view(db: Database, party_text: str, year: int, period: Period = Period.HELAR) -> PartyView:
    """One party's view (party by name or code); InvalidInputError in Swedish when it cannot be made."""
    code = resolve_party(db, party_text)
    names = dict(core_store.parties_frame(db).select("code", "name").iter_rows())
    try:
        rows = party.party_frame(item_figures(db, year, period), code)
    except ValueError as exc:  # a key that cannot split an amount (no weights, a bad total)
        raise InvalidInputError([str(exc)]) from exc
    return PartyView(
        party=code,
        party_name=str(names.get(code, code)),
        year=year,
        period=period,
        rows=rows,
        totals=party.totals(rows),
        revision=core_db.revision(db),
    )


def view_reference(view: PartyView) -> dict[str, Any]:
    """What a review stores about the view it refers to: party, year, period, totals, fingerprint."""
    return {
        "party": view.party,
        "year": view.year,
        "period": view.period.value,
        **view.totals.as_dict(),
        "revision": view.revision,
    }
