"""The trend per dimension: the newest version of each period, periods in their order."""

from __future__ import annotations

import polars as pl

from portfolio.reporting import trend
from portfolio.reporting.model import DIMENSIONS


def report(rid: int, year: int, period: str, version: int, overall: str) -> dict:
    return {
        "id": rid,
        "year": year,
        "period": period,
        "report_version": version,
        **{f"{d}_status": "grön" for d in DIMENSIONS if d != "overall"},
        "overall_status": overall,
    }


def test_the_newest_version_of_each_period_counts_and_periods_keep_their_order():
    published = pl.DataFrame(
        [
            report(1, 2019, "helår", 1, "grön"),
            report(2, 2019, "T1", 1, "röd"),
            report(3, 2019, "T1", 2, "gul"),
            report(4, 2018, "helår", 1, "grön"),
        ]
    )
    long = trend.trend(published)
    overall = long.filter(pl.col("dimension") == "Totalt")
    assert overall.select("label", "status", "rank").rows() == [
        ("helår 2018", "grön", 2),
        ("T1 2019", "gul", 1),
        ("helår 2019", "grön", 2),
    ]
    table = trend.trend_table(long, {"grön": "● Grön", "gul": "▲ Gul", "röd": "■ Röd"})
    assert table.columns == ["Dimension", "helår 2018", "T1 2019", "helår 2019"]
    assert table.row(5, named=True)["T1 2019"] == "▲ Gul"


def test_no_reports_give_an_empty_trend_with_its_columns():
    assert trend.trend(pl.DataFrame()).columns == list(trend.TREND_SCHEMA)
