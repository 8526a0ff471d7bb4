"""The register-wide benefit logic and the benefit models: status over a frame, staleness,
spreading a cost over years, filters, and the Swedish refusals of bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio import clock
from portfolio.errors import InvalidInputError
from registers.benefits.logic import (
    benefit_status,
    filter_register,
    spread_by_days,
    with_status,
)
from registers.benefits.model import BenefitValueInput, number_text, parse_number
from registers.benefits.service import parse_benefit, parse_measurement, parse_value

BASE, TARGET = date(2020, 1, 1), date(2020, 1, 11)
TODAY = date(2021, 6, 1)


def frame(rows: list[dict]) -> pl.DataFrame:
    defaults = {
        "project": "P",
        "direction": "högre",
        "baseline_date": BASE,
        "baseline_value": "0",
        "target_date": TARGET,
        "target_value": "100",
        "latest_date": None,
        "latest_value": None,
        "parties": None,
        "financing_parties": "RJH,BERG",
    }
    return pl.DataFrame(
        [{**defaults, **row} for row in rows],
        schema={
            "project": pl.String,
            "direction": pl.String,
            "baseline_date": pl.Date,
            "baseline_value": pl.String,
            "target_date": pl.Date,
            "target_value": pl.String,
            "latest_date": pl.Date,
            "latest_value": pl.String,
            "parties": pl.String,
            "financing_parties": pl.String,
        },
    )


def statuses(rows: list[dict]) -> list[str | None]:
    return with_status(frame(rows), TODAY)["status"].to_list()


def test_register_status_without_measurement_is_not_measured() -> None:
    assert statuses([{}]) == ["ej mätt"]


def test_register_status_exactly_on_target_is_reached_in_both_directions() -> None:
    assert statuses(
        [
            {"latest_date": date(2020, 1, 5), "latest_value": "100"},
            {
                "direction": "lägre",
                "baseline_value": "8",
                "target_value": "4",
                "latest_date": date(2020, 1, 5),
                "latest_value": "4",
            },
        ]
    ) == ["uppnått", "uppnått"]


def test_register_status_lower_is_better_compares_the_other_way() -> None:
    # Day 5 of 10 from 8 to 4: the plan is 6; 5,5 is better, 6,5 is behind.
    lower = {
        "direction": "lägre",
        "baseline_value": "8",
        "target_value": "4",
        "latest_date": date(2020, 1, 6),
    }
    assert statuses(
        [{**lower, "latest_value": "6"}, {**lower, "latest_value": "5.5"}, {**lower, "latest_value": "6.5"}]
    ) == ["på väg", "på väg", "efter plan"]


def test_register_status_past_the_target_date_and_not_reached_is_behind_plan() -> None:
    # Overdue: after the target date the path stays at the target, so 99 of 100 is behind.
    assert statuses([{"latest_date": date(2020, 6, 1), "latest_value": "99"}]) == ["efter plan"]


def test_register_status_on_the_path_is_on_track_and_just_below_is_behind() -> None:
    assert statuses(
        [
            {"latest_date": date(2020, 1, 4), "latest_value": "30"},
            {"latest_date": date(2020, 1, 4), "latest_value": "29.999999"},
        ]
    ) == ["på väg", "efter plan"]


def test_register_status_without_a_plan_is_shown_as_without_plan_not_as_a_status() -> None:
    result = with_status(
        frame([{"baseline_date": None, "latest_date": date(2020, 1, 2), "latest_value": "3"}]), TODAY
    )
    assert result["status"].to_list() == [None]
    assert result["status_text"].to_list() == ["– Utan plan"]


def test_status_text_carries_symbol_and_word_for_every_status() -> None:
    texts = with_status(
        frame(
            [
                {},
                {"latest_date": date(2020, 1, 4), "latest_value": "30"},
                {"latest_date": date(2020, 1, 4), "latest_value": "10"},
                {"latest_date": date(2020, 1, 4), "latest_value": "100"},
            ]
        ),
        TODAY,
    )["status_text"].to_list()
    assert texts == ["○ Ej mätt", "→ På väg", "! Efter plan", "✓ Uppnått"]


@given(
    base=st.integers(-1000, 1000),
    change=st.integers(1, 1000),
    days=st.integers(1, 2000),
    offset=st.integers(0, 4000),
    latest=st.decimals(min_value=-3000, max_value=3000, places=3, allow_nan=False, allow_infinity=False),
    higher=st.booleans(),
)
def test_register_status_agrees_with_the_single_benefit_function(
    base: int, change: int, days: int, offset: int, latest: Decimal, higher: bool
) -> None:
    direction: Literal["högre", "lägre"] = "högre" if higher else "lägre"
    target = base + change if higher else base - change
    base_date = date(2019, 1, 1)
    target_date = base_date + timedelta(days=days)
    latest_date = base_date + timedelta(days=offset)
    expected = benefit_status(direction, base_date, base, target_date, target, latest_date, latest)
    row = {
        "direction": direction,
        "baseline_date": base_date,
        "baseline_value": str(base),
        "target_date": target_date,
        "target_value": str(target),
        "latest_date": latest_date,
        "latest_value": str(latest),
    }
    assert statuses([row]) == [expected.value]


def test_a_benefit_is_stale_after_a_year_without_measurement_or_when_never_measured() -> None:
    result = with_status(
        frame(
            [
                {"latest_date": TODAY - timedelta(days=365), "latest_value": "100"},
                {"latest_date": TODAY - timedelta(days=366), "latest_value": "100"},
                {},
            ]
        ),
        TODAY,
    )
    assert result["stale"].to_list() == [False, True, True]


def test_a_cost_is_spread_over_calendar_years_by_days_and_sums_exactly() -> None:
    # LINK2 2018-09-01–2019-10-31: 122 days in 2018, 304 in 2019 (426 in all).
    assert spread_by_days(42_600, date(2018, 9, 1), date(2019, 10, 31)) == {2018: 12_200, 2019: 30_400}
    parts = spread_by_days(100, date(2018, 9, 1), date(2019, 10, 31))
    assert sum(parts.values()) == 100
    assert spread_by_days(500, date(2020, 3, 1), date(2020, 3, 1)) == {2020: 500}
    with pytest.raises(ValueError, match="slutdatum"):
        spread_by_days(1, date(2020, 2, 1), date(2020, 1, 1))


def test_register_filters_by_project_party_status_and_staleness() -> None:
    register = with_status(
        frame(
            [
                {"project": "A", "parties": "BERG"},
                {"project": "A", "parties": None, "financing_parties": "RJH,KROKOM"},
                {"project": "B", "latest_date": TODAY, "latest_value": "100"},
            ]
        ),
        TODAY,
    )
    assert filter_register(register, projects=["A"]).height == 2
    # A benefit naming its parties matches only those; one naming none, its project's parties.
    assert filter_register(register, parties=["KROKOM"])["project"].to_list() == ["A"]
    assert filter_register(register, parties=["BERG"]).height == 2  # the first, and project B's (RJH,BERG)
    assert filter_register(register, statuses=["uppnått"])["project"].to_list() == ["B"]
    assert filter_register(register, stale_only=True).height == 2
    assert filter_register(register).height == 3


# --- input models ------------------------------------------------------------------------------


def plan(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "effektmål",
        "title": "Färre återinskrivningar",
        "indicator": "Andel återinskrivna inom 30 dagar",
        "unit": "%",
        "direction": "lägre",
        "baseline_date": date(2020, 1, 1),
        "baseline_value": "12,5",
        "target_date": date(2022, 1, 1),
        "target_value": "10",
    }
    data.update(changes)
    return data


def messages(data: dict[str, object]) -> str:
    with pytest.raises(InvalidInputError) as info:
        parse_benefit(data)
    return "\n".join(info.value.messages)


def test_a_complete_plan_is_accepted_with_a_decimal_comma() -> None:
    benefit = parse_benefit(plan())
    assert benefit.baseline is not None and benefit.baseline.value == Decimal("12.5")


def test_a_target_equal_to_the_baseline_is_refused() -> None:
    assert "Målvärdet får inte vara samma som nollmätningens värde" in messages(plan(target_value="12.5"))


def test_a_target_date_not_after_the_baseline_is_refused() -> None:
    assert "Måldatum måste vara efter nollmätningens datum" in messages(plan(target_date=date(2020, 1, 1)))


def test_a_non_numeric_baseline_or_target_is_refused() -> None:
    assert "'tolv' är inget tal" in messages(plan(baseline_value="tolv"))


def test_a_target_in_the_wrong_direction_is_refused() -> None:
    assert "Målvärdet måste vara lägre än nollmätningens värde" in messages(plan(target_value="15"))


def test_half_a_plan_is_refused() -> None:
    assert "Ange både datum och värde för målvärdet" in messages(plan(target_value=""))
    assert "behöver också riktning" in messages(plan(direction=None))


def test_a_benefit_without_plan_is_accepted() -> None:
    benefit = parse_benefit({"kind": "nytta", "title": "Tydligare process"})
    assert not benefit.has_plan


def test_a_non_numeric_measurement_and_a_future_date_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="'mycket' är inget tal"):
        parse_measurement({"measured_on": date(2021, 1, 1), "value": "mycket"})
    with pytest.raises(InvalidInputError, match="framtiden"):
        # Tomorrow in Sweden, where "the future" is judged: between 23:00 and 24:00 UTC the
        # machine's own date.today() is still yesterday there.
        parse_measurement({"measured_on": clock.today() + timedelta(days=1), "value": "1"})


def test_numbers_are_read_the_swedish_way_and_kept_exact() -> None:
    assert parse_number("1\u202f200,5") == Decimal("1200.5")
    assert parse_number("\u22122") == Decimal(-2)
    assert parse_number(0.1) == Decimal("0.1")
    assert number_text("3.50") == "3,5"
    assert number_text("-2") == "\u22122"
    with pytest.raises(ValueError, match="fler än 6 decimaler"):
        parse_number("0.1234567")


def test_saved_hours_are_valued_at_450_kr_unless_another_rate_is_given() -> None:
    assert parse_value({"year": 2021, "hours": "10"}).value_ore == 450_000
    assert parse_value({"year": 2021, "hours": "2,5", "rate": "600"}).value_ore == 150_000
    assert parse_value({"year": 2021, "amount": "12 000"}).value_ore == 1_200_000


def test_a_money_value_needs_exactly_one_of_amount_and_hours() -> None:
    with pytest.raises(InvalidInputError, match="antingen ett belopp"):
        parse_value({"year": 2021, "amount": "100", "hours": "2"})
    with pytest.raises(InvalidInputError, match="antingen ett belopp"):
        parse_value({"year": 2021})
    with pytest.raises(InvalidInputError, match="negativt"):
        parse_value({"year": 2021, "amount": "-5"})
    assert BenefitValueInput(year=2021, amount=5).value_ore == 500
