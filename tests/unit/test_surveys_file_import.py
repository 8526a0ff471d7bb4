"""Reading survey answers from CSV and Excel in every layout, and refusing bad rows precisely."""

from __future__ import annotations

import io

import polars as pl
import pytest
from openpyxl import Workbook

from portfolio.errors import ImportRejectedError, InvalidInputError
from registers.surveys import logic as survey_logic
from registers.surveys.importer import parse_answers
from registers.surveys.model import parse_survey, slug
from tests.survey_files import FIXTURES, STATEMENTS

GROUPS = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "code": ["hemtjanst", "sjukskoterskor", "chefer"],
        "name": ["Hemtjänst", "Sjuksköterskor", "Chefer"],
    }
)
STATEMENT_FRAME = pl.DataFrame({"id": [11, 12, 13], "position": [0, 1, 2], "text": STATEMENTS})


def parse(name: str, content: bytes, points: int = 5):
    return parse_answers(name, content, groups=GROUPS, statements=STATEMENT_FRAME, points=points)


def named(parsed) -> pl.DataFrame:
    """The parsed answers in the shape survey_logic reads, with names instead of ids."""
    return parsed.named(GROUPS, STATEMENT_FRAME)


def rejected(name: str, text: str, points: int = 5) -> list[str]:
    with pytest.raises(ImportRejectedError) as info:
        parse(name, text.encode("utf-8"), points)
    return info.value.messages


@pytest.mark.parametrize(
    ("fixture", "shape", "layout"),
    [
        ("svar_per_svarande.csv", "svarande", "en rad per svarande"),
        ("svar_per_rad.xlsx", "svarande", "en rad per svar"),
        ("antal_per_svar.csv", "antal", "antal per svar"),
        ("antal_i_kolumner.xlsx", "antal", "antal i kolumner"),
    ],
)
def test_every_layout_gives_the_hand_computed_statistics(fixture: str, shape: str, layout: str) -> None:
    parsed = parse(fixture, (FIXTURES / fixture).read_bytes())
    assert (parsed.shape, parsed.layout) == (shape, layout)
    stats = survey_logic.statement_stats(named(parsed), 5)
    # Hand-computed in tests/fixtures/surveys/README.md: 42/12, 31/11 (one skipped), 23/12.
    assert stats["statement"].to_list() == STATEMENTS
    assert stats["n"].to_list() == [12, 11, 12]
    assert stats["answer_sum"].to_list() == [42, 31, 23]
    assert stats["mean_display"].to_list() == [3.5, 2.82, 1.92]
    # Statement 1: one 1, two 2s, two 3s, four 4s, three 5s.
    assert [stats[f"count_{k}"][0] for k in range(1, 6)] == [1, 2, 2, 4, 3]
    assert survey_logic.suppressed_groups(named(parsed)) == ["Chefer", "Sjuksköterskor"]
    hemtjanst = survey_logic.statement_stats(named(parsed), 5, ["Hemtjänst"])
    assert hemtjanst["mean_display"].to_list() == [3.83, 2.0, 1.67]


def test_respondents_shape_keeps_a_skipped_answer_as_a_respondent() -> None:
    parsed = parse("svar.csv", (FIXTURES / "svar_per_svarande.csv").read_bytes())
    assert parsed.responses is not None
    assert parsed.responses["respondent_id"].n_unique() == 12
    assert parsed.responses.filter(pl.col("answer").is_null())["respondent_id"].to_list() == ["R06"]


def test_a_cp1252_csv_from_excel_on_windows_is_read() -> None:
    text = "svarande;grupp;1\nR1;Hemtjänst;4\n"
    parsed = parse("svar.csv", text.encode("cp1252"))
    assert parsed.responses is not None and parsed.responses["group_id"].to_list() == [1]


# A file with one kind of bad row, and the messages it is refused with (each names the row).
REFUSED = {
    "answer_outside_the_scale": (
        "svarande;grupp;påstående;svar\nR1;Hemtjänst;1;4\nR2;Hemtjänst;1;7\n",
        ["Rad 3: svaret 7 ligger utanför skalan 1–5"],
    ),
    "unknown_group": (
        "svarande;grupp;1\nR1;Hemtjänst;4\nR2;Undersköterskor;3\n",
        [
            "Rad 3: gruppen 'Undersköterskor' finns inte i enkäten "
            "(grupper: Hemtjänst, Sjuksköterskor, Chefer)"
        ],
    ),
    "unknown_statement_in_a_row": (
        "svarande;grupp;påstående;svar\nR1;Hemtjänst;Kaffet är gott;4\n",
        ["Rad 2: påståendet 'Kaffet är gott' finns inte i enkäten (ange påståendets text eller nummer)"],
    ),
    "unknown_statement_as_a_column": (
        "svarande;grupp;Kaffet är gott\nR1;Hemtjänst;4\n",
        [
            "Rubrikraden: kolumnen 'Kaffet är gott' är inget påstående i enkäten "
            "(ange påståendets text eller nummer)"
        ],
    ),
    "unknown_statement_number_in_counts": (
        "påstående;grupp;svar;antal\n4;Hemtjänst;2;3\n",
        ["Rad 2: påståendet '4' finns inte i enkäten (ange påståendets text eller nummer)"],
    ),
    "duplicate_respondent_id": (
        "svarande;grupp;1;2\nR1;Hemtjänst;4;4\nR2;Chefer;3;3\nR1;Hemtjänst;2;2\n",
        ["Rad 4: svarande 'R1' finns redan på rad 2"],
    ),
    "duplicate_answer_to_a_statement": (
        "svarande;grupp;påstående;svar\nR1;Hemtjänst;1;4\nR1;Hemtjänst;1;5\n",
        ["Rad 3: svarande 'R1' har redan svarat på påståendet '1' på rad 2"],
    ),
    "respondent_in_two_groups": (
        "svarande;grupp;påstående;svar\nR1;Hemtjänst;1;4\nR1;Chefer;2;5\n",
        ["Rad 3: svarande 'R1' står i gruppen 'Chefer' men i gruppen 'Hemtjänst' på rad 2"],
    ),
    "answer_in_words": (
        "svarande;grupp;1\nR1;Hemtjänst;fyra\n",
        ["Rad 2, kolumn '1': svaret 'fyra' är inget heltal; skriv ett heltal 1–5"],
    ),
    "answer_with_decimals": (
        "svarande;grupp;1\nR1;Hemtjänst;3,5\n",
        ["Rad 2, kolumn '1': svaret '3,5' är inget heltal; skriv ett heltal 1–5"],
    ),
    "counts_in_words_or_negative": (
        "påstående;grupp;svar;antal\n1;Hemtjänst;2;många\n1;Hemtjänst;3;-1\n",
        [
            "Rad 2: antalet 'många' måste vara ett heltal, 0 eller större",
            "Rad 3: antalet '-1' måste vara ett heltal, 0 eller större",
        ],
    ),
}


@pytest.mark.parametrize(("text", "messages"), list(REFUSED.values()), ids=list(REFUSED))
def test_a_bad_row_is_refused_with_messages_naming_it(text: str, messages: list[str]) -> None:
    assert rejected("s.csv", text) == messages


def test_every_problem_in_a_file_is_listed_in_row_order() -> None:
    text = "svarande;grupp;1;2\nR1;Hemtjänst;4;9\nR2;Okänd;3;3\nR1;Chefer;x;2\n;Chefer;1;1\n"
    assert rejected("s.csv", text) == [
        "Rad 2, kolumn '2': svaret 9 ligger utanför skalan 1–5",
        "Rad 3: gruppen 'Okänd' finns inte i enkäten (grupper: Hemtjänst, Sjuksköterskor, Chefer)",
        "Rad 4: svarande 'R1' finns redan på rad 2",
        "Rad 4, kolumn '1': svaret 'x' är inget heltal; skriv ett heltal 1–5",
        "Rad 5: svarande-id saknas",
    ]


def test_a_blank_respondent_column_is_refused_naming_each_row() -> None:
    assert rejected("s.csv", "svarande;grupp;1\n;Hemtjänst;4\n;Chefer;3\n") == [
        "Rad 2: svarande-id saknas",
        "Rad 3: svarande-id saknas",
    ]
    assert rejected("s.csv", "svarande;grupp;påstående;svar\n;Hemtjänst;1;4\n;Chefer;2;3\n") == [
        "Rad 2: svarande-id saknas",
        "Rad 3: svarande-id saknas",
    ]


def test_rows_without_a_respondent_are_not_taken_for_one_and_the_same_respondent() -> None:
    text = "svarande;grupp;påstående;svar\nR1;Hemtjänst;1;4\n;Hemtjänst;1;4\n;Chefer;1;3\n"
    assert rejected("s.csv", text) == ["Rad 3: svarande-id saknas", "Rad 4: svarande-id saknas"]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        (
            "svarande;grupp;1\nR1;;4\nR2;;3\n",
            ["Rad 2: grupp saknas", "Rad 3: grupp saknas"],
        ),
        (
            "svarande;grupp;påstående;svar\nR1;;1;4\nR2;;2;3\n",
            ["Rad 2: grupp saknas", "Rad 3: grupp saknas"],
        ),
        (
            "svarande;grupp;påstående;svar\nR1;Hemtjänst;;4\nR1;Hemtjänst;;3\n",
            ["Rad 2: påstående saknas", "Rad 3: påstående saknas"],
        ),
        (
            "påstående;grupp;svar;antal\n;Hemtjänst;2;3\n;Hemtjänst;2;1\n",
            ["Rad 2: påstående saknas", "Rad 3: påstående saknas"],
        ),
        (
            "påstående;grupp;svar;antal\n1;;2;3\n2;;2;1\n",
            ["Rad 2: grupp saknas", "Rad 3: grupp saknas"],
        ),
        (
            "påstående;grupp;svar;antal\n1;Hemtjänst;;3\n2;Hemtjänst;;1\n",
            ["Rad 2: svar saknas", "Rad 3: svar saknas"],
        ),
        (
            "påstående;grupp;svar;antal\n1;Hemtjänst;2;\n2;Hemtjänst;2;\n",
            ["Rad 2: antal saknas", "Rad 3: antal saknas"],
        ),
        (
            "påstående;grupp;1;2;3;4;5\n;Hemtjänst;1;1;1;1;1\n;Chefer;1;1;1;1;1\n",
            ["Rad 2: påstående saknas", "Rad 3: påstående saknas"],
        ),
        (
            "påstående;grupp;1;2;3;4;5\n1;;1;1;1;1;1\n2;;1;1;1;1;1\n",
            ["Rad 2: grupp saknas", "Rad 3: grupp saknas"],
        ),
    ],
    ids=[
        "grupp per svarande",
        "grupp per svar",
        "påstående per svar",
        "påstående per antal",
        "grupp per antal",
        "svar per antal",
        "antal per antal",
        "påstående i antal i kolumner",
        "grupp i antal i kolumner",
    ],
)
def test_a_blank_column_is_refused_naming_each_row_in_every_layout(text: str, messages: list[str]) -> None:
    assert rejected("s.csv", text) == messages


def test_a_file_whose_answers_are_all_blank_is_refused() -> None:
    per_respondent = "svarande;grupp;1;2\nR1;Hemtjänst;;\nR2;Chefer\n"
    per_answer = "svarande;grupp;påstående;svar\nR1;Hemtjänst;1;\nR2;Chefer;2;\n"
    for text in (per_respondent, per_answer):
        assert rejected("s.csv", text) == ["Filen innehåller inga svar (alla svar är tomma)"]


def test_a_respondent_is_checked_against_the_first_group_given_for_them() -> None:
    text = "svarande;grupp;påstående;svar\nR1;;1;4\nR1;Chefer;2;5\nR1;Hemtjänst;3;5\n"
    assert rejected("s.csv", text) == [
        "Rad 2: grupp saknas",
        "Rad 4: svarande 'R1' står i gruppen 'Hemtjänst' men i gruppen 'Chefer' på rad 3",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"svarande;grupp;1;{STATEMENTS[0]}\nR1;Hemtjänst;4;5\n",
            f"Rubrikraden: kolumnerna '1' och '{STATEMENTS[0]}' är samma påstående",
        ),
        (
            "påstående;grupp;1;01;2;3;4;5\n1;Hemtjänst;1;1;1;1;1;1\n",
            "Rubrikraden: kolumnen '01' är inget svarsvärde; skalan är 1–5",
        ),
        (
            "svarande;grupp;_row;1\nR1;Hemtjänst;x;4\n",
            "Rad 1: kolumnnamnet '_row' används av programmet; byt namn på kolumnen",
        ),
    ],
    ids=["påstående som text och nummer", "svarsvärde 01", "reserverad rubrik"],
)
def test_a_heading_that_is_ambiguous_or_reserved_is_refused(text: str, message: str) -> None:
    assert rejected("s.csv", text) == [message]


def test_counts_in_columns_need_exactly_the_scale_values() -> None:
    assert rejected("s.csv", "påstående;grupp;1;2;3;4;5;6\n1;Hemtjänst;1;1;1;1;1;1\n") == [
        "Rubrikraden: kolumnen '6' är inget svarsvärde; skalan är 1–5"
    ]
    assert rejected("s.csv", "påstående;grupp;1;2;3\n1;Hemtjänst;1;1;1\n") == [
        "Rubrikraden: kolumnerna för svarsvärdena 4, 5 saknas"
    ]


def test_a_repeated_counts_row_is_refused_rather_than_added() -> None:
    assert rejected("s.csv", "påstående;grupp;svar;antal\n1;Hemtjänst;2;3\n1;hemtjanst;2;1\n") == [
        "Rad 3: samma påstående, grupp och svar som på rad 2"
    ]


def test_files_that_are_not_survey_tables_are_refused() -> None:
    assert rejected("s.pdf", "x") == ["Filtypen '.pdf' stöds inte; använd CSV (.csv) eller Excel (.xlsx)"]
    assert rejected("s.csv", "") == ["Filen är tom"]
    assert rejected("s.csv", "svarande;grupp;1\n") == ["Filen har bara en rubrikrad och inga svar"]
    assert rejected("s.csv", "namn;ålder\nA;3\n")[0].startswith(
        "Filens kolumner (namn, ålder) känns inte igen"
    )
    with pytest.raises(ImportRejectedError, match="Excelfilen kunde inte läsas"):
        parse("s.xlsx", b"not a zip file")


def test_excel_rows_are_named_by_their_row_in_the_sheet() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])  # an empty first row is skipped, but rows keep their numbers
    sheet.append(["Svarande", "Grupp", "Påstående", "Svar"])
    sheet.append(["R1", "Chefer", 1, 4])
    sheet.append(["R2", "Chefer", 1, 6.0])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRejectedError) as info:
        parse("s.xlsx", out.getvalue())
    assert info.value.messages == ["Rad 4: svaret 6 ligger utanför skalan 1–5"]


def test_a_survey_form_takes_groups_and_statements_one_per_line() -> None:
    survey = parse_survey(
        {
            "title": "Uppföljning",
            "date": "2021-03-01",
            "population": 40,
            "scale": {"points": 5},
            "groups": "Hemtjänst\n\nStab, förvaltning, IT\n",
            "statements": "Ett\nTvå",
        }
    )
    assert [g.key for g in survey.groups] == ["hemtjanst", "stab-forvaltning-it"]
    assert slug("Åre kommun") == "are-kommun"


def test_a_survey_with_a_repeated_statement_or_one_point_scale_is_refused() -> None:
    base = {"title": "U", "date": "2021-03-01", "groups": "A", "statements": "Ett\nett"}
    with pytest.raises(InvalidInputError, match="Samma påstående förekommer två gånger"):
        parse_survey({**base, "scale": {"points": 5}})
    with pytest.raises(InvalidInputError, match=r"scale\.points"):
        parse_survey({**base, "statements": "Ett", "scale": {"points": 1}})
