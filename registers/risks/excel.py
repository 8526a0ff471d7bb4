"""The Excel format of a risk register: the sheets "Risker" and "Åtgärder" with Swedish headers.

Writing neutralizes formula injection: every text cell is stored as text (with Excel's quote
prefix), so a title such as ``=HYPERLINK(...)`` is shown, never run. Reading refuses formula
cells, error cells, unknown and missing columns, and anything that is not an .xlsx workbook.
This module only turns workbooks into rows and back; the service checks rows against the database.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portfolio import textsafe
from portfolio.errors import ImportRejectedError
from portfolio.uploads import RISK_WORKBOOK, check_xlsx
from registers.risks.model import ActionStatus, Register, RiskStatus

RISK_SHEET = "Risker"
ACTION_SHEET = "Åtgärder"
INFO_SHEET = "Anvisningar"
COMPUTED = " (beräknas)"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
# Characters that make a spreadsheet treat text as a formula (OWASP: CSV/formula injection).
FORMULA_START = textsafe.FORMULA_START


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 14
    required: bool = False
    computed: bool = False


RISK_COLUMNS = (
    Column("id", "Id", 8, required=True),
    Column("register", "Register", 20, required=True),
    Column("title", "Titel", 40, required=True),
    Column("description", "Beskrivning", 40),
    Column("cause", "Orsak", 30),
    Column("consequence_text", "Konsekvensbeskrivning", 30),
    Column("category", "Kategori", 18),
    Column("probability", "Sannolikhet", 12, required=True),
    Column("consequence", "Konsekvens", 12, required=True),
    Column("score", "Riskvärde" + COMPUTED, 12, computed=True),
    Column("band", "Nivå" + COMPUTED, 14, computed=True),
    Column("residual_probability", "Sannolikhet efter åtgärd", 14),
    Column("residual_consequence", "Konsekvens efter åtgärd", 14),
    Column("residual_score", "Restriskvärde" + COMPUTED, 14, computed=True),
    Column("owner", "Ägare", 22),
    Column("status", "Status", 12),
    Column("next_review", "Nästa uppföljning", 14),
    Column("show_in_portfolio", "Visa i portföljen", 12),
    Column("status_note", "Kommentar", 40),
    Column("version", "Version", 9, required=True),
)
ACTION_COLUMNS = (
    Column("id", "Id", 8, required=True),
    Column("risk_id", "Risk-id", 9),
    Column("risk", "Risk (titel)", 40),
    Column("description", "Beskrivning", 50, required=True),
    Column("owner", "Ägare", 22),
    Column("due_date", "Förfallodatum", 14),
    Column("status", "Status", 12),
    Column("comment", "Kommentar", 40),
    Column("late", "Försenad" + COMPUTED, 20, computed=True),
    Column("version", "Version", 9, required=True),
)
SHEETS = {RISK_SHEET: RISK_COLUMNS, ACTION_SHEET: ACTION_COLUMNS}

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
COMPUTED_FILL = PatternFill("solid", fgColor="E8E8E8")


def where(sheet: str, row: int | None = None, header: str | None = None) -> str:
    """ "Blad Risker, rad 5, kolumn Sannolikhet" — how every import problem starts."""
    text = f"Blad {sheet}"
    if row is not None:
        text += f", rad {row}"
    if header is not None:
        text += f", kolumn {header}"
    return text


# --- writing -----------------------------------------------------------------------------------


def _set(cell: Cell, value: Any) -> None:
    if isinstance(value, str):
        # Stored as text with Excel's quote prefix: shown as written, never evaluated.
        textsafe.xlsx_cell(cell, value)
    elif isinstance(value, bool):
        cell.value = "ja" if value else "nej"
    elif isinstance(value, datetime | date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value


def _sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for r, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=index)
            _set(cell, row.get(column.key))
            if column.computed:
                cell.fill = COMPUTED_FILL
    ws.freeze_panes = "A2"
    return ws


def _choices(ws: Worksheet, columns: Sequence[Column], key: str, values: Sequence[str]) -> None:
    index = next(i for i, c in enumerate(columns, start=1) if c.key == key)
    letter = get_column_letter(index)
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ogiltigt värde",
        error="Välj ett av värdena i listan.",
    )
    ws.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def _instructions(
    wb: Workbook, project: str | None, registers: Sequence[Register], categories: Sequence[str]
) -> None:
    ws = wb.create_sheet(INFO_SHEET)
    lines = [
        f"Riskregister{f' för {project}' if project else ''} – anvisningar för import",
        "",
        "Bladen Risker och Åtgärder läses in; rubrikerna på rad 1 får inte ändras.",
        "En rad med Id ändrar den risken eller åtgärden; en rad utan Id skapar en ny.",
        "Version är den version du utgick från: har någon annan ändrat raden sedan exporten"
        " avvisas importen för den raden. Exportera på nytt och gör om ändringen.",
        "Kolumner som slutar med '(beräknas)' räknas fram av portfolj och läses inte in.",
        "Importen är allt eller inget: finns ett enda fel ändras ingenting, och varje fel anges"
        " med blad, rad och kolumn.",
        "Rader som tas bort ur filen tas inte bort i portfolj; stäng en risk med status stängd.",
        "En ny åtgärd till en ny risk kopplas med kolumnen Risk (titel) = riskens titel.",
        "Formler läses inte in: skriv värden. Text som börjar med = + - @ sparas som text.",
        "",
        f"Status för risker: {', '.join(s.value for s in RiskStatus)}.",
        f"Status för åtgärder: {', '.join(s.value for s in ActionStatus)}.",
        "Visa i portföljen: ja eller nej. Datum skrivs ÅÅÅÅ-MM-DD.",
        "Ägare: namn eller e-postadress för en användare i portfolj, eller en person i projektets"
        " ledning eller styrgrupp.",
    ]
    if categories:
        lines.append(f"Kategorier: {', '.join(categories)}.")
    if registers:
        lines += ["", "Projektets register (Register-kolumnen ska ange ett av dem):"]
        lines += [
            f"{r.name}: skala {r.scale}×{r.scale} (sannolikhet och konsekvens 1–{r.scale}); "
            f"gul från riskvärde {r.yellow_from}, röd från {r.red_from}"
            for r in registers
        ]
    for number, line in enumerate(lines, start=1):
        _set(ws.cell(row=number, column=1), line)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def write_workbook(
    risks: Iterable[dict[str, Any]],
    actions: Iterable[dict[str, Any]],
    *,
    project: str | None = None,
    registers: Sequence[Register] = (),
    categories: Sequence[str] = (),
) -> bytes:
    """An .xlsx with the sheets Risker, Åtgärder and Anvisningar; rows are dicts keyed like the columns."""
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    risk_ws = _sheet(wb, RISK_SHEET, RISK_COLUMNS, risks)
    action_ws = _sheet(wb, ACTION_SHEET, ACTION_COLUMNS, actions)
    _choices(risk_ws, RISK_COLUMNS, "status", [s.value for s in RiskStatus])
    _choices(risk_ws, RISK_COLUMNS, "show_in_portfolio", ["ja", "nej"])
    names = [r.name for r in registers]
    # Excel's list rule holds at most 255 characters and no commas or quotes.
    if names and not any("," in n or '"' in n for n in names) and len(",".join(names)) < 250:
        _choices(risk_ws, RISK_COLUMNS, "register", names)
    _choices(action_ws, ACTION_COLUMNS, "status", [s.value for s in ActionStatus])
    _instructions(wb, project, registers, categories)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template(
    *, project: str | None = None, registers: Sequence[Register] = (), categories: Sequence[str] = ()
) -> bytes:
    """A blank workbook in the import format (headers, choice lists, instructions)."""
    return write_workbook([], [], project=project, registers=registers, categories=categories)


# --- reading -----------------------------------------------------------------------------------


@dataclass
class SheetRows:
    """The rows of one sheet: the keys of the columns present and each row's raw values."""

    present: set[str] = field(default_factory=set)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ParsedWorkbook:
    risks: SheetRows
    actions: SheetRows


def _not_xlsx(content: bytes) -> str:
    head = content[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = "en äldre Excelfil (.xls)"
    elif head.startswith(b"%PDF"):
        kind = "en PDF-fil"
    elif not head:
        kind = "tom"
    else:
        try:
            text = content[:2000].decode("utf-8-sig")
        except UnicodeDecodeError:
            kind = "ingen Excel-arbetsbok"
        else:
            kind = "en textfil (CSV?)" if ("," in text or ";" in text or "\t" in text) else "en textfil"
    prefix = "Filen är tom" if kind == "tom" else f"Filen är {kind}, inte en Excel-arbetsbok (.xlsx)"
    return (
        f"{prefix}. Öppna den i ditt kalkylprogram och spara som Excel-arbetsbok (.xlsx), "
        "eller utgå från mallen som kan laddas ned på sidan Riskregister."
    )


def _cell_value(cell: Cell, sheet: str, header: str, problems: list[str]) -> Any:
    if cell.data_type == "f":
        problems.append(
            f"{where(sheet, cell.row, header)}: cellen innehåller en formel ({cell.value}); "
            "formler läses inte in, skriv värdet i stället"
        )
        return None
    if cell.data_type == "e":
        problems.append(f"{where(sheet, cell.row, header)}: cellen innehåller ett felvärde ({cell.value})")
        return None
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _filled(cell: Cell) -> bool:
    return cell.value is not None and str(cell.value).strip() != ""


def _read_sheet(ws: Worksheet, columns: Sequence[Column], problems: list[str]) -> SheetRows:
    sheet = ws.title
    by_header = {c.header.lower(): c for c in columns}
    result = SheetRows()
    header_cells = next(ws.iter_rows(min_row=1, max_row=1), ())
    positions: dict[int, Column] = {}
    for cell in header_cells:
        if cell.value is None or str(cell.value).strip() == "":
            continue
        text = str(cell.value).strip()
        column = by_header.get(text.lower())
        letter = get_column_letter(cell.column or 1)
        if column is None:
            problems.append(
                f"{where(sheet)}, kolumn {letter}: okänd rubrik '{text}'; tillåtna rubriker är "
                + ", ".join(c.header for c in columns)
            )
            continue
        if column.key in result.present:
            problems.append(f"{where(sheet)}, kolumn {letter}: rubriken '{text}' finns två gånger")
            continue
        result.present.add(column.key)
        positions[(cell.column or 1) - 1] = column
    missing = [c.header for c in columns if c.required and c.key not in result.present]
    for header in missing:
        problems.append(f"{where(sheet)}: kolumnen '{header}' saknas; den måste finnas på rad 1")
    if ws.max_row - 1 > MAX_ROWS:
        problems.append(f"{where(sheet)}: högst {MAX_ROWS} rader kan läsas in, filen har {ws.max_row - 1}")
        return result
    for cells in ws.iter_rows(min_row=2):
        used = {pos: col for pos, col in positions.items() if pos < len(cells) and not col.computed}
        if not any(_filled(cells[pos]) for pos in used):
            continue  # an empty row
        values = {col.key: _cell_value(cells[pos], sheet, col.header, problems) for pos, col in used.items()}
        result.rows.append((int(cells[0].row or 0), values))
    return result


def read_workbook(content: bytes) -> tuple[ParsedWorkbook, list[str]]:
    """The two sheets' rows and every problem found in the file itself (ImportRejectedError if unreadable)."""
    if len(content) > MAX_BYTES:
        raise ImportRejectedError(
            [f"Filen är för stor ({len(content) // 1024} kB); högst 10 MB kan läsas in."]
        )
    if not content.startswith(b"PK"):
        raise ImportRejectedError([_not_xlsx(content)])
    check_xlsx(RISK_WORKBOOK, content)  # unpacked size and rows, before openpyxl builds anything
    try:
        wb = load_workbook(io.BytesIO(content), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportRejectedError(
            [
                "Filen kan inte öppnas som en Excel-arbetsbok (.xlsx) – den är skadad eller en annan "
                f"sorts zip-fil ({type(exc).__name__}). Spara den som Excel-arbetsbok och försök igen."
            ]
        ) from None
    problems: list[str] = []
    sheets: dict[str, SheetRows] = {}
    for name, columns in SHEETS.items():
        if name not in wb.sheetnames:
            problems.append(
                f"Bladet '{name}' saknas i filen (bladen heter {', '.join(wb.sheetnames)}); "
                "utgå från en export eller mallen"
            )
            sheets[name] = SheetRows()
            continue
        sheets[name] = _read_sheet(wb[name], columns, problems)
    if ACTION_SHEET in wb.sheetnames and not ({"risk_id", "risk"} & sheets[ACTION_SHEET].present):
        problems.append(f"{where(ACTION_SHEET)}: kolumnen 'Risk-id' eller 'Risk (titel)' måste finnas")
    return ParsedWorkbook(risks=sheets[RISK_SHEET], actions=sheets[ACTION_SHEET]), problems
