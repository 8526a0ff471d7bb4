"""Exports of a party's own view: an .xlsx workbook and a tagged A4 PDF (PDF/UA-1).

Amounts in the workbook are exact kronor (from öre) with Swedish number formats; text cells go
through the one escaping rule, so an item name never becomes a formula. The PDF is rendered
from a template with autoescape, like the tertial report's and the meeting documents'.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from portfolio.ledger.exports import KR_FORMAT, KR_OPEN_FORMAT
from portfolio.ledger.party_service import PartyView
from portfolio.money import format_kr, ore_to_kronor
from portfolio.textsafe import clean, xlsx_cell

__all__ = ["HEADERS", "party_pdf", "party_xlsx"]

HEADERS = (
    "Post",
    "Nyckel",
    "Budgeterad andel",
    "Faktisk andel",
    "Avvikelse (budget − utfall)",
    "Utfallets grund",
)


def _kronor(ore: int) -> Decimal:
    return ore_to_kronor(int(ore))


def _append(ws: Any, values: list[Any]) -> None:
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column)
        xlsx_cell(cell, value)
        if isinstance(value, Decimal):
            cell.number_format = KR_FORMAT if value == value.to_integral() else KR_OPEN_FORMAT


def party_xlsx(view: PartyView) -> bytes:
    """The view as a workbook: one row per item (kronor), the sums, and a sheet saying what it is."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    ws = book.active
    assert ws is not None
    ws.title = "Partsvy"
    _append(
        ws,
        [
            *HEADERS[:2],
            "Budgeterad andel (kr)",
            "Faktisk andel (kr)",
            "Avvikelse, budget − utfall (kr)",
            "Postens budget (kr)",
            "Postens utfall (kr)",
            HEADERS[5],
        ],
    )
    for r in view.rows.iter_rows(named=True):
        _append(
            ws,
            [
                r["item"],
                r["key"],
                _kronor(r["budget_ore"]),
                _kronor(r["actual_ore"]),
                _kronor(r["deviation_ore"]),
                _kronor(r["item_budget_ore"]),
                _kronor(r["item_actual_ore"]),
                r["actual_basis"],
            ],
        )
    t = view.totals
    _append(ws, ["Summa", "", _kronor(t.budget_ore), _kronor(t.actual_ore), _kronor(t.deviation_ore)])
    for cell in (*ws[1], *ws[ws.max_row]):
        cell.font = bold
    for letter, width in zip("ABCDEFGH", (28, 30, 18, 18, 22, 18, 18, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B2"

    facts = book.create_sheet("Om vyn")
    about: list[list[Any]] = [
        ["Part", view.party_name],
        ["År", view.year],
        ["Period", view.period.label],
        ["Kontrollsumma", view.totals.fingerprint],
        *(["Avrundning", note] for note in view.rounding_notes),
    ]
    for row in about:
        _append(facts, row)
    facts.column_dimensions["A"].width = 18
    facts.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def party_pdf(view: PartyView) -> bytes:
    """The view as a tagged A4 PDF: title, totals, a table per item with header cells, notes."""
    from portfolio.pdf import render_html, tagged_pdf

    t = view.totals
    html = render_html(
        "party_view.html",
        title=clean(view.title),
        period_label=view.period.label,
        headers=list(HEADERS),
        rows=[
            [
                clean(str(r["item"])),
                clean(str(r["key"])),
                format_kr(r["budget_ore"]),
                format_kr(r["actual_ore"]),
                format_kr(r["deviation_ore"]),
                clean(str(r["actual_basis"] or "")),
            ]
            for r in view.rows.iter_rows(named=True)
        ],
        totals={
            "budget": format_kr(t.budget_ore),
            "actual": format_kr(t.actual_ore),
            "deviation": format_kr(t.deviation_ore),
        },
        notes=view.rounding_notes,
        fingerprint=t.fingerprint,
    )
    return tagged_pdf(html)
