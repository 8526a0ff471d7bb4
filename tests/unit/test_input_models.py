"""Text is text, numbers have bounds, every message is Swedish: the input models of issue 14."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import Field, ValidationError

from portfolio import models, status
from portfolio.errors import InvalidInputError
from portfolio.governance import model as governance
from portfolio.models import Model, validation_messages
from portfolio.money import MAX_KRONOR, to_ore
from registers.benefits import model as benefits
from registers.bruttolista.model import ActivityInput
from registers.lifecycle.model import HandoverInput
from registers.risks.model import parse_risk
from registers.surveys.model import parse_survey

ENGLISH = ("should", "Value", "Input", "valid", "characters", "items", "at most", "at least", "greater")


def refused(call, *args, **kwargs) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        call(*args, **kwargs)
    messages = caught.value.messages
    for line in messages:
        assert not any(word in line for word in ENGLISH), line
    return messages


def report(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "reported_on": dt.date(2024, 1, 2),
        "time_status": "grön",
        "cost_status": "grön",
        "scope_status": "grön",
        "overall_status": "grön",
    }
    return {**data, **changes}


def survey(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Enkät",
        "date": dt.date(2024, 1, 2),
        "scale": {"points": 5},
        "groups": "Hemtjänst",
        "statements": "Det fungerar",
    }
    return {**data, **changes}


# --- item 3: control characters are refused, naming the field ----------------------------------


@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_a_risk_title_with_a_control_character_is_refused_naming_the_field(char):
    messages = refused(
        parse_risk, {"register_id": 1, "title": f"Risk{char}titel", "probability": 2, "consequence": 2}
    )
    assert any(m.startswith("Titel:") and "styrtecken" in m for m in messages)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: status.parse_report(report(time_reason="Förse\x0bnad")), "time_reason"),
        (lambda: status.parse_report(report(next_steps="\x00")), "next_steps"),
        (
            lambda: governance.parse(governance.MeetingInput, {"date": "2024-01-02", "place": "S\x0bal"}),
            "Plats",
        ),
        (
            lambda: governance.parse(
                governance.AgendaItemInput, {"meeting_date": "2024-01-02", "title": "Beslut\x00"}
            ),
            "Rubrik",
        ),
        (lambda: models.parse(benefits.BenefitInput, {"title": "Nytta\x07"}), "title"),
        (
            lambda: models.parse(
                benefits.MeasurementInput, {"measured_on": "2024-01-02", "value": "3", "comment": "a\x0bb"}
            ),
            "comment",
        ),
        (lambda: parse_survey(survey(title="Enkät\x1b")), "title"),
        (lambda: parse_survey(survey(statements="Påst\x07ående")), "text"),
    ],
)
def test_text_fields_refuse_control_characters_in_swedish(call, field):
    messages = refused(call)
    assert any(field in m and "styrtecken" in m for m in messages), messages


def test_register_models_refuse_control_characters():
    with pytest.raises(ValidationError) as caught:
        ActivityInput.model_validate({"plan_year": 2024, "activity": "A\x0bB", "areas": ["Expertis"]})
    assert "styrtecken" in validation_messages(caught.value)[0]
    with pytest.raises(ValidationError):
        HandoverInput.model_validate({"project_id": 1, "section": "S", "deliverable": "D", "comment": "\x00"})
    with pytest.raises(ValidationError):
        models.Person.model_validate({"name": "An\x0bna"})


def test_newline_and_tab_are_text_and_windows_line_ends_become_newlines():
    data = models.parse(
        benefits.MeasurementInput, {"measured_on": "2024-01-02", "value": "3", "comment": "rad 1\r\nrad\t2"}
    )
    assert data.comment == "rad 1\nrad\t2"


def test_a_one_line_field_refuses_a_line_break_and_every_text_has_a_maximum():
    class Form(Model):
        name: models.Line
        note: models.Text = ""

    with pytest.raises(ValidationError) as caught:
        Form.model_validate({"name": "två\nrader"})
    assert "en rad" in validation_messages(caught.value)[0]
    with pytest.raises(ValidationError) as caught:
        Form.model_validate({"name": "x" * (models.LINE_MAX + 1)})
    assert "högst" in validation_messages(caught.value)[0]
    with pytest.raises(ValidationError) as caught:
        Form.model_validate({"name": "x", "note": "x" * (models.TEXT_MAX + 1)})
    assert "högst" in validation_messages(caught.value)[0]


# --- item 7: numbers have bounds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "Infinity", "nan", "NaN", "sNaN", Decimal("Infinity"), Decimal("NaN")]
)
def test_an_amount_that_is_not_a_finite_number_is_refused_in_swedish(value):
    with pytest.raises(ValueError) as caught:
        to_ore(value)
    text = str(caught.value)
    assert "decimaler" not in text and "saknas" not in text and "belopp" in text


@pytest.mark.parametrize("value", ["1e29", 10**13, "-10000000000001", Decimal("1E+999999"), "9" * 5000])
def test_an_amount_beyond_the_bound_is_refused(value):
    with pytest.raises(ValueError, match="högsta tillåtna"):
        to_ore(value)


def test_amounts_within_the_bound_convert_as_before():
    assert to_ore(MAX_KRONOR) == MAX_KRONOR * 100
    assert to_ore(-MAX_KRONOR) == -MAX_KRONOR * 100
    assert to_ore("5 212,50") == 521_250
    assert to_ore(Decimal("0.01")) == 1


@pytest.mark.parametrize("amount", ["inf", "nan", "1e29", "-1e13"])
def test_a_benefit_value_out_of_range_is_refused_naming_the_field(amount):
    messages = refused(models.parse, benefits.BenefitValueInput, {"year": 2024, "amount": amount})
    assert any("amount" in m for m in messages)


@pytest.mark.parametrize("hours", ["inf", "nan", "1e29", "1e12"])
def test_benefit_hours_out_of_range_are_refused(hours):
    refused(models.parse, benefits.BenefitValueInput, {"year": 2024, "hours": hours})


@pytest.mark.parametrize("value", ["1e29", "inf", "nan", "-1e40", "1e-30"])
def test_a_measurement_out_of_range_is_refused(value):
    messages = refused(models.parse, benefits.MeasurementInput, {"measured_on": "2024-01-02", "value": value})
    assert any("value" in m for m in messages)


@pytest.mark.parametrize("hours", ["inf", "nan", "1e30", "-inf"])
def test_debited_hours_out_of_range_are_refused(hours):
    messages = refused(
        governance.parse,
        governance.DebitInput,
        {"project_id": 1, "work_date": "2024-01-02", "resource": "jurist", "hours": hours},
    )
    assert any(m.startswith("Timmar") for m in messages)


def test_a_survey_population_has_a_maximum():
    messages = refused(parse_survey, survey(population=10**30))
    assert any("population" in m and "högst" in m for m in messages)


# --- item 12: every message Swedish, one per problem, capped ---------------------------------------------


def test_a_year_below_the_range_says_the_lowest_year_not_negative():
    messages = refused(models.parse, benefits.BenefitValueInput, {"year": 1999, "amount": 5})
    assert any("minst 2000" in m for m in messages) and not any("negativ" in m for m in messages)
    messages = refused(models.parse, benefits.BenefitValueInput, {"year": 2101, "amount": 5})
    assert any("högst 2100" in m for m in messages)


def test_pydantics_own_messages_are_swedish():
    class Form(Model):
        names: Annotated[tuple[str, ...], Field(max_length=2)] = ()
        picks: Annotated[tuple[str, ...], Field(min_length=1)] = ("a",)
        short: Annotated[str, Field(max_length=3)] = ""
        ratio: Annotated[float, Field(allow_inf_nan=False)] = 0.0
        amount: Annotated[Decimal, Field(max_digits=5, decimal_places=2)] = Decimal(0)
        size: Annotated[int, Field(le=10)] = 0

    with pytest.raises(ValidationError) as caught:
        Form.model_validate(
            {
                "names": ["a", "b", "c"],
                "picks": [],
                "short": "abcd",
                "ratio": "inf",
                "amount": "1234.567",
                "size": 11,
            }
        )
    messages = validation_messages(caught.value)
    assert len(messages) == 6
    for line in messages:
        assert not any(word in line for word in ENGLISH), line
    text = "\n".join(messages)
    assert "högst 2" in text and "högst 3 tecken" in text and "ändligt" in text and "högst 10" in text


def test_a_choice_that_is_not_allowed_lists_the_choices_in_swedish():
    messages = refused(status.parse_report, report(time_status="lila"))
    assert any("grön" in m and "eller" in m for m in messages)


def test_a_union_field_gets_one_message_not_one_per_alternative():
    with pytest.raises(ValidationError) as caught:
        models.Party.model_validate({"code": "AB", "name": "A", "kind": "kommun", "source": 7})
    assert len(validation_messages(caught.value)) == 1


def test_a_long_list_of_problems_is_capped_with_how_many_more():
    error = InvalidInputError([f"Rad {i}: fel" for i in range(1, 101)])
    assert len(error.messages) == 21
    assert error.messages[-1] == "… och 80 till"
    assert InvalidInputError(["a", "a", "b"]).messages == ["a", "b"]


# --- the ledger's own input models ------------------------------------------------------------------


def test_allocation_keys_and_items_refuse_control_characters_and_unbounded_numbers():
    from portfolio.ledger.keys import AllocationItemInput, KeyInput

    spec = {"kind": "andelar", "shares": {"BRACKE": "1e40"}}
    with pytest.raises(ValidationError) as caught:
        KeyInput.model_validate({"year": 2024, "name": "Nyckel\x0b1", "spec": spec, "note": "a\x00"})
    messages = validation_messages(caught.value)
    assert any("styrtecken" in m for m in messages)
    assert any("shares" in m and "högst" in m for m in messages)
    with pytest.raises(ValidationError) as caught:
        AllocationItemInput.model_validate(
            {"year": 2024, "name": "Post", "source_kind": "belopp", "amount_ore": "inf", "key_id": 1}
        )
    assert "belopp" in validation_messages(caught.value)[0]


def test_a_mapping_rule_line_name_refuses_control_characters():
    from portfolio.ledger.mapping import MappingRule

    with pytest.raises(ValidationError):
        MappingRule.model_validate(
            {"from_account": "30", "to_account": "34", "line": "Int\x0bäkter", "kind": "intäkt"}
        )


def test_a_too_long_text_is_counted_in_characters_whatever_validator_ran_first():
    messages = refused(models.parse, benefits.BenefitInput, {"title": "x" * 501})
    assert messages == ["fältet 'title': får vara högst 500 tecken"]
    messages = refused(
        governance.parse,
        governance.DebitInput,
        {"project_id": 1, "work_date": "2024-01-02", "resource": "x" * 300, "hours": "1"},
    )
    assert messages == ["Resurs: får vara högst 200 tecken"]


def test_a_price_per_hour_has_a_maximum_so_debits_cannot_overflow():
    messages = refused(
        governance.parse,
        governance.PriceRateInput,
        {"year": 2024, "resource": "jurist", "kr_per_hour": "1e11"},
    )
    assert any(m.startswith("Pris per timme") and "högst" in m for m in messages)


def test_parse_returns_the_model_or_refuses_with_one_swedish_line_per_field_named_by_its_label():
    accepted = models.parse(benefits.BenefitValueInput, {"year": 2024, "amount": 5})
    assert (accepted.year, accepted.amount) == (2024, 500)
    messages = refused(
        models.parse,
        benefits.BenefitValueInput,
        {"year": 1999, "amount": 5},
        {"year": "År"},
        where="Rad 3",
    )
    assert messages == ["Rad 3: År: måste vara minst 2000"]
