"""`portfolj surveys`: survey results, and import of a survey's answers from CSV or Excel.

portfolj surveys [--format table|json]
portfolj surveys import FIL --survey ID [--user EPOST] [--replace]

The file may have one row per respondent (svarande, grupp, one column per statement), one row
per answer (svarande, grupp, påstående, svar) or counts (påstående, grupp, svar, antal; or
påstående, grupp and one column per answer value). All or nothing: one bad row and nothing is
saved. Without --user the import is made as the system (the operator on the server).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dashboard.cli_args import acting_user, add_db_option, documented_command, fail, import_rejected
from dashboard.cli_db import open_checked
from portfolio.db import Database
from portfolio.errors import ImportRejectedError
from registers.surveys import service

SURVEY_COLUMNS = (
    "id",
    "project",
    "title",
    "respondents",
    "population",
    "response_rate",
    "groups",
    "statements",
)


def survey_rows(db: Database, fmt: str) -> list[dict[str, Any]]:
    """Every survey with its response rate, groups and statement means."""
    rows = service.overview(db)
    if fmt == "json":
        return rows
    return [
        {
            **row,
            "response_rate": "–"
            if row["response_rate"] is None
            else f"{row['response_rate'] * 100:.1f} %".replace(".", ","),
            "groups": "; ".join(f"{g['name']} {g['share'] * 100:.0f} %" for g in row["groups"]),
            "statements": "; ".join(f"{s['text'][:30]}… {_mean(s['mean'])}" for s in row["statements"]),
        }
        for row in rows
    ]


def _mean(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def cmd_import(args: argparse.Namespace) -> int:
    if not args.file or args.survey is None:
        return fail("ange FIL och --survey ID, t.ex. portfolj surveys import svar.csv --survey 2")
    path = Path(args.file)
    if not path.is_file():
        return fail(f"filen {path} finns inte")
    db = open_checked(args.db)
    user = acting_user(db, args.user)
    try:
        result = service.import_answers(
            db, user, args.survey, path.name, path.read_bytes(), replace=args.replace
        )
    except ImportRejectedError as exc:
        return import_rejected(exc)
    print(
        f"{result.rows} rader ({result.layout}) inlästa i enkät {result.survey_id}: "
        f"{result.respondents} svarande"
        + (f", {result.measurements} mätningar i nyttoregistret" if result.measurements else "")
        + "."
    )
    return 0


def cmd_surveys(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    if args.action == "import":
        return cmd_import(args)
    if args.file:
        return fail(f"okänt argument '{args.file}'; skriv portfolj surveys eller surveys import FIL")
    db = open_checked(args.db)
    print(render(survey_rows(db, args.format), args.format, SURVEY_COLUMNS))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = documented_command(
        sub,
        "surveys",
        "lista enkäter med svarsfrekvens, grupper och medelvärden; 'surveys import' läser in svar",
        __doc__,
    )
    p.add_argument("action", nargs="?", choices=["import"], help="import: läs in en enkäts svar från en fil")
    p.add_argument("file", nargs="?", metavar="FIL", help="(import) CSV- eller Excelfil med svaren")
    add_db_option(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat för listan")
    p.add_argument("--survey", type=int, metavar="ID", help="(import) enkätens id, se portfolj surveys")
    p.add_argument(
        "--user", metavar="EPOST", help="(import) användaren som importerar; hens rättigheter prövas"
    )
    p.add_argument("--replace", action="store_true", help="(import) ersätt enkätens befintliga svar")
    p.set_defaults(func=cmd_surveys)
