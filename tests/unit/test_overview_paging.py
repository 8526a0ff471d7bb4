"""The overview shows what a person reads: a page of rows, a search, the largest bars and the rest."""

from __future__ import annotations

import polars as pl

from portfolio.overview import page_count, search_projects, top_with_rest


def projects(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": [f"GNS/{i}/2024" for i in range(n)],
            "name": [f"Projekt {i}" for i in range(n)],
            "budget_ore": [i * 100 for i in range(n)],
            "actual_ore": [None if i % 3 == 0 else i * 50 for i in range(n)],
        },
        schema_overrides={"actual_ore": pl.Int64},
    )


def test_search_finds_code_or_name_in_any_case_and_treats_the_text_as_written():
    frame = pl.DataFrame({"code": ["GNS/8/2018", "GNS/1/2020"], "name": ["LINK2 (Cosmic)", "Annat [x]"]})
    assert search_projects(frame, "link2")["code"].to_list() == ["GNS/8/2018"]
    assert search_projects(frame, "1/2020")["code"].to_list() == ["GNS/1/2020"]
    assert search_projects(frame, "[x]")["code"].to_list() == ["GNS/1/2020"]  # not a pattern
    assert search_projects(frame, "  ").height == 2


def test_page_count_covers_every_row_and_is_at_least_one():
    assert [page_count(n, 50) for n in (0, 1, 50, 51, 2021)] == [1, 1, 1, 2, 41]


def test_chart_keeps_the_largest_projects_and_sums_the_others_exactly():
    frame = projects(2000)
    bars = top_with_rest(frame, 15, "Övriga")
    assert bars.height == 16
    assert bars["code"].head(15).to_list() == [f"GNS/{i}/2024" for i in range(1999, 1984, -1)]
    assert bars["name"][-1] == "Övriga (1985 projekt)" and bars["code"][-1] is None
    assert bars["budget_ore"].sum() == frame["budget_ore"].sum()
    assert bars["actual_ore"].sum() == frame["actual_ore"].sum()


def test_a_small_portfolio_has_no_rest_bar():
    assert top_with_rest(projects(10), 15, "Övriga").height == 10
