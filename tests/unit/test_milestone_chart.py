"""The milestone timeline speaks in dates people read, even when every milestone falls on one day."""

from __future__ import annotations

import polars as pl

from dashboard.charts import milestone_timeline
from portfolio.store import MILESTONE_SCHEMA


def timeline(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(name, 0, day, None, None, kind, None) for name, day, kind in rows],
        schema=MILESTONE_SCHEMA,
        orient="row",
    )


def test_the_axis_shows_iso_dates_not_english_months_or_clock_times():
    fig = milestone_timeline(timeline(("Driftstart", "2021-03-01", "ursprunglig plan")), "Tidplan")
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"


def test_a_single_day_gets_room_around_it_instead_of_milliseconds():
    fig = milestone_timeline(timeline(("Driftstart", "2021-03-01", "ursprunglig plan")), "Tidplan")
    assert list(fig.layout.xaxis.range) == ["2021-02-14", "2021-03-16"]
