"""Late actions stand out in white on red, while the table is short enough to style quickly."""

from __future__ import annotations

import polars as pl
from pandas.io.formats.style import Styler

from dashboard import ui


def late(rows: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Åtgärd": [f"Åtgärd {i}" for i in range(rows)],
            "Försenad": ["Försenad, 3 dagar", None] * (rows // 2),
        }
    )


def test_late_cells_are_white_on_red_and_others_plain():
    styled = ui.late_table(late(4))
    assert isinstance(styled, Styler)
    cells = styled._compute().ctx  # (row, column) → [(property, value)]
    red = {row for (row, _col), styles in cells.items() if ("background-color", "#B42318") in styles}
    assert red == {0, 2}


def test_a_long_table_is_shown_unstyled_with_the_text_still_saying_late():
    table = ui.late_table(late(ui.STYLED_ROWS_MAX + 2))
    assert isinstance(table, pl.DataFrame)
    assert table["Försenad"].drop_nulls().to_list()[0] == "Försenad, 3 dagar"
