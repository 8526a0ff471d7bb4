"""User text is data: control characters are refused at the models and cleaned from exports, and a
cell that a spreadsheet would run as a formula is escaped (OWASP, "CSV injection").

The models refuse control characters (`control_problem`); exports still clean them (`clean`), so a
value stored by an older version can never make a workbook refuse to be written. Spreadsheet
cells go through `csv_cell` or `xlsx_cell`, which share one rule (`needs_escape`): text that
starts with `= + - @`, a tab or a carriage return is shown as written, never evaluated.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

__all__ = [
    "FORMULA_START",
    "clean",
    "control_problem",
    "csv_cell",
    "escape_frame",
    "needs_escape",
    "normalise_newlines",
    "xlsx_cell",
]

# C0 and C1 control characters except tab and newline, lone surrogates (not encodable as UTF-8)
# and the two non-characters XML refuses.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
# The same class for polars (Rust regex); its strings cannot hold surrogates.
_CONTROL_RUST = r"[\x00-\x08\x0B-\x1F\x7F-\x9F\x{FFFE}\x{FFFF}]"
# What a spreadsheet reads as the start of a formula (OWASP: CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"


def normalise_newlines(text: str) -> str:
    """Windows line ends (CRLF) as plain newlines; a lone CR stays (and counts as a control character)."""
    return text.replace("\r\n", "\n")


def control_problem(text: str) -> str | None:
    """A Swedish sentence naming the first control character in `text`, or None when there is none."""
    found = _CONTROL_RE.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"innehåller ett osynligt styrtecken (U+{ord(char):04X}) på plats {found.start() + 1}; "
        "ta bort det (klistra in texten som vanlig text)"
    )


def clean(text: str) -> str:
    """`text` without control characters (tab and newline kept): what an export may write."""
    return _CONTROL_RE.sub("", normalise_newlines(text))


def needs_escape(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A CSV cell: text cleaned and, if it would start a formula, prefixed with `'`; numbers as they are."""
    if not isinstance(value, str):
        return value
    text = clean(value)
    return "'" + text if needs_escape(text) else text


def xlsx_cell(cell: Any, value: Any) -> None:
    """Set an openpyxl cell: text is cleaned and stored as text, never as a formula.

    Text that starts like a formula gets Excel's quote prefix (the `'` a person would type),
    so Excel and LibreOffice show it as written and a re-import reads the same text back.
    """
    if not isinstance(value, str):
        cell.value = value
        return
    text = clean(value)
    cell.value = text
    cell.data_type = "s"
    if needs_escape(text):
        cell.quotePrefix = True


def escape_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column cleaned and formula-escaped as `csv_cell` does; other columns unchanged."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]

    def cleaned(name: str) -> pl.Expr:
        return pl.col(name).str.replace_all("\r\n", "\n", literal=True).str.replace_all(_CONTROL_RUST, "")

    return frame.with_columns(
        pl.when(cleaned(name).str.contains(_FORMULA_RE))
        .then(pl.lit("'") + cleaned(name))
        .otherwise(cleaned(name))
        .alias(name)
        for name in text_columns
    )
