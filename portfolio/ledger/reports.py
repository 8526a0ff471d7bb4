"""Tertial reports as pure functions: frames in, frames out, no I/O.

Inputs are the ledger's month sums (`year, month, account, object, amount_ore`, ledger sign:
costs positive, revenues negative) and budget rows (`import_id, year, month, account, object,
amount_ore, is_total`). `is_total` marks a `#PBUDGET` with an empty object list: it repeats the
per-object rows, so for an account and month the totals are used when there are any, else the
sum of the rows, and never both. Income statements come out in the report's sign (revenues
positive, costs negative) with the annual report's columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from portfolio.ledger.mapping import apply_mapping
from portfolio.periods import Period

__all__ = [
    "NET_LINE",
    "OBJECT_SCHEMA",
    "STATEMENT_SCHEMA",
    "TOTAL_LINES",
    "by_object",
    "committee_budget",
    "compare_statements",
    "forecast",
    "income_statement",
    "net_result",
    "statement_from_reported",
    "with_comment_rule",
]

RESULT_CLASSES = ("3", "4", "5", "6", "7", "8")
REVENUE_TOTAL = "Summa intäkter"
COST_TOTAL = "Summa kostnader"
NET_LINE = "Verksamhetens nettokostnader"
TOTAL_LINES = (REVENUE_TOTAL, COST_TOTAL, NET_LINE)

STATEMENT_SCHEMA: dict[str, Any] = {
    "position": pl.Int64,
    "line": pl.String,
    "kind": pl.String,
    "actual_ore": pl.Int64,
    "budget_ore": pl.Int64,
    "diff_budget_ore": pl.Int64,
    "previous_year_ore": pl.Int64,
    "diff_previous_year_ore": pl.Int64,
}
OBJECT_SCHEMA: dict[str, Any] = {
    "object": pl.String,
    "budget_ore": pl.Int64,
    "actual_ore": pl.Int64,
    "deviation_ore": pl.Int64,
}


def _in_period(year: int, period: Period) -> pl.Expr:
    return (pl.col("year") == year) & (pl.col("month") <= period.last_month)


def _result_accounts() -> pl.Expr:
    return pl.col("account").str.slice(0, 1).is_in(list(RESULT_CLASSES))


def _scope(objects: Sequence[str] | None) -> pl.Expr:
    if objects is None:
        return pl.lit(True)
    return pl.col("object").is_in(list(objects))


def committee_budget(budget: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Budget per year, month and account for the whole ledger: totals where a file has them."""
    lazy = budget.lazy()
    keys = ["import_id", "year", "month", "account"]
    return (
        lazy.with_columns(pl.col("is_total").any().over(keys).alias("_has_total"))
        .filter(pl.col("is_total") == pl.col("_has_total"))
        .group_by("year", "month", "account")
        .agg(pl.col("amount_ore").sum())
    )


def _object_budget(budget: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    return budget.lazy().filter(~pl.col("is_total") & pl.col("object").is_not_null())


def by_object(
    actual: pl.LazyFrame | pl.DataFrame,
    budget: pl.LazyFrame | pl.DataFrame,
    *,
    year: int,
    period: Period,
) -> pl.DataFrame:
    """Budget, actual and deviation (budget − actual) per project object, in the ledger's sign.

    Actual: `#TRANS` on result accounts (classes 3–8) carrying the object, dated in the period.
    Budget: year-0 budget rows carrying the object for months in the period. An object appears
    when it has at least one such row.
    """
    act = (
        actual.lazy()
        .filter(_in_period(year, period) & _result_accounts() & pl.col("object").is_not_null())
        .group_by("object")
        .agg(pl.col("amount_ore").sum().alias("actual_ore"))
    )
    bud = (
        _object_budget(budget)
        .filter(_in_period(year, period))
        .group_by("object")
        .agg(pl.col("amount_ore").sum().alias("budget_ore"))
    )
    return (
        bud.join(act, on="object", how="full", coalesce=True)
        .with_columns(pl.col("budget_ore").fill_null(0), pl.col("actual_ore").fill_null(0))
        .with_columns((pl.col("budget_ore") - pl.col("actual_ore")).alias("deviation_ore"))
        .select(list(OBJECT_SCHEMA))
        .sort("object")
        .collect()
        .cast(pl.Schema(OBJECT_SCHEMA))
    )


def _lines(frame: pl.LazyFrame, mapping: pl.DataFrame, alias: str) -> pl.LazyFrame:
    # The report's sign: a revenue (negative in the ledger) is shown positive. Summing per
    # account first leaves the mapping's rules a few hundred rows to match, not every month sum.
    per_account = frame.group_by("account").agg(pl.col("amount_ore").sum())
    return (
        apply_mapping(per_account, mapping)
        .group_by("line", "kind", "position")
        .agg((-pl.col("amount_ore").sum()).alias(alias))
    )


EMPTY_MONTHS: dict[str, Any] = {
    "year": pl.Int64,
    "month": pl.Int64,
    "account": pl.String,
    "object": pl.String,
    "amount_ore": pl.Int64,
}


def income_statement(
    actual: pl.LazyFrame | pl.DataFrame,
    budget: pl.LazyFrame | pl.DataFrame,
    mapping: pl.DataFrame,
    *,
    year: int,
    period: Period,
    previous: pl.LazyFrame | pl.DataFrame | None = None,
    objects: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The income statement with the annual report's columns, summed from the ledger.

    `objects` limits it to some project objects (None: the whole committee). `previous` holds
    the previous year's month sums (same columns as `actual`); without it that column is 0.
    Every line of the mapping is shown, also when it is zero, as in the annual report;
    accounts no rule covers land on "Ej mappade konton" and are never dropped.
    """
    scope = _scope(objects)
    act = actual.lazy().filter(_in_period(year, period) & _result_accounts() & scope)
    bud = committee_budget(budget) if objects is None else _object_budget(budget).filter(scope)
    bud = bud.filter(_in_period(year, period) & _result_accounts())
    prev_frame = previous.lazy() if previous is not None else pl.LazyFrame(schema=EMPTY_MONTHS)
    prev = prev_frame.filter(_in_period(year - 1, period) & _result_accounts() & scope)

    parts = {
        "actual_ore": _lines(act, mapping, "actual_ore"),
        "budget_ore": _lines(bud, mapping, "budget_ore"),
        "previous_year_ore": _lines(prev, mapping, "previous_year_ore"),
    }
    rules = (
        mapping.lazy()
        .group_by("line")
        .agg(pl.col("position").min(), pl.col("kind").first())
        .select("line", "kind", "position")
    )
    base = (
        pl.concat([rules, *(p.select("line", "kind", "position") for p in parts.values())])
        .group_by("line")
        .agg(pl.col("kind").first(), pl.col("position").min())
    )
    body = base
    for column, part in parts.items():
        body = body.join(part.group_by("line").agg(pl.col(column).sum()), on="line", how="left")
    body_frame = (
        body.with_columns(pl.col(*parts).fill_null(0).cast(pl.Int64))
        .sort(pl.col("kind") != "intäkt", "position", "line")
        .collect()
    )
    return _with_totals(body_frame)


def _with_totals(body: pl.DataFrame) -> pl.DataFrame:
    """Add the sum rows and the difference columns, numbering the rows in report order."""
    sums = ["actual_ore", "budget_ore", "previous_year_ore"]
    revenue = body.filter(pl.col("kind") == "intäkt")
    cost = body.filter(pl.col("kind") != "intäkt")

    def total(part: pl.DataFrame, line: str) -> pl.DataFrame:
        row = {"position": 0, "line": line, "kind": "summa"}
        row.update({c: int(part[c].sum()) for c in sums})
        return pl.DataFrame(
            [row],
            schema={
                **{k: STATEMENT_SCHEMA[k] for k in ("position", "line", "kind")},
                **dict.fromkeys(sums, pl.Int64),
            },
        )

    cols = ["position", "line", "kind", *sums]
    ordered = pl.concat(
        [
            revenue.select(cols).cast(dict.fromkeys(sums, pl.Int64)),
            total(revenue, REVENUE_TOTAL),
            cost.select(cols).cast(dict.fromkeys(sums, pl.Int64)),
            total(cost, COST_TOTAL),
            total(body, NET_LINE),
        ]
    )
    return (
        ordered.with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("position"),
            (pl.col("actual_ore") - pl.col("budget_ore")).alias("diff_budget_ore"),
            (pl.col("actual_ore") - pl.col("previous_year_ore")).alias("diff_previous_year_ore"),
        )
        .select(list(STATEMENT_SCHEMA))
        .cast(pl.Schema(STATEMENT_SCHEMA))
    )


def statement_from_reported(reported: pl.DataFrame) -> pl.DataFrame:
    """A statement as the committee's report states it, with the difference columns computed.

    The document's own figures (sum rows included) are kept as stated, not re-added.
    """
    return (
        reported.sort("position")
        .with_columns(
            (pl.col("actual_ore") - pl.col("budget_ore")).alias("diff_budget_ore"),
            (pl.col("actual_ore") - pl.col("previous_year_ore")).alias("diff_previous_year_ore"),
        )
        .select(list(STATEMENT_SCHEMA))
        .cast(pl.Schema(STATEMENT_SCHEMA))
    )


def net_result(statement: pl.DataFrame) -> int | None:
    """Outcome against budget for the whole statement (report sign): actual − budget of the net line."""
    net = statement.filter(pl.col("line") == NET_LINE)
    if net.is_empty():
        return None
    return int(net["diff_budget_ore"][0])


def forecast(
    period_objects: pl.DataFrame,
    year_budget: pl.DataFrame,
    notes: pl.DataFrame,
) -> pl.DataFrame:
    """Full-year forecast per object: by default the year's budget plus the deviation so far.

    In the ledger's sign: forecast cost = year budget + (actual − budget) so far. A stored
    forecast (`notes.forecast_ore`) replaces the default; `forecast_source` says which.
    """
    year = year_budget.select("object", pl.col("budget_ore").alias("year_budget_ore"))
    stored = notes.select("object", pl.col("forecast_ore").alias("_stored"))
    return (
        period_objects.join(year, on="object", how="left")
        .join(stored, on="object", how="left")
        .with_columns(pl.col("year_budget_ore").fill_null(0))
        .with_columns(
            (pl.col("year_budget_ore") + pl.col("actual_ore") - pl.col("budget_ore")).alias(
                "default_forecast_ore"
            )
        )
        .with_columns(
            pl.coalesce("_stored", "default_forecast_ore").alias("forecast_ore"),
            pl.when(pl.col("_stored").is_null())
            .then(pl.lit("budget + avvikelse hittills"))
            .otherwise(pl.lit("inmatad"))
            .alias("forecast_source"),
        )
        .drop("_stored")
    )


def with_comment_rule(objects: pl.DataFrame, notes: pl.DataFrame, threshold_ore: int) -> pl.DataFrame:
    """Add each object's comment and whether one is required (|deviation| ≥ threshold) but missing."""
    comments = notes.select("object", pl.col("comment").fill_null(""))
    return (
        objects.join(comments, on="object", how="left")
        .with_columns(pl.col("comment").fill_null(""))
        .with_columns(
            (pl.col("deviation_ore").abs() >= threshold_ore).fill_null(False).alias("comment_required"),
        )
        .with_columns(
            (pl.col("comment_required") & (pl.col("comment").str.strip_chars() == "")).alias(
                "comment_missing"
            )
        )
    )


def compare_statements(live: pl.DataFrame, frozen: pl.DataFrame) -> pl.DataFrame:
    """Live figures against a frozen snapshot, line by line: the change since it was frozen."""
    cols = ["line", "actual_ore", "budget_ore"]
    return (
        frozen.select(cols)
        .rename({"actual_ore": "frozen_actual_ore", "budget_ore": "frozen_budget_ore"})
        .join(live.select(cols), on="line", how="full", coalesce=True)
        .with_columns(
            pl.col("frozen_actual_ore", "frozen_budget_ore", "actual_ore", "budget_ore").fill_null(0)
        )
        .with_columns(
            (pl.col("actual_ore") - pl.col("frozen_actual_ore")).alias("change_actual_ore"),
            (pl.col("budget_ore") - pl.col("frozen_budget_ore")).alias("change_budget_ore"),
        )
        .join(
            pl.concat([live.select("line", "position"), frozen.select("line", pl.col("position") + 1000)])
            .group_by("line")
            .agg(pl.col("position").min()),
            on="line",
            how="left",
        )
        .sort("position")
        .drop("position")
    )
