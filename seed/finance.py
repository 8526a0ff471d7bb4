"""The committee's reported figures (finance.yaml): statement, results, funding, price list."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from portfolio import store
from portfolio.auth import User
from portfolio.db import Database
from portfolio.models import CaseCode, Model, NonEmpty, Ore, Source, source_text

TKR_ORE = 100_000
ROUNDING_TOLERANCE_TKR = 2


class Figures(Model):
    """One row of the annual report's columns, in tkr and the statement's sign.

    The differences are the document's own and may be off by one from the columns
    (the report rounds each figure); the app recomputes them and keeps these as stated.
    """

    actual: int
    budget: int
    diff_budget: int
    previous_year: int
    diff_previous_year: int


class StatementLine(Figures):
    line: NonEmpty
    kind: Literal["intäkt", "kostnad"]


TotalKey = Literal["summa_intakter", "summa_kostnader", "nettokostnader"]
TOTALS: dict[TotalKey, tuple[set[str], str]] = {
    "summa_intakter": ({"intäkt"}, "Summa intäkter"),
    "summa_kostnader": ({"kostnad"}, "Summa kostnader"),
    "nettokostnader": ({"intäkt", "kostnad"}, "Verksamhetens nettokostnader"),
}


class IncomeStatement(Model):
    year: int
    period: Literal["T1", "T2", "helår"] = "helår"
    unit: Literal["tkr"] = "tkr"
    columns: dict[str, str] = Field(default_factory=dict)
    sign: str | None = None
    lines: tuple[StatementLine, ...] = Field(min_length=1)
    totals: dict[TotalKey, Figures]
    variance_explanation: tuple[str, ...] = ()
    note: str | None = None
    source: Source

    @model_validator(mode="after")
    def _lines_add_up(self) -> IncomeStatement:
        for key, (kinds, label) in TOTALS.items():
            expected = self.totals.get(key)
            if expected is None:
                continue
            for field in ("actual", "budget", "previous_year"):
                got = sum(getattr(ln, field) for ln in self.lines if ln.kind in kinds)
                # Each figure is rounded to tkr on its own, so sums may be off by a little.
                if abs(got - getattr(expected, field)) > ROUNDING_TOLERANCE_TKR:
                    raise ValueError(
                        f"raderna summerar till {got} tkr i kolumnen '{field}' men"
                        f" {label} anger {getattr(expected, field)} tkr"
                    )
        return self


class ObjectResult(Model):
    object: NonEmpty
    name: str | None = None
    case: CaseCode | None = None
    year: int
    result_tkr: int
    text: str | None = None
    case_note: str | None = None
    source: Source


class TertialResult(Model):
    year: int
    period: Literal["T1", "T2", "helår"]
    scope: NonEmpty
    case: CaseCode | None = None
    object: str | None = None
    outcome_vs_budget_tkr: int
    text: str | None = None
    source: Source


class BaseFunding(Model):
    year: int
    amount_kr: Ore
    key: NonEmpty
    parties: int = Field(gt=0)
    per_party_kr: Ore
    invoiced: str | None = None
    case: CaseCode | None = None
    note: str | None = None
    source: Source

    @model_validator(mode="after")
    def _equal_shares(self) -> BaseFunding:
        if self.per_party_kr * self.parties != self.amount_kr:
            raise ValueError("per_party_kr × parties måste vara lika med amount_kr")
        return self


class Surplus(Model):
    year: int
    amount_tkr: int
    qualifier: str | None = None
    as_of: str | None = None
    note: str | None = None
    source: Source


class Rate(Model):
    resource: NonEmpty
    kr_per_hour: Ore


class PriceList(Model):
    year: int
    case: CaseCode | None = None
    rates: tuple[Rate, ...] = Field(min_length=1)
    decided: date | None = None
    note: str | None = None
    source: Source


class TextFact(Model):
    case: CaseCode | None = None
    key: str | None = None
    text: NonEmpty
    source: Source


class FinanceFile(Model):
    income_statement: IncomeStatement
    object_results: tuple[ObjectResult, ...] = ()
    tertial_results: tuple[TertialResult, ...] = ()
    tertial_note: str | None = None
    base_funding: BaseFunding
    surpluses: tuple[Surplus, ...] = ()
    price_list: PriceList
    base_fee_composition: TextFact | None = None
    link2_cost_split: TextFact | None = None


def insert_finance(db: Database, finance: FinanceFile, user: User) -> int:
    """Insert the reported figures that are missing; returns how many rows were added."""
    added = 0
    st = finance.income_statement
    totals = sorted(st.totals.items(), key=lambda kv: list(TOTALS).index(kv[0]))
    rows: list[tuple[str, str, Figures]] = [(ln.line, ln.kind, ln) for ln in st.lines]
    rows += [(TOTALS[key][1], "summa", fig) for key, fig in totals]  # the totals follow the lines
    new_lines = [
        store.insert_statement_line(
            db,
            year=st.year,
            period=st.period,
            position=pos,
            line=line,
            kind=kind,
            actual_ore=fig.actual * TKR_ORE,
            budget_ore=fig.budget * TKR_ORE,
            previous_year_ore=fig.previous_year * TKR_ORE,
            source=source_text(st.source),
        )
        for pos, (line, kind, fig) in enumerate(rows)
    ]
    if any(new_lines):
        store.audit_bulk(db, user, "resultaträkning", f"{st.year} {st.period}", st.model_dump(mode="json"))
    added += sum(new_lines)

    results = [
        (r.year, "helår", f"objekt {r.object}", r.case, r.object, r.result_tkr, r.text, r.source)
        for r in finance.object_results
    ] + [
        (r.year, r.period, r.scope, r.case, r.object, r.outcome_vs_budget_tkr, r.text, r.source)
        for r in finance.tertial_results
    ]
    for year, period, scope, case, obj, tkr, text, source in results:
        if store.insert_period_result(
            db,
            year=year,
            period=period,
            scope=scope,
            case_code=case,
            object=obj,
            result_ore=tkr * TKR_ORE,
            text=text,
            source=source_text(source),
        ):
            store.audit_bulk(
                db,
                user,
                "periodresultat",
                f"{year} {period} {scope}",
                {"result_tkr": tkr, "text": text},
            )
            added += 1

    bf = finance.base_funding
    funding = [(bf.year, "basfinansiering", bf.amount_kr, bf.key, bf.note, bf.source)] + [
        (
            s.year,
            f"återstående medel {s.as_of}" if s.as_of else "överskott",
            s.amount_tkr * TKR_ORE,
            None,
            " ".join(x for x in (s.qualifier, s.note) if x) or None,
            s.source,
        )
        for s in finance.surpluses
    ]
    for year, kind, amount, allocation, note, source in funding:
        if store.insert_funding(
            db,
            year=year,
            kind=kind,
            amount_ore=amount,
            allocation=allocation,
            note=note,
            source=source_text(source),
        ):
            store.audit_bulk(db, user, "finansiering", f"{year} {kind}", {"amount_ore": amount})
            added += 1

    prices = finance.price_list
    new_rates = [
        store.insert_price_rate(
            db,
            year=prices.year,
            resource=rate.resource,
            rate_ore=rate.kr_per_hour,
            case_code=prices.case,
            source=source_text(prices.source),
        )
        for rate in prices.rates
    ]
    if any(new_rates):
        store.audit_bulk(db, user, "prislista", str(prices.year), prices.model_dump(mode="json"))
    added += sum(new_rates)
    return added
