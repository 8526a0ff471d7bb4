"""Risk models, the extended scoring helpers and the Excel format, without a database."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook

from portfolio.errors import ImportRejectedError, InvalidInputError
from registers.risks import excel, scoring
from registers.risks.model import (
    ActionStatus,
    Register,
    RiskStatus,
    describe_change,
    parse_action,
    parse_register,
    parse_risk,
    scale_problems,
)

FOUR = Register(
    1, 1, "GNS/8/2018", "Informationssäkerhet", "informationssäkerhet", 4, 4, 9, None, None, None, 1
)
FIVE = Register(2, 1, "GNS/8/2018", "Arbetsmiljö", "arbetsmiljö", 5, 5, 12, None, None, None, 1)


def risk(**overrides: object) -> dict[str, object]:
    return {"register_id": 1, "title": "Fax används", "probability": 3, "consequence": 4, **overrides}


# --- model ---------------------------------------------------------------------------------------


def test_a_risk_defaults_to_open_and_not_shown_in_the_portfolio() -> None:
    parsed = parse_risk(risk())
    assert parsed.status is RiskStatus.OPPEN
    assert parsed.show_in_portfolio is False
    assert parsed.residual_probability is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"probability": "hög"}, "Sannolikhet: 'hög' är ingen siffra"),
        ({"probability": 2.5}, "Sannolikhet: 2.5 är inget heltal"),
        ({"consequence": 7}, "Konsekvens: 7 ligger utanför skalan"),
        ({"consequence": None}, "Konsekvens: saknas"),
        ({"title": "  "}, "Titel: saknas men måste anges"),
        ({"status": "pausad"}, "Status: okänd status 'pausad'; välj öppen, hanteras, stängd eller inträffad"),
        ({"next_review": "nästa vecka"}, "Nästa uppföljning: 'nästa vecka' är inget datum; skriv ÅÅÅÅ-MM-DD"),
        ({"show_in_portfolio": "kanske"}, "Visa i portföljen: 'kanske' ska vara ja eller nej"),
        ({"residual_probability": 2}, "Ange både sannolikhet och konsekvens efter åtgärd"),
    ],
)
def test_invalid_risks_are_refused_with_a_swedish_message_naming_the_field(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_risk(risk(**overrides))
    assert any(m.startswith(message) for m in caught.value.messages), caught.value.messages


def test_every_problem_of_a_risk_is_listed_at_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_risk(risk(title="", probability="x", status="?"))
    assert len(caught.value.messages) == 3


def test_levels_text_and_flags_from_a_spreadsheet_are_understood() -> None:
    parsed = parse_risk(risk(probability="3", consequence=4.0, show_in_portfolio="JA", status="Hanteras"))
    assert (parsed.probability, parsed.consequence, parsed.show_in_portfolio) == (3, 4, True)
    assert parsed.status is RiskStatus.HANTERAS


def test_a_level_above_a_four_by_four_register_is_named_with_its_scale() -> None:
    problems = scale_problems(parse_risk(risk(probability=5)), FOUR)
    assert problems == [
        (
            "probability",
            "5 ligger utanför registrets skala; registret Informationssäkerhet har skalan 4×4, så skriv en "
            "siffra från 1 till 4",
        )
    ]
    assert scale_problems(parse_risk(risk(probability=5, consequence=5)), FIVE) == []


def test_an_action_defaults_to_planned_and_refuses_an_unknown_status() -> None:
    assert parse_action({"description": "Utbildning"}).status is ActionStatus.PLANERAD
    with pytest.raises(InvalidInputError, match="Status: okänd status 'försenad'"):
        parse_action({"description": "Utbildning", "status": "försenad"})


def test_a_register_gets_the_default_thresholds_of_its_scale() -> None:
    assert (
        parse_register({"name": "A", "scale": 4}).yellow_from,
        parse_register({"name": "A"}).red_from,
    ) == (4, 9)
    five = parse_register({"name": "A", "scale": 5})
    assert (five.yellow_from, five.red_from) == (5, 12)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "A", "scale": 3}, "Skalan måste vara 4"),
        ({"name": "A", "scale": 4, "yellow_from": 9, "red_from": 4}, "lägre än gränsen för röd"),
        (
            {"name": "A", "scale": 4, "yellow_from": 4, "red_from": 17},
            r"högre än skalans största riskvärde \(16\)",
        ),
    ],
)
def test_a_register_with_a_bad_scale_or_thresholds_is_refused(raw: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_register(raw)


def test_history_describes_what_changed_in_words() -> None:
    before = {"title": "A", "probability": 3, "status": "öppen", "version": 1}
    after = {"title": "A", "probability": 4, "status": "hanteras", "version": 2}
    assert describe_change(before, after) == "Sannolikhet: 3 → 4; Status: öppen → hanteras"
    assert (
        describe_change(None, {"title": "Ny", "probability": 2, "owner": None}) == "Titel: Ny; Sannolikhet: 2"
    )


# --- scoring helpers -----------------------------------------------------------------------------


def test_each_risk_is_banded_by_its_own_registers_thresholds() -> None:
    frame = pl.DataFrame({"score": [9, 9, None], "yellow": [4, 5, 4], "red": [9, 12, 9]})
    banded = frame.select(scoring.band_expr_by(pl.col("score"), pl.col("yellow"), pl.col("red")).alias("b"))
    assert banded["b"].to_list() == ["röd", "gul", None]


def test_band_text_carries_symbol_and_word() -> None:
    assert scoring.band_text("röd") == "■ Hög"
    assert scoring.band_text(None) == "– Ej bedömd"
    texts = pl.DataFrame({"b": ["grön", "gul", None]}).select(scoring.band_text_expr(pl.col("b")))
    assert texts["b"].to_list() == ["● Låg", "▲ Medel", "– Ej bedömd"]


def test_level_labels_follow_the_scale() -> None:
    assert scoring.level_label("sannolikhet", 4, 4) == "4 – Mycket stor"
    assert scoring.level_label("konsekvens", 5, 5) == "5 – Mycket allvarlig"
    with pytest.raises(ValueError, match="mellan 1 och 4"):
        scoring.level_label("konsekvens", 5, 4)


def test_matrix_grid_has_the_same_counts_as_the_matrix() -> None:
    counts = scoring.matrix_counts(pl.DataFrame({"p": [4, 4, 1], "c": [4, 4, 2]}), "p", "c", 4)
    grid = scoring.matrix_grid(counts, "p", "c", 4)
    assert grid.columns == ["Sannolikhet", "Konsekvens 1", "Konsekvens 2", "Konsekvens 3", "Konsekvens 4"]
    assert grid.row(0) == ("Sannolikhet 4", "0 ▲ Medel", "0 ▲ Medel", "0 ■ Hög", "2 ■ Hög")
    assert grid.row(3)[2] == "1 ● Låg"


def test_lateness_is_said_in_words_and_days() -> None:
    actions = pl.DataFrame(
        {
            "status": ["pågår", "klar", "planerad", "planerad", "pågår"],
            "due_date": ["2025-03-01", "2025-01-01", "2025-03-12", None, "2025-03-13"],
        }
    )
    late = scoring.with_lateness(actions, date(2025, 3, 13))
    assert late["late_text"].to_list() == ["Försenad, 12 dagar", "", "Försenad, 1 dag", "", ""]
    assert late["days_late"].to_list() == [12, None, 1, None, None]


def test_top_risks_rank_red_first_then_share_of_the_scale() -> None:
    risks = pl.DataFrame(
        {
            "title": ["gul 5x5", "röd 4x4", "röd 5x5", "ej bedömd"],
            "score": [10, 12, 16, None],
            "band": ["gul", "röd", "röd", None],
            "scale": [5, 4, 5, 4],
        }
    )
    assert scoring.top_risks(risks, 3)["title"].to_list() == ["röd 4x4", "röd 5x5", "gul 5x5"]


# --- Excel format --------------------------------------------------------------------------------


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_text_that_looks_like_a_formula_is_exported_as_text_not_as_a_formula() -> None:
    dangerous = ['=HYPERLINK("http://x","klicka")', "+1+1", "-2+3", "@SUMMA(A1)"]
    rows = [
        {"id": i, "title": t, "register": "A", "probability": 1, "consequence": 1, "version": 1}
        for i, t in enumerate(dangerous, start=1)
    ]
    content = excel.write_workbook(rows, [])
    assert "<f>" not in _sheet_xml(content)
    ws = load_workbook(io.BytesIO(content))["Risker"]
    cells = [ws.cell(row=r, column=3) for r in range(2, 6)]
    assert [c.value for c in cells] == dangerous
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_the_template_has_both_sheets_with_swedish_headers_and_no_rows() -> None:
    wb = load_workbook(io.BytesIO(excel.template()))
    assert wb.sheetnames[:2] == ["Risker", "Åtgärder"]
    headers = [c.value for c in wb["Risker"][1]]
    assert headers[:3] == ["Id", "Register", "Titel"] and "Sannolikhet" in headers
    assert wb["Risker"].max_row == 1 and wb["Åtgärder"].max_row == 1
    book, problems = excel.read_workbook(excel.template())
    assert (book.risks.rows, book.actions.rows, problems) == ([], [], [])


def test_a_csv_renamed_to_xlsx_is_refused_in_swedish() -> None:
    with pytest.raises(ImportRejectedError, match=r"textfil \(CSV\?\), inte en Excel-arbetsbok \(\.xlsx\)"):
        excel.read_workbook(b"Id;Titel\n1;Fax\n")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hej.txt", "hej")
    with pytest.raises(ImportRejectedError, match="kan inte öppnas som en Excel-arbetsbok"):
        excel.read_workbook(buffer.getvalue())


def test_formula_cells_and_unknown_headers_are_reported_by_sheet_row_and_column() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Risker"
    ws.append(["Id", "Register", "Titel", "Sannolikhet", "Konsekvens", "Version", "Anteckning"])
    ws.append([None, "A", "=1+1", 1, 1, None, "x"])
    wb.create_sheet("Åtgärder").append(["Id", "Risk-id", "Beskrivning", "Version"])
    out = io.BytesIO()
    wb.save(out)
    _, problems = excel.read_workbook(out.getvalue())
    assert "Blad Risker, rad 2, kolumn Titel: cellen innehåller en formel (=1+1)" in problems[1]
    assert problems[0].startswith("Blad Risker, kolumn G: okänd rubrik 'Anteckning'")
