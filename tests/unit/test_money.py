from decimal import Decimal

import pytest

from portfolio.money import MINUS, THIN_SPACE, format_kr, format_tkr, kronor_json, to_ore, to_tkr


def sv(text: str) -> str:
    """Write expected values with ordinary spaces and hyphens; compare with Swedish typography."""
    return (
        text.replace(" ", THIN_SPACE)
        .replace("-", MINUS)
        .replace(f"{THIN_SPACE}kr", " kr")
        .replace(f"{THIN_SPACE}tkr", " tkr")
    )


def test_whole_kronor_are_shown_with_thin_space_thousands():
    assert format_kr(to_ore(3_489_986)) == sv("3 489 986 kr")
    assert format_kr(to_ore(914_400)) == sv("914 400 kr")


def test_ore_are_shown_with_decimal_comma_only_when_present():
    assert format_kr(to_ore("5212.50")) == sv("5 212,50 kr")
    assert format_kr(100) == "1 kr"


def test_negative_amounts_use_the_minus_sign():
    assert format_kr(-to_ore(679_986)) == sv("-679 986 kr")
    assert format_kr(-to_ore(679_986)).startswith("\u2212")


def test_thousands_round_half_away_from_zero():
    assert format_tkr(to_ore(-219_400)) == sv("-219 tkr")
    assert format_tkr(to_ore(-218_500)) == sv("-219 tkr")
    assert to_tkr(to_ore(23_499)) == 23
    assert format_tkr(to_ore(23_000), signed=True) == "+23 tkr"
    assert format_tkr(0, signed=True) == "±0 tkr"


def test_swedish_amount_text_converts_exactly():
    assert to_ore("2 810 000") == 281_000_000
    assert to_ore(f"{MINUS}1{THIN_SPACE}234,5 kr") == -123_450
    assert to_ore(Decimal("0.01")) == 1


def test_floats_and_extra_decimals_are_refused():
    with pytest.raises(TypeError):
        to_ore(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="två decimaler"):
        to_ore("1.005")
    with pytest.raises(ValueError, match="inget belopp"):
        to_ore("tolv kronor")


def test_json_amounts_are_kronor_numbers():
    assert kronor_json(348_998_600) == 3_489_986
    assert kronor_json(521_250) == 5212.5
    assert kronor_json(None) is None


def test_missing_amount_is_shown_as_a_dash():
    assert format_kr(None) == "–"


def test_whole_kronor_round_half_away_from_zero_and_keep_swedish_form():
    from portfolio.money import format_whole_kr

    assert format_whole_kr(12_972_021) == sv("129 720 kr")
    assert format_whole_kr(12_972_050) == sv("129 721 kr")
    assert format_whole_kr(-21_940_050) == sv("-219 401 kr")
    assert format_whole_kr(None) == "–"
