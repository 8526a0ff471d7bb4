"""Pure report functions: budget totals never added twice, periods, sign, mapping, forecast."""

from __future__ import annotations

import polars as pl
import pytest

from portfolio.errors import InvalidInputError
from portfolio.ledger import reports
from portfolio.ledger.mapping import (
    UNMAPPED_LINE,
    UNMAPPED_REVENUE_LINE,
    apply_mapping,
    default_mapping_frame,
    unmapped_accounts,
    validate_rules,
)
from portfolio.periods import Period

MONTHS = {
    "year": pl.Int64,
    "month": pl.Int64,
    "account": pl.String,
    "object": pl.String,
    "amount_ore": pl.Int64,
}
BUDGET = {
    "import_id": pl.Int64,
    "year": pl.Int64,
    "month": pl.Int64,
    "account": pl.String,
    "object": pl.String,
    "amount_ore": pl.Int64,
    "is_total": pl.Boolean,
}


def months(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=MONTHS, orient="row")


def budget(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=BUDGET, orient="row")


NO_BUDGET = budget()


def test_budget_totals_are_used_instead_of_the_object_rows_they_repeat():
    rows = budget(
        (1, 2019, 1, "5010", "6674", 100_00, False),
        (1, 2019, 1, "5010", "6663", 50_00, False),
        (1, 2019, 1, "5010", None, 170_00, True),  # 150 on objects + 20 without an object
        (1, 2019, 2, "5010", "6674", 30_00, False),  # no total this month: the rows count
    )
    committee = reports.committee_budget(rows).collect().sort("month")
    assert committee["amount_ore"].to_list() == [170_00, 30_00]


def test_budget_totals_of_two_imports_are_each_used_once():
    rows = budget((1, 2019, 1, "5010", None, 10_00, True), (2, 2019, 1, "5010", "6674", 7_00, False))
    assert reports.committee_budget(rows).collect()["amount_ore"].sum() == 17_00


def test_by_object_sums_result_accounts_in_the_period_only():
    actual = months(
        (2019, 1, "5010", "6674", 1_000_00),
        (2019, 4, "3110", "6674", -300_00),
        (2019, 5, "5010", "6674", 9_999_00),  # after T1
        (2019, 2, "1930", "6674", 5_555_00),  # a balance account
        (2018, 2, "5010", "6674", 7_777_00),  # the previous year
        (2019, 2, "5010", None, 123_00),  # no object
    )
    rows = budget(
        (1, 2019, 1, "5010", "6674", 400_00, False),
        (1, 2019, 5, "5010", "6674", 400_00, False),
        (1, 2019, 1, "5010", None, 999_00, True),
    )
    result = reports.by_object(actual, rows, year=2019, period=Period.T1)
    assert result.to_dicts() == [
        {"object": "6674", "budget_ore": 400_00, "actual_ore": 700_00, "deviation_ore": -300_00}
    ]


def test_by_object_lists_an_object_with_only_budget():
    rows = budget((1, 2019, 3, "5010", "6676", 250_00, False))
    result = reports.by_object(months(), rows, year=2019, period=Period.T1)
    assert result.row(0) == ("6676", 250_00, 0, 250_00)


def test_income_statement_shows_revenues_positive_costs_negative_with_totals_last():
    actual = months(
        (2019, 1, "3110", None, -1_000_00),
        (2019, 2, "5010", "6674", 600_00),
        (2019, 3, "8410", None, 100_00),
    )
    rows = budget((1, 2019, 1, "3110", None, -900_00, True), (1, 2019, 1, "5010", None, 500_00, True))
    previous = months((2018, 1, "5010", None, 450_00))
    statement = reports.income_statement(
        actual, rows, default_mapping_frame(), year=2019, period=Period.T1, previous=previous
    )
    by_line = {r["line"]: r for r in statement.iter_rows(named=True)}
    assert by_line["Försäljning och avgifter"]["actual_ore"] == 1_000_00
    assert by_line["Personalkostnader"]["actual_ore"] == -600_00
    assert by_line["Personalkostnader"]["previous_year_ore"] == -450_00
    assert by_line["Finansiella poster"]["actual_ore"] == -100_00
    assert by_line["Summa intäkter"]["budget_ore"] == 900_00
    net = statement.row(-1, named=True)
    assert net["line"] == reports.NET_LINE
    assert (net["actual_ore"], net["budget_ore"]) == (300_00, 400_00)
    assert net["diff_budget_ore"] == -100_00
    assert reports.net_result(statement) == -100_00
    # Every line of the mapping is shown, zero or not, revenues before costs.
    assert statement["line"].to_list()[:4] == [
        "Försäljning och avgifter",
        "Bidrag",
        "Övriga intäkter",
        "Summa intäkter",
    ]


def test_an_unmapped_account_is_shown_on_its_own_line_and_listed_never_dropped():
    mapping = default_mapping_frame().filter(pl.col("line") != "Lokaler")
    actual = months((2019, 1, "6110", None, 200_00), (2019, 1, "3110", None, -50_00))
    statement = reports.income_statement(actual, NO_BUDGET, mapping, year=2019, period=Period.HELAR)
    by_line = {r["line"]: r for r in statement.iter_rows(named=True)}
    assert by_line[UNMAPPED_LINE]["actual_ore"] == -200_00
    assert by_line[reports.NET_LINE]["actual_ore"] == -150_00
    assert unmapped_accounts(actual, mapping) == ["6110"]


def test_an_unmapped_revenue_account_stays_a_revenue():
    mapping = default_mapping_frame().filter(pl.col("line") != "Bidrag")
    mapped = apply_mapping(months((2019, 1, "3510", None, -10_00)), mapping).collect()
    assert mapped.row(0, named=True)["line"] == UNMAPPED_REVENUE_LINE
    assert mapped.row(0, named=True)["kind"] == "intäkt"


def test_a_scoped_statement_uses_object_budget_rows_not_the_totals():
    actual = months((2019, 1, "5010", "6674", 100_00), (2019, 1, "5010", "6663", 900_00))
    rows = budget((1, 2019, 1, "5010", "6674", 80_00, False), (1, 2019, 1, "5010", None, 1_000_00, True))
    statement = reports.income_statement(
        actual, rows, default_mapping_frame(), year=2019, period=Period.T1, objects=["6674"]
    )
    net = statement.row(-1, named=True)
    assert (net["actual_ore"], net["budget_ore"]) == (-100_00, -80_00)


def test_reported_statement_keeps_the_documents_figures_and_computes_differences():
    reported = pl.DataFrame(
        [(0, "Försäljning", "intäkt", 445_400_000, 256_500_000, 292_900_000)],
        schema=["position", "line", "kind", "actual_ore", "budget_ore", "previous_year_ore"],
        orient="row",
    )
    row = reports.statement_from_reported(reported).row(0, named=True)
    assert row["diff_budget_ore"] == 188_900_000
    assert row["diff_previous_year_ore"] == 152_500_000


def test_forecast_defaults_to_budget_plus_deviation_and_a_stored_one_wins():
    period_objects = pl.DataFrame(
        {"object": ["A", "B"], "budget_ore": [100, 100], "actual_ore": [150, 80], "deviation_ore": [-50, 20]}
    )
    year = pl.DataFrame({"object": ["A", "B"], "budget_ore": [300, 300]})
    notes = pl.DataFrame({"object": ["B"], "forecast_ore": [999], "comment": ["x"]})
    result = {r["object"]: r for r in reports.forecast(period_objects, year, notes).iter_rows(named=True)}
    assert result["A"]["forecast_ore"] == 350
    assert result["A"]["forecast_source"] == "budget + avvikelse hittills"
    assert result["B"]["forecast_ore"] == 999
    assert result["B"]["default_forecast_ore"] == 280


def test_a_comment_is_required_from_the_threshold_in_either_direction():
    objects = pl.DataFrame({"object": ["A", "B", "C"], "deviation_ore": [-5_000_000, 4_999_999, 6_000_000]})
    notes = pl.DataFrame({"object": ["C"], "comment": ["förklarat"]})
    result = reports.with_comment_rule(objects, notes, 5_000_000)
    assert result["comment_required"].to_list() == [True, False, True]
    assert result["comment_missing"].to_list() == [True, False, False]


def test_comparing_with_a_snapshot_shows_the_change_per_line():
    live = pl.DataFrame(
        {"position": [0, 1], "line": ["A", "B"], "actual_ore": [10, 20], "budget_ore": [5, 5]}
    )
    frozen = pl.DataFrame(
        {"position": [0, 1], "line": ["A", "B"], "actual_ore": [10, 15], "budget_ore": [5, 5]}
    )
    diff = reports.compare_statements(live, frozen)
    assert diff["line"].to_list() == ["A", "B"]
    assert diff["change_actual_ore"].to_list() == [0, 5]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                {"from_account": "30", "to_account": "34", "line": "A", "kind": "intäkt"},
                {"from_account": "34", "to_account": "35", "line": "B", "kind": "intäkt"},
            ],
            "överlappar",
        ),
        ([{"from_account": "34", "to_account": "30", "line": "A", "kind": "intäkt"}], "baklänges"),
        ([{"from_account": "19", "to_account": "19", "line": "Kassa", "kind": "kostnad"}], "klass 3–8"),
        ([{"from_account": "3", "to_account": "34", "line": "A", "kind": "intäkt"}], "lika många siffror"),
        ([{"from_account": "30", "to_account": "34", "line": "A", "kind": "skatt"}], "Rad 1"),
    ],
)
def test_a_bad_mapping_row_is_refused_with_its_row_and_a_swedish_reason(rows, message):
    with pytest.raises(InvalidInputError) as info:
        validate_rules(rows)
    assert any(message in m for m in info.value.messages), info.value.messages


def test_the_kommun_bas_default_covers_every_result_account():
    frame = months(*[(2019, 1, f"{a}{b}10", None, 1) for a in "345678" for b in "0123456789"])
    assert unmapped_accounts(frame, default_mapping_frame()) == []
