from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.allocation import (
    ByPopulation,
    CustomShares,
    EqualShares,
    NamedPayer,
    TwoLevel,
    allocate,
    allocate_two_level,
    largest_remainder,
)

PARTIES = (
    "Region Jämtland Härjedalen",
    "Berg",
    "Bräcke",
    "Härjedalen",
    "Krokom",
    "Ragunda",
    "Strömsund",
    "Åre",
    "Östersund",
)
POPULATIONS = {
    "Östersund": 63_200,
    "Krokom": 15_000,
    "Strömsund": 11_700,
    "Åre": 11_400,
    "Härjedalen": 10_300,
    "Berg": 7_100,
    "Bräcke": 6_500,
    "Ragunda": 5_400,
}

totals = st.one_of(
    st.integers(min_value=-1_000_000_000, max_value=1_000_000_000),
    st.integers(min_value=-(10**30), max_value=10**30),
)
int_weights = st.dictionaries(
    st.text(min_size=1, max_size=8), st.integers(min_value=0, max_value=10**9), min_size=1
).filter(lambda weights: sum(weights.values()) > 0)
decimal_weights = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    min_size=1,
).filter(lambda weights: sum(weights.values()) > 0)


def exact_share(total: int, weights: dict[str, int] | dict[str, Decimal], party: str) -> Fraction:
    weight_sum = sum((Fraction(w) for w in weights.values()), Fraction(0))
    return total * Fraction(weights[party]) / weight_sum


@given(total=totals, weights=st.one_of(int_weights, decimal_weights))
def test_parts_sum_to_total_for_any_amount(total: int, weights: dict[str, int] | dict[str, Decimal]) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total
    assert list(parts) == list(weights)


@given(total=totals, weights=st.one_of(int_weights, decimal_weights))
def test_each_part_is_within_one_ore_of_its_exact_share(
    total: int, weights: dict[str, int] | dict[str, Decimal]
) -> None:
    parts = largest_remainder(total, weights)
    for party, part in parts.items():
        assert abs(part - exact_share(total, weights, party)) < 1


@given(total=totals, weights=int_weights)
def test_negative_total_mirrors_positive_total(total: int, weights: dict[str, int]) -> None:
    positive = largest_remainder(abs(total), weights)
    negative = largest_remainder(-abs(total), weights)
    assert negative == {party: -part for party, part in positive.items()}


def test_base_funding_splits_equally_over_the_nine_parties() -> None:
    # 914 400 kr / 9 = 101 600 kr exactly.
    parts = allocate(91_440_000, EqualShares(PARTIES))
    assert parts == dict.fromkeys(PARTIES, 10_160_000)


def test_ties_go_to_the_parties_first_in_key_order() -> None:
    # 100 öre / 3 = 33 each with 1 öre over; all remainders tie, so the first party gets it.
    assert largest_remainder(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert largest_remainder(100, {"c": 1, "b": 1, "a": 1}) == {"c": 34, "b": 33, "a": 33}
    # 200 öre / 3 = 66 each with 2 öre over: the first two parties get one each.
    assert largest_remainder(200, {"a": 1, "b": 1, "c": 1}) == {"a": 67, "b": 67, "c": 66}
    # Negative amounts: the same parties get the extra öre, with the sign flipped.
    assert largest_remainder(-100, {"a": 1, "b": 1, "c": 1}) == {"a": -34, "b": -33, "c": -33}


def test_largest_remainder_beats_key_order() -> None:
    # Quotas 10 * 1/6 = 1.667, 10 * 2/6 = 3.333, 10 * 3/6 = 5: the left-over öre goes to "a".
    assert largest_remainder(10, {"c": 3, "b": 2, "a": 1}) == {"c": 5, "b": 3, "a": 2}


def test_zero_total_gives_zero_to_everyone() -> None:
    assert largest_remainder(0, {"a": 1, "b": 3}) == {"a": 0, "b": 0}


def test_zero_weight_party_gets_nothing() -> None:
    assert largest_remainder(101, {"a": 0, "b": 1}) == {"a": 0, "b": 101}


def test_decimal_shares_are_exact() -> None:
    shares = {"Berg": Decimal("0.5"), "Bräcke": Decimal("0.25"), "Krokom": Decimal("0.25")}
    assert allocate(1_000, CustomShares(shares)) == {"Berg": 500, "Bräcke": 250, "Krokom": 250}


def test_named_payer_takes_everything() -> None:
    assert allocate(2_300_000, NamedPayer("Åre")) == {"Åre": 2_300_000}
    assert allocate(-1, NamedPayer("Åre")) == {"Åre": -1}


def test_population_key_splits_link2_municipal_outcome() -> None:
    # 510 212 kr = 51 021 200 öre over 130 600 inhabitants. Exact shares (floor + remainder):
    # Östersund 24 690 197.856, Krokom 5 860 015.314, Strömsund 4 570 811.945,
    # Åre 4 453 611.639, Härjedalen 4 023 877.182, Berg 2 773 740.582,
    # Bräcke 2 539 339.969, Ragunda 2 109 605.513. The floors leave 5 öre, which go to the
    # five largest remainders: Bräcke, Strömsund, Östersund, Åre, Berg (not Ragunda, 0.513).
    parts = allocate(51_021_200, ByPopulation(POPULATIONS))
    assert parts == {
        "Östersund": 24_690_198,
        "Krokom": 5_860_015,
        "Strömsund": 4_570_812,
        "Åre": 4_453_612,
        "Härjedalen": 4_023_877,
        "Berg": 2_773_741,
        "Bräcke": 2_539_340,
        "Ragunda": 2_109_605,
    }


def test_two_level_gives_region_its_part_and_municipalities_by_population() -> None:
    populations = {"Berg": 1, "Krokom": 3}
    parts = allocate_two_level(2_500, 1_001, "Region", populations)
    # 1 001 * 1/4 = 250.25 and 1 001 * 3/4 = 750.75: Krokom has the larger remainder.
    assert parts == {"Region": 2_500, "Berg": 250, "Krokom": 751}


def test_two_level_key_splits_first_then_by_population() -> None:
    key = TwoLevel(
        first={"Region": 1, "kommunerna": 1},
        group="kommunerna",
        then=ByPopulation({"Berg": 1, "Krokom": 3}),
    )
    # 1 001 / 2 = 500.5 each; tie goes to Region (first); 500 kommunerna = 125 + 375.
    assert allocate(1_001, key) == {"Region": 501, "Berg": 125, "Krokom": 375}


def test_two_level_key_adds_up_a_party_on_both_levels() -> None:
    key = TwoLevel(first={"Åre": 1, "alla": 1}, group="alla", then=EqualShares(("Åre", "Berg")))
    assert allocate(400, key) == {"Åre": 300, "Berg": 100}


def test_two_level_refuses_region_among_municipalities() -> None:
    with pytest.raises(ValueError, match="både vara region och kommun"):
        allocate_two_level(1, 1, "Berg", {"Berg": 1})


def test_two_level_refuses_missing_group() -> None:
    with pytest.raises(ValueError, match="Gruppen kommunerna saknas"):
        TwoLevel(first={"Region": 1}, group="kommunerna", then=NamedPayer("Berg"))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({}, "minst en part"),
        ({"a": 0, "b": 0}, "större än noll"),
        ({"a": -1, "b": 2}, "Vikten för a får inte vara negativ"),
        ({"a": 0.5}, "heltal eller ett decimaltal"),
        ({"a": Decimal("NaN")}, "ändligt tal"),
    ],
)
def test_invalid_weights_are_refused_in_swedish(weights: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        largest_remainder(100, weights)  # type: ignore[arg-type]


def test_float_total_is_refused() -> None:
    with pytest.raises(ValueError, match="heltal i öre"):
        largest_remainder(10.5, {"a": 1})  # type: ignore[arg-type]


def test_empty_equal_shares_is_refused() -> None:
    with pytest.raises(ValueError, match="minst en part"):
        allocate(100, EqualShares(()))


def test_duplicate_party_in_equal_shares_is_refused() -> None:
    with pytest.raises(ValueError, match="bara förekomma en gång"):
        EqualShares(("Berg", "Berg"))
