"""`portfolj bruttolista`: the activities of the operational plans with status, outcome and cases."""

from __future__ import annotations

import argparse

from dashboard.cli_args import add_db_option
from registers.bruttolista import service

BRUTTOLISTA_COLUMNS = ("id", "activity", "areas", "status", "outcome", "linked_cases")


def cmd_bruttolista(args: argparse.Namespace) -> int:
    from dashboard.cli import render
    from dashboard.cli_db import open_checked

    db = open_checked(args.db)
    rows = service.cli_rows(service.activities(db, year=args.year))
    if args.format == "table":
        rows = [
            {
                **r,
                "outcome": (r["outcome"] or "").replace("\n", " "),
                "areas": ", ".join(r["areas"]),
                "linked_cases": ", ".join(r["linked_cases"]),
            }
            for r in rows
        ]
    print(render(rows, args.format, BRUTTOLISTA_COLUMNS))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = sub.add_parser("bruttolista", help="lista bruttolistans aktiviteter med status, utfall och ärenden")
    add_db_option(p)
    p.add_argument("--year", type=int, metavar="ÅÅÅÅ", help="verksamhetsplanens år, t.ex. 2019")
    p.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat")
    p.set_defaults(func=cmd_bruttolista)
