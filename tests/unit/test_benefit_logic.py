from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from registers.benefits.logic import (
    BenefitStatus,
    benefit_status,
    money_value_ore,
    net_cashflows,
    npv,
    payback,
    payback_year,
    stale,
)

BASE = date(2020, 1, 1)
TARGET = date(2020, 1, 11)  # ten days: the straight line moves a tenth of the way per day


def higher(latest_date: date | None, latest_value: float | Decimal | int | None) -> BenefitStatus:
    # Baseline 0 on 1 Jan, target 100 on 11 Jan: the plan is 10 per day.
    return benefit_status("högre", BASE, 0, TARGET, 100, latest_date, latest_value)


def lower(latest_date: date | None, latest_value: float | Decimal | int | None) -> BenefitStatus:
    # Days in hospital after ready-for-discharge: 8 → 4 over ten days, 0.4 less per day.
    return benefit_status("lägre", BASE, 8, TARGET, 4, latest_date, latest_value)


def test_no_measurement_is_not_measured() -> None:
    assert higher(None, None) is BenefitStatus.EJ_MATT
    assert lower(None, None) is BenefitStatus.EJ_MATT


def test_exactly_on_target_is_reached() -> None:
    assert higher(date(2020, 1, 5), 100) is BenefitStatus.UPPNATT
    assert lower(date(2020, 1, 5), 4) is BenefitStatus.UPPNATT


def test_beyond_target_in_the_right_direction_is_reached() -> None:
    assert higher(date(2020, 1, 2), 150) is BenefitStatus.UPPNATT
    assert lower(date(2020, 1, 2), Decimal("3.5")) is BenefitStatus.UPPNATT


def test_measurement_exactly_on_the_path_is_on_track() -> None:
    # Day 3 of 10: plan 0 + 100 * 3/10 = 30.
    assert higher(date(2020, 1, 4), 30) is BenefitStatus.PA_VAG
    assert higher(date(2020, 1, 4), Decimal("29.99")) is BenefitStatus.EFTER_PLAN
    assert higher(date(2020, 1, 4), 30.01) is BenefitStatus.PA_VAG


def test_lower_is_better_compares_the_other_way() -> None:
    # Day 5 of 10: plan 8 − 4 * 5/10 = 6.
    assert lower(date(2020, 1, 6), 6) is BenefitStatus.PA_VAG
    assert lower(date(2020, 1, 6), Decimal("5.5")) is BenefitStatus.PA_VAG
    assert lower(date(2020, 1, 6), Decimal("6.5")) is BenefitStatus.EFTER_PLAN


def test_past_target_date_and_not_reached_is_behind_plan() -> None:
    # After 11 Jan the path stays at the target itself.
    assert higher(date(2020, 6, 1), 99) is BenefitStatus.EFTER_PLAN
    assert lower(date(2021, 1, 1), Decimal("4.01")) is BenefitStatus.EFTER_PLAN


def test_a_measurement_on_the_baseline_date_at_the_baseline_is_on_track() -> None:
    assert higher(BASE, 0) is BenefitStatus.PA_VAG
    assert higher(BASE, -1) is BenefitStatus.EFTER_PLAN


def test_floats_are_compared_as_written_not_as_binary() -> None:
    # Baseline 0.1 → target 0.5 over 2 days: the plan on day 1 is 0.3. In binary floating point
    # 0.1 + (0.5 − 0.1) / 2 is 0.30000000000000004, which would wrongly put 0.3 behind plan.
    status = benefit_status("högre", BASE, 0.1, date(2020, 1, 3), 0.5, date(2020, 1, 2), 0.3)
    assert status is BenefitStatus.PA_VAG


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_value": 0}, "Målvärdet måste skilja sig"),
        ({"target_date": BASE}, "Måldatum måste vara efter"),
        ({"target_date": date(2019, 12, 31)}, "Måldatum måste vara efter"),
        ({"direction": "bättre"}, "Riktningen måste vara"),
        ({"target_value": -5}, "Målvärdet måste vara högre"),
        ({"latest_value": None}, "både datum och värde"),
        ({"latest_date": date(2019, 12, 1)}, "före nollmätningen"),
        ({"latest_value": float("nan")}, "ändligt tal"),
        ({"latest_value": "12"}, "Mätvärdet måste vara ett tal"),
    ],
)
def test_invalid_benefits_are_refused_in_swedish(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "direction": "högre",
        "baseline_date": BASE,
        "baseline_value": 0,
        "target_date": TARGET,
        "target_value": 100,
        "latest_date": date(2020, 1, 5),
        "latest_value": 40,
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        benefit_status(**arguments)  # type: ignore[arg-type]


def test_status_carries_swedish_text_and_distinct_symbols() -> None:
    assert [s.value for s in BenefitStatus] == ["ej mätt", "på väg", "efter plan", "uppnått"]
    assert len({s.symbol for s in BenefitStatus}) == 4


def test_a_benefit_not_measured_for_over_a_year_is_stale() -> None:
    today = date(2021, 1, 1)
    assert stale(date(2019, 12, 31), today) is True  # 367 days
    assert stale(date(2020, 1, 2), today) is False  # 365 days: exactly a year is still fresh
    assert stale(date(2020, 12, 1), today, max_age_days=30) is True
    assert stale(None, today) is True


def test_money_value_uses_450_kr_per_hour_by_default() -> None:
    assert money_value_ore(Decimal("1.5")) == 67_500
    assert money_value_ore(Decimal(100), rate_ore_per_hour=64_500) == 6_450_000


def test_money_value_rounds_half_to_even() -> None:
    # 0.0001 h * 45 000 öre = 4.5 öre → 4; 0.0003 h → 13.5 öre → 14.
    assert money_value_ore(Decimal("0.0001")) == 4
    assert money_value_ore(Decimal("0.0003")) == 14


def test_money_value_refuses_negative_rate() -> None:
    with pytest.raises(ValueError, match="Timkostnaden får inte vara negativ"):
        money_value_ore(Decimal(1), rate_ore_per_hour=-1)


COSTS = {2019: 100_000_000, 2020: 20_000_000}
BENEFITS = {2020: 50_000_000, 2021: 50_000_000, 2022: 50_000_000}


def test_payback_table_has_running_totals_per_year() -> None:
    # year  cost  benefit  cum cost  cum benefit  cum net   (million öre)
    # 2019  100   0        100       0            −100
    # 2020  20    50       120       50           −70
    # 2021  0     50       120       100          −20
    # 2022  0     50       120       150          +30
    table = payback(COSTS, BENEFITS)
    assert table.rows() == [
        (2019, 100_000_000, 0, 100_000_000, 0, -100_000_000),
        (2020, 20_000_000, 50_000_000, 120_000_000, 50_000_000, -70_000_000),
        (2021, 0, 50_000_000, 120_000_000, 100_000_000, -20_000_000),
        (2022, 0, 50_000_000, 120_000_000, 150_000_000, 30_000_000),
    ]
    assert table.columns == [
        "year",
        "cost_ore",
        "benefit_ore",
        "cumulative_cost_ore",
        "cumulative_benefit_ore",
        "cumulative_net_ore",
    ]


def test_payback_year_is_the_first_year_benefits_cover_costs() -> None:
    assert payback_year(COSTS, BENEFITS) == 2022


def test_payback_year_counts_a_year_where_benefit_exactly_equals_cost() -> None:
    assert payback_year({2019: 10}, {2020: 4, 2021: 6}) == 2021


def test_payback_fills_years_without_entries() -> None:
    table = payback({2019: 10}, {2022: 10})
    assert table["year"].to_list() == [2019, 2020, 2021, 2022]
    assert payback_year({2019: 10}, {2022: 10}) == 2022


def test_no_payback_when_benefits_never_cover_costs_or_there_are_no_costs() -> None:
    assert payback_year({2019: 100}, {2020: 99}) is None
    assert payback_year({}, {2020: 99}) is None


def test_empty_payback_table_keeps_its_columns() -> None:
    table = payback({}, {})
    assert table.is_empty()
    assert table.schema["cumulative_net_ore"] == pl.Int64


def test_payback_refuses_float_amounts() -> None:
    with pytest.raises(ValueError, match="Kostnaden för 2019 måste anges som ett heltal i öre"):
        payback({2019: 10.5}, {})  # type: ignore[dict-item]


def test_net_cashflows_are_benefit_minus_cost() -> None:
    assert net_cashflows({2020: 1_000_000}, {2021: 600_000, 2022: 600_000}) == {
        2020: -1_000_000,
        2021: 600_000,
        2022: 600_000,
    }


def test_npv_discounts_to_the_base_year() -> None:
    # −1 000 000 + 600 000 / 1.05 + 600 000 / 1.05²
    # = −1 000 000 + 571 428.5714… + 544 217.6870…  = 115 646.2585… → 115 646 öre
    flows = net_cashflows({2020: 1_000_000}, {2021: 600_000, 2022: 600_000})
    assert npv(flows, Decimal("0.05"), base_year=2020) == 115_646


def test_npv_at_zero_rate_is_the_plain_sum() -> None:
    assert npv({2020: -300, 2025: 1_000}, Decimal(0), base_year=2020) == 700


def test_npv_compounds_years_before_the_base_year() -> None:
    # 100 * 1.1^1 = 110
    assert npv({2019: 100}, Decimal("0.1"), base_year=2020) == 110


def test_npv_rounds_half_even_only_at_the_end() -> None:
    # At 100 %: 1/2 = 0.5 → 0 and 3/2 = 1.5 → 2 (half to even).
    assert npv({2021: 1}, Decimal(1), base_year=2020) == 0
    assert npv({2021: 3}, Decimal(1), base_year=2020) == 2
    # 1/2 + 1/4 = 0.75 → 1; rounding each year first would give 0 + 0 = 0.
    assert npv({2021: 1, 2022: 1}, Decimal(1), base_year=2020) == 1


def test_npv_refuses_a_rate_of_minus_one_hundred_percent() -> None:
    with pytest.raises(ValueError, match="större än −100 %"):
        npv({2021: 1}, Decimal(-1), base_year=2020)
