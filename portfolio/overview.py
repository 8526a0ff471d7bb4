"""The portfolio at a glance: pure functions from the projects frame to key figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from portfolio.models import Phase, Status


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """What the committee sees first: how many, in what state, and the money."""

    count: int
    by_status: dict[str, int]
    by_phase: dict[str, int]
    budget_ore: int
    actual_ore: int
    deviation_ore: int
    with_both: int  # projects that have both a budget and an actual


def with_deviation(projects: pl.DataFrame) -> pl.DataFrame:
    """Add `deviation_ore` = budget − actual where both are known."""
    return projects.with_columns((pl.col("budget_ore") - pl.col("actual_ore")).alias("deviation_ore"))


def with_reported_status(
    projects: pl.DataFrame, latest: pl.DataFrame, period_reports: pl.DataFrame
) -> pl.DataFrame:
    """Projects with their deviation, latest status report and current period's report joined in.

    The latest status report wins: its overall status and reason replace the status and reason
    the case was registered with; a project without a report keeps its own.
    `latest` is `status.latest_per_project`'s frame, `period_reports` one row per project_id.
    """
    return (
        with_deviation(projects)
        .join(latest, left_on="id", right_on="project_id", how="left")
        .join(period_reports, left_on="id", right_on="project_id", how="left")
        .with_columns(
            pl.coalesce("report_status", "status").alias("status"),
            pl.coalesce("report_reason", "status_reason").alias("status_reason"),
        )
    )


def filter_projects(
    projects: pl.DataFrame,
    *,
    parties: Iterable[str] = (),
    phases: Iterable[str] = (),
    statuses: Iterable[str] = (),
    year: int | None = None,
) -> pl.DataFrame:
    """Projects that match every given filter; an empty filter lets everything through.

    A party matches when it owns or finances the project. A year matches when the
    project ran some time that year (no start date: always; no end: still running).
    """
    expr = pl.lit(True)
    parties = list(parties)
    if parties:
        financed = pl.col("financing_parties").fill_null("").str.split(",")
        expr &= (
            pl.col("owner_party").is_in(parties).fill_null(False)
            | financed.list.eval(pl.element().is_in(parties)).list.any()
        )
    phases = list(phases)
    if phases:
        expr &= pl.col("phase").is_in(phases)
    statuses = list(statuses)
    if statuses:
        expr &= pl.col("status").is_in(statuses)
    if year is not None:
        end = pl.coalesce("actual_end_date", "planned_end_date")
        expr &= (pl.col("start_date").is_null() | (pl.col("start_date") <= f"{year}-12-31")) & (
            end.is_null() | (end >= f"{year}-01-01")
        )
    return projects.filter(expr)


def key_figures(projects: pl.DataFrame) -> KeyFigures:
    """Counts per status and phase (every value present, zero-filled) and the money totals."""
    status_counts = dict.fromkeys((s.value for s in Status), 0)
    for status, n in projects.group_by("status").len().iter_rows():
        status_counts[status] = n
    phase_counts = dict.fromkeys((p.value for p in Phase), 0)
    for phase, n in projects.group_by("phase").len().iter_rows():
        phase_counts[phase] = n
    both = pl.col("budget_ore").is_not_null() & pl.col("actual_ore").is_not_null()
    totals = projects.select(
        pl.col("budget_ore").sum().alias("b"),
        pl.col("actual_ore").sum().alias("a"),
        (pl.col("budget_ore") - pl.col("actual_ore")).filter(both).sum().alias("d"),
        both.sum().alias("n"),
    ).row(0)
    return KeyFigures(
        count=projects.height,
        by_status=status_counts,
        by_phase=phase_counts,
        budget_ore=int(totals[0] or 0),
        actual_ore=int(totals[1] or 0),
        deviation_ore=int(totals[2] or 0),
        with_both=int(totals[3] or 0),
    )


def budget_totals(lines: pl.DataFrame) -> dict[str, int | None]:
    """Sums of a project's budget lines: budget lines only, outcome of all, extra costs apart."""
    budget = lines.filter(pl.col("kind") == "budget")
    extra = lines.filter(pl.col("kind") == "tillkommande")

    def total(frame: pl.DataFrame, col: str) -> int | None:
        value = frame[col].sum() if frame.height else None
        return None if value is None else int(value)

    return {
        "budget_total": total(budget, "budget_total_ore"),
        "budget_region": total(budget, "budget_region_ore"),
        "budget_kommunerna": total(budget, "budget_kommunerna_ore"),
        "outcome_budget_lines": total(budget, "outcome_total_ore"),
        "outcome_region": total(budget, "outcome_region_ore"),
        "outcome_kommunerna": total(budget, "outcome_kommunerna_ore"),
        "outcome_extra": total(extra, "outcome_total_ore"),
        "outcome_all": total(lines, "outcome_total_ore"),
    }


def rounding_differences(lines: pl.DataFrame) -> pl.DataFrame:
    """Per line, how far the document's total is from region + municipalities (its rounding)."""
    parts = pl.col("outcome_region_ore").fill_null(0) + pl.col("outcome_kommunerna_ore").fill_null(0)
    has_parts = pl.col("outcome_region_ore").is_not_null() & pl.col("outcome_kommunerna_ore").is_not_null()
    return lines.with_columns(
        pl.when(has_parts).then(pl.col("outcome_total_ore") - parts).otherwise(None).alias("rounding_ore")
    )


def stated_vs_summed(totals: dict[str, int | None], stated: dict[str, Any] | None) -> list[Discrepancy]:
    """Where a report's stated totals differ from the sum of its own lines (kept, not hidden)."""
    if not stated:
        return []
    pairs = [
        ("Budget totalt", "budget_total_ore", totals["budget_total"]),
        ("Budget Region", "budget_region_ore", totals["budget_region"]),
        ("Budget kommunerna", "budget_kommunerna_ore", totals["budget_kommunerna"]),
        ("Utfall på budgetraderna", "outcome_total_ore", totals["outcome_budget_lines"]),
        ("Utfall Region", "outcome_region_ore", totals["outcome_region"]),
        ("Utfall kommunerna", "outcome_kommunerna_ore", totals["outcome_kommunerna"]),
        ("Tillkommande kostnader", "extra_ore", totals["outcome_extra"]),
    ]
    found = [
        Discrepancy(label, stated[key], summed or 0)
        for label, key, summed in pairs
        if stated.get(key) is not None and stated[key] != (summed or 0)
    ]
    total_cost = stated.get("total_cost_ore")
    parts = (stated.get("outcome_total_ore") or 0) + (stated.get("extra_ore") or 0)
    if total_cost is not None and parts and total_cost != parts:
        found.append(Discrepancy("Total kostnad mot utfall + tillkommande", total_cost, parts))
    return found


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A stated total and what its parts add up to."""

    label: str
    stated_ore: int
    summed_ore: int

    @property
    def difference_ore(self) -> int:
        return self.stated_ore - self.summed_ore


def search_projects(projects: pl.DataFrame, text: str | None) -> pl.DataFrame:
    """Projects whose code or name contains `text` (any case, as typed: no patterns)."""
    needle = (text or "").strip().lower()
    if not needle:
        return projects
    return projects.filter(
        pl.col("code").str.to_lowercase().str.contains(needle, literal=True)
        | pl.col("name").fill_null("").str.to_lowercase().str.contains(needle, literal=True)
    )


def page_count(rows: int, size: int) -> int:
    """How many pages of `size` rows `rows` fill (at least one, also when there is nothing)."""
    return max(1, -(-rows // size))


def top_with_rest(projects: pl.DataFrame, n: int, rest_label: str) -> pl.DataFrame:
    """The `n` projects with the largest budget or outcome, then one row `rest_label` summing the rest.

    A chart of thousands of bars cannot be read; its largest bars and the sum of the others can.
    Returns `code`, `name`, `budget_ore`, `actual_ore`; the rest row has no code.
    """
    size = pl.max_horizontal(pl.col("budget_ore").fill_null(0).abs(), pl.col("actual_ore").fill_null(0).abs())
    ranked = projects.select("code", "name", "budget_ore", "actual_ore").sort(
        size, "code", descending=[True, False]
    )
    top = ranked.head(n)
    rest = ranked.slice(n)
    if rest.height == 0:
        return top
    summed = rest.select(
        pl.lit(None, pl.String).alias("code"),
        pl.lit(f"{rest_label} ({rest.height} projekt)").alias("name"),
        pl.col("budget_ore").sum().cast(top.schema["budget_ore"]),
        pl.col("actual_ore").sum().cast(top.schema["actual_ore"]),
    )
    return pl.concat([top, summed])
