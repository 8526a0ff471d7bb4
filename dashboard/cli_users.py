"""`portfolj user`: create, list and maintain accounts.

portfolj user add --name NAMN --email EPOST --role ROLL [--party PART] [--project KOD ...] [--password-stdin]
portfolj user list [--format table|json]
portfolj user edit EPOST [--name NAMN] [--role ROLL] [--party PART] [--project KOD ...] [--format table|json]
portfolj user disable EPOST | enable EPOST | unlock EPOST
portfolj user reset-password EPOST [--password-stdin]

The command line acts as the system administrator; the same service functions as the page
Användare check every rule and write the audit log.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from dashboard.cli_args import add_db_option, documented_command
from dashboard.cli_db import open_checked
from portfolio import accounts, users_store
from portfolio.auth import SYSTEM, Role
from portfolio.db import Database

LIST_COLUMNS = (
    "email",
    "name",
    "role",
    "party",
    "projects",
    "active",
    "has_password",
    "must_change_password",
    "locked_until",
)
PARTY_HELP = "parten med namn eller kod, valfritt skiftläge: Bräcke, 'Bräcke kommun' eller BRACKE"


def _render(rows: list[dict[str, Any]], fmt: str) -> str:
    from dashboard.cli import render

    return render(rows, fmt, LIST_COLUMNS)


def _password(args: argparse.Namespace) -> str | None:
    return sys.stdin.readline().rstrip("\n") if args.password_stdin else None


def account_rows(db: Database, email: str | None = None) -> list[dict[str, Any]]:
    """Every account (or the one with `email`) as the list shows it, without password hashes."""
    rows = [{c: r[c] for c in LIST_COLUMNS} for r in users_store.users_frame(db).iter_rows(named=True)]
    return [r for r in rows if email is None or r["email"].casefold() == email.strip().casefold()]


def cmd_add(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    uid = accounts.create_user(
        db,
        SYSTEM,
        email=args.email,
        name=args.name,
        role=args.role,
        party=args.party,
        project_codes=tuple(args.project or ()),
        password=_password(args),
    )
    print(f"Kontot {args.email} är skapat (id {uid}).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    print(_render(account_rows(open_checked(args.db)), args.format))
    return 0


def edited_fields(account: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The account's fields with the options given; bindings the new role cannot hold are dropped."""
    role = Role(args.role) if args.role else Role(account["role"])
    keeps_party = role in (Role.KOMMUNCHEF, Role.NAMND)
    party = args.party if args.party is not None else (account["party"] if keeps_party else None)
    projects = args.project if args.project is not None else account["projects"]
    return {
        "name": args.name if args.name is not None else account["name"],
        "role": role.value,
        "party": party,
        "project_codes": tuple(projects) if role is Role.PROJEKTLEDARE or args.project else (),
        "version": account["version"],
    }


def cmd_edit(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    account = users_store.user_account(db, args.email.strip())
    if account is None:
        print(f"Fel: det finns inget konto med e-postadressen {args.email}", file=sys.stderr)
        return 1
    changed = accounts.edit_user(db, SYSTEM, account["email"], **edited_fields(account, args))
    print(
        f"Kontot {account['email']} är ändrat."
        if changed
        else f"Kontot {account['email']} hade redan de uppgifterna; inget ändrades.",
        file=sys.stderr if args.format == "json" else sys.stdout,
    )
    print(_render(account_rows(db, account["email"]), args.format))
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    accounts.set_active(open_checked(args.db), SYSTEM, args.email, False)
    print(f"Kontot {args.email} är avstängt.")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    accounts.set_active(open_checked(args.db), SYSTEM, args.email, True)
    print(f"Kontot {args.email} är aktiverat igen.")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    password = _password(args)
    accounts.reset_password(open_checked(args.db), SYSTEM, args.email, password)
    if password is None:
        print(
            f"Kontot {args.email} har nu inget lösenord och kan inte logga in med lösenord förrän"
            " en administratör sätter ett (portfolj user reset-password EPOST --password-stdin)."
        )
    else:
        print(
            f"Kontot {args.email} har fått ett tillfälligt lösenord; vid nästa inloggning måste"
            " användaren välja ett nytt."
        )
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    accounts.unlock(open_checked(args.db), SYSTEM, args.email)
    print(f"Kontot {args.email} är upplåst; de misslyckade inloggningarna är nollställda.")
    return 0


def _format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat")


def _email_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", metavar="EPOST", help="kontots e-postadress")


def _action(
    actions: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int], **kwargs: Any
) -> argparse.ArgumentParser:
    """The parser of `portfolj user NAME`, running `func`, with its --db option."""
    parser: argparse.ArgumentParser = actions.add_parser(name, **kwargs)
    add_db_option(parser)
    parser.set_defaults(func=func)
    return parser


def register(sub: argparse._SubParsersAction) -> None:
    """Add `portfolj user` and its actions to the parser."""
    p = documented_command(
        sub, "user", "konton: add, list, edit, disable, enable, reset-password, unlock", __doc__
    )
    actions = p.add_subparsers(dest="user_command", required=True, metavar="ÅTGÄRD")
    roles = [r.value for r in Role]

    q = _action(actions, "add", cmd_add, help="skapa ett konto")
    q.add_argument("--name", required=True, metavar="NAMN", help="för- och efternamn")
    q.add_argument(
        "--email", required=True, metavar="EPOST", help="e-postadressen, som också är inloggningen"
    )
    q.add_argument("--role", required=True, choices=roles, help="roll")
    q.add_argument("--party", metavar="PART", help=f"(kommunchef) {PARTY_HELP}")
    q.add_argument(
        "--project", nargs="*", metavar="KOD", help="(projektledare) projektkoder, t.ex. GNS/8/2018"
    )
    q.add_argument(
        "--password-stdin", action="store_true", help="läs lösenordet (minst 12 tecken) från standard in"
    )

    _format_arg(_action(actions, "list", cmd_list, help="lista konton (utan lösenord)"))

    q = _action(
        actions,
        "edit",
        cmd_edit,
        help="ändra namn, roll, part eller projekt; det som inte anges behålls",
        description="Ändra ett konto. Det som inte anges behålls, utom bindningar som den nya rollen "
        "inte kan ha (part för andra än kommunchef och nämnd, projekt för andra än projektledare).",
    )
    _email_arg(q)
    q.add_argument("--name", metavar="NAMN", help="nytt namn")
    q.add_argument("--role", choices=roles, help="ny roll")
    q.add_argument("--party", metavar="PART", help=f"{PARTY_HELP}; --party '' tar bort parten")
    q.add_argument(
        "--project",
        nargs="*",
        metavar="KOD",
        help="projektkoder som ersätter de nuvarande; --project utan koder tar bort alla",
    )
    _format_arg(q)

    for name, text, func in (
        ("disable", "stäng av ett konto (det kan inte logga in)", cmd_disable),
        ("enable", "aktivera ett avstängt konto igen", cmd_enable),
        ("unlock", "lås upp ett konto som spärrats efter fem misslyckade inloggningar", cmd_unlock),
    ):
        _email_arg(_action(actions, name, func, help=text))

    q = _action(
        actions,
        "reset-password",
        cmd_reset_password,
        help="sätt ett tillfälligt lösenord (eller inget); användaren väljer ett nytt vid nästa inloggning",
    )
    _email_arg(q)
    q.add_argument(
        "--password-stdin",
        action="store_true",
        help="läs det tillfälliga lösenordet från standard in; utan det har kontot inget lösenord",
    )
