"""Property tests: hostile text, numbers and dates may be refused, never crash.

Every input model and parser either returns a value or raises its named error
(InvalidInputError / pydantic's ValidationError for seed-style models / ValueError for
`to_ore`), and what it says is Swedish.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from portfolio import models, status
from portfolio.errors import ImportRejectedError, InvalidInputError
from portfolio.governance import model as governance
from portfolio.ledger.csv_import import _parse, read_table
from portfolio.ledger.sie import SieReader
from portfolio.ledger.tertial import NoteInput
from portfolio.models import validation_messages
from portfolio.money import to_ore
from portfolio.textsafe import control_problem
from registers.benefits import model as benefits
from registers.bruttolista.model import ActivityInput, OutcomeInput
from registers.lifecycle.model import DeviationInput, HandoverInput, NeedInput
from registers.risks.model import parse_action, parse_register, parse_risk
from registers.surveys.importer import parse_answers
from registers.surveys.model import parse_survey

ENGLISH = ("should", "Value error", "Input should", "valid ", "characters", "at most", "at least")
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONTROL = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9F])
hostile_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(CONTROL + "ab=+-@\t\n\r "), max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "=cmd|' /C calc'!A0",
            "![](http://example.invalid/x.png)",
            "<img src=x onerror=alert(1)>",
            "\ud800",
            "x" * 20_001,
            "rad 1\r\nrad 2",
            "\x00",
        ]
    ),
)
hostile_number = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["inf", "-inf", "nan", "NaN", "1e29", "1e-30", "9" * 5000, "12,5", "−3", "1 200", "", "sNaN"]
    ),
)
hostile_date = st.one_of(
    st.dates(),
    st.datetimes(),
    st.sampled_from(["0000-00-00", "9999-12-31", "2019-02-30", "igår", "", "2024-01-02T25:00"]),
)
anything = st.one_of(st.none(), st.booleans(), hostile_text, hostile_number, hostile_date)


Form = st.SearchStrategy[dict[str, Any]]


def form(**fields: st.SearchStrategy[Any]) -> Form:
    """A form whose fields are each left out, hostile of their own kind, or anything at all."""
    return st.fixed_dictionaries({}, optional={k: st.one_of(v, anything) for k, v in fields.items()})


def swedish(messages: list[str]) -> None:
    assert messages
    for line in messages:
        assert not any(word in line for word in ENGLISH), line
        assert "+00:00" not in line


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def refuses_in_swedish(call: Any, *args: Any) -> None:
    """The call refuses with Swedish messages, or what it accepted holds no control character."""
    try:
        accepted = call(*args)
    except InvalidInputError as exc:
        swedish(exc.messages)
    except ValidationError as exc:
        swedish(validation_messages(exc))
    else:
        for text in _texts(accepted.model_dump()):
            assert control_problem(text) is None, repr(text)


# Forms read by a parser of their own; the model tables below share one parser each.
OWN_PARSER: dict[str, tuple[Callable[[Any], Any], Form]] = {
    "risk": (
        parse_risk,
        form(
            register_id=st.integers(),
            title=hostile_text,
            description=hostile_text,
            probability=hostile_number,
            consequence=hostile_number,
            residual_probability=hostile_number,
            residual_consequence=hostile_number,
            owner=hostile_text,
            status=hostile_text,
            next_review=hostile_date,
            show_in_portfolio=hostile_text,
            status_note=hostile_text,
        ),
    ),
    "action": (
        parse_action,
        form(
            description=hostile_text,
            owner=hostile_text,
            due_date=hostile_date,
            status=hostile_text,
            comment=hostile_text,
        ),
    ),
    "register": (
        parse_register,
        form(
            name=hostile_text,
            category=hostile_text,
            scale=hostile_number,
            yellow_from=hostile_number,
            red_from=hostile_number,
        ),
    ),
    "status_report": (
        status.parse_report,
        form(
            reported_on=hostile_date,
            time_status=hostile_text,
            time_reason=hostile_text,
            cost_status=hostile_text,
            overall_status=hostile_text,
            next_steps=hostile_text,
        ),
    ),
    "survey": (
        parse_survey,
        form(
            title=hostile_text,
            date=hostile_date,
            population=hostile_number,
            scale=st.fixed_dictionaries({"points": hostile_number}),
            groups=hostile_text,
            statements=hostile_text,
        ),
    ),
}


GOVERNANCE: dict[type[BaseModel], Form] = {
    governance.MeetingInput: form(
        date=hostile_date, place=hostile_text, moved_from=hostile_date, moved_reason=hostile_text
    ),
    governance.AgendaItemInput: form(
        meeting_date=hostile_date,
        number=hostile_number,
        case=hostile_text,
        title=hostile_text,
        decision=hostile_text,
    ),
    governance.DebitInput: form(
        project_id=hostile_number, work_date=hostile_date, resource=hostile_text, hours=hostile_number
    ),
    governance.PriceRateInput: form(year=hostile_number, resource=hostile_text, kr_per_hour=hostile_number),
    governance.NewCaseInput: form(
        code=hostile_text, name=hostile_text, purpose=hostile_text, opened_on=hostile_date
    ),
    governance.PhaseChangeInput: form(
        project_id=hostile_number, changed_on=hostile_date, phase=hostile_text, note=hostile_text
    ),
}


point = st.one_of(anything, st.fixed_dictionaries({"date": hostile_date, "value": hostile_number}))
BENEFITS: dict[type[BaseModel], Form] = {
    benefits.BenefitInput: form(
        title=hostile_text,
        indicator=hostile_text,
        unit=hostile_text,
        direction=hostile_text,
        baseline=point,
        target=point,
    ),
    benefits.MeasurementInput: form(measured_on=hostile_date, value=hostile_number, comment=hostile_text),
    benefits.BenefitValueInput: form(
        year=hostile_number, amount=hostile_number, hours=hostile_number, rate=hostile_number
    ),
}


REGISTERS: dict[type[BaseModel], Form] = {
    ActivityInput: form(
        plan_year=hostile_number,
        activity=hostile_text,
        areas=st.lists(hostile_text, max_size=3),
        note=hostile_text,
    ),
    OutcomeInput: form(year=hostile_number, status=hostile_text, outcome=hostile_text),
    HandoverInput: form(
        project_id=hostile_number, section=hostile_text, deliverable=hostile_text, comment=hostile_text
    ),
    DeviationInput: form(
        project_id=hostile_number, type=hostile_text, count=hostile_number, text=hostile_text
    ),
    NeedInput: form(project_id=hostile_number, need=hostile_text, details=st.lists(hostile_text, max_size=3)),
    NoteInput: form(comment=hostile_text, forecast_ore=hostile_number),
    models.Person: form(name=hostile_text, organisation=hostile_text),
    models.Split: form(total=hostile_number, region=hostile_number, kommunerna=hostile_number),
    models.Milestone: form(
        name=hostile_text, planned_date=hostile_date, actual_date=hostile_date, note=hostile_text
    ),
}


FORMS: dict[str, tuple[Callable[[Any], Any], Form]] = {
    **OWN_PARSER,
    **{m.__name__: (partial(governance.parse, m), f) for m, f in GOVERNANCE.items()},
    **{m.__name__: (partial(models.parse, m), f) for m, f in BENEFITS.items()},
    **{m.__name__: (m.model_validate, f) for m, f in REGISTERS.items()},
}


@pytest.mark.parametrize(("parse", "hostile_form"), list(FORMS.values()), ids=list(FORMS))
def test_a_hostile_form_is_refused_in_swedish_or_accepted_clean(parse, hostile_form):
    @SETTINGS
    @given(hostile_form)
    def check(data):
        refuses_in_swedish(parse, data)

    check()


@SETTINGS
@given(hostile_number)
def test_an_amount_converts_or_is_refused_in_swedish(value):
    if isinstance(value, float):
        with pytest.raises(TypeError):
            to_ore(value)  # type: ignore[arg-type]
        return
    try:
        ore = to_ore(value)
    except ValueError as exc:
        swedish([str(exc)])
    else:
        assert abs(ore) <= 10**14


# --- importers --------------------------------------------------------------------------------------

sie_line = st.one_of(
    st.sampled_from(
        ["#FLAGGA 0", "#RAR 0 20190101 20191231", '#VER A 1 20190115 "x"', "{", "}", "#KONTO 1930 Bank"]
    ),
    st.builds(
        lambda a, v: f"#TRANS {a} {{}} {v}", st.sampled_from(["7410", "x", ""]), hostile_number.map(str)
    ),
    hostile_text,
)


@SETTINGS
@given(
    st.lists(sie_line, max_size=12),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["cp437", "utf-8", "utf-16"]),
)
def test_the_sie_reader_reports_problems_never_raises(lines, newline, encoding):
    data = newline.join(lines).encode(encoding, "replace")
    reader = SieReader(io.BytesIO(data))
    list(reader)
    for problem in reader.problems:
        assert problem.message and "+00:00" not in problem.message


@SETTINGS
@given(
    st.lists(st.lists(st.one_of(hostile_text, hostile_number.map(str)), min_size=0, max_size=7), max_size=8)
)
def test_ledger_lines_are_read_or_refused_by_row(rows):
    text = "år;månad;konto;objekt;belopp;text\n" + "\n".join(";".join(r).replace("\n", " ") for r in rows)
    try:
        lines, problems = _parse(read_table(text.encode("utf-8", "replace"), "rader.csv"), "utfall", {})
    except ImportRejectedError as exc:
        swedish(exc.messages)
        return
    if problems:
        swedish(problems)
    for line in lines:
        assert abs(line["amount_ore"]) <= 10**14


GROUPS = pl.DataFrame({"id": [1, 2], "code": ["hemtjanst", "chefer"], "name": ["Hemtjänst", "Chefer"]})
STATEMENTS = pl.DataFrame({"id": [11, 12], "position": [0, 1], "text": ["Det fungerar", "Jag är nöjd"]})


@SETTINGS
@given(st.lists(st.lists(st.one_of(hostile_text, hostile_number.map(str)), max_size=5), max_size=8))
def test_survey_answers_are_read_or_refused(rows):
    text = "svarande;grupp;1;2\n" + "\n".join(";".join(r).replace("\n", " ") for r in rows)
    try:
        parse_answers(
            "s.csv", text.encode("utf-8", "replace"), groups=GROUPS, statements=STATEMENTS, points=5
        )
    except ImportRejectedError as exc:
        swedish(exc.messages)
        assert len(exc.messages) <= 21


def test_a_junk_survey_file_gets_a_capped_list_of_messages():
    junk = "svarande;grupp;1;2\n" + "".join(f"R{i};Okänd;x;y\n" for i in range(2000))
    with pytest.raises(ImportRejectedError) as caught:
        parse_answers("s.csv", junk.encode(), groups=GROUPS, statements=STATEMENTS, points=5)
    assert len(caught.value.messages) == 21
    assert caught.value.messages[-1].startswith("… och ")


def test_hostile_dates_are_dates_or_refused():
    assert Decimal(1) and dt.date(2024, 1, 2)  # the strategies above draw from these types


def test_survey_counts_beyond_any_population_are_refused_not_summed_past_64_bits():
    big = 9_000_000_000_000_000_000
    text = f"påstående;grupp;svar;antal\n1;Hemtjänst;2;{big}\n1;Hemtjänst;3;{big}\n"
    with pytest.raises(ImportRejectedError) as caught:
        parse_answers("s.csv", text.encode(), groups=GROUPS, statements=STATEMENTS, points=5)
    assert any("Rad 2" in m and "antalet" in m for m in caught.value.messages)
