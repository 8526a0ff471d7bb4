"""`portfolj benefits`: the benefit register with each indicator's latest measurement and status.

portfolj benefits [--project KOD] [--kind effektmål|nytta] [--format table|json|csv]

Both kinds are listed unless --kind is given: effect goals (effektmål) and the benefits of the
nyttokalkyl (nytta).
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from typing import Any

from dashboard.cli_args import add_db_option, documented_command
from dashboard.cli_db import open_checked
from portfolio import store as core_store
from portfolio.db import Database
from registers.benefits import service
from registers.benefits.model import number_text

BENEFIT_COLUMNS = (
    "id",
    "project",
    "title",
    "indicator",
    "unit",
    "baseline",
    "target",
    "latest",
    "status",
    "owner",
)


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _point(day: date | None, value: str | None, fmt: str) -> Any:
    if day is None or value is None:
        return None
    if fmt == "json":
        return {"date": day.isoformat(), "value": _number(value)}
    return f"{number_text(value)} ({day.isoformat()})"


def benefit_rows(db: Database, project_id: int | None, kind: str | None, fmt: str) -> list[dict[str, Any]]:
    """The listed fields of every benefit (of one project, or all)."""
    frame = service.register(db, project_id)
    if kind:
        frame = frame.filter(frame["kind"] == kind)
    return [
        {
            "id": r["id"],
            "project": r["project"],
            "title": r["title"],
            "indicator": r["indicator"],
            "unit": r["unit"],
            "baseline": _point(r["baseline_date"], r["baseline_value"], fmt),
            "target": _point(r["target_date"], r["target_value"], fmt),
            "latest": _point(r["latest_date"], r["latest_value"], fmt),
            "status": r["status"] if fmt == "json" else r["status_text"],
            "owner": r["owner"],
        }
        for r in frame.iter_rows(named=True)
    ]


def cmd_benefits(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    db = open_checked(args.db)
    project_id = core_store.project_id_for(db, args.project) if args.project else None
    print(render(benefit_rows(db, project_id, args.kind, args.format), args.format, BENEFIT_COLUMNS))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = documented_command(
        sub, "benefits", "lista nyttoregistret: effektmål och nyttor med senaste mätning och status", __doc__
    )
    add_db_option(p)
    p.add_argument("--project", metavar="KOD", help="bara projektets nyttor, t.ex. GNS/8/2018")
    p.add_argument("--kind", choices=["effektmål", "nytta"], help="bara effektmål eller bara nyttor")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="utdataformat")
    p.set_defaults(func=cmd_benefits)
