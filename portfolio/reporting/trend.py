"""Status per dimension over periods: the newest published version of each period's report."""

from __future__ import annotations

import polars as pl

from portfolio.reporting.model import DIMENSIONS

PERIOD_ORDER = {"T1": 1, "T2": 2, "helår": 3}
RANK = {"röd": 0, "gul": 1, "grön": 2}
TREND_SCHEMA = {
    "year": pl.Int64,
    "period": pl.String,
    "label": pl.String,
    "dimension": pl.String,
    "status": pl.String,
    "rank": pl.Int64,
}


def by_period(published: pl.DataFrame) -> pl.DataFrame:
    """One row per period (its newest version), oldest period first."""
    if published.is_empty():
        return published
    return (
        published.filter(pl.col("year").is_not_null())
        .sort("report_version", "id")
        .group_by("year", "period", maintain_order=True)
        .last()
        .with_columns(
            pl.col("period").replace_strict(PERIOD_ORDER, default=9, return_dtype=pl.Int64).alias("_o")
        )
        .sort("year", "_o")
        .drop("_o")
    )


def trend(published: pl.DataFrame) -> pl.DataFrame:
    """Long form for the chart: period label, dimension (Swedish), status and its rank."""
    periods = by_period(published)
    if periods.is_empty():
        return pl.DataFrame(schema=TREND_SCHEMA)
    return pl.concat(
        [
            periods.select(
                "year",
                "period",
                pl.format("{} {}", "period", "year").alias("label"),
                pl.lit(label).alias("dimension"),
                pl.col(f"{key}_status").alias("status"),
                pl.col(f"{key}_status")
                .replace_strict(RANK, default=None, return_dtype=pl.Int64)
                .alias("rank"),
            )
            for key, label in DIMENSIONS.items()
        ]
    ).cast(TREND_SCHEMA)  # type: ignore[arg-type]


def trend_table(long: pl.DataFrame, shown: dict[str, str]) -> pl.DataFrame:
    """Dimensions as rows, periods as columns, each cell the status as symbol and word."""
    if long.is_empty():
        return pl.DataFrame({"Dimension": list(DIMENSIONS.values())})
    labels = long["label"].unique(maintain_order=True).to_list()
    rows = []
    for dimension in DIMENSIONS.values():
        part = long.filter(pl.col("dimension") == dimension)
        cells = dict(zip(part["label"].to_list(), part["status"].to_list(), strict=True))
        rows.append(
            {
                "Dimension": dimension,
                **{lbl: shown.get(cells.get(lbl) or "", "– Ej rapporterad") for lbl in labels},
            }
        )
    return pl.DataFrame(rows)
