"""`portfolj project|budget|milestone`: keep the portfolio from a terminal.

portfolj project add --code GNS/5/2020 --name NAMN --type projekt --start 2020-03-01 --end 2021-06-30 \\
    --owner Region
portfolj project edit KOD [--name …] [--status gul --status-reason …] [--leader-account EPOST …]
portfolj project close KOD --end 2021-06-30 [--decision "2021-06-11 §5"]
portfolj project show KOD [--format table|json]
portfolj budget set --project KOD --activity TEXT --split Region=300000 --split Östersund=100000
portfolj budget remove --project KOD --activity TEXT
portfolj budget import FIL --project KOD [--dry-run]
portfolj milestone add|replan|reached|remove --project KOD --name NAMN …

The command line acts as the system administrator; it calls the same service functions as the
project page, so every rule, version check and audit row is the same.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from dashboard.cli_args import add_db_option, iso_day
from dashboard.cli_db import open_checked
from portfolio.auth import SYSTEM
from portfolio.db import Database
from portfolio.errors import InvalidInputError
from portfolio.models import Phase, Status
from portfolio.money import format_kr, kronor_json, to_ore
from portfolio.projects import budget_import
from portfolio.projects import service as projects
from portfolio.projects.model import (
    BudgetLineInput,
    MilestoneInput,
    Person,
    ProjectInput,
    ReplanInput,
)

KIND_CHOICES = {"projekt": "projekt", "förstudie": "förstudie", "ärende": "ärende", "drift": "drift"}
KIND_CHOICES["löpande-drift"] = "drift"


def _split(text: str) -> tuple[str, str]:
    name, sep, amount = text.rpartition("=")
    if not sep or not name.strip() or not amount.strip():
        raise argparse.ArgumentTypeError(f"'{text}' ska skrivas FINANSIÄR=BELOPP, t.ex. Region=300000")
    return name.strip(), amount.strip()


# --- project --------------------------------------------------------------------------------


def _fact_args(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--name", required=required, help="projektets eller ärendets namn")
    p.add_argument(
        "--type",
        dest="kind",
        choices=list(KIND_CHOICES),
        help="projekt, förstudie, ärende eller löpande-drift",
    )
    p.add_argument("--purpose", help="syfte")
    p.add_argument("--goals", help="mål")
    p.add_argument("--phase", choices=[ph.value for ph in Phase], help="fas")
    p.add_argument("--status", choices=[s.value for s in Status], help="status: grön, gul eller röd")
    p.add_argument("--status-reason", help="skälet till statusen")
    p.add_argument("--start", type=iso_day, help="planerad start ÅÅÅÅ-MM-DD")
    p.add_argument("--end", type=iso_day, help="planerat slut ÅÅÅÅ-MM-DD")
    p.add_argument("--owner", help="ägande part, namn eller kod (Region, Bräcke, BRACKE)")
    p.add_argument("--financier", action="append", help="finansierande part (upprepa för flera)")
    p.add_argument("--object", action="append", help="objekt i redovisningen, dimension 6 (upprepa)")
    p.add_argument("--leader", action="append", help="projektledare utan konto: 'Namn (Organisation)'")
    p.add_argument("--leader-account", action="append", help="projektledarens konto (e-post; upprepa)")
    p.add_argument("--steering", action="append", help="styrgruppsledamot: 'Namn (Organisation)'")
    p.add_argument("--budget", help="budget eller kostnadstak i kronor för ett ärende utan budgetrader")
    p.add_argument("--notes", help="anteckningar")


def _fact_values(args: argparse.Namespace) -> dict[str, Any]:
    """The options given on the command line, as ProjectInput fields (absent options are left out)."""
    values: dict[str, Any] = {
        "name": args.name,
        "kind": KIND_CHOICES[args.kind] if args.kind else None,
        "purpose": args.purpose,
        "goals": args.goals,
        "phase": args.phase,
        "status": args.status,
        "status_reason": args.status_reason,
        "start_date": args.start,
        "planned_end_date": args.end,
        "owner_party": args.owner,
        "financing_parties": args.financier,
        "objects": args.object,
        "leaders": [Person.parse(t) for t in args.leader] if args.leader is not None else None,
        "leader_accounts": args.leader_account,
        "steering_group": [Person.parse(t) for t in args.steering] if args.steering is not None else None,
        "budget_kr": args.budget,
        "notes": args.notes,
    }
    return {k: v for k, v in values.items() if v is not None}


def _show(db: Database, project_id: int) -> dict[str, Any]:
    p = projects.project(db, project_id)
    lines = projects.budget_lines(db, project_id)
    stated = projects.stated_totals(db, project_id)
    return {
        "code": p["code"],
        "name": p["name"],
        "kind": p["kind"],
        "phase": p["phase"],
        "status": p["status"],
        "status_reason": p["status_reason"],
        "purpose": p["purpose"],
        "goals": p["goals"],
        "start": p["start_date"],
        "planned_end": p["planned_end_date"],
        "actual_end": p["actual_end_date"],
        "owner": p["owner_party"],
        "financiers": p["financing_parties"],
        "objects": p["objects"],
        "leaders": [{"name": x["name"], "organisation": x["organisation"]} for x in p["leaders"]],
        "leader_accounts": [a["email"] for a in p["leader_accounts"]],
        "steering_group": [
            {"name": x["name"], "organisation": x["organisation"]} for x in p["steering_group"]
        ],
        "budget": kronor_json(sum(ln["budget_total_ore"] or 0 for ln in lines if ln["kind"] == "budget"))
        if lines
        else kronor_json(p["budget_ore"]),
        "budget_lines": [
            {
                "activity": ln["activity"],
                "kind": ln["kind"],
                "budget": kronor_json(ln["budget_total_ore"]),
                "budget_split": {f: kronor_json(a) for f, a in ln["shares"]["budget"].items()},
                "outcome": kronor_json(ln["outcome_total_ore"]),
                "outcome_split": {f: kronor_json(a) for f, a in ln["shares"]["outcome"].items()},
            }
            for ln in lines
        ],
        "stated_totals": None
        if stated is None
        else {k: kronor_json(v) for k, v in stated.items() if k.endswith("_ore") and v is not None},
        "milestones": [
            {
                "name": m["name"],
                "first_planned": m["planned_date"],
                "planned": m["current_date"],
                "replans": m["changes"],
                "reached": m["actual_date"],
            }
            for m in projects.milestones(db, project_id)
        ],
        "version": p["version"],
    }


def _kr(kronor: int | float | None) -> str:
    return "–" if kronor is None else format_kr(to_ore(Decimal(str(kronor))))


def _print_show(data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print(f"{data['code']} – {data['name']} ({data['kind']}, fas {data['phase']}, status {data['status']})")
    for label, key in (("Planerad start", "start"), ("Planerat slut", "planned_end"), ("Ägare", "owner")):
        print(f"  {label}: {data[key] or '–'}")
    print(f"  Finansiärer: {', '.join(data['financiers']) or '–'}")
    print(
        f"  Projektledare: {', '.join(x['name'] for x in data['leaders']) or '–'}"
        + (f"; konton: {', '.join(data['leader_accounts'])}" if data["leader_accounts"] else "")
    )
    for line in data["budget_lines"]:
        split = ", ".join(f"{f} {_kr(v)}" for f, v in line["budget_split"].items())
        print(f"  Budgetrad {line['activity']}: {_kr(line['budget'])} ({split or 'ingen fördelning'})")
    for m in data["milestones"]:
        print(
            f"  Milstolpe {m['name']}: planerad {m['planned']}"
            + (f", nådd {m['reached']}" if m["reached"] else "")
        )


def cmd_project_add(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    data = projects.parse(ProjectInput, {"code": args.code, "phase": "idé", **_fact_values(args)})
    pid = projects.create_project(db, SYSTEM, data)
    print(f"{data.code} är registrerat (id {pid}).")
    return 0


def cmd_project_edit(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.code)
    current = projects.project_input(db, pid)
    version = args.version if args.version is not None else projects.project(db, pid)["version"]
    data = projects.parse(ProjectInput, {**current.model_dump(), **_fact_values(args)})
    projects.update_project(db, SYSTEM, pid, data, version=version, decision=args.decision)
    print(f"{data.code} är ändrat.")
    return 0


def cmd_project_close(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.code)
    projects.close_project(
        db,
        SYSTEM,
        pid,
        actual_end=args.end,
        version=projects.project(db, pid)["version"],
        decision=args.decision,
    )
    print(f"{args.code} är avslutat {args.end}.")
    return 0


def cmd_project_show(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    _print_show(_show(db, projects.project_id_for(db, args.code)), args.format)
    return 0


# --- budget ---------------------------------------------------------------------------------


def cmd_budget_set(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.project)
    data = projects.parse(
        BudgetLineInput,
        {
            "activity": args.activity,
            "kind": args.kind,
            "budget": projects.resolve_shares(db, args.split or []),
            "outcome": projects.resolve_shares(db, args.outcome or []),
            "budget_total": args.total,
            "outcome_total": args.outcome_total,
            "note": args.note,
        },
    )
    _, what = projects.set_budget_line_by_activity(db, SYSTEM, pid, data, decision=args.decision)
    print(f"Budgetraden '{data.activity}' är {what}: budget {format_kr(data.total('budget'))}.")
    return 0


def cmd_budget_remove(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.project)
    line = next(
        (
            ln
            for ln in projects.budget_lines(db, pid)
            if ln["activity"].casefold() == args.activity.casefold()
        ),
        None,
    )
    if line is None:
        raise InvalidInputError([f"{args.project} har ingen budgetrad '{args.activity}'"])
    projects.remove_budget_line(db, SYSTEM, line["id"], version=line["version"], decision=args.decision)
    print(f"Budgetraden '{line['activity']}' är borttagen.")
    return 0


def cmd_budget_import(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.project)
    path = Path(args.file)
    plan = budget_import.plan(db, pid, path.name, path.read_bytes() if path.exists() else b"")
    for row in plan.rows:
        print(f"{row.change:<10} {row.line.activity}: budget {format_kr(row.line.total('budget'))}")
    if args.dry_run:
        print(f"Provkörning: {len(plan.rows)} rader lästes; ingenting sparades.")
        return 0
    saved = budget_import.apply(db, SYSTEM, pid, plan, decision=args.decision)
    print(f"{saved} budgetrader sparades i {args.project}.")
    return 0


# --- milestones -----------------------------------------------------------------------------


def _milestone(db: Database, args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    pid = projects.project_id_for(db, args.project)
    mid = projects.milestone_id_for(db, pid, args.name)
    row = next(m for m in projects.milestones(db, pid) if m["id"] == mid)
    return mid, row


def cmd_milestone_add(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = projects.project_id_for(db, args.project)
    data = projects.parse(
        MilestoneInput, {"name": args.name, "planned_date": args.planned, "note": args.note}
    )
    projects.add_milestone(db, SYSTEM, pid, data)
    print(f"Milstolpen '{data.name}' är tillagd, planerad {data.planned_date or 'utan datum'}.")
    return 0


def cmd_milestone_replan(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    mid, row = _milestone(db, args)
    data = projects.parse(ReplanInput, {"new_date": args.planned, "reason": args.reason or ""})
    projects.replan_milestone(db, SYSTEM, mid, data, version=row["version"])
    print(f"Milstolpen '{row['name']}' är omplanerad från {row['current_date']} till {data.new_date}.")
    return 0


def cmd_milestone_reached(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    mid, row = _milestone(db, args)
    projects.mark_reached(db, SYSTEM, mid, args.date, version=row["version"])
    print(f"Milstolpen '{row['name']}' nåddes {args.date}.")
    return 0


def cmd_milestone_remove(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    mid, row = _milestone(db, args)
    projects.remove_milestone(db, SYSTEM, mid, version=row["version"])
    print(f"Milstolpen '{row['name']}' är borttagen.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `project`, `budget` and `milestone` with their actions."""
    p = sub.add_parser("project", help="registrera och ändra projekt och ärenden: add, edit, close, show")
    actions = p.add_subparsers(dest="project_command", required=True, metavar="ÅTGÄRD")
    q = actions.add_parser("add", help="registrera ett nytt projekt eller ärende")
    add_db_option(q)
    q.add_argument("--code", required=True, help="diarienummer (GNS/5/2020) eller objektnummer (6663)")
    _fact_args(q, required=True)
    q.set_defaults(func=cmd_project_add)
    q = actions.add_parser("edit", help="ändra ett projekts uppgifter (bara de flaggor du anger)")
    add_db_option(q)
    q.add_argument("code", metavar="KOD")
    _fact_args(q, required=False)
    q.add_argument("--decision", help="beslutet som ligger bakom, t.ex. '2019-06-03 §17'")
    q.add_argument("--version", type=int, help="versionen ändringen bygger på (annars den senaste)")
    q.set_defaults(func=cmd_project_edit)
    q = actions.add_parser("close", help="avsluta ett projekt (fas avslutad och faktiskt slutdatum)")
    add_db_option(q)
    q.add_argument("code", metavar="KOD")
    q.add_argument("--end", type=iso_day, required=True, help="faktiskt slutdatum ÅÅÅÅ-MM-DD")
    q.add_argument("--decision", help="beslutet som avslutar projektet, t.ex. '2020-02-14 punkt 5'")
    q.set_defaults(func=cmd_project_close)
    q = actions.add_parser("show", help="visa ett projekt med budget och milstolpar")
    add_db_option(q)
    q.add_argument("code", metavar="KOD")
    q.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat")
    q.set_defaults(func=cmd_project_show)

    p = sub.add_parser("budget", help="budgetrader per aktivitet och finansiär: set, remove, import")
    actions = p.add_subparsers(dest="budget_command", required=True, metavar="ÅTGÄRD")
    q = actions.add_parser("set", help="lägg till eller ersätt aktivitetens budgetrad")
    add_db_option(q)
    q.add_argument("--project", required=True, metavar="KOD")
    q.add_argument("--activity", required=True, help="aktiviteten, t.ex. Projektledning")
    q.add_argument("--split", action="append", type=_split, help="budget per finansiär: Region=300000")
    q.add_argument("--outcome", action="append", type=_split, help="utfall per finansiär: Region=280000")
    q.add_argument("--total", help="budget totalt när den inte fördelas på finansiärer")
    q.add_argument("--outcome-total", help="utfall totalt när det inte fördelas på finansiärer")
    q.add_argument(
        "--kind",
        choices=["budget", "tillkommande"],
        default="budget",
        help="budgetrad eller kostnad utanför budget",
    )
    q.add_argument("--note", help="anteckning")
    q.add_argument("--decision", help="beslutet som tillåter ändringen, t.ex. '2019-06-03 §17'")
    q.set_defaults(func=cmd_budget_set)
    q = actions.add_parser("remove", help="ta bort en budgetrad")
    add_db_option(q)
    q.add_argument("--project", required=True, metavar="KOD")
    q.add_argument("--activity", required=True)
    q.add_argument("--decision", help="beslutet som tillåter ändringen")
    q.set_defaults(func=cmd_budget_remove)
    q = actions.add_parser("import", help="läs budgetrader från en CSV- eller Excelfil (allt eller inget)")
    add_db_option(q)
    q.add_argument(
        "file", metavar="FIL", help=f"CSV eller xlsx, högst {budget_import.MAX_BYTES // 1_000_000} MB"
    )
    q.add_argument("--project", required=True, metavar="KOD")
    q.add_argument("--dry-run", action="store_true", help="visa vad som skulle sparas, spara inget")
    q.add_argument("--decision", help="beslutet som tillåter ändringen")
    q.set_defaults(func=cmd_budget_import)

    p = sub.add_parser("milestone", help="milstolpar: add, replan, reached, remove")
    actions = p.add_subparsers(dest="milestone_command", required=True, metavar="ÅTGÄRD")
    for name, help_text, func in (
        ("add", "lägg till en milstolpe", cmd_milestone_add),
        ("replan", "planera om (nytt datum och skäl; tidigare datum behålls)", cmd_milestone_replan),
        ("reached", "markera att milstolpen nåddes", cmd_milestone_reached),
        ("remove", "ta bort en milstolpe", cmd_milestone_remove),
    ):
        q = actions.add_parser(name, help=help_text)
        add_db_option(q)
        q.add_argument("--project", required=True, metavar="KOD")
        q.add_argument("--name", required=True, help="milstolpens namn, t.ex. Driftstart")
        if name in ("add", "replan"):
            q.add_argument(
                "--planned", type=iso_day, required=name == "replan", help="planerat datum ÅÅÅÅ-MM-DD"
            )
        if name == "add":
            q.add_argument("--note", help="anteckning")
        if name == "replan":
            q.add_argument("--reason", help="skälet till det nya datumet (krävs)")
        if name == "reached":
            q.add_argument("--date", type=iso_day, required=True, help="datum då milstolpen nåddes")
        q.set_defaults(func=func)
