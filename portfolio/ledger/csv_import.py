"""Import budget and outcome lines from CSV or Excel, for organisations without SIE export.

Columns (header row, any order, any case): `år`, `månad`, `konto`, `projekt` or `objekt`,
`belopp`, `text`, and optionally `typ` (`budget` or `utfall`; otherwise the kind chosen for
the whole file). Amounts are kronor in the ledger's sign (costs positive, revenues negative),
with decimal comma or point and at most two decimals. Every problem names its row; one bad
row refuses the whole file and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, Literal

import polars as pl

from portfolio import store as core_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, write
from portfolio.errors import ImportRejectedError
from portfolio.ledger import columns_store, imports_store
from portfolio.ledger.import_log import finish_import, start_import
from portfolio.ledger.mapping import mapping_for, unmapped_accounts
from portfolio.ledger.sie_import import ImportSummary, fingerprint_of, project_dimension, summary_from_log
from portfolio.money import MAX_IMPORT_ORE, MAX_ORE, format_kr, to_ore
from portfolio.uploads import LEDGER_LINES, capped_rows, check_size, check_xlsx

__all__ = ["COLUMNS", "LineKind", "import_lines", "read_table"]

LineKind = Literal["budget", "utfall"]

# Canonical column → accepted header spellings.
COLUMNS: dict[str, tuple[str, ...]] = {
    "år": ("år", "ar", "year"),
    "månad": ("månad", "manad", "month"),
    "konto": ("konto", "account"),
    "objekt": ("objekt", "projekt", "project", "object"),
    "belopp": ("belopp", "amount", "belopp (kr)"),
    "text": ("text", "beskrivning", "description"),
    "typ": ("typ", "kind", "type"),
}
REQUIRED = ("år", "månad", "konto", "objekt", "belopp", "text")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    # newline="": the csv module itself splits lines, so a lone CR is a line end, not an error.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ImportRejectedError(
            [
                f"Rad {reader.line_num}: raden kan inte läsas som CSV"
                " (ett citattecken avslutas inte eller fältet är för långt)"
            ]
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRejectedError([f"Filen kan inte läsas som en Excel-arbetsbok (.xlsx): {exc}"]) from exc
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, list(row)
    book.close()


def read_table(data: bytes, file_name: str) -> list[tuple[int, list[Any]]]:
    """The file's rows with their row numbers (the header is row 1)."""
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(LEDGER_LINES, data)
        rows = _xlsx_rows(data)
    elif suffix in (".csv", ".txt", ""):
        check_size(LEDGER_LINES, len(data))
        rows = _csv_rows(data)
    else:
        raise ImportRejectedError([f"Filtypen '{suffix}' stöds inte; använd CSV (.csv) eller Excel (.xlsx)"])
    return [
        (n, r)
        for n, r in capped_rows(LEDGER_LINES, rows)
        if any(c not in (None, "") and str(c).strip() for c in r)
    ]


def _header(row: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    names = [str(c or "").strip().lower() for c in row]
    found: dict[str, int] = {}
    for column, spellings in COLUMNS.items():
        for i, name in enumerate(names):
            if name in spellings and column not in found:
                found[column] = i
    missing = [c for c in REQUIRED if c not in found]
    problems = []
    if missing:
        problems.append(
            "Rad 1: kolumnen "
            + ", ".join(f"'{c}'" for c in missing)
            + " saknas i rubrikraden; filen ska ha kolumnerna år, månad, konto, projekt (eller objekt),"
            " belopp och text"
        )
    return found, problems


def _amount(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("är inget belopp")
    if isinstance(value, int):
        return to_ore(value)  # bounded like every other amount
    if isinstance(value, float):
        # Excel keeps numbers as binary floats; its shortest repr is the number the user typed.
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return to_ore(value)
    text = str(value).strip()
    if not text:
        raise ValueError("saknas")
    try:
        return to_ore(text)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    except InvalidOperation:
        raise ValueError(f"'{text}' är inget belopp") from None


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError
    return int(text)


def _whole_between(value: Any, low: int, high: int) -> int | None:
    """A cell as a whole number from `low` to `high`, or None when it is not one."""
    try:
        number = _integer(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _parse(
    rows: list[tuple[int, list[Any]]], default_kind: LineKind, project_objects: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    if not rows:
        return [], ["Filen är tom; den första raden ska vara en rubrikrad med kolumnnamnen"]
    columns, problems = _header(rows[0][1])
    if problems:
        return [], problems
    lines: list[dict[str, Any]] = []
    if len(rows) == 1:
        return [], ["Filen har bara en rubrikrad och inga rader med belopp"]

    def cell(row: list[Any], column: str) -> Any:
        i = columns.get(column)
        return row[i] if i is not None and i < len(row) else None

    for number, row in rows[1:]:
        where = f"Rad {number}"
        bad: list[str] = []
        year = _whole_between(cell(row, "år"), 1990, 2100)
        if year is None:
            bad.append(f"{where}: året '{cell(row, 'år') or ''}' är inget år (skriv t.ex. 2019)")
        month = _whole_between(cell(row, "månad"), 1, 12)
        if month is None:
            bad.append(f"{where}: månaden '{cell(row, 'månad') or ''}' måste vara ett tal 1–12")
        account = str(cell(row, "konto") or "").strip()
        if isinstance(cell(row, "konto"), float):
            account = str(int(cell(row, "konto")))
        if not (account.isdigit() and 3 <= len(account) <= 6):
            bad.append(f"{where}: kontot '{account}' ska vara ett kontonummer med siffror, t.ex. 5010")
        ref = cell(row, "objekt")
        ref_text = "" if ref is None else (str(int(ref)) if isinstance(ref, float) else str(ref).strip())
        obj: str | None = ref_text or None
        if ref_text and ref_text in project_objects:
            obj = project_objects[ref_text]
        elif ref_text and "/" in ref_text:
            bad.append(
                f"{where}: projektet '{ref_text}' finns inte eller har inget objekt; ange objektnumret"
                " eller ett projekt med objekt"
            )
        try:
            amount = _amount(cell(row, "belopp"))
        except ValueError as exc:
            bad.append(f"{where}: beloppet '{cell(row, 'belopp') or ''}' {_amount_reason(str(exc))}")
            amount = 0
        kind_text = str(cell(row, "typ") or "").strip().lower()
        kind: LineKind = default_kind
        if kind_text:
            if kind_text in ("budget", "b"):
                kind = "budget"
            elif kind_text in ("utfall", "u", "utfall/bokfört", "bokfört"):
                kind = "utfall"
            else:
                bad.append(f"{where}: typen '{kind_text}' ska vara 'budget' eller 'utfall'")
        text = str(cell(row, "text") or "").strip()
        if bad:
            problems += bad
            continue
        lines.append(
            {
                "line": number,
                "year": year,
                "month": month,
                "account": account,
                "object": obj,
                "amount_ore": amount,
                "text": text or None,
                "kind": kind,
            }
        )
    return lines, problems


def _amount_reason(message: str) -> str:
    if "högsta tillåtna" in message:
        return f"är utanför det högsta tillåtna beloppet, ±{format_kr(MAX_ORE)}"
    if "decimaler" in message:
        return "har fler än två decimaler"
    if message == "saknas":
        return "saknas"
    return "kan inte läsas som ett belopp i kronor (t.ex. 1 234,50)"


def import_lines(
    db: Database,
    actor: User,
    source: str | Path | BinaryIO | bytes,
    *,
    file_name: str | None = None,
    kind: LineKind = "utfall",
) -> ImportSummary:
    """Import a CSV or Excel file of budget or outcome lines; all or nothing, idempotent."""
    require(actor, Action.IMPORT_LEDGER)
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        data = Path(source).read_bytes()
        file_name = file_name or Path(source).name
    else:
        data = source.read()
    name = file_name or "uppladdad fil"
    fingerprint = fingerprint_of(io.BytesIO(data))
    earlier = imports_store.import_by_fingerprint(db, fingerprint)
    if earlier is not None:
        return summary_from_log(earlier, already=True)
    lines, problems = _parse(read_table(data, name), kind, core_store.project_objects(db))
    if problems:
        raise ImportRejectedError(problems)  # capped there, with "… och N till"
    if sum(abs(int(ln["amount_ore"])) for ln in lines) > MAX_IMPORT_ORE:
        raise ImportRejectedError(
            [
                f"Filens belopp summerar till mer än ±{format_kr(MAX_IMPORT_ORE)};"
                " kontrollera beloppen i filen."
            ]
        )

    file_kind = "xlsx" if Path(name).suffix.lower() in (".xlsx", ".xlsm") else "csv"
    organisation = "tabellimport"
    outcome = [ln for ln in lines if ln["kind"] == "utfall"]
    budget = [ln for ln in lines if ln["kind"] == "budget"]
    with write(db):
        import_id = start_import(
            db,
            actor,
            file_kind,
            name,
            fingerprint,
            organisation=organisation,
            pdim=project_dimension(db),
            allow_unbalanced=False,
        )
        imports_store.insert_rows(
            db,
            [
                (
                    import_id,
                    ln["year"] * 10000 + ln["month"] * 100 + 1,
                    ln["account"],
                    ln["object"],
                    None if ln["object"] is None else f"6={ln['object']}",
                    ln["amount_ore"],
                    f"rad {ln['line']}",
                    ln["text"],
                )
                for ln in outcome
            ],
        )
        columns_store.insert_columns(db, import_id, "utfall", _sums(outcome, columns_store.ACTUAL_SCHEMA))
        columns_store.insert_columns(
            db,
            import_id,
            "budget",
            _sums(
                [{**ln, "kind": "PBUDGET", "year_index": 0, "is_total": False} for ln in budget],
                columns_store.BUDGET_SUMS_SCHEMA,
            ),
        )
        imports_store.insert_budget_rows(
            db,
            [
                (
                    import_id,
                    "PBUDGET",
                    0,
                    ln["year"],
                    ln["month"],
                    ln["account"],
                    ln["object"],
                    None,
                    ln["amount_ore"],
                    False,
                    ln["line"],
                )
                for ln in budget
            ],
        )
        accounts = pl.DataFrame(
            {"account": sorted({ln["account"] for ln in lines})}, schema={"account": pl.String}
        )
        unmapped = unmapped_accounts(accounts, mapping_for(db, organisation)[0])
        months = sorted((ln["year"], ln["month"]) for ln in lines)
        years = sorted({ln["year"] for ln in lines})
        warnings = []
        if unmapped:
            warnings.append(
                "Konton utan rad i kontomappningen redovisas som 'Ej mappade konton': " + ", ".join(unmapped)
            )
        log = {
            "organisation": organisation,
            "year": years[0] if len(years) == 1 else None,
            "encoding_message": f"Tabellfil ({file_kind.upper()}) med {len(lines)} rader.",
            "trans_rows": len(outcome),
            "budget_rows": len(budget),
            "objects": len({ln["object"] for ln in lines if ln["object"]}),
            "first_date": f"{months[0][0]}-{months[0][1]:02d}-01",
            "last_date": f"{months[-1][0]}-{months[-1][1]:02d}-01",
            "warnings": warnings,
            "unmapped_accounts": unmapped,
        }
        finish_import(db, actor, import_id, log, facts={"fil": name, "fingeravtryck": fingerprint})
    row = imports_store.get_import(db, import_id)
    assert row is not None
    return summary_from_log(row, already=False)


def _sums(lines: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    """Lines summed per every column of `schema` but the amount, for the columnar copy."""
    keys = [c for c in schema if c != "amount_ore"]
    rows = pl.DataFrame([{c: ln[c] for c in schema} for ln in lines], schema=schema, orient="row")
    return rows.group_by(keys).agg(pl.col("amount_ore").sum())
