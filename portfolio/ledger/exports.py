"""Exports of a tertial report: an .xlsx workbook (a sheet per view) and an A4 PDF handout.

The PDF embeds DejaVu Sans (or Liberation Sans) when the system has it, so å ä ö and the
typographic minus print as they should; on a machine without those fonts it falls back to
fpdf2's built-in Helvetica, which is Latin-1 only, and writes '-' for '−'. The chart is drawn
with fpdf2's own rectangles: no browser or image library is needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.clock import local_text
from portfolio.ledger.tertial import TertialReport
from portfolio.money import MINUS, THIN_SPACE, format_tkr, ore_to_kronor, to_tkr
from portfolio.textsafe import clean, xlsx_cell

__all__ = ["FONT_CANDIDATES", "party_names_default", "report_pdf", "report_xlsx"]

# Regular and bold faces, in order of preference; the first pair that exists is embedded.
FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
)
KR_FORMAT = f'#,##0;"{MINUS}"#,##0;0'
KR_OPEN_FORMAT = f'#,##0.00;"{MINUS}"#,##0.00;0.00'
# The result in whole thousands as a number Excel can add up, shown as `+23 tkr` / `−219 tkr` / `±0 tkr`.
TKR_FORMAT = f'+#,##0" tkr";"{MINUS}"#,##0" tkr";"±0 tkr"'
STATEMENT_HEADERS = (
    "Rad",
    "Ack utfall",
    "Ack budget",
    "Budget − utfall",
    "Ack utfall fg år",
    "Utfall − fg år",
)
STATEMENT_COLUMNS = (
    "actual_ore",
    "budget_ore",
    "diff_budget_ore",
    "previous_year_ore",
    "diff_previous_year_ore",
)


def party_names_default(codes: Sequence[str]) -> dict[str, str]:
    """Party code → itself, when the caller has no names at hand."""
    return {c: c for c in codes}


def _kronor(ore: int | None) -> Decimal | None:
    return None if ore is None else ore_to_kronor(int(ore))


# --- xlsx -----------------------------------------------------------------------------------


def report_xlsx(report: TertialReport, party_names: dict[str, str]) -> bytes:
    """The report as a workbook: statement, objects, reviews and facts, kronor with Swedish formats."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, headers: Sequence[str], rows: list[list[Any]], money_cols: Sequence[int]) -> None:
        ws = book.create_sheet(title)
        _append(ws, list(headers))
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            _append(ws, row)
        for col in money_cols:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                if isinstance(cell.value, Decimal):
                    cell.number_format = (
                        KR_FORMAT if cell.value == cell.value.to_integral() else KR_OPEN_FORMAT
                    )
        for i, header in enumerate(headers, start=1):
            width = max([len(str(header)), *(len(str(r[i - 1] or "")) for r in rows)])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 12), 60)
        ws.freeze_panes = "B2"

    facts = book.active
    assert facts is not None
    facts.title = "Rapport"
    for row in _facts(report):
        _append(facts, row)
        if isinstance(row[1], int):  # a number keeps its value; the format shows it in tkr
            facts.cell(row=facts.max_row, column=2).number_format = TKR_FORMAT
    facts.column_dimensions["A"].width = 28
    facts.column_dimensions["B"].width = 90
    for cell in facts["A"]:
        cell.font = bold

    sheet(
        "Resultaträkning",
        [*STATEMENT_HEADERS[:1], *(f"{h} (kr)" for h in STATEMENT_HEADERS[1:])],
        [
            [r["line"], *(_kronor(r[c]) for c in STATEMENT_COLUMNS)]
            for r in report.statement.iter_rows(named=True)
        ],
        money_cols=range(2, 7),
    )
    sheet(
        "Objekt",
        [
            "Objekt",
            "Namn",
            "Projekt",
            "Ack budget (kr)",
            "Ack utfall (kr)",
            "Budget − utfall (kr)",
            "Helårsbudget (kr)",
            "Helårsprognos (kr)",
            "Prognosens grund",
            "Kommentar",
            "Kommentar krävs",
        ],
        [
            [
                r["object"],
                r["name"],
                r["project_code"],
                _kronor(r["budget_ore"]),
                _kronor(r["actual_ore"]),
                _kronor(r["deviation_ore"]),
                _kronor(r["year_budget_ore"]),
                _kronor(r["forecast_ore"]),
                r["forecast_source"],
                r["comment"] or r["text"] or "",
                "ja, saknas" if r["comment_missing"] else ("ja" if r["comment_required"] else "nej"),
            ]
            for r in report.objects.iter_rows(named=True)
        ],
        money_cols=(4, 5, 6, 7, 8),
    )
    reviewed = {r["party"]: r for r in report.reviews.iter_rows(named=True)} if report.reviews.height else {}
    sheet(
        "Granskning",
        ["Part", "Status", "Granskad av", "Tidpunkt", "Kommentar"],
        [
            [
                name,
                "✓ granskad" if code in reviewed else "– ej granskad",
                reviewed[code]["user_name"] if code in reviewed else "",
                local_text(reviewed[code]["reviewed_at"]) if code in reviewed else "",
                reviewed[code]["comment"] if code in reviewed else "",
            ]
            for code, name in party_names.items()
        ],
        money_cols=(),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(ws: Any, values: Sequence[Any]) -> None:
    # Cell by cell through the one escaping rule: `ws.append` would turn '=…' text into formulas.
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        xlsx_cell(ws.cell(row=row, column=column), value)


def _facts(report: TertialReport) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Rapport", report.title],
        ["Period", report.period.label],
        ["Urval", report.scope.label],
        ["Utfall mot budget", to_tkr(report.result_ore) if report.result_ore is not None else "–"],
        ["Källa", report.source_text],
        ["Skapad", clock.today().isoformat()],
    ]
    if report.result_source:
        rows.append(["Källa för resultatet", report.result_source])
    if report.snapshot:
        rows.append(
            ["Fastställd", f"{local_text(report.snapshot['frozen_at'])} av {report.snapshot['user_email']}"]
        )
    if report.unmapped:
        rows.append(["Ej mappade konton", ", ".join(report.unmapped)])
    return rows


# --- pdf ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fonts:
    family: str
    unicode: bool


def _font_files() -> tuple[str, str] | None:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


def report_pdf(
    report: TertialReport, party_names: dict[str, str], *, fonts: tuple[str, str] | bool | None = True
) -> bytes:
    """The committee's A4 handout: title, period, statement, deviations with comments, chart, reviews.

    `fonts=True` picks the first installed font pair; `None` or `False` forces the built-in
    Helvetica (what a machine without DejaVu or Liberation gets).
    """
    if fonts is True and _font_files() is not None:
        return _tagged_report_pdf(report, party_names)
    # Without system fonts (or with fonts forced): fpdf2's untagged handout, language and title set.
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_lang("sv-SE")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    files = _font_files() if fonts is True else (fonts or None)
    if files:
        pdf.add_font("Rapport", "", files[0])
        pdf.add_font("Rapport", "B", files[1])
        font = _Fonts("Rapport", True)
    else:
        font = _Fonts("Helvetica", False)
    pdf.set_title(report.title)
    pdf.set_author("portfolj – GNS")
    pdf.add_page()

    def text(value: str) -> str:
        value = clean(value)  # a control character stored by an older version prints as nothing
        if font.unicode:
            return value
        # Helvetica is Latin-1: keep å ä ö, spell out what it cannot print.
        plain = value.replace(MINUS, "-").replace(THIN_SPACE, " ").replace("–", "-").replace("✓", "")
        return plain.encode("latin-1", "replace").decode("latin-1")

    def write_line(value: str, size: float = 10, style: str = "", height: float = 5.5) -> None:
        pdf.set_font(font.family, style, size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    write_line(report.title, 16, "B", 8)
    write_line(f"Gemensam nämnd för samverkan (GNS) · {report.period.label}", 10)
    write_line(text(report.result_text), 12, "B", 7)
    write_line(report.source_text, 8, "", 4)
    if report.snapshot:
        write_line(
            f"Fastställd {local_text(report.snapshot['frozen_at'])} av {report.snapshot['user_email']}.",
            8,
            "",
            4,
        )
    pdf.ln(3)

    if not report.statement.is_empty():
        write_line("Resultaträkning (tkr)", 12, "B", 7)
        widths = (62, 22, 22, 24, 24, 26)
        _table(
            pdf,
            font.family,
            text,
            [*STATEMENT_HEADERS],
            [
                [r["line"], *(_tkr_text(r[c]) for c in STATEMENT_COLUMNS)]
                for r in report.statement.iter_rows(named=True)
            ],
            widths,
            bold_rows={
                i for i, r in enumerate(report.statement.iter_rows(named=True)) if r["kind"] == "summa"
            },
        )
        pdf.ln(3)

    if report.objects.height:
        write_line("Avvikelser per objekt och projekt", 12, "B", 7)
        _table(
            pdf,
            font.family,
            text,
            ["Objekt", "Namn", "Budget − utfall", "Kommentar"],
            [
                [
                    str(r["object"]),
                    str(r["name"] or ""),
                    format_tkr(r["deviation_ore"], signed=True),
                    str(r["comment"] or r["text"] or ("kommentar saknas" if r["comment_missing"] else "")),
                ]
                for r in report.objects.iter_rows(named=True)
            ],
            (18, 52, 26, 84),
            wrap_last=True,
        )
        pdf.ln(3)

    _chart(pdf, font.family, text, report)

    write_line("Granskning av kommuncheferna", 12, "B", 7)
    reviewed = {r["party"]: r for r in report.reviews.iter_rows(named=True)} if report.reviews.height else {}
    _table(
        pdf,
        font.family,
        text,
        ["Part", "Status", "Kommentar"],
        [
            [
                name,
                f"✓ granskad {local_text(reviewed[code]['reviewed_at'])[:10]}"
                if code in reviewed
                else "– ej granskad",
                str(reviewed[code]["comment"]) if code in reviewed else "",
            ]
            for code, name in party_names.items()
        ],
        (60, 40, 80),
        wrap_last=True,
    )
    return bytes(pdf.output())


def _review_rows(report: TertialReport, party_names: dict[str, str]) -> list[list[str]]:
    reviewed = {r["party"]: r for r in report.reviews.iter_rows(named=True)} if report.reviews.height else {}
    return [
        [
            name,
            f"✓ granskad {local_text(reviewed[code]['reviewed_at'])[:10]}"
            if code in reviewed
            else "– ej granskad",
            clean(str(reviewed[code]["comment"])) if code in reviewed else "",
        ]
        for code, name in party_names.items()
    ]


def _chart_svg(report: TertialReport) -> dict[str, str] | None:
    """The handout's bar chart as an SVG figure, with a text alternative that gives its figures."""
    import base64
    from html import escape

    if not report.statement.is_empty():
        body = report.statement.filter(pl.col("kind") != "summa")
        body = body.filter((pl.col("actual_ore") != 0) | (pl.col("budget_ore") != 0))
        series = [(str(r["line"]), r["actual_ore"], r["budget_ore"]) for r in body.iter_rows(named=True)]
        title, value_name = "Utfall och budget per rad (tkr)", "utfall"
    elif report.objects.height:
        series = [
            (f"{r['object']} {r['name'] or ''}".strip(), r["deviation_ore"], None)
            for r in report.objects.iter_rows(named=True)
        ]
        title, value_name = "Budget − utfall per objekt (tkr)", "budget − utfall"
    else:
        return None
    if not series:
        return None
    row_h, label_w, bars_w, value_w = 30, 220, 360, 90
    largest = max(abs(v) for _, a, b in series for v in (a or 0, b or 0)) or 1
    negative = any((a or 0) < 0 or (b or 0) < 0 for _, a, b in series)
    zero = label_w + (bars_w / 2 if negative else 0)
    scale = (bars_w / 2 if negative else bars_w) / largest
    parts = []
    for i, (label, actual, budget) in enumerate(series):
        y = i * row_h
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">{escape(clean(label)[:34])}</text>')
        for value, offset, colour in ((actual, 0, "#1f4e79"), (budget, 13, "#aab2bd")):
            if value is None:
                continue
            width = max(abs(value) * scale, 1)
            x = zero if value >= 0 else zero - width
            parts.append(
                f'<rect x="{x:.1f}" y="{y + offset}" width="{width:.1f}" height="11" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{label_w + bars_w + value_w}" y="{y + offset + 10}" font-size="10"'
                f' text-anchor="end">{escape(format_tkr(int(value)))}</text>'
            )
    height = row_h * len(series)
    parts.append(f'<line x1="{zero}" y1="0" x2="{zero}" y2="{height}" stroke="#505050"/>')
    width = label_w + bars_w + value_w
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif">{"".join(parts)}</svg>'
    )
    described = "; ".join(
        f"{label}: {value_name} {format_tkr(int(a or 0))}"
        + (f", budget {format_tkr(int(b))}" if b is not None else "")
        for label, a, b in series
    )
    return {
        "title": title,
        "uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "alt": f"Stapeldiagram, {title}. {described}.",
    }


def _tagged_report_pdf(report: TertialReport, party_names: dict[str, str]) -> bytes:
    """The handout as a tagged PDF/UA-1 (headings, tables with header cells, the chart as a figure)."""
    from portfolio.pdf import render_html, tagged_pdf

    frozen = (
        f"Fastställd {local_text(report.snapshot['frozen_at'])} av {report.snapshot['user_email']}."
        if report.snapshot
        else ""
    )
    html = render_html(
        "tertial.html",
        report=report,
        frozen=frozen,
        headers=[*STATEMENT_HEADERS],
        statement=[
            {
                "cells": [clean(str(r["line"])), *(_tkr_text(r[c]) for c in STATEMENT_COLUMNS)],
                "sum": r["kind"] == "summa",
            }
            for r in report.statement.iter_rows(named=True)
        ],
        objects=[
            [
                str(r["object"]),
                clean(str(r["name"] or "")),
                format_tkr(r["deviation_ore"], signed=True),
                clean(str(r["comment"] or r["text"] or ("kommentar saknas" if r["comment_missing"] else ""))),
            ]
            for r in report.objects.iter_rows(named=True)
        ],
        chart=_chart_svg(report),
        reviews=_review_rows(report, party_names),
    )
    return tagged_pdf(html)


def _tkr_text(ore: int | None) -> str:
    return "" if ore is None else format_tkr(ore).removesuffix(" tkr")


def _table(
    pdf: Any,
    family: str,
    text: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    bold_rows: set[int] | None = None,
    wrap_last: bool = False,
) -> None:
    bold_rows = bold_rows or set()
    pdf.set_font(family, "B", 8)
    pdf.set_fill_color(230, 233, 240)
    for header, width in zip(headers, widths, strict=True):
        pdf.cell(width, 6, text(header), border=1, fill=True)
    pdf.ln()
    for i, row in enumerate(rows):
        pdf.set_font(family, "B" if i in bold_rows else "", 8)
        if wrap_last:
            lines = max(1, len(pdf.multi_cell(widths[-1], 4.5, text(row[-1]), dry_run=True, output="LINES")))
            height = 4.5 * lines
            if pdf.get_y() + height > pdf.h - pdf.b_margin:
                pdf.add_page()
            for cell, width in zip(row[:-1], widths[:-1], strict=True):
                pdf.cell(width, height, _fit(pdf, text(cell), width), border=1)
            pdf.multi_cell(widths[-1], 4.5, text(row[-1]), border=1, new_x="LMARGIN", new_y="NEXT")
        else:
            for j, (cell, width) in enumerate(zip(row, widths, strict=True)):
                pdf.cell(width, 5, _fit(pdf, text(cell), width), border=1, align="L" if j == 0 else "R")
            pdf.ln()


def _fit(pdf: Any, value: str, width: float) -> str:
    """Shorten a text with '…'-like '..' so it fits a cell of `width` mm."""
    room = width - 2
    if pdf.get_string_width(value) <= room:
        return value
    while value and pdf.get_string_width(value + "..") > room:
        value = value[:-1]
    return value.rstrip() + ".."


def _chart(pdf: Any, family: str, text: Any, report: TertialReport) -> None:
    """Horizontal bars: actual against budget per line, or the deviation per object."""
    if not report.statement.is_empty():
        body = report.statement.filter(pl.col("kind") != "summa")
        body = body.filter((pl.col("actual_ore") != 0) | (pl.col("budget_ore") != 0))
        series = [(r["line"], r["actual_ore"], r["budget_ore"]) for r in body.iter_rows(named=True)]
        title = "Utfall och budget per rad (tkr)"
    elif report.objects.height:
        series = [
            (f"{r['object']} {r['name'] or ''}".strip(), r["deviation_ore"], None)
            for r in report.objects.iter_rows(named=True)
        ]
        title = "Budget − utfall per objekt (tkr)"
    else:
        return
    if not series:
        return
    row_h = 9.0 if any(b is not None for _, _, b in series) else 6.0
    needed = 12 + row_h * len(series)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(family, "B", 12)
    pdf.cell(0, 7, text(title), new_x="LMARGIN", new_y="NEXT")
    label_w, left = 60.0, pdf.l_margin
    area_x = left + label_w
    area_w = pdf.w - pdf.r_margin - area_x - 22
    largest = max(abs(v) for _, a, b in series for v in (a or 0, b or 0)) or 1
    has_negative = any((a or 0) < 0 or (b or 0) < 0 for _, a, b in series)
    zero_x = area_x + (area_w / 2 if has_negative else 0)
    scale = (area_w / 2 if has_negative else area_w) / largest
    y = top = pdf.get_y() + 1
    pdf.set_font(family, "", 7)
    for label, actual, budget in series:
        pdf.set_xy(left, y)
        pdf.cell(label_w - 2, 4, _fit(pdf, text(str(label)), label_w - 2))
        for value, offset, color in ((actual, 0.0, (31, 78, 121)), (budget, 4.0, (170, 178, 189))):
            if value is None:
                continue
            width = abs(value) * scale
            x = zero_x if value >= 0 else zero_x - width
            pdf.set_fill_color(*color)
            pdf.rect(x, y + offset, max(width, 0.3), 3.5, style="F")
            pdf.set_xy(pdf.w - pdf.r_margin - 22, y + offset)
            pdf.cell(22, 3.5, text(format_tkr(int(value))), align="R")
        y += row_h
    pdf.set_draw_color(80, 80, 80)
    pdf.line(zero_x, top - 1, zero_x, y)
    pdf.set_xy(left, y + 1)
    if any(b is not None for _, _, b in series):
        pdf.set_fill_color(31, 78, 121)
        pdf.rect(left, y + 2, 3, 3, style="F")
        pdf.set_xy(left + 4, y + 1.5)
        pdf.cell(30, 4, text("Utfall"))
        pdf.set_fill_color(170, 178, 189)
        pdf.rect(left + 30, y + 2, 3, 3, style="F")
        pdf.set_xy(left + 34, y + 1.5)
        pdf.cell(30, 4, text("Budget"))
    pdf.set_xy(left, y + 7)
    pdf.ln(2)
