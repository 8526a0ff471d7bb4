"""Benefit realisation (nyttorealisering, DIGG/ESV): status against plan, staleness, nyttokalkyl."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import Literal

import polars as pl

from portfolio.allocation import largest_remainder

__all__ = [
    "DEFAULT_RATE_ORE_PER_HOUR",
    "BenefitStatus",
    "Direction",
    "benefit_status",
    "filter_register",
    "money_value_ore",
    "net_cashflows",
    "npv",
    "payback",
    "payback_year",
    "spread_by_days",
    "stale",
    "status_expr",
    "with_status",
]

Direction = Literal["högre", "lägre"]
Number = int | float | Decimal

DEFAULT_RATE_ORE_PER_HOUR = 45_000  # 450 kr per saved hour, a common municipal rate

PAYBACK_SCHEMA = {
    "year": pl.Int64,
    "cost_ore": pl.Int64,
    "benefit_ore": pl.Int64,
    "cumulative_cost_ore": pl.Int64,
    "cumulative_benefit_ore": pl.Int64,
    "cumulative_net_ore": pl.Int64,
}


class BenefitStatus(StrEnum):
    """Status of a benefit against its plan; ``symbol`` lets it be shown without colour."""

    EJ_MATT = "ej mätt"
    PA_VAG = "på väg"
    EFTER_PLAN = "efter plan"
    UPPNATT = "uppnått"

    @property
    def symbol(self) -> str:
        """A distinct sign per status: ○ ej mätt, → på väg, ! efter plan, ✓ uppnått."""
        return _STATUS_SYMBOLS[self]


_STATUS_SYMBOLS = {
    BenefitStatus.EJ_MATT: "○",
    BenefitStatus.PA_VAG: "→",
    BenefitStatus.EFTER_PLAN: "!",
    BenefitStatus.UPPNATT: "✓",
}


def _exact(value: object, what: str) -> Fraction:
    # Decimal(str(x)) takes a float as it is written (0.1, not 0.1000000000000000055...).
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{what} måste vara ett tal")
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"{what} måste vara ett ändligt tal")
    return Fraction(number)


def _check_direction(direction: str) -> None:
    if direction not in ("högre", "lägre"):
        raise ValueError(f"Riktningen måste vara 'högre' eller 'lägre', inte '{direction}'")


def benefit_status(
    direction: Direction,
    baseline_date: date,
    baseline_value: Number,
    target_date: date,
    target_value: Number,
    latest_date: date | None,
    latest_value: Number | None,
) -> BenefitStatus:
    """Status of a benefit from its baseline, target and latest measurement.

    Reached in the right direction → uppnått. Otherwise the latest value is compared with the
    straight line from baseline to target at the measurement's date (after the target date the
    line stays at the target): on the line or better → på väg, worse → efter plan.
    """
    _check_direction(direction)
    baseline = _exact(baseline_value, "Nollmätningens värde")
    target = _exact(target_value, "Målvärdet")
    if target_date <= baseline_date:
        raise ValueError("Måldatum måste vara efter nollmätningens datum")
    if target == baseline:
        raise ValueError("Målvärdet måste skilja sig från nollmätningens värde")
    if (target > baseline) != (direction == "högre"):
        raise ValueError(
            f"Målvärdet måste vara {direction} än nollmätningens värde när {direction} är bättre"
        )
    if latest_date is None and latest_value is None:
        return BenefitStatus.EJ_MATT
    if latest_date is None or latest_value is None:
        raise ValueError("En mätning måste ha både datum och värde")
    if latest_date < baseline_date:
        raise ValueError("Mätningen kan inte vara gjord före nollmätningen")

    latest = _exact(latest_value, "Mätvärdet")
    # Sign +1 when higher is better, −1 when lower is better: "better" is then always "larger".
    sign = 1 if direction == "högre" else -1
    if sign * latest >= sign * target:
        return BenefitStatus.UPPNATT

    elapsed = (min(latest_date, target_date) - baseline_date).days
    planned = baseline + (target - baseline) * Fraction(elapsed, (target_date - baseline_date).days)
    if sign * latest >= sign * planned:
        return BenefitStatus.PA_VAG
    return BenefitStatus.EFTER_PLAN


def stale(latest_date: date | None, today: date, max_age_days: int = 365) -> bool:
    """True when the latest measurement is more than ``max_age_days`` old, or there is none."""
    if max_age_days < 0:
        raise ValueError("Högsta ålder i dagar får inte vara negativ")
    if latest_date is None:
        return True
    return (today - latest_date).days > max_age_days


def _round_ore(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def money_value_ore(hours_saved: Decimal | int, rate_ore_per_hour: int = DEFAULT_RATE_ORE_PER_HOUR) -> int:
    """Money value in öre of saved hours at a rate per hour, rounded half-even to whole öre."""
    hours = _exact(hours_saved, "Antalet timmar")
    if isinstance(rate_ore_per_hour, bool) or not isinstance(rate_ore_per_hour, int):
        raise ValueError("Timkostnaden måste anges som ett heltal i öre")
    if rate_ore_per_hour < 0:
        raise ValueError("Timkostnaden får inte vara negativ")
    # round() on a Fraction is exact and rounds half to even.
    return round(hours * rate_ore_per_hour)


def _check_amounts(amounts: Mapping[int, int], what: str) -> None:
    for year, amount in amounts.items():
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValueError(f"Året måste vara ett heltal, inte {year!r}")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"{what} för {year} måste anges som ett heltal i öre")


def payback(costs_by_year: Mapping[int, int], benefits_by_year: Mapping[int, int]) -> pl.DataFrame:
    """Costs, benefits and their running totals per year, every year from first to last."""
    _check_amounts(costs_by_year, "Kostnaden")
    _check_amounts(benefits_by_year, "Nyttan")
    years = set(costs_by_year) | set(benefits_by_year)
    if not years:
        return pl.DataFrame(schema=PAYBACK_SCHEMA)
    all_years = pl.LazyFrame({"year": range(min(years), max(years) + 1)}, schema={"year": pl.Int64})
    costs = pl.LazyFrame(
        {"year": list(costs_by_year), "cost_ore": list(costs_by_year.values())},
        schema={"year": pl.Int64, "cost_ore": pl.Int64},
    )
    benefits = pl.LazyFrame(
        {"year": list(benefits_by_year), "benefit_ore": list(benefits_by_year.values())},
        schema={"year": pl.Int64, "benefit_ore": pl.Int64},
    )
    return (
        all_years.join(costs, on="year", how="left")
        .join(benefits, on="year", how="left")
        .with_columns(pl.col("cost_ore", "benefit_ore").fill_null(0))
        .sort("year")
        .with_columns(
            cumulative_cost_ore=pl.col("cost_ore").cum_sum(),
            cumulative_benefit_ore=pl.col("benefit_ore").cum_sum(),
        )
        .with_columns(cumulative_net_ore=pl.col("cumulative_benefit_ore") - pl.col("cumulative_cost_ore"))
        .select(list(PAYBACK_SCHEMA))
        .collect()
    )


def payback_year(costs_by_year: Mapping[int, int], benefits_by_year: Mapping[int, int]) -> int | None:
    """First year whose cumulative benefit covers a positive cumulative cost, else None."""
    paid_back = payback(costs_by_year, benefits_by_year).filter(
        (pl.col("cumulative_cost_ore") > 0)
        & (pl.col("cumulative_benefit_ore") >= pl.col("cumulative_cost_ore"))
    )
    return None if paid_back.is_empty() else int(paid_back["year"][0])


def net_cashflows(costs_by_year: Mapping[int, int], benefits_by_year: Mapping[int, int]) -> dict[int, int]:
    """Benefit minus cost in öre per year, for every year in either mapping."""
    _check_amounts(costs_by_year, "Kostnaden")
    _check_amounts(benefits_by_year, "Nyttan")
    years = sorted(set(costs_by_year) | set(benefits_by_year))
    return {y: benefits_by_year.get(y, 0) - costs_by_year.get(y, 0) for y in years}


def npv(cashflows_by_year: Mapping[int, int], rate: Decimal, base_year: int) -> int:
    """Net present value in öre of net cash flows (benefit − cost) discounted to ``base_year``.

    Year y is divided by (1 + rate)^(y − base_year) in Decimal arithmetic; the sum is rounded
    half-even to whole öre only at the end.
    """
    _check_amounts(cashflows_by_year, "Nettoflödet")
    discount = Decimal(str(rate)) if not isinstance(rate, Decimal) else rate
    if not discount.is_finite() or discount <= -1:
        raise ValueError("Diskonteringsräntan måste vara ett tal större än −100 %")
    with localcontext() as context:
        context.prec = 60
        factor = 1 + discount
        total = sum(
            (Decimal(flow) / factor ** (year - base_year) for year, flow in cashflows_by_year.items()),
            Decimal(0),
        )
        return _round_ore(total)


# --- whole registers at once -------------------------------------------------------------

VALUE_DTYPE = pl.Decimal(38, 6)  # measured values are kept as decimal text with at most 6 decimals


def status_expr() -> pl.Expr:
    """``benefit_status`` as one polars expression over a register frame.

    Needs ``direction``, ``baseline_date``, ``target_date``, ``latest_date`` (Date) and
    ``baseline_value``, ``target_value``, ``latest_value`` (decimal text). The plan comparison is
    done without division, ``(latest − baseline)·total_days ≥ (target − baseline)·elapsed_days``,
    so it stays exact. No measurement gives ``ej mätt``; a measurement without a complete plan
    gives null (the register refuses that case, so a page shows it as "utan plan").
    """
    sign = pl.when(pl.col("direction") == "högre").then(1).otherwise(-1)
    base = pl.col("baseline_value").cast(VALUE_DTYPE)
    target = pl.col("target_value").cast(VALUE_DTYPE)
    latest = pl.col("latest_value").cast(VALUE_DTYPE)
    total_days = (pl.col("target_date") - pl.col("baseline_date")).dt.total_days()
    elapsed_days = (pl.min_horizontal("latest_date", "target_date") - pl.col("baseline_date")).dt.total_days()
    has_plan = pl.all_horizontal(
        pl.col("direction", "baseline_date", "target_date", "baseline_value", "target_value").is_not_null()
    )
    reached = (latest - target) * sign >= 0
    on_track = ((latest - base) * total_days - (target - base) * elapsed_days) * sign >= 0
    return (
        pl.when(pl.col("latest_value").is_null())
        .then(pl.lit(BenefitStatus.EJ_MATT.value))
        .when(~has_plan)
        .then(pl.lit(None, dtype=pl.String))
        .when(reached)
        .then(pl.lit(BenefitStatus.UPPNATT.value))
        .when(on_track)
        .then(pl.lit(BenefitStatus.PA_VAG.value))
        .otherwise(pl.lit(BenefitStatus.EFTER_PLAN.value))
    )


def with_status(register: pl.DataFrame, today: date, max_age_days: int = 365) -> pl.DataFrame:
    """Add ``status``, ``status_text`` (symbol + word) and ``stale`` to a register frame."""
    if max_age_days < 0:
        raise ValueError("Högsta ålder i dagar får inte vara negativ")
    symbols = {status.value: f"{status.symbol} {status.value.capitalize()}" for status in BenefitStatus}
    return (
        register.lazy()
        .with_columns(status=status_expr())
        .with_columns(
            status_text=pl.col("status")
            .replace_strict(symbols, default=None, return_dtype=pl.String)
            .fill_null("– Utan plan"),
            stale=pl.col("latest_date").is_null()
            | ((pl.lit(today) - pl.col("latest_date")).dt.total_days() > max_age_days),
        )
        .collect()
    )


def spread_by_days(total_ore: int, start: date, end: date) -> dict[int, int]:
    """Split an amount over the calendar years from ``start`` to ``end`` by days in each year.

    Used when a cost is known only for a whole period; the parts sum exactly to the total
    (largest remainder, the earlier year first on a tie).
    """
    if end < start:
        raise ValueError("Periodens slutdatum måste vara samma dag som eller efter startdatum")
    days = {
        year: (min(end, date(year, 12, 31)) - max(start, date(year, 1, 1))).days + 1
        for year in range(start.year, end.year + 1)
    }
    parts = largest_remainder(total_ore, {str(year): count for year, count in days.items()})
    return {int(year): part for year, part in parts.items()}


def filter_register(
    register: pl.DataFrame,
    *,
    projects: list[str] | None = None,
    parties: list[str] | None = None,
    statuses: list[str] | None = None,
    stale_only: bool = False,
) -> pl.DataFrame:
    """Benefits matching every given filter; an empty filter lets everything through.

    A party matches a benefit that names it, or, when the benefit names no party, a benefit of
    a project the party finances. ``statuses`` are ``BenefitStatus`` values; ``stale_only``
    keeps those not measured for a year (needs ``with_status`` first).
    """
    expr = pl.lit(True)
    if projects:
        expr &= pl.col("project").is_in(projects)
    if parties:
        named = pl.col("parties").fill_null("")
        effective = pl.when(named == "").then(pl.col("financing_parties").fill_null("")).otherwise(named)
        expr &= effective.str.split(",").list.eval(pl.element().is_in(parties)).list.any()
    if statuses:
        expr &= pl.col("status").is_in(statuses).fill_null(False)
    if stale_only:
        expr &= pl.col("stale")
    return register.filter(expr)
