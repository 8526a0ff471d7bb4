"""A budget table from a spreadsheet: read, check every cell, show the plan, then save all or nothing.

The table a project leader already has: one row per activity, one column per financier
(`Region`, `Östersund`, `Kommunerna`, …), optionally `Typ`, `Totalt` and `Anteckning`.
CSV (semicolon, comma or tab; UTF-8 or Windows-1252), text pasted from Excel, or an xlsx file.
Every problem names its row and column; nothing is saved while any remains.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portfolio import parties
from portfolio.auth import Action, User, require
from portfolio.db import Database, write
from portfolio.errors import ImportRejectedError, InvalidInputError, StaleEditError
from portfolio.money import MINUS, THIN_SPACE, to_ore
from portfolio.projects import service
from portfolio.projects.model import MAX_LINE_ORE, BudgetLineInput

MAX_BYTES = 2_000_000
MAX_ROWS = 500
MAX_COLUMNS = 30
MAX_XLSX_UNCOMPRESSED = 20_000_000
MAX_MESSAGES = 20

ACTIVITY_HEADERS = frozenset({"aktivitet", "aktiviteter", "budgetpost", "post", "kostnadsslag"})
KIND_HEADERS = frozenset({"typ"})
TOTAL_HEADERS = frozenset({"totalt", "summa", "total", "budget totalt"})
NOTE_HEADERS = frozenset({"anteckning", "kommentar", "not"})
SUM_ROWS = ("summa", "totalt", "total")
KINDS = {
    "": "budget",
    "budget": "budget",
    "budgetrad": "budget",
    "tillkommande": "tillkommande",
    "utanför budget": "tillkommande",
    "kostnad utanför budget": "tillkommande",
}


@dataclass(frozen=True)
class PlannedRow:
    """One row of the file as the line it would become, and what it does to the project's budget."""

    row: int
    line: BudgetLineInput
    change: str  # "ny", "ändrad" or "oförändrad"
    line_id: int | None
    version: int | None


@dataclass(frozen=True)
class BudgetPlan:
    """What an import would save: every row checked, the financiers as the columns named them."""

    rows: tuple[PlannedRow, ...]
    financiers: tuple[str, ...]
    skipped: tuple[str, ...] = ()


def read_table(name: str, data: bytes) -> list[list[str]]:
    """The file's cells as text rows; ImportRejectedError when it is too big or unreadable."""
    if len(data) > MAX_BYTES:
        raise ImportRejectedError(
            [f"Filen är {len(data) // 1000} kB; en budgettabell får vara högst {MAX_BYTES // 1000} kB"]
        )
    if not data.strip():
        raise ImportRejectedError(["Filen är tom"])
    if name.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return read_text(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise ImportRejectedError(["Filen går inte att läsa som text (UTF-8 eller Windows-1252)"])


def read_text(text: str) -> list[list[str]]:
    """Rows of a pasted or CSV table; the separator (tab, semicolon, comma) is read off the header."""
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise ImportRejectedError([f"Tabellen har {len(lines)} rader; högst {MAX_ROWS} budgetrader tas emot"])
    header = lines[0] if lines else ""
    delimiter = max(("\t", ";", ","), key=header.count)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRejectedError(["Filen är ingen xlsx-fil (Excel 2007 eller senare)"]) from None
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise ImportRejectedError(
            [
                f"Excelfilen packas upp till {unpacked // 1_000_000} MB;"
                f" högst {MAX_XLSX_UNCOMPRESSED // 1_000_000} MB tas emot"
            ]
        )
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRejectedError([f"Excelfilen kan inte läsas: {type(exc).__name__}"]) from None
    rows: list[list[str]] = []
    for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        if len(rows) > MAX_ROWS:
            raise ImportRejectedError(
                [f"Bladet har fler än {MAX_ROWS} rader; högst {MAX_ROWS} budgetrader tas emot"]
            )
        rows.append(["" if v is None else _cell_text(v) for v in values])
    return rows


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        # Excel stores whole kronor as floats; keep the digits it shows.
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _amount(text: str) -> int | None:
    cleaned = (
        text.strip()
        .replace(THIN_SPACE, "")
        .replace("\xa0", "")
        .replace(" ", "")
        .replace(MINUS, "-")
        .removesuffix("kr")
    )
    if not cleaned:
        return None
    if cleaned.startswith("-"):
        raise ValueError("är negativt; ange budget som positiva belopp")
    try:
        ore = to_ore(cleaned)
    except (ValueError, InvalidOperation):
        raise ValueError("är inget belopp; skriv till exempel 300000 eller 300 000") from None
    if ore > MAX_LINE_ORE:
        raise ValueError("är orimligt stort (högst 10 000 000 000 kr)")
    return ore


def _kr(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def plan(db: Database, project_id: int, name: str, data: bytes) -> BudgetPlan:
    """Read a budget file and check every cell against the project's budget; nothing is saved."""
    return plan_rows(db, project_id, read_table(name, data))


def plan_rows(db: Database, project_id: int, rows: list[list[str]]) -> BudgetPlan:
    """Check a table's rows (header first); ImportRejectedError listing every problem by row and column."""
    rows = list(rows)
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportRejectedError(["Tabellen saknar rubrikrad (Aktivitet och en kolumn per finansiär)"])
    header = [c.strip() for c in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportRejectedError([f"Tabellen har {len(header)} kolumner; högst {MAX_COLUMNS}"])
    problems: list[str] = []
    roles: dict[int, str] = {}
    financiers: dict[int, str] = {}
    for col, title in enumerate(header):
        key = title.casefold()
        if key in ACTIVITY_HEADERS:
            roles[col] = "activity"
        elif key in KIND_HEADERS:
            roles[col] = "kind"
        elif key in TOTAL_HEADERS:
            roles[col] = "total"
        elif key in NOTE_HEADERS:
            roles[col] = "note"
        elif title:
            try:
                financiers[col] = parties.resolve_financier(db, title)
            except InvalidInputError as exc:
                problems.append(f"Rad 1, kolumn '{title}': {exc.messages[0]}")
    if "activity" not in roles.values():
        problems.insert(0, "Rad 1: kolumnen Aktivitet saknas (en rad per aktivitet, en kolumn per finansiär)")
    if not financiers and "total" not in roles.values():
        problems.append("Rad 1: ingen kolumn för en finansiär (t.ex. Region, Östersund, Kommunerna)")
    if len(set(financiers.values())) != len(financiers):
        problems.append("Rad 1: samma finansiär har två kolumner")
    if problems:
        raise ImportRejectedError(problems)
    existing = {ln["activity"].casefold(): ln for ln in service.budget_lines(db, project_id)}
    planned: list[PlannedRow] = []
    skipped: list[str] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        cells = [*cells, *[""] * (len(header) - len(cells))]
        values = {role: cells[col].strip() for col, role in roles.items()}
        activity = values.get("activity", "")
        if not any(c.strip() for c in cells):
            continue
        if not activity:
            problems.append(f"Rad {number}: aktiviteten saknas")
            continue
        if activity.casefold().startswith(SUM_ROWS):
            skipped.append(f"Rad {number} ({activity}) är en summarad och läses inte in")
            continue
        if activity.casefold() in seen:
            problems.append(
                f"Rad {number}: aktiviteten '{activity}' finns redan på rad {seen[activity.casefold()]}"
            )
            continue
        seen[activity.casefold()] = number
        shares: list[dict[str, str]] = []
        for col, financier in financiers.items():
            try:
                ore = _amount(cells[col])
            except ValueError as exc:
                problems.append(f"Rad {number}, kolumn '{header[col]}': '{cells[col].strip()}' {exc}")
                continue
            if ore is not None:
                shares.append({"financier": financier, "amount": _kr(ore)})
        try:
            total = _amount(values.get("total", ""))
        except ValueError as exc:
            problems.append(f"Rad {number}, kolumn 'Totalt': '{values['total']}' {exc}")
            continue
        kind = KINDS.get(values.get("kind", "").casefold())
        if kind is None:
            problems.append(
                f"Rad {number}, kolumn 'Typ': '{values['kind']}' ska vara budget eller utanför budget"
            )
            continue
        side = "outcome" if kind == "tillkommande" else "budget"
        try:
            line = service.parse(
                BudgetLineInput,
                {
                    "activity": activity,
                    "kind": kind,
                    side: shares,
                    f"{side}_total": None if total is None else _kr(total),
                    "note": values.get("note") or None,
                },
            )
        except InvalidInputError as exc:
            problems += [f"Rad {number}: {m}" for m in exc.messages]
            continue
        current = existing.get(activity.casefold())
        if current is None:
            change = "ny"
        else:
            keep = service.budget_line_input(current)
            merged = line.model_copy(update={"outcome": keep.outcome, "outcome_total": keep.outcome_total})
            line = merged if kind == "budget" else line
            change = "oförändrad" if line == keep else "ändrad"
        planned.append(
            PlannedRow(
                row=number,
                line=line,
                change=change,
                line_id=None if current is None else current["id"],
                version=None if current is None else current["version"],
            )
        )
    if problems:
        extra = len(problems) - MAX_MESSAGES
        raise ImportRejectedError(problems[:MAX_MESSAGES] + ([f"… och {extra} till"] if extra > 0 else []))
    if not planned:
        raise ImportRejectedError(["Tabellen har inga budgetrader under rubrikraden"])
    return BudgetPlan(rows=tuple(planned), financiers=tuple(financiers.values()), skipped=tuple(skipped))


def apply(
    db: Database, actor: User, project_id: int, budget: BudgetPlan, *, decision: str | None = None
) -> int:
    """Save every new or changed row of the plan in one transaction; returns how many were saved.

    A line someone changed after the plan was made refuses the whole import (StaleEditError).
    """
    require(actor, Action.MANAGE_PROJECTS)
    saved = 0
    try:
        with write(db):
            for row in budget.rows:
                if row.change == "oförändrad":
                    continue
                service.set_budget_line(
                    db,
                    actor,
                    project_id,
                    row.line,
                    line_id=row.line_id,
                    version=row.version,
                    decision=decision,
                )
                saved += 1
    except (InvalidInputError, StaleEditError) as exc:
        messages = exc.messages if isinstance(exc, InvalidInputError) else [str(exc)]
        raise ImportRejectedError(["Ingenting sparades:", *messages]) from exc
    return saved
