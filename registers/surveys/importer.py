"""Read survey answers from CSV or Excel, in either shape, and check every row against the survey.

Accepted layouts (headings in Swedish or English, any case):

- one row per respondent: ``svarande, grupp`` and one column per statement (its text or number);
- one row per answer: ``svarande, grupp, påstående, svar``;
- counts per answer: ``påstående, grupp, svar, antal``;
- counts in columns: ``påstående, grupp`` and one column per answer value ``1 … points``.

Nothing is returned unless every row is valid; the error names each row by its line in the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from portfolio.errors import MAX_MESSAGES, ImportRejectedError
from portfolio.uploads import SURVEY_FILE, capped_rows, check_size, check_xlsx
from registers.surveys.model import MAX_POPULATION

SHOWN_ERRORS = MAX_MESSAGES  # the rest are counted, not built: a junk file can have thousands

ALIASES = {
    "respondent": ("svarande", "respondent", "respondent_id", "svarande_id", "svarsid", "id"),
    "group": ("grupp", "group", "svarsgrupp", "respondentgrupp"),
    "statement": ("påstående", "statement", "pastaende", "fråga"),
    "answer": ("svar", "answer", "värde"),
    "count": ("antal", "count"),
}
CHECKED = {  # role → the column the checks read it from
    "respondent": "respondent",
    "group": "group_raw",
    "statement": "statement_raw",
    "answer": "answer_raw",
    "count": "count_raw",
}
SHAPES_HELP = (
    "Filen ska ha kolumnerna svarande, grupp och en kolumn per påstående (en rad per svarande), "
    "eller svarande, grupp, påstående, svar (en rad per svar), eller påstående, grupp, svar, antal "
    "(antal per svar), eller påstående, grupp och en kolumn per svarsvärde 1, 2, … (antal i kolumner)"
)


@dataclass(frozen=True)
class ParsedAnswers:
    """Valid answers, mapped to the survey's group and statement ids."""

    shape: str  # "svarande" or "antal"
    layout: str  # which of the four layouts the file had, in words
    counts: pl.DataFrame  # statement_id, group_id, answer, count
    responses: pl.DataFrame | None  # respondent_id, group_id, statement_id, answer (null = skipped)
    rows: int  # data rows read from the file

    def named(self, groups: pl.DataFrame, statements: pl.DataFrame) -> pl.DataFrame:
        """The answers in the shape survey_logic reads, with group and statement names for ids."""
        names = groups.select(pl.col("id").alias("group_id"), pl.col("name").alias("group"))
        texts = statements.select(
            pl.col("id").alias("statement_id"), pl.col("text").alias("statement"), "position"
        )
        if self.responses is not None:
            return (
                self.responses.join(names, on="group_id")
                .join(texts, on="statement_id")
                .sort("position", "respondent_id")
                .select("respondent_id", "group", "statement", "answer")
            )
        return (
            self.counts.join(names, on="group_id")
            .join(texts, on="statement_id")
            .sort("position", "group", "answer")
            .select("statement", "group", "answer", "count")
        )


@dataclass(frozen=True)
class _Survey:
    """What every row is checked against: the survey's groups, statements and scale."""

    group_keys: pl.DataFrame  # key, group_id
    statement_keys: pl.DataFrame  # key, statement_id
    group_names: str  # for the message naming an unknown group
    points: int


# --- reading the file into text cells ------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _csv_rows(content: bytes) -> list[tuple[int, list[str | None]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Swedish Windows
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, [_cell_text(cell) for cell in row]) for row in capped_rows(SURVEY_FILE, reader)]


def _excel_rows(content: bytes) -> list[tuple[int, list[str | None]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRejectedError([f"Excelfilen kunde inte läsas: {exc}"]) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = capped_rows(SURVEY_FILE, sheet.iter_rows(values_only=True))
        return [(number, [_cell_text(cell) for cell in row]) for number, row in enumerate(rows, start=1)]
    finally:
        workbook.close()


def read_table(filename: str, content: bytes) -> pl.DataFrame:
    """Every cell as text, with the row's line number in the file as ``_row``."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(SURVEY_FILE, content)
        rows = _excel_rows(content)
    elif suffix in (".csv", ".txt"):
        check_size(SURVEY_FILE, len(content))
        rows = _csv_rows(content)
    else:
        raise ImportRejectedError(
            [f"Filtypen '{suffix or filename}' stöds inte; använd CSV (.csv) eller Excel (.xlsx)"]
        )
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise ImportRejectedError(["Filen är tom"])
    header_row, header = rows[0]
    while header and header[-1] is None:
        header.pop()
    problems = [
        f"Rad {header_row}: kolumn {i + 1} saknar rubrik" for i, name in enumerate(header) if not name
    ]
    names = [str(name) for name in header]
    if "_row" in names:
        problems.append(f"Rad {header_row}: kolumnnamnet '_row' används av programmet; byt namn på kolumnen")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            problems.append(f"Rad {header_row}: kolumnen '{name}' finns två gånger")
        seen.add(name.casefold())
    width = len(header)
    problems += [
        f"Rad {number}: raden har fler värden än rubrikraden har kolumner"
        for number, cells in rows[1:]
        if any(cells[width:])
    ]
    if problems:
        raise ImportRejectedError(problems)
    body = [[str(number), *(cells[:width] + [None] * (width - len(cells)))] for number, cells in rows[1:]]
    if not body:
        raise ImportRejectedError(["Filen har bara en rubrikrad och inga svar"])
    # Every column as text, also one where no row has a value (polars would type it Null).
    schema = dict.fromkeys(["_row", *names], pl.String)
    return pl.DataFrame(body, schema=schema, orient="row").with_columns(pl.col("_row").cast(pl.Int64))


# --- checking ------------------------------------------------------------------------------


def _find(columns: list[str], role: str) -> str | None:
    wanted = ALIASES[role]
    return next((c for c in columns if c.strip().casefold() in wanted), None)


def _lookup(frame: pl.DataFrame, keys: list[pl.Expr], id_column: str) -> pl.DataFrame:
    """A lowercase key → id table (a group by code or name, a statement by text or number)."""
    return (
        pl.concat([frame.select(key.str.to_lowercase().alias("key"), pl.col(id_column)) for key in keys])
        .unique("key", keep="first", maintain_order=True)
        .rename({id_column: f"{id_column}_found"})
    )


def _key(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_lowercase()


def _error(condition: pl.Expr, message: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return condition, message


def _collect_errors(frame: pl.DataFrame, checks: list[tuple[pl.Expr, pl.Expr]]) -> list[pl.DataFrame]:
    return [
        frame.filter(condition.fill_null(False)).select("_row", message.alias("message"))
        for condition, message in checks
    ]


def _raise(errors: list[pl.DataFrame]) -> None:
    found = pl.concat(errors).sort("_row", maintain_order=True).unique(maintain_order=True)
    if found.is_empty():
        return
    messages = found["message"].head(SHOWN_ERRORS).to_list()
    if found.height > SHOWN_ERRORS:
        messages.append(f"… och {found.height - SHOWN_ERRORS} till")
    raise ImportRejectedError(messages)


def _integer(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().cast(pl.Int64, strict=False)


def _short(expr: pl.Expr, length: int = 50) -> pl.Expr:
    return pl.when(expr.str.len_chars() > length).then(expr.str.slice(0, length) + "…").otherwise(expr)


def _checked(found: dict[str, str | None], roles: tuple[str, ...]) -> list[pl.Expr]:
    """The file's columns for ``roles``, under the names the checks read."""
    return [pl.col(str(found[role])).alias(CHECKED[role]) for role in roles]


def _long(frame: pl.DataFrame, where: pl.Expr) -> pl.DataFrame:
    """One row per answer (or count) to check: ``where`` names its cell, ``row_where`` its row."""
    return frame.select(
        "_row", where.alias("where"), pl.format("Rad {}", "_row").alias("row_where"), pl.exclude("_row")
    )


def _by_row(table: pl.DataFrame, found: dict[str, str | None], roles: tuple[str, ...]) -> pl.DataFrame:
    """A file with a row per answer (or count): the ``roles`` columns, each row named by its line."""
    return _long(table.select("_row", *_checked(found, roles)), pl.format("Rad {}", "_row"))


def _cells(
    table: pl.DataFrame,
    found: dict[str, str | None],
    roles: tuple[str, ...],
    on: list[str],
    heading: str,
    cell: str,
) -> pl.DataFrame:
    """A file with a column per statement or answer value as one row per cell: the ``roles``
    columns, the cell's column heading as role ``heading`` and its value as role ``cell``."""
    index = [str(found[role]) for role in roles]
    return table.unpivot(
        on=on, index=["_row", *index], variable_name=CHECKED[heading], value_name=CHECKED[cell]
    ).select("_row", *_checked(found, roles), CHECKED[heading], CHECKED[cell])


def parse_answers(
    filename: str, content: bytes, *, groups: pl.DataFrame, statements: pl.DataFrame, points: int
) -> ParsedAnswers:
    """Read and check a file against the survey's groups (id, code, name) and statements
    (id, position, text); ImportRejectedError lists every problem with its row."""
    table = read_table(filename, content)
    columns = [c for c in table.columns if c != "_row"]
    found = {role: _find(columns, role) for role in ALIASES}
    survey = _Survey(
        group_keys=_lookup(groups, [pl.col("code"), pl.col("name")], "id").rename({"id_found": "group_id"}),
        statement_keys=_lookup(
            statements, [pl.col("text"), (pl.col("position") + 1).cast(pl.String)], "id"
        ).rename({"id_found": "statement_id"}),
        group_names=", ".join(groups["name"].to_list()),
        points=points,
    )
    per_answer = ("respondent", "group", "statement", "answer")
    per_count = ("statement", "group", "answer", "count")

    if all(found[role] for role in per_answer):
        return _respondents(_by_row(table, found, per_answer), table.height, "en rad per svar", survey)
    if found["respondent"] and found["group"] and not found["count"]:
        return _respondents_wide(table, found, survey)
    if all(found[role] for role in per_count):
        return _counts(_by_row(table, found, per_count), table.height, "antal per svar", survey)
    if found["statement"] and found["group"]:
        return _counts_wide(table, found, survey)
    raise ImportRejectedError([f"Filens kolumner ({', '.join(columns)}) känns inte igen. {SHAPES_HELP}"])


def _map(long: pl.DataFrame, survey: _Survey) -> pl.DataFrame:
    return (
        long.with_columns(gkey=_key("group_raw"), skey=_key("statement_raw"))
        .join(survey.group_keys, left_on="gkey", right_on="key", how="left")
        .join(survey.statement_keys, left_on="skey", right_on="key", how="left")
        .sort("_row", maintain_order=True)
    )


def _reference_check(
    raw: str, found: str, missing: str, unknown: str, *shown: pl.Expr | str
) -> list[tuple[pl.Expr, pl.Expr]]:
    """A row's `raw` reference must be given (else `missing`) and name something (else `unknown`)."""
    return [
        _error(pl.col(raw).is_null(), pl.format(f"{{}}: {missing}", "row_where")),
        _error(pl.col(raw).is_not_null() & pl.col(found).is_null(), pl.format(unknown, "row_where", *shown)),
    ]


def _reference_checks(group_names: str) -> list[tuple[pl.Expr, pl.Expr]]:
    return [
        *_reference_check(
            "group_raw",
            "group_id",
            "grupp saknas",
            "{}: gruppen '{}' finns inte i enkäten (grupper: {})",
            "group_raw",
            pl.lit(group_names),
        ),
        *_reference_check(
            "statement_raw",
            "statement_id",
            "påstående saknas",
            "{}: påståendet '{}' finns inte i enkäten (ange påståendets text eller nummer)",
            _short(pl.col("statement_raw")),
        ),
    ]


def _answer_checks(points: int, *, blank_allowed: bool) -> list[tuple[pl.Expr, pl.Expr]]:
    answer = _integer("answer_raw")
    checks = [
        _error(
            pl.col("answer_raw").is_not_null() & answer.is_null(),
            pl.format(
                "{}: svaret '{}' är inget heltal; skriv ett heltal 1–{}",
                "where",
                "answer_raw",
                pl.lit(points),
            ),
        ),
        _error(
            answer.is_not_null() & ~answer.is_between(1, points),
            pl.format("{}: svaret {} ligger utanför skalan 1–{}", "where", answer, pl.lit(points)),
        ),
    ]
    if not blank_allowed:
        checks.append(_error(pl.col("answer_raw").is_null(), pl.format("{}: svar saknas", "where")))
    return checks


def _respondents(
    long: pl.DataFrame, rows: int, layout: str, survey: _Survey, earlier: list[pl.DataFrame] | None = None
) -> ParsedAnswers:
    grouped = pl.col("group_id").is_not_null()
    mapped = _map(long, survey).with_columns(
        respondent=pl.col("respondent").str.strip_chars(),
        first_row=pl.col("_row").min().over("respondent", "statement_id"),
        # A respondent's group is the first one the file gives them; a blank one is its own error.
        group_row=pl.col("_row").filter(grouped).min().over("respondent"),
        first_group=pl.col("group_raw").filter(grouped).first().over("respondent"),
        first_group_id=pl.col("group_id").filter(grouped).first().over("respondent"),
    )
    # Rows without a respondent id are not one respondent: each is refused on its own.
    known = pl.col("respondent").is_not_null()
    checks = [
        _error(pl.col("respondent").is_null(), pl.format("{}: svarande-id saknas", "row_where")),
        *_reference_checks(survey.group_names),
        *_answer_checks(survey.points, blank_allowed=True),
    ]
    if layout == "en rad per svar":
        checks += [
            _error(
                known & pl.col("statement_id").is_not_null() & (pl.col("_row") != pl.col("first_row")),
                pl.format(
                    "{}: svarande '{}' har redan svarat på påståendet '{}' på rad {}",
                    "where",
                    "respondent",
                    _short(pl.col("statement_raw")),
                    "first_row",
                ),
            ),
            _error(
                known
                & pl.col("group_id").is_not_null()
                & pl.col("first_group_id").is_not_null()
                & (pl.col("group_id") != pl.col("first_group_id")),
                pl.format(
                    "{}: svarande '{}' står i gruppen '{}' men i gruppen '{}' på rad {}",
                    "row_where",
                    "respondent",
                    "group_raw",
                    "first_group",
                    "group_row",
                ),
            ),
        ]
    _raise([*(earlier or []), *_collect_errors(mapped, checks)])
    responses = mapped.select(
        pl.col("respondent").alias("respondent_id"),
        "group_id",
        "statement_id",
        _integer("answer_raw").alias("answer"),
    )
    counts = (
        responses.drop_nulls("answer")
        .group_by("statement_id", "group_id", "answer")
        .agg(count=pl.len().cast(pl.Int64))
        .sort("statement_id", "group_id", "answer")
    )
    if counts.is_empty():
        raise ImportRejectedError(["Filen innehåller inga svar (alla svar är tomma)"])
    return ParsedAnswers("svarande", layout, counts, responses, rows)


def _respondents_wide(table: pl.DataFrame, found: dict[str, str | None], survey: _Survey) -> ParsedAnswers:
    respondent, group = str(found["respondent"]), str(found["group"])
    answer_columns = [c for c in table.columns if c not in ("_row", respondent, group)]
    known = dict(survey.statement_keys.iter_rows())
    unknown = [c for c in answer_columns if c.strip().lower() not in known]
    if not answer_columns or unknown:
        raise ImportRejectedError(
            [
                f"Rubrikraden: kolumnen '{c}' är inget påstående i enkäten "
                "(ange påståendets text eller nummer)"
                for c in unknown
            ]
            or ["Filen har ingen kolumn med svar på något påstående"]
        )
    first_column: dict[int, str] = {}
    repeated = []
    for column in answer_columns:  # the headings, not the data: one statement by text and number
        first = first_column.setdefault(known[column.strip().lower()], column)
        if first != column:
            repeated.append(f"Rubrikraden: kolumnerna '{first}' och '{column}' är samma påstående")
    if repeated:
        raise ImportRejectedError(repeated)
    duplicates = (
        table.select("_row", pl.col(respondent).str.strip_chars().alias("respondent"))
        .with_columns(first_row=pl.col("_row").min().over("respondent"))
        .filter(pl.col("respondent").is_not_null() & (pl.col("_row") != pl.col("first_row")))
        .select(
            "_row",
            pl.format("Rad {}: svarande '{}' finns redan på rad {}", "_row", "respondent", "first_row").alias(
                "message"
            ),
        )
    )
    long = _long(
        _cells(table, found, ("respondent", "group"), answer_columns, "statement", "answer"),
        pl.format("Rad {}, kolumn '{}'", "_row", _short(pl.col("statement_raw"), 40)),
    )
    return _respondents(long, table.height, "en rad per svarande", survey, [duplicates])


def _counts(
    long: pl.DataFrame, rows: int, layout: str, survey: _Survey, earlier: list[pl.DataFrame] | None = None
) -> ParsedAnswers:
    mapped = _map(long, survey).with_columns(answer=_integer("answer_raw"), count=_integer("count_raw"))
    mapped = mapped.with_columns(
        first_row=pl.col("_row").min().over("statement_id", "group_id", "answer"),
    )
    checks = [
        *_reference_checks(survey.group_names),
        *_answer_checks(survey.points, blank_allowed=False),
        _error(pl.col("count_raw").is_null(), pl.format("{}: antal saknas", "where")),
        _error(
            pl.col("count_raw").is_not_null() & (pl.col("count").is_null() | (pl.col("count") < 0)),
            pl.format("{}: antalet '{}' måste vara ett heltal, 0 eller större", "where", "count_raw"),
        ),
        _error(
            pl.col("count") > MAX_POPULATION,  # no wrap when the counts are summed
            pl.format(
                "{}: antalet '{}' är större än någon enkät kan ha svar (högst 10 000 000)",
                "where",
                "count_raw",
            ),
        ),
    ]
    if layout == "antal per svar":
        checks.append(
            _error(
                pl.col("statement_id").is_not_null()
                & pl.col("group_id").is_not_null()
                & pl.col("answer").is_not_null()
                & (pl.col("_row") != pl.col("first_row")),
                pl.format("{}: samma påstående, grupp och svar som på rad {}", "where", "first_row"),
            )
        )
    _raise([*(earlier or []), *_collect_errors(mapped, checks)])
    counts = (
        mapped.filter(pl.col("count") > 0)
        .group_by("statement_id", "group_id", "answer")
        .agg(pl.col("count").sum())
        .sort("statement_id", "group_id", "answer")
    )
    if counts.is_empty():
        raise ImportRejectedError(["Filen innehåller inga svar (alla antal är 0)"])
    return ParsedAnswers("antal", layout, counts, None, rows)


def _counts_wide(table: pl.DataFrame, found: dict[str, str | None], survey: _Survey) -> ParsedAnswers:
    points = survey.points
    statement, group = str(found["statement"]), str(found["group"])
    value_columns = [c for c in table.columns if c not in ("_row", statement, group)]
    values = [str(k) for k in range(1, points + 1)]
    problems = [
        f"Rubrikraden: kolumnen '{c}' är inget svarsvärde; skalan är 1–{points}"
        for c in value_columns
        if c.strip() not in values  # "01" too: it would add to the counts of "1"
    ]
    missing = [k for k in values if k not in {c.strip() for c in value_columns}]
    if missing:
        problems.append(f"Rubrikraden: kolumnerna för svarsvärdena {', '.join(missing)} saknas")
    if problems:
        raise ImportRejectedError(problems)
    long = _long(
        _cells(table, found, ("statement", "group"), value_columns, "answer", "count"),
        pl.format("Rad {}, kolumn {}", "_row", "answer_raw"),
    ).with_columns(pl.col("answer_raw").str.strip_chars(), pl.col("count_raw").fill_null("0"))
    duplicates = (
        _map(long, survey)
        .filter(pl.col("statement_id").is_not_null() & pl.col("group_id").is_not_null())
        .select("_row", "statement_id", "group_id")
        .unique()
        .with_columns(first_row=pl.col("_row").min().over("statement_id", "group_id"))
        .filter(pl.col("_row") != pl.col("first_row"))
        .select(
            "_row",
            pl.format("Rad {}: samma påstående och grupp som på rad {}", "_row", "first_row").alias(
                "message"
            ),
        )
    )
    return _counts(long, table.height, "antal i kolumner", survey, [duplicates])
