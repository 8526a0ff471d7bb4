"""`portfolj calendar` and `portfolj status-report`: the reporting cycle from a terminal.

portfolj calendar list [--year 2019]
portfolj calendar set --year 2020 --period T1 [--meeting D] [--report-deadline D] [--review-deadline D]
portfolj calendar due [--today D]
portfolj calendar must-report --project GNS/8/2018 --value ja|nej|fas
portfolj status-report draft --project GNS/8/2018 --year 2019 --period T2 [--user EMAIL]
portfolj status-report edit --draft ID --time grön --cost gul --cost-reason TEXT ... [--user EMAIL]
portfolj status-report publish --draft ID [--reason TEXT] [--user EMAIL]
portfolj status-report correct --report ID [--user EMAIL]
portfolj status-report list --project GNS/8/2018
portfolj status-report show --report ID
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from dashboard.cli_args import acting_user, add_db_option, iso_day
from dashboard.cli_db import open_checked
from portfolio import clock
from portfolio import store as core_store
from portfolio.db import Database
from portfolio.errors import NotFoundError
from portfolio.models import parse
from portfolio.money import format_kr
from portfolio.reporting import service
from portfolio.reporting import store as reporting_store
from portfolio.reporting.model import DIMENSIONS, REPORT_FIELDS, CalendarInput, days_text, snapshot_label


def _print(rows: list[dict[str, Any]], fmt: str) -> None:
    from dashboard.cli import render

    print(render(rows, fmt) if rows else "(inga)")


# --- calendar -------------------------------------------------------------------------------


def cmd_calendar_list(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    frame = service.calendar_frame(db, args.year)
    rows = [
        {
            "år": r["year"],
            "period": r["period"],
            "från": r["start_date"],
            "till": r["end_date"],
            "sammanträde": r["meeting_date"] or "–",
            "statusrapporter senast": r["report_deadline"],
            "granskning senast": r["review_deadline"],
            "version": r["version"],
        }
        for r in frame.to_dicts()
    ]
    _print(rows, args.format)
    return 0


def cmd_calendar_set(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    data = parse(
        CalendarInput,
        {
            "year": args.year,
            "period": args.period,
            "start": args.start,
            "end": args.end,
            "meeting": args.meeting,
            "report_deadline": args.report_deadline,
            "review_deadline": args.review_deadline,
            "note": args.note or "",
        },
    )
    current = reporting_store.period_row(db, data.year, data.period)
    service.set_period(db, acting_user(db, args.user), data, version=current["version"] if current else None)
    row = reporting_store.period_row(db, data.year, data.period)
    assert row is not None
    print(
        f"{'Ändrade' if current else 'Lade till'} {data.period} {data.year}: statusrapporter senast"
        f" {row['report_deadline']}, granskning senast {row['review_deadline']}"
        f" (sammanträde {row['meeting_date'] or 'inget'})."
    )
    return 0


def cmd_calendar_due(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    today = args.today or clock.today()
    rows = [
        {
            "projekt": r.project_code,
            "period": f"{r.period} {r.year}",
            "senast": r.deadline.isoformat(),
            "läge": "publicerad"
            if r.published
            else (f"saknas, {days_text(r.days_overdue)} sen" if r.days_overdue else "saknas"),
        }
        for r in service.due_reports(db, today)
    ]
    _print(rows, args.format)
    for review in service.review_deadlines(db, today):
        missing = ", ".join(review.parties) or "ingen"
        print(f"Granskning {review.period} {review.year} senast {review.deadline}: ej granskat av {missing}")
    return 0


OBLIGATION = {"fas": None, "ja": True, "nej": False}


def cmd_must_report(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    service.set_must_report(
        db, acting_user(db, args.user), _project_id(db, args.project), OBLIGATION[args.value]
    )
    said = {"fas": "enligt sin fas (aktiva faser rapporterar)", "ja": "alltid", "nej": "inte"}[args.value]
    print(f"{args.project} rapporterar {said}.")
    return 0


# --- status reports -------------------------------------------------------------------------


def _project_id(db: Database, code: str) -> int:
    return core_store.project_id_for(db, code)


def cmd_draft(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    draft_id = service.start_draft(
        db, acting_user(db, args.user), _project_id(db, args.project), args.year, args.period
    )
    draft = reporting_store.draft(db, draft_id)
    assert draft is not None
    kind = "rättelse av publicerad rapport" if draft["corrects_id"] else "utkast"
    print(
        f"Skapade {kind} {draft_id} för {args.project} {args.period} {args.year}"
        " (kopia av senaste publicerade)."
    )
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    draft = reporting_store.draft(db, args.draft)
    if draft is None:
        raise NotFoundError(
            f"Utkastet {args.draft} finns inte. En publicerad rapport ändras inte; gör en rättelse"
            " med `portfolj status-report correct --report ID`."
        )
    data = {f: draft[f] for f in REPORT_FIELDS}
    for key in DIMENSIONS:
        status = getattr(args, key)
        reason = getattr(args, f"{key}_reason")
        if status is not None:
            data[f"{key}_status"] = status or None
        if reason is not None:
            data[f"{key}_reason"] = reason
    if args.next_steps is not None:
        data["next_steps"] = args.next_steps
    if args.reported_on is not None:
        data["reported_on"] = args.reported_on
    service.save_draft(db, acting_user(db, args.user), args.draft, data, version=draft["version"])
    print(f"Sparade utkast {args.draft}.")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    draft = reporting_store.draft(db, args.draft)
    version = draft["version"] if draft else 0
    report_id = service.publish(
        db, acting_user(db, args.user), args.draft, version=version, reason=args.reason or ""
    )
    report = reporting_store.published(db, report_id)
    assert report is not None
    print(
        f"Publicerade rapport {report_id} ({report['period']} {report['year']},"
        f" version {report['report_version']}) med fruset underlag."
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    draft_id = service.correct(db, acting_user(db, args.user), args.report)
    print(
        f"Skapade rättelse (utkast {draft_id}) av rapport {args.report}. Ändra den med"
        " `status-report edit` och publicera med ett skäl; den publicerade rapporten står kvar."
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    pid = _project_id(db, args.project) if args.project else None
    rows = [
        {
            "id": r["id"],
            "projekt": r["project_code"],
            "period": f"{r['period']} {r['year']}",
            "version": r["report_version"],
            "publicerad": clock.local_text(r["published_at"]),
            "totalt": r["overall_status"],
            "underlag": "fruset" if r["snapshot"] else "ej sparat",
            "skäl till rättelse": r["correction_reason"] or "",
        }
        for r in reporting_store.published_frame(db, pid).to_dicts()
    ]
    if pid is not None:
        rows += [
            {
                "id": f"utkast {d['id']}",
                "projekt": args.project,
                "period": f"{d['period']} {d['year']}",
                "version": "–",
                "publicerad": "nej",
                "totalt": d["overall_status"] or "–",
                "underlag": "–",
                "skäl till rättelse": "",
            }
            for d in reporting_store.drafts_of(db, pid)
        ]
    _print(rows, args.format)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    report = reporting_store.published(db, args.report)
    if report is None:
        raise NotFoundError(f"Statusrapport {args.report} finns inte.")
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"Rapport {report['id']}: {report['period']} {report['year']}, version {report['report_version']}")
    print(f"Publicerad {clock.local_text(report['published_at'])}, rapportdatum {report['reported_on']}")
    if report["correction_reason"]:
        print(f"Rättelse av rapport {report['corrects_id']}: {report['correction_reason']}")
    for key, label in DIMENSIONS.items():
        status = report[f"{key}_status"] or "ej angiven"
        reason = report[f"{key}_reason"] or ""
        print(f"  {label}: {status}{' – ' + reason if reason else ''}")
    print(f"  Nästa steg: {report['next_steps'] or '–'}")
    snap = report["snapshot"]
    print(snapshot_label(snap))
    if snap:
        print(
            f"  Budget {format_kr(snap['budget_ore'])}, utfall {format_kr(snap['actual_ore'])},"
            f" prognos {format_kr(snap['forecast_ore'])}"
        )
        for risk in snap["risks"]:
            print(
                f"  Risk: {risk['title']} (sannolikhet {risk['probability']} × konsekvens"
                f" {risk['consequence']} = {risk['score']}, {risk['band']})"
            )
        for benefit in snap["benefits"]:
            latest = benefit["latest_value"] or "ingen mätning"
            when = f" ({benefit['measured_on']})" if benefit["measured_on"] else ""
            print(f"  Nytta: {benefit['title']}: {latest}{when}")
    return 0


def _db(p: argparse.ArgumentParser) -> None:
    add_db_option(p)


def _user(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", metavar="E-POST", help="den som utför ändringen (annars systemet)")


def _fmt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="utdataformat")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `calendar` and `status-report` and their sub-commands to the parser."""
    cal = sub.add_parser("calendar", help="rapportkalendern: perioder och sista dagar")
    cal_cmds = cal.add_subparsers(dest="calendar_command", required=True)
    p = cal_cmds.add_parser("list", help="periodernas sista dagar")
    _db(p)
    _fmt(p)
    p.add_argument("--year", type=int, help="bara det här året")
    p.set_defaults(func=cmd_calendar_list)
    p = cal_cmds.add_parser(
        "set", help="lägg till eller ändra en period (sista dagar räknas från sammanträdet)"
    )
    _db(p)
    _user(p)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--period", required=True, help="T1, T2, helår eller ett eget namn")
    p.add_argument("--start", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="första dag (krävs för egna perioder)")
    p.add_argument("--end", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="sista dag (krävs för egna perioder)")
    p.add_argument(
        "--meeting", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="sammanträdet där rapporten redovisas"
    )
    p.add_argument(
        "--report-deadline", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="sista dag för statusrapporter"
    )
    p.add_argument("--review-deadline", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="sista dag för granskningen")
    p.add_argument("--note", help="anteckning")
    p.set_defaults(func=cmd_calendar_set)
    p = cal_cmds.add_parser("due", help="vilka rapporter och granskningar som väntar eller är sena")
    _db(p)
    _fmt(p)
    p.add_argument("--today", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="räkna som om i dag vore")
    p.set_defaults(func=cmd_calendar_due)
    p = cal_cmds.add_parser("must-report", help="om ett projekt ska rapportera (annars enligt fas)")
    _db(p)
    _user(p)
    p.add_argument("--project", required=True, help="ärende- eller objektkod")
    p.add_argument("--value", required=True, choices=list(OBLIGATION), help="fas, ja eller nej")
    p.set_defaults(func=cmd_must_report)

    rep = sub.add_parser("status-report", help="statusrapporter: utkast, publicering, rättelse, historik")
    cmds = rep.add_subparsers(dest="report_command", required=True)
    p = cmds.add_parser("draft", help="börja periodens rapport som kopia av den senaste publicerade")
    _db(p)
    _user(p)
    p.add_argument("--project", required=True, help="ärende- eller objektkod")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--period", required=True)
    p.set_defaults(func=cmd_draft)
    p = cmds.add_parser("edit", help="ändra ett utkast (en publicerad rapport ändras inte)")
    _db(p)
    _user(p)
    p.add_argument("--draft", type=int, required=True)
    p.add_argument("--reported-on", type=iso_day, metavar="ÅÅÅÅ-MM-DD")
    for key, label in DIMENSIONS.items():
        p.add_argument(f"--{key}", choices=["grön", "gul", "röd", ""], help=f"status för {label.lower()}")
        p.add_argument(f"--{key}-reason", help=f"skäl för {label.lower()}")
    p.add_argument("--next-steps", help="nästa steg")
    p.set_defaults(func=cmd_edit)
    p = cmds.add_parser("publish", help="publicera ett utkast med fruset underlag")
    _db(p)
    _user(p)
    p.add_argument("--draft", type=int, required=True)
    p.add_argument(
        "--reason", help="skäl till rättelsen (krävs när perioden redan har en publicerad rapport)"
    )
    p.set_defaults(func=cmd_publish)
    p = cmds.add_parser("correct", help="rätta en publicerad rapport (blir en ny version)")
    _db(p)
    _user(p)
    p.add_argument("--report", type=int, required=True)
    p.set_defaults(func=cmd_correct)
    p = cmds.add_parser("list", help="publicerade rapporter (och projektets utkast)")
    _db(p)
    _fmt(p)
    p.add_argument("--project", help="ärende- eller objektkod")
    p.set_defaults(func=cmd_list)
    p = cmds.add_parser("show", help="en publicerad rapport med sitt underlag")
    _db(p)
    p.add_argument("--report", type=int, required=True)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_show)
