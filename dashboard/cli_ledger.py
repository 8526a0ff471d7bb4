"""`portfolj` sub-commands for the ledger: import-sie, import-lines, report tertial, allocate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.cli_args import acting_user, add_db_option, kronor_rows
from dashboard.cli_db import open_checked
from portfolio import store as core_store
from portfolio.auth import User
from portfolio.db import Database
from portfolio.errors import ImportRejectedError, NotFoundError
from portfolio.ledger import keys as ledger_keys
from portfolio.ledger.csv_import import import_lines
from portfolio.ledger.exports import report_pdf, report_xlsx
from portfolio.ledger.organisations import add_organisation, organisations
from portfolio.ledger.sie_import import SiePreview, import_sie
from portfolio.ledger.tertial import Scope, TertialReport, load_report
from portfolio.money import format_kr, kronor_json
from portfolio.periods import Period


def _db(args: argparse.Namespace) -> Database:
    return open_checked(args.db)


def _print_problems(exc: ImportRejectedError) -> None:
    print("Filen importerades inte; inget ändrades:", file=sys.stderr)
    for message in exc.messages:
        print(f"  {message}", file=sys.stderr)
    preview = getattr(exc, "preview", None)
    if isinstance(preview, SiePreview):
        # What the file is and what it would replace, so the admin can decide on --replace etc.
        print("\n".join(preview.lines()), file=sys.stderr)
        if preview.warnings:
            print(f"Varningar: {len(preview.warnings)}", file=sys.stderr)
            for warning in preview.warnings:
                print(f"  {warning}", file=sys.stderr)


def _import(args: argparse.Namespace, run: Callable[[Database, User, Path], Any]) -> tuple[int, Any]:
    """Run an import of `args.file` as `args.user`: (exit code, summary or None when refused)."""
    db = _db(args)
    actor = acting_user(db, args.user)
    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"Filen {path} finns inte")
    try:
        summary = run(db, actor, path)
    except ImportRejectedError as exc:
        _print_problems(exc)
        return 1, None
    print("\n".join(summary.lines()))
    return 0, summary


# The options of `import-sie` (--allow-unbalanced …), each passed on to `import_sie` under its name.
SIE_OPTIONS: dict[str, dict[str, Any]] = {
    "allow_unbalanced": {
        "action": "store_true",
        "help": "importera även om verifikationer inte balanserar (de listas som varningar)",
    },
    "new_organisation": {
        "action": "store_true",
        "help": "lägg till filens organisation i listan över organisationer och importera",
    },
    "organisation": {
        "metavar": "NNNNNN-NNNN",
        "help": "organisationen filen hör till, när filen saknar användbart organisationsnummer",
    },
    "replace": {
        "action": "store_true",
        "help": "ersätt huvudboken för samma organisation och år (utan: jämförelsen visas, inget ändras)",
    },
    "addition": {"metavar": "NAMN", "help": "spara en delexport (SIE 4I) som tillägg med detta namn"},
    "ignore_checksum": {
        "action": "store_true",
        "help": "importera trots att #KSUMMA inte stämmer (filen har ändrats eller är ofullständig)",
    },
}


def cmd_import_sie(args: argparse.Namespace) -> int:
    options = {name: getattr(args, name) for name in SIE_OPTIONS}
    code, summary = _import(args, lambda db, actor, path: import_sie(db, actor, path, **options))
    if summary is not None and not summary.already_imported:
        print(f"Tid: {summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rader/s)".replace(",", " "))
    return code


def cmd_sie_organisations(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    db = _db(args)
    if args.add:
        actor = acting_user(db, args.user)
        key = add_organisation(db, actor, args.add, args.name or "")
        print(f"{key} ({args.name.strip()}) är tillagd i listan över organisationer.")
        return 0
    rows = [
        {"organisationsnummer": r["org_no"], "namn": r["name"], "tillagd_av": r["added_by"]}
        for r in organisations(db).iter_rows(named=True)
    ]
    if not rows:
        print("Listan över organisationer är tom.")
        return 0
    print(render(rows, "table", ("organisationsnummer", "namn", "tillagd_av")))
    return 0


def cmd_import_lines(args: argparse.Namespace) -> int:
    return _import(args, lambda db, actor, path: import_lines(db, actor, path, kind=args.kind))[0]


def _line_rows(report: TertialReport) -> list[dict[str, Any]]:
    return kronor_rows(
        report.statement,
        {
            "line": "line",
            "actual": "actual_ore",
            "budget": "budget_ore",
            "previous_year": "previous_year_ore",
        },
    )


def _project_rows(report: TertialReport) -> list[dict[str, Any]]:
    return kronor_rows(report.objects, {"project": "object", "budget": "budget_ore", "actual": "actual_ore"})


def _object_rows(report: TertialReport) -> list[dict[str, Any]]:
    return [
        {
            "object": r["object"],
            "name": r["name"],
            "project_code": r["project_code"],
            "budget": kronor_json(r["budget_ore"]),
            "actual": kronor_json(r["actual_ore"]),
            "deviation": kronor_json(r["deviation_ore"]),
            "forecast": kronor_json(r["forecast_ore"]),
            "comment": r["comment"] or r["text"] or "",
        }
        for r in report.objects.iter_rows(named=True)
    ]


def cmd_report_tertial(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    db = _db(args)
    period = Period.parse(args.period)
    report = load_report(db, args.year, period, Scope.parse(args.scope))
    names = dict(core_store.parties_frame(db).select("code", "name").iter_rows())
    if args.format in ("xlsx", "pdf"):
        data = report_xlsx(report, names) if args.format == "xlsx" else report_pdf(report, names)
        out = Path(args.out or f"tertialrapport-{args.year}-{period.value}.{args.format}")
        out.write_bytes(data)
        print(f"{report.title} sparad i {out}. {report.source_text}")
        return 0
    if args.by == "line":
        if report.statement.is_empty():
            print(
                f"Ingen resultaträkning finns för {period.value} {args.year}: {report.source_text}"
                + (f" {report.result_text}" if report.result_ore is not None else ""),
                file=sys.stderr,
            )
            return 1
        rows = _line_rows(report)
        columns: tuple[str, ...] = ("line", "actual", "budget", "previous_year")
    elif args.by == "project":
        rows = _project_rows(report)
        columns = ("project", "budget", "actual")
    else:
        rows = _object_rows(report)
        columns = ("object", "name", "project_code", "budget", "actual", "deviation", "forecast", "comment")
    # JSON stays a plain list on stdout; which source was used goes to stderr.
    if args.format == "json":
        print(render(rows, "json"))
        print(report.source_text, file=sys.stderr)
    else:
        print(report.title)
        print(report.source_text)
        print(report.result_text)
        print(render(rows, "table", columns))
        if report.unmapped:
            print("Ej mappade konton: " + ", ".join(report.unmapped))
    return 0


def cmd_allocate(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    db = _db(args)
    period = Period.parse(args.period)
    item, amount, parts = ledger_keys.allocate_item(db, args.year, args.item, period)
    names = dict(core_store.parties_frame(db).select("code", "name").iter_rows())
    if args.format == "json":
        print(render([{"party": p, "amount": kronor_json(v)} for p, v in parts.items()], "json"))
        return 0
    print(f"{item['name']} {args.year}: {format_kr(amount)} fördelat med nyckeln '{item['key_name']}'")
    rows = [{"part": names.get(p, p), "belopp": format_kr(v)} for p, v in parts.items()]
    rows.append({"part": "Summa", "belopp": format_kr(sum(parts.values()))})
    print(render(rows, "table", ("part", "belopp")))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""

    p = sub.add_parser("import-sie", help="importera en SIE 4-fil till huvudboken (allt eller inget)")
    add_db_option(p)
    p.add_argument("file", metavar="FIL")
    for name, spec in SIE_OPTIONS.items():
        p.add_argument("--" + name.replace("_", "-"), **spec)
    p.add_argument("--user", help="e-postadress för den som importerar (annars systemet)")
    p.set_defaults(func=cmd_import_sie)

    p = sub.add_parser(
        "sie-organisations", help="organisationer vars SIE-filer hör till nämnden: lista eller lägg till"
    )
    add_db_option(p)
    p.add_argument("--add", metavar="NNNNNN-NNNN", help="lägg till ett organisationsnummer")
    p.add_argument("--name", help="organisationens namn (med --add)")
    p.add_argument("--user", help="e-postadress för den som lägger till (annars systemet)")
    p.set_defaults(func=cmd_sie_organisations)

    p = sub.add_parser("import-lines", help="importera budget- eller utfallsrader från CSV eller Excel")
    add_db_option(p)
    p.add_argument("file", metavar="FIL")
    p.add_argument(
        "--kind", choices=["utfall", "budget"], default="utfall", help="radtyp när kolumnen typ saknas"
    )
    p.add_argument("--user", help="e-postadress för den som importerar (annars systemet)")
    p.set_defaults(func=cmd_import_lines)

    p = sub.add_parser("report", help="rapporter: tertial")
    report_sub = p.add_subparsers(dest="report_command", required=True, metavar="RAPPORT")
    q = report_sub.add_parser("tertial", help="tertialrapport: resultaträkning, projekt eller objekt")
    add_db_option(q)
    q.add_argument("--year", type=int, required=True)
    q.add_argument("--period", required=True, help="T1, T2 eller helår")
    q.add_argument("--by", choices=["line", "project", "object"], default="line")
    q.add_argument(
        "--scope", default=None, help="nämnden (standard), 'objekt 6663' eller 'projekt GNS/8/2018'"
    )
    q.add_argument("--format", choices=["table", "json", "xlsx", "pdf"], default="table")
    q.add_argument("--out", help="fil för xlsx eller pdf")
    q.set_defaults(func=cmd_report_tertial)

    p = sub.add_parser("allocate", help="fördela en post (t.ex. basfinansiering) på parterna")
    add_db_option(p)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--item", required=True, help="postens namn, t.ex. basfinansiering")
    p.add_argument("--period", default="helår", help="T1, T2 eller helår (för poster ur huvudboken)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_allocate)
