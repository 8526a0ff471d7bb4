"""`portfolj report party`: one party's own view on the command line (table, JSON, xlsx or PDF).

The `report` command itself is made by cli_ledger (`report tertial`); this module adds `party`
to it, so both reports are found under `portfolj report --help`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashboard.cli_args import add_db_option, kronor_rows
from dashboard.cli_db import open_checked
from portfolio.errors import InvalidInputError
from portfolio.ledger import party_exports, party_service
from portfolio.ledger.party_service import PartyView
from portfolio.money import format_kr
from portfolio.periods import Period

COLUMNS = ("item", "key", "budgeted_share", "actual_share", "deviation_share")
# The table is read by a kommunchef: Swedish headings (JSON keeps the field names above).
TABLE_HEADINGS = {
    "item": "Post",
    "key": "Fördelningsnyckel",
    "budgeted_share": "Budgeterad andel",
    "actual_share": "Faktisk andel",
    "deviation_share": "Avvikelse (budget − utfall)",
}


def json_rows(view: PartyView) -> list[dict[str, Any]]:
    """One row per item, kronor as JSON numbers (integers when whole)."""
    return kronor_rows(
        view.rows,
        {
            "item": "item",
            "key": "key",
            "budgeted_share": "budget_ore",
            "actual_share": "actual_ore",
            "deviation_share": "deviation_ore",
            "item_budget": "item_budget_ore",
            "item_actual": "item_actual_ore",
            "actual_basis": "actual_basis",
        },
    )


def _table_rows(view: PartyView) -> list[dict[str, Any]]:
    rows = [
        {
            "item": r["item"],
            "key": r["key"],
            "budgeted_share": format_kr(r["budget_ore"]),
            "actual_share": format_kr(r["actual_ore"]),
            "deviation_share": format_kr(r["deviation_ore"]),
        }
        for r in view.rows.iter_rows(named=True)
    ]
    t = view.totals
    rows.append(
        {
            "item": "Summa",
            "key": "",
            "budgeted_share": format_kr(t.budget_ore),
            "actual_share": format_kr(t.actual_ore),
            "deviation_share": format_kr(t.deviation_ore),
        }
    )
    return rows


def cmd_report_party(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    try:
        period = Period.parse(args.period)
    except ValueError as exc:
        raise InvalidInputError([str(exc)]) from exc
    db = open_checked(args.db)
    view = party_service.load_view(db, args.party, args.year, period)
    if view.rows.is_empty():
        print(f"Inget fördelas {args.year}: det finns inga fördelningsposter för året.", file=sys.stderr)
        return 1
    if args.format in ("xlsx", "pdf"):
        data = party_exports.party_xlsx(view) if args.format == "xlsx" else party_exports.party_pdf(view)
        default = f"partsvy-{view.party.lower()}-{view.year}-{period.value}.{args.format}"
        out = Path(args.out or default)
        out.write_bytes(data)
        print(f"{view.title} sparad i {out}.")
        return 0
    if args.format == "json":
        # JSON stays a plain list on stdout; the totals and notes go to stderr.
        print(render(json_rows(view), "json"))
        t = view.totals
        print(
            f"{view.title}: budgeterad andel {format_kr(t.budget_ore)}, faktisk andel"
            f" {format_kr(t.actual_ore)}, kontrollsumma {t.fingerprint}",
            file=sys.stderr,
        )
        return 0
    print(view.title)
    rows = [{TABLE_HEADINGS[k]: v for k, v in r.items()} for r in _table_rows(view)]
    print(render(rows, "table", list(TABLE_HEADINGS.values())))
    for note in view.rounding_notes:
        print(note)
    return 0


def _report_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of the existing `report` command (made by cli_ledger)."""
    report = sub.choices["report"]
    for action in report._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("kommandot report saknar underkommandon")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `report party` to the parser (after cli_ledger has made `report`)."""
    report_sub = _report_subparsers(sub)
    for choice in sub._choices_actions:
        if choice.dest == "report":
            choice.help = "rapporter: tertial, party"
    q = report_sub.add_parser(
        "party",
        help="partens egen vy: vad en part betalar per post, budgeterad och faktisk andel",
    )
    add_db_option(q)
    q.add_argument("--party", required=True, help="partens namn eller kod, t.ex. Bräcke eller BRACKE")
    q.add_argument("--year", type=int, required=True)
    q.add_argument("--period", default="helår", help="T1, T2 eller helår (standard helår)")
    q.add_argument("--format", choices=["table", "json", "xlsx", "pdf"], default="table")
    q.add_argument("--out", help="fil för xlsx eller pdf")
    q.set_defaults(func=cmd_report_party)
