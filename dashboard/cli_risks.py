"""`portfolj risks`: list risks, export a project's register to Excel, import it back.

portfolj risks [--project KOD] [--format table|json]
portfolj risks export --project KOD --out FIL.xlsx
portfolj risks import FIL.xlsx --project KOD --user EPOST
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dashboard.cli_args import acting_user, add_db_option, documented_command, fail, import_rejected
from dashboard.cli_db import open_checked
from portfolio import store as core_store
from portfolio.auth import Action, require
from portfolio.db import Database
from portfolio.errors import ImportRejectedError
from registers.risks import excel_import, service

RISK_COLUMNS = (
    "id",
    "project",
    "register",
    "title",
    "probability",
    "consequence",
    "score",
    "residual_score",
    "status",
    "owner",
    "actions",
    "open_actions",
)


def risk_rows(db: Database, project_id: int | None) -> list[dict[str, Any]]:
    """The listed fields of every risk (of one project, or all)."""
    frame = service.risks_with_bands(db, project_id)
    return [{c: r[c] for c in RISK_COLUMNS} for r in frame.iter_rows(named=True)]


def cmd_list(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    db = open_checked(args.db)
    project_id = core_store.project_id_for(db, args.project) if args.project else None
    print(render(risk_rows(db, project_id), args.format, RISK_COLUMNS))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if not args.project or not args.out:
        return fail(
            "ange --project KOD och --out FIL.xlsx, t.ex. portfolj risks export --project "
            "GNS/8/2018 --out risker.xlsx"
        )
    db = open_checked(args.db)
    project_id = core_store.project_id_for(db, args.project)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(excel_import.export_register(db, project_id))
    print(f"Riskregistret för {args.project} är exporterat till {out}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if not args.file or not args.project or not args.user:
        return fail(
            "ange FIL.xlsx, --project KOD och --user EPOST, t.ex. portfolj risks import "
            "risker.xlsx --project GNS/8/2018 --user e-strateg@gns.example"
        )
    path = Path(args.file)
    if not path.is_file():
        return fail(f"filen {path} finns inte")
    db = open_checked(args.db)
    project_id = core_store.project_id_for(db, args.project)
    user = acting_user(db, args.user)
    require(user, Action.EDIT_RISKS, project_id=project_id)
    try:
        summary = excel_import.import_register(db, user, project_id, path.read_bytes())
    except ImportRejectedError as exc:
        return import_rejected(exc)
    print(summary.text())
    return 0


def cmd_risks(args: argparse.Namespace) -> int:
    if args.action == "export":
        return cmd_export(args)
    if args.action == "import":
        return cmd_import(args)
    if args.file:
        return fail(f"okänt argument '{args.file}'; skriv portfolj risks, risks export eller risks import")
    return cmd_list(args)


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = documented_command(
        sub,
        "risks",
        "lista risker; 'risks export' och 'risks import' flyttar ett riskregister till och från Excel",
        __doc__,
    )
    p.add_argument(
        "action",
        nargs="?",
        choices=["export", "import"],
        help="export: skriv projektets register till .xlsx; import: läs in en .xlsx (allt eller inget)",
    )
    p.add_argument("file", nargs="?", metavar="FIL.xlsx", help="filen som ska importeras")
    add_db_option(p)
    p.add_argument("--project", metavar="KOD", help="projektets kod, t.ex. GNS/8/2018")
    p.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat för listan")
    p.add_argument("--out", metavar="FIL.xlsx", help="(export) filen som skrivs")
    p.add_argument(
        "--user", metavar="EPOST", help="(import) användaren som importerar; hens rättigheter prövas"
    )
    p.set_defaults(func=cmd_risks)
