"""`portfolj meeting`: a meeting's documents and its life from a terminal.

portfolj meeting kallelse --date 2020-02-14 --out kallelse.pdf
portfolj meeting protokoll --date 2019-06-03 --format pdf|docx --out protokoll.pdf
portfolj meeting state --date 2020-02-14 --to genomfört
portfolj meeting state --date 2020-02-14 --to justerat --justering-date 2020-02-21 --justerare NAMN
portfolj meeting attach --date 2020-03-27 --item 3 underlag.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.cli_args import acting_user, add_db_option, iso_day
from dashboard.cli_db import open_checked
from portfolio.errors import InvalidInputError, NotFoundError
from portfolio.governance import attachments as files
from portfolio.governance import service as governance
from portfolio.governance.model import STATES, JusteringInput, parse
from registers.meetings import documents


def _write(out: str, content: bytes) -> int:
    Path(out).write_bytes(content)
    print(f"Skrev {out} ({len(content)} byte)")
    return 0


def cmd_kallelse(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    meeting = governance.meeting_on(db, args.date)
    return _write(args.out, documents.kallelse_pdf(db, meeting["id"]))


def cmd_protokoll(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    meeting = governance.meeting_on(db, args.date)
    build = documents.protocol_pdf if args.format == "pdf" else documents.protocol_docx
    return _write(args.out, build(db, meeting["id"]))


def cmd_state(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    meeting = governance.meeting_on(db, args.date)
    justering = None
    if args.to == "justerat":
        justering = parse(
            JusteringInput,
            {
                "date": args.justering_date,
                "place": args.justering_place,
                "justerare": args.justerare,
                "anslag_up": args.anslag_up,
                "anslag_down": args.anslag_down,
            },
        )
    governance.change_state(db, acting_user(db, args.user), meeting["id"], args.to, justering=justering)
    print(f"Sammanträdet {args.date} är nu {args.to}.")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    meeting = governance.meeting_on(db, args.date)
    items = governance.meeting_items(db, meeting["id"])
    item = next((i for i in items if i["number"] == args.item), None)
    if item is None:
        numbers = ", ".join(str(i["number"]) for i in items if i["number"] is not None) or "inga"
        raise InvalidInputError(
            [f"Sammanträdet {args.date} har ingen punkt {args.item} (punkter: {numbers})"]
        )
    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"Filen {path} finns inte")
    if path.stat().st_size > files.MAX_BYTES:
        raise InvalidInputError(
            [f"Filen är större än {files.MAX_MB} MB; en bilaga får vara högst {files.MAX_MB} MB"]
        )
    governance.attach_file(db, acting_user(db, args.user), item["id"], path.name, path.read_bytes())
    print(f"{path.name} är bifogad till {item['title']}.")
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    add_db_option(p)
    p.add_argument("--date", required=True, type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="sammanträdets datum")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `meeting` and its sub-commands to the parser."""
    meeting = sub.add_parser(
        "meeting", help="sammanträdets handlingar: kallelse, protokoll, läge och bilagor"
    )
    commands = meeting.add_subparsers(dest="meeting_command", required=True)

    p = commands.add_parser("kallelse", help="kallelse med handlingar som tillgänglig PDF")
    _common(p)
    p.add_argument("--out", required=True, metavar="FIL.pdf", help="fil att skriva")
    p.set_defaults(func=cmd_kallelse)

    p = commands.add_parser("protokoll", help="protokollet: utkast som DOCX, justerat som PDF")
    _common(p)
    p.add_argument(
        "--format", choices=["pdf", "docx"], default="pdf", help="pdf (justerat) eller docx (utkast)"
    )
    p.add_argument("--out", required=True, metavar="FIL", help="fil att skriva")
    p.set_defaults(func=cmd_protokoll)

    p = commands.add_parser("state", help="för sammanträdet ett steg vidare: kallat, genomfört, justerat")
    _common(p)
    p.add_argument("--to", required=True, choices=list(STATES[1:]), help="nästa läge")
    p.add_argument("--justering-date", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="justeringens datum")
    p.add_argument("--justering-place", metavar="PLATS", help="justeringens plats")
    p.add_argument("--justerare", metavar="NAMN", help="den som justerar")
    p.add_argument("--anslag-up", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="anslaget sätts upp")
    p.add_argument("--anslag-down", type=iso_day, metavar="ÅÅÅÅ-MM-DD", help="anslaget tas ned")
    p.add_argument("--user", metavar="EPOST", help="den som gör ändringen (annars systemet)")
    p.set_defaults(func=cmd_state)

    p = commands.add_parser(
        "attach", help=f"bifoga ett beslutsunderlag (PDF, DOCX, XLSX, högst {files.MAX_MB} MB)"
    )
    _common(p)
    p.add_argument("--item", required=True, type=int, metavar="N", help="punktens eller paragrafens nummer")
    p.add_argument("file", metavar="FIL", help="filen att bifoga")
    p.add_argument("--user", metavar="EPOST", help="den som bifogar (annars systemet)")
    p.set_defaults(func=cmd_attach)
