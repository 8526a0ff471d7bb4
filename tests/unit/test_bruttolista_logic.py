"""Filters, grouping and the status-by-area counts of the bruttolista (pure functions)."""

from __future__ import annotations

import polars as pl
import pytest

from portfolio.errors import InvalidInputError
from portfolio.governance.model import parse
from registers.bruttolista.logic import (
    NO_STATUS,
    filter_activities,
    group_counts,
    status_by_area,
    status_by_area_table,
)
from registers.bruttolista.model import LABELS, ActivityInput, ActivityStatus, status_display


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "plan_year": [2019, 2019, 2019, 2020],
            "areas": [
                ["Ledning/Styrning"],
                ["Infrastruktur", "Kärnverksamhet"],
                ["Kärnverksamhet"],
                ["Expertis"],
            ],
            "status": ["ej påbörjad", "genomförd", "pågår", None],
        },
        schema={"id": pl.Int64, "plan_year": pl.Int64, "areas": pl.List(pl.String), "status": pl.String},
    )


def test_filters_combine_year_area_and_status():
    assert filter_activities(frame(), years=[2019])["id"].to_list() == [1, 2, 3]
    assert filter_activities(frame(), areas=["Kärnverksamhet"])["id"].to_list() == [2, 3]
    assert filter_activities(frame(), areas=["Kärnverksamhet"], statuses=["pågår"])["id"].to_list() == [3]
    assert filter_activities(frame())["id"].to_list() == [1, 2, 3, 4]


def test_an_activity_counts_once_in_each_of_its_areas():
    counts = status_by_area(frame())
    got = dict(zip(zip(counts["area"], counts["status"], strict=True), counts["count"], strict=True))
    assert got[("Infrastruktur", "genomförd")] == 1
    assert got[("Kärnverksamhet", "genomförd")] == 1
    assert got[("Kärnverksamhet", "pågår")] == 1
    assert got[("Expertis", NO_STATUS)] == 1
    assert got[("Kommunikation", "pågår")] == 0  # every area and status is present
    assert counts["count"].sum() == 5


def test_status_table_has_the_same_figures_as_the_chart_and_leaves_out_empty_areas():
    table = status_by_area_table(status_by_area(frame()))
    assert table["area"].to_list() == ["Ledning/Styrning", "Kärnverksamhet", "Infrastruktur", "Expertis"]
    assert table.filter(pl.col("area") == "Kärnverksamhet")["summa"].item() == 2
    assert "ej aktuell" not in table.columns


def test_group_counts_by_area_status_and_year():
    assert dict(group_counts(frame(), "area").iter_rows())["Kärnverksamhet"] == 2
    assert dict(group_counts(frame(), "status").iter_rows())[NO_STATUS] == 1
    assert dict(group_counts(frame(), "plan_year").iter_rows()) == {"2019": 3, "2020": 1}


def test_every_status_has_its_own_symbol_and_a_word():
    symbols = {s.symbol for s in ActivityStatus}
    assert len(symbols) == len(ActivityStatus)
    assert status_display("bordlagd") == "‖ Bordlagd"
    assert status_display(None).startswith("–")


def test_an_unknown_area_is_refused_naming_the_allowed_ones():
    with pytest.raises(InvalidInputError, match="Okänt område 'IT'; välj bland Ledning/Styrning"):
        parse(ActivityInput, {"plan_year": 2020, "activity": "X", "areas": ["IT"]}, LABELS)


def test_an_activity_needs_at_least_one_area():
    with pytest.raises(InvalidInputError, match="Område"):
        parse(ActivityInput, {"plan_year": 2020, "activity": "X", "areas": []}, LABELS)
