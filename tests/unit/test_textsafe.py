"""Text is data: control characters named and cleaned, formula-like cells escaped (OWASP)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from portfolio import textsafe


def test_a_vertical_tab_or_nul_is_named_with_its_place():
    assert "U+000B" in (textsafe.control_problem("Risk\x0btitel") or "")
    assert "plats 1" in (textsafe.control_problem("\x00") or "")
    assert textsafe.control_problem("Rad ett\nrad två\tmed tabb") is None


def test_cleaning_keeps_newline_and_tab_and_drops_other_control_characters():
    assert textsafe.clean("a\x0bb\x00c\r\nd\te\x1b") == "ab\x63\nd\te".replace("\x63", "c")


def test_cells_that_start_like_a_formula_are_escaped_and_numbers_stay_numbers():
    for hostile in ("=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x")'):
        assert textsafe.csv_cell(hostile).startswith("'")
    assert textsafe.csv_cell("\r=1") == "'=1"
    assert textsafe.csv_cell("Bräcke") == "Bräcke"
    assert textsafe.csv_cell(-219) == -219
    assert textsafe.csv_cell(None) is None


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=6))
def test_a_frame_is_escaped_exactly_as_each_cell_is(values):
    frame = pl.DataFrame(
        {"text": values, "number": list(range(len(values)))}, schema={"text": pl.String, "number": pl.Int64}
    )
    escaped = textsafe.escape_frame(frame)
    assert escaped["text"].to_list() == [textsafe.csv_cell(v) for v in values]
    assert escaped["number"].to_list() == frame["number"].to_list()
