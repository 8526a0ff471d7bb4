"""`portfolj decisions`: the committee's decisions, for one case or all, or those matching a search."""

from __future__ import annotations

import argparse

from dashboard.cli_args import add_db_option
from portfolio.governance import service

DECISION_COLUMNS = ("date", "paragraph", "case", "title", "decision")


def cmd_decisions(args: argparse.Namespace) -> int:
    from dashboard.cli import render
    from dashboard.cli_db import open_checked

    db = open_checked(args.db)
    if args.search:
        frame = service.search_decisions(db, args.search)
        if args.project:
            frame = frame.filter(frame["case_code"] == args.project)
        frame = frame.sort("date", "item_id")
    else:
        frame = service.decisions(db, case_code=args.project)
    rows = service.decision_rows(frame)
    if args.format == "table":
        # One line per decision on a terminal; JSON and CSV keep the text as written.
        rows = [{k: v.replace("\n", " ") if isinstance(v, str) else v for k, v in r.items()} for r in rows]
    print(render(rows, args.format, DECISION_COLUMNS))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = sub.add_parser(
        "decisions",
        help="lista nämndens beslut (datum, §, ärende, rubrik, beslut); utan beslut visas förslaget",
    )
    add_db_option(p)
    p.add_argument("--project", metavar="KOD", help="bara beslut i detta ärende, t.ex. GNS/8/2018")
    p.add_argument("--search", metavar="TEXT", help="bara beslut som handlar om TEXT, t.ex. serverdrift")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="utdataformat")
    p.set_defaults(func=cmd_decisions)
