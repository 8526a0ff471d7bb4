from datetime import date

import polars as pl

from portfolio.overview import (
    budget_totals,
    filter_projects,
    key_figures,
    rounding_differences,
    with_deviation,
    with_reported_status,
)
from portfolio.status import latest_per_project
from portfolio.store import BUDGET_SCHEMA, PROJECT_SCHEMA


def projects(*rows: dict) -> pl.DataFrame:
    base = dict.fromkeys(PROJECT_SCHEMA)
    return pl.DataFrame([{**base, **r} for r in rows], schema=PROJECT_SCHEMA)


PORTFOLIO = projects(
    {
        "id": 1,
        "code": "GNS/8/2018",
        "phase": "avslutad",
        "status": "gul",
        "budget_ore": 281_000_000,
        "actual_ore": 348_998_600,
        "owner_party": "RJH",
        "financing_parties": "BERG,RJH",
        "start_date": "2018-09-01",
        "planned_end_date": "2019-06-30",
        "actual_end_date": "2019-10-31",
    },
    {
        "id": 2,
        "code": "GNS/03/2019",
        "phase": "förstudie",
        "status": "grön",
        "budget_ore": 36_000_000,
        "owner_party": "KROKOM",
        "start_date": "2019-04-01",
        "planned_end_date": "2019-12-31",
    },
    {
        "id": 3,
        "code": "6663",
        "phase": "förvaltning",
        "status": "grön",
        "owner_party": "RJH",
        "financing_parties": "ARE",
    },
)


def test_key_figures_count_every_status_and_phase_including_zero():
    figures = key_figures(PORTFOLIO)
    assert figures.count == 3
    assert figures.by_status == {"grön": 2, "gul": 1, "röd": 0}
    assert figures.by_phase["idé"] == 0
    assert figures.by_phase["förstudie"] == 1


def test_key_figures_sum_money_exactly_and_deviation_counts_only_projects_with_both():
    figures = key_figures(PORTFOLIO)
    assert figures.budget_ore == 317_000_000
    assert figures.actual_ore == 348_998_600
    # The pre-study has a budget but no outcome yet: it must not look like a saving.
    assert figures.deviation_ore == -67_998_600
    assert figures.with_both == 1


def test_deviation_is_empty_when_either_amount_is_missing():
    dev = with_deviation(PORTFOLIO)["deviation_ore"].to_list()
    assert dev == [-67_998_600, None, None]


def test_party_filter_matches_owner_or_financier():
    assert filter_projects(PORTFOLIO, parties=["ARE"])["code"].to_list() == ["6663"]
    assert filter_projects(PORTFOLIO, parties=["BERG"])["code"].to_list() == ["GNS/8/2018"]
    assert filter_projects(PORTFOLIO, parties=["RJH"]).height == 2


def test_year_filter_keeps_projects_running_that_year():
    assert filter_projects(PORTFOLIO, year=2018)["code"].to_list() == ["GNS/8/2018", "6663"]
    assert filter_projects(PORTFOLIO, year=2020)["code"].to_list() == ["6663"]


def test_phase_and_status_filters_combine():
    shown = filter_projects(PORTFOLIO, phases=["förstudie", "avslutad"], statuses=["grön"])
    assert shown["code"].to_list() == ["GNS/03/2019"]


def lines() -> pl.DataFrame:
    rows = [
        ("Resor", "budget", 20_000_000, 10_000_000, 10_000_000, 1_042_500, 521_200, 521_200),
        ("Licens", "budget", 140_000_000, 140_000_000, None, 140_000_000, 140_000_000, None),
        ("Infrastruktur", "tillkommande", None, None, None, 55_954_500, 55_954_500, None),
    ]
    return pl.DataFrame([(*r, None, None) for r in rows], schema=BUDGET_SCHEMA, orient="row")


def test_budget_totals_keep_extra_costs_apart_from_budget_lines():
    totals = budget_totals(lines())
    assert totals["budget_total"] == 160_000_000
    assert totals["outcome_budget_lines"] == 141_042_500
    assert totals["outcome_extra"] == 55_954_500
    assert totals["outcome_all"] == 196_997_000


def test_rounding_difference_shows_the_documents_rounding():
    diffs = rounding_differences(lines())["rounding_ore"].to_list()
    assert diffs == [100, None, None]


def reports(*rows: tuple[int, int, str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "id": pl.Int64,
            "project_id": pl.Int64,
            "reported_on": pl.String,
            "overall_status": pl.String,
            "overall_reason": pl.String,
        },
        orient="row",
    )


NO_PERIOD_REPORTS = pl.DataFrame(schema={"project_id": pl.Int64, "period_report": pl.String})


def test_latest_status_report_wins_over_the_registered_status_and_reason():
    registered = PORTFOLIO.with_columns(pl.lit("registrerad").alias("status_reason"))
    latest = latest_per_project(
        reports(
            # Filed later but dated earlier: the date decides, not the order of filing.
            (9, 1, "2024-01-15", "grön", ""),
            (3, 1, "2024-05-20", "röd", "Leverantören har gått i konkurs"),
        ),
        today=date(2024, 6, 1),
    )
    shown = with_reported_status(registered, latest, NO_PERIOD_REPORTS)
    by_id = {row["id"]: row for row in shown.iter_rows(named=True)}
    assert (by_id[1]["status"], by_id[1]["status_reason"]) == ("röd", "Leverantören har gått i konkurs")
    # A project without any status report keeps what it was registered with.
    assert (by_id[2]["status"], by_id[2]["status_reason"]) == ("grön", "registrerad")
    assert shown.height == PORTFOLIO.height


def test_reported_status_joins_the_period_report_and_the_deviation():
    period = pl.DataFrame({"project_id": [2], "period_report": ["saknas, 12 dagar sen"]})
    latest = latest_per_project(reports(), today=date(2024, 6, 1))
    shown = with_reported_status(PORTFOLIO, latest, period)
    by_id = {row["id"]: row for row in shown.iter_rows(named=True)}
    assert by_id[2]["period_report"] == "saknas, 12 dagar sen"
    assert by_id[1]["period_report"] is None
    assert by_id[1]["deviation_ore"] == 281_000_000 - 348_998_600
