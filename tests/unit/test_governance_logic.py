"""Search terms, costing by the price list and input validation of governance (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portfolio.errors import InvalidInputError
from portfolio.governance.logic import (
    centi_to_hours,
    debit_amount_ore,
    fold,
    hours_to_centi,
    parse_decision_query,
    search_terms,
)
from portfolio.governance.model import (
    AgendaItemInput,
    DebitInput,
    MeetingInput,
    NewCaseInput,
    PriceRateInput,
    paragraph_label,
    parse,
)


def test_a_question_in_plain_swedish_keeps_only_its_subject():
    assert search_terms("Vad har nämnden beslutat om serverdrift?") == ["serverdrift"]


def test_search_terms_keep_case_codes_whole_and_drop_duplicates():
    assert search_terms("GNS/03/2019 förstudie förstudie") == ["gns/03/2019", "förstudie"]


def test_folding_matches_swedish_capitals():
    assert fold("ÅRE Östersund") == "åre östersund"
    assert search_terms("ÅRE") == ["åre"]


def test_debit_is_hours_times_the_rate_in_whole_ore():
    assert debit_amount_ore(Decimal("10"), 64_500) == 645_000
    assert debit_amount_ore(Decimal("1.5"), 42_200) == 63_300
    # 0,01 h × 467 kr = 4,67 kr exactly; 0,03 h × 422,50 kr = 12,675 kr rounds half up to 12,68 kr
    assert debit_amount_ore(Decimal("0.01"), 46_700) == 467
    assert debit_amount_ore(Decimal("0.03"), 42_250) == 1_268


def test_negative_hours_cannot_be_costed():
    with pytest.raises(ValueError, match="mindre än noll"):
        debit_amount_ore(Decimal("-1"), 64_500)


def test_hours_are_stored_exactly_as_hundredths():
    assert hours_to_centi(Decimal("7.25")) == 725
    assert centi_to_hours(725) == Decimal("7.25")


def debit(hours):
    return parse(
        DebitInput, {"project_id": 1, "work_date": "2019-09-02", "resource": "Jurist", "hours": hours}
    )


def test_hours_below_zero_are_refused_with_a_swedish_message():
    with pytest.raises(InvalidInputError) as exc:
        debit("-3")
    assert exc.value.messages == ["Timmar: Antal timmar kan inte vara mindre än noll (angivet: −3 h)"]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "Antal timmar måste vara fler än noll"),
        ("1,555", "högst två decimaler"),
        ("sju", "är inget tal"),
        ("", "är inget tal"),
    ],
)
def test_hours_must_be_a_positive_number_with_at_most_two_decimals(hours, message):
    with pytest.raises(InvalidInputError, match=message):
        debit(hours)


def test_hours_accept_a_decimal_comma():
    assert debit("7,5").hours == Decimal("7.5")


def test_a_case_number_in_the_wrong_form_is_refused():
    with pytest.raises(InvalidInputError) as exc:
        parse(AgendaItemInput, {"meeting_date": "2019-06-03", "case": "GNS/8/18", "title": "Något"})
    assert exc.value.messages[0].startswith("Ärendenummer: 'GNS/8/18' är inget giltigt ärendenummer")


def test_an_empty_case_number_means_no_case():
    item = parse(AgendaItemInput, {"meeting_date": "2019-06-03", "case": "  ", "title": "Val av justerare"})
    assert item.case is None


def test_a_moved_meeting_must_say_why():
    with pytest.raises(InvalidInputError, match="Ange varför sammanträdet flyttades från 2020-06-05"):
        parse(MeetingInput, {"date": "2020-05-29", "moved_from": "2020-06-05"})


def test_price_per_hour_must_be_positive_and_is_kept_in_ore():
    assert (
        parse(PriceRateInput, {"year": 2020, "resource": "Jurist", "kr_per_hour": "660"}).kr_per_hour
        == 66_000
    )
    with pytest.raises(InvalidInputError, match="större än noll"):
        parse(PriceRateInput, {"year": 2020, "resource": "Jurist", "kr_per_hour": "0"})


def test_a_new_case_needs_a_valid_code_and_a_name():
    with pytest.raises(InvalidInputError) as exc:
        parse(NewCaseInput, {"code": "gns/5/2020", "name": ""})
    assert len(exc.value.messages) == 2
    assert exc.value.messages[1] == "Namn: får inte vara tomt"


def test_paragraph_labels():
    assert paragraph_label("paragraf", 17) == "§17"
    assert paragraph_label("punkt", 3) == "punkt 3"
    assert paragraph_label("paragraf", None) is None


@pytest.mark.parametrize(
    ("query", "first_day", "last_day"),
    [
        ("2019-06-03", date(2019, 6, 3), date(2019, 6, 3)),
        ("3 juni 2019", date(2019, 6, 3), date(2019, 6, 3)),
        ("juni 2019", date(2019, 6, 1), date(2019, 6, 30)),
        ("Juni 2019", date(2019, 6, 1), date(2019, 6, 30)),
        ("2019-06", date(2019, 6, 1), date(2019, 6, 30)),
        ("dec 2020", date(2020, 12, 1), date(2020, 12, 31)),
        ("februari 2020", date(2020, 2, 1), date(2020, 2, 29)),
        ("vad beslutades på sammanträdet 2019-06-03?", date(2019, 6, 3), date(2019, 6, 3)),
    ],
)
def test_a_search_names_a_meeting_by_its_day_or_month(query, first_day, last_day):
    asked = parse_decision_query(query)
    assert (asked.first_day, asked.last_day, asked.terms) == (first_day, last_day, ())


@pytest.mark.parametrize(
    ("query", "number", "kind", "terms"),
    [
        ("§17", 17, "paragraf", ()),
        ("§ 17 serverdrift", 17, "paragraf", ("serverdrift",)),
        ("paragraf 4", 4, "paragraf", ()),
        ("punkt 3", 3, "punkt", ()),
    ],
)
def test_a_search_names_an_item_by_its_paragraph_or_point(query, number, kind, terms):
    asked = parse_decision_query(query)
    assert (asked.number, asked.number_kind, asked.terms) == (number, kind, terms)


def test_a_paragraph_and_a_day_together_and_a_point_before_a_month():
    asked = parse_decision_query("§17 3 juni 2019")
    assert (asked.number, asked.first_day) == (17, date(2019, 6, 3))
    asked = parse_decision_query("punkt 3 juni 2020")
    assert (asked.number, asked.number_kind, asked.first_day, asked.last_day) == (
        3,
        "punkt",
        date(2020, 6, 1),
        date(2020, 6, 30),
    )


@pytest.mark.parametrize("query", ["GNS/03/2019", "2019-02-30", "2019", "serverdrift"])
def test_case_codes_impossible_dates_and_plain_words_stay_words(query):
    asked = parse_decision_query(query)
    assert (asked.first_day, asked.number) == (None, None)
    assert asked.terms == tuple(search_terms(query))
