"""`portfolj api-key`: set up an integration (Power BI, Excel, a script) without the browser.

portfolj api-key create --user EPOST --name NAMN   # skriver ut nyckeln en gång
portfolj api-key list [--user EPOST] [--format table|json]
portfolj api-key revoke ID

The command line acts as the system administrator: it creates and revokes keys for any account,
through the same service functions as the page API-nycklar, which write the audit log. `create`
prints only the key on standard output (`KEY=$(portfolj api-key create …)`), and what to do with
it on standard error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dashboard.cli_args import add_db_option, documented_command
from dashboard.cli_db import open_checked
from portfolio import clock
from portfolio.apikeys import service as apikeys
from portfolio.auth import SYSTEM
from portfolio.db import Database

LIST_COLUMNS = ("id", "user", "name", "hint", "created", "last_used", "revoked")


def cmd_create(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    created = apikeys.create_key(db, SYSTEM, owner_email=args.user, name=args.name)
    print(
        f"API-nyckeln '{created.name}' (id {created.id}) för {created.user_email} är skapad."
        " Spara den nu, till exempel i Power BI eller Excel: den visas inte igen."
        " Skicka den i huvudet 'Authorization: Bearer <nyckel>'.",
        file=sys.stderr,
    )
    print(created.key)
    return 0


def key_rows(db: Database, email: str | None, fmt: str) -> list[dict[str, Any]]:
    """The keys (one account's, or everyone's) as the list shows them: never a key or its hash."""
    frame = apikeys.keys_of(db, SYSTEM, email) if email else apikeys.all_keys(db, SYSTEM)

    def when(stamp: str | None) -> str | None:
        # JSON keeps the stored UTC time; a person at a terminal reads Swedish local time.
        return stamp if fmt == "json" else clock.local_text(stamp, empty="")

    return [
        {
            "id": r["id"],
            "user": r["user_email"],
            "name": r["name"],
            "hint": f"{r['hint']}…",
            "created": when(r["created_at"]),
            "last_used": when(r["last_used_at"]),
            "revoked": when(r["revoked_at"]),
        }
        for r in frame.iter_rows(named=True)
    ]


def cmd_list(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    rows = key_rows(open_checked(args.db), args.user, args.format)
    if not rows and args.format == "table":
        print("Inga API-nycklar" + (f" för {args.user}." if args.user else "."))
        return 0
    print(render(rows, args.format, LIST_COLUMNS))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    if apikeys.revoke_key(db, SYSTEM, args.id):
        print(f"API-nyckel {args.id} är återkallad; den fungerar inte längre.")
    else:
        print(f"API-nyckel {args.id} var redan återkallad; inget ändrades.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""
    p = documented_command(
        sub, "api-key", "personliga API-nycklar för läs-API:t (Power BI, Excel, skript)", __doc__
    )
    key_sub = p.add_subparsers(dest="api_key_command", required=True, metavar="ÅTGÄRD")

    q = key_sub.add_parser("create", help="skapa en nyckel åt ett konto och skriv ut den en gång")
    add_db_option(q)
    q.add_argument("--user", required=True, metavar="EPOST", help="kontot som nyckeln läser som")
    q.add_argument("--name", required=True, metavar="NAMN", help="vad nyckeln används till, t.ex. 'Power BI'")
    q.set_defaults(func=cmd_create)

    q = key_sub.add_parser("list", help="lista nycklar (aldrig själva nycklarna)")
    add_db_option(q)
    q.add_argument("--user", metavar="EPOST", help="bara detta kontos nycklar")
    q.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat")
    q.set_defaults(func=cmd_list)

    q = key_sub.add_parser("revoke", help="återkalla en nyckel; den slutar fungera direkt")
    add_db_option(q)
    q.add_argument("id", type=int, metavar="ID", help="nyckelns id (se api-key list)")
    q.set_defaults(func=cmd_revoke)
