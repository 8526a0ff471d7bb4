"""Pure functions over the activities frame: filters, grouping, status by area. No I/O."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from registers.bruttolista.model import AREAS, ActivityStatus

NO_STATUS = "ingen uppföljning"


def filter_activities(
    activities: pl.DataFrame,
    *,
    years: Iterable[int] = (),
    areas: Iterable[str] = (),
    statuses: Iterable[str] = (),
) -> pl.DataFrame:
    """Activities of any of `years`, touching any of `areas`, with any of `statuses` (empty = all)."""
    years, areas, statuses = list(years), list(areas), list(statuses)
    out = activities.lazy()
    if years:
        out = out.filter(pl.col("plan_year").is_in(years))
    if areas:
        out = out.filter(pl.col("areas").list.eval(pl.element().is_in(areas)).list.any())
    if statuses:
        out = out.filter(pl.col("status").is_in(statuses))
    return out.collect()


def status_by_area(activities: pl.DataFrame) -> pl.DataFrame:
    """How many activities of each status touch each area (an activity counts in each of its areas).

    Every known area and status appears, with zero where none, in the documents' order.
    """
    statuses = [s.value for s in ActivityStatus]
    counted = (
        activities.lazy()
        .select(pl.col("areas"), pl.col("status").fill_null(NO_STATUS))
        .explode("areas")
        .drop_nulls("areas")
        .group_by("areas", "status")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .rename({"areas": "area"})
    )
    extra_areas = (
        activities.lazy().select(pl.col("areas").explode().drop_nulls().unique()).collect()["areas"].to_list()
    )
    area_order = list(AREAS) + sorted(a for a in extra_areas if a not in AREAS)
    status_order = [*statuses, NO_STATUS]
    grid = pl.LazyFrame({"area": area_order}).join(pl.LazyFrame({"status": status_order}), how="cross")
    return (
        grid.join(counted, on=["area", "status"], how="left")
        .with_columns(pl.col("count").fill_null(0))
        .with_columns(
            pl.col("area").replace_strict(area_order, list(range(len(area_order)))).alias("_a"),
            pl.col("status").replace_strict(status_order, list(range(len(status_order)))).alias("_s"),
        )
        .sort("_a", "_s")
        .drop("_a", "_s")
        .collect()
    )


def status_by_area_table(counts: pl.DataFrame) -> pl.DataFrame:
    """The status-by-area counts as a wide table: one row per area, one column per status, and a sum.

    Areas and statuses with no activity are left out.
    """
    used = (
        counts.group_by("status", maintain_order=True).agg(pl.col("count").sum()).filter(pl.col("count") > 0)
    )
    wide = counts.filter(pl.col("status").is_in(used["status"].implode())).pivot(
        on="status", index="area", values="count"
    )
    status_cols = [c for c in wide.columns if c != "area"]
    return wide.with_columns(pl.sum_horizontal(status_cols).alias("summa")).filter(pl.col("summa") > 0)


def group_counts(activities: pl.DataFrame, by: str) -> pl.DataFrame:
    """How many activities per area, status or plan year (`by` = "area", "status" or "plan_year")."""
    if by == "area":
        base = activities.select(pl.col("areas").alias("group")).explode("group")
    elif by == "status":
        base = activities.select(pl.col("status").fill_null(NO_STATUS).alias("group"))
    else:
        base = activities.select(pl.col(by).cast(pl.String).alias("group"))
    return base.group_by("group").agg(pl.len().cast(pl.Int64).alias("count")).sort("group")
