"""`portfolj todo` and `portfolj remind`: Att göra and its e-mail reminders from a terminal.

portfolj todo [--user EPOST] [--today ÅÅÅÅ-MM-DD] [--format table|json]
portfolj remind [--dry-run] [--today ÅÅÅÅ-MM-DD]

`remind` is meant to run once a day (cron or a systemd timer, see README). It sends each user one
e-mail with the reminders that are due (a week before a deadline, and once it is missed), through
the SMTP server in PORTFOLJ_SMTP_HOST/PORT/USER/PASSWORD/STARTTLS/FROM or in the TOML file named
by PORTFOLJ_SMTP_CONFIG. Each reminder is sent once and logged. Without SMTP nothing is sent: the
same items appear only under Att göra. `--dry-run` lists what would be sent and changes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from dashboard.cli_args import add_db_option, documented_command, iso_day
from dashboard.cli_db import open_checked
from dashboard.todo_data import URL_PATHS, inputs
from portfolio import clock, users_store
from portfolio.db import Database
from portfolio.errors import NotFoundError
from portfolio.reminders import mail, settings
from portfolio.todo import logic
from portfolio.todo import service as todo
from portfolio.todo.model import TodoItem

BASE_URL_ENV = "PORTFOLJ_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8501"
TODO_COLUMNS = ("user", "kind", "item", "deadline", "page")


def link_for(base: str) -> Callable[[TodoItem], str | None]:
    """The full address of the page where an item is done, with its choices in the query string."""

    def link(item: TodoItem) -> str | None:
        path = URL_PATHS.get(item.page)
        if path is None:
            return None
        query = urlencode(item.params, safe="/")
        return f"{base.rstrip('/')}/{path}" + (f"?{query}" if query else "")

    return link


def todo_rows(db: Database, today: date, email: str | None) -> list[dict[str, Any]]:
    """Every active user's items (or one user's), as the table shows them."""
    if email:
        found = users_store.find_user(db, email)
        if found is None or not found[0].active:
            raise NotFoundError(f"Det finns inget aktivt konto med e-postadressen {email}")
        users = [found[0]]
    else:
        users = todo.active_users(db)
    data = inputs(db, today)
    link = link_for("")
    return [
        {
            "user": user.email,
            "kind": item.kind.value,
            "item": item.text,
            "deadline": item.when_text(today),
            "page": link(item) or "",
        }
        for user in users
        for item in logic.items_for(user, data)
    ]


def cmd_todo(args: argparse.Namespace) -> int:
    from dashboard.cli import render

    today = args.today or clock.today()
    rows = todo_rows(open_checked(args.db), today, args.user)
    if not rows and args.format == "table":
        who = args.user or "någon"
        print(f"Inget att göra för {who} {today.isoformat()}.")
        return 0
    print(render(rows, args.format, TODO_COLUMNS))
    return 0


def _count(n: int) -> str:
    return f"{n} {'påminnelse' if n == 1 else 'påminnelser'}"


def _print_reminders(reminders: list[logic.Reminder], today: date) -> None:
    for reminder in reminders:
        late = " (försenad)" if reminder.stage == logic.MISSED else ""
        print(f"- till {reminder.email}{late}: {reminder.item.text}, {reminder.item.when_text(today)}")


def cmd_remind(args: argparse.Namespace) -> int:
    today = args.today or clock.today()
    db = open_checked(args.db)
    smtp = settings.load()
    pending = todo.pending_reminders(db, inputs(db, today))
    recipients = len({r.user_id for r in pending})
    if args.dry_run:
        how = f"via {smtp.describe()}" if smtp else "(SMTP är inte inställt: de syns bara under Att göra)"
        if not pending:
            print(f"Inga påminnelser att skicka {today.isoformat()}.")
            return 0
        print(f"Skulle skicka {_count(len(pending))} till {recipients} mottagare {how}:")
        _print_reminders(pending, today)
        print("Provkörning: inget skickades och inget sparades.")
        return 0
    if not pending:
        print(f"Inga påminnelser att skicka {today.isoformat()}.")
        return 0
    if smtp is None:
        print(
            "SMTP är inte inställt (PORTFOLJ_SMTP_HOST eller PORTFOLJ_SMTP_CONFIG):"
            f" {_count(len(pending))} skickades inte och syns bara under Att göra."
        )
        return 0
    link = link_for(os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    sent = messages = 0
    with mail.Sender(smtp) as sender:
        for _, group in groupby(pending, key=lambda r: r.user_id):
            batch = list(group)
            message = mail.compose(smtp, batch, today, link)
            try:
                sender.send(message)
            except mail.MailError as exc:
                print(f"Fel: {exc}. {_count(sent)} hann skickas och är loggade.", file=sys.stderr)
                return 1
            sent += todo.record_sent(db, batch, str(message["Subject"]))
            messages += 1
    mails = f"{messages} {'e-postmeddelande' if messages == 1 else 'e-postmeddelanden'}"
    print(f"Skickade {_count(sent)} i {mails} via {smtp.host}:{smtp.port}.")
    _print_reminders(pending, today)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the parser."""

    def common(q: argparse.ArgumentParser) -> None:
        add_db_option(q)
        q.add_argument(
            "--today",
            type=iso_day,
            default=None,
            metavar="ÅÅÅÅ-MM-DD",
            help="räkna som om det vore den dagen",
        )

    p = documented_command(sub, "todo", "Att göra: vad varje användare har att göra", __doc__)
    common(p)
    p.add_argument("--user", metavar="EPOST", help="bara detta kontos Att göra")
    p.add_argument("--format", choices=["table", "json"], default="table", help="utdataformat")
    p.set_defaults(func=cmd_todo)

    p = documented_command(
        sub,
        "remind",
        "skicka påminnelser med e-post (en gång om dagen från cron eller en systemd-timer)",
        __doc__,
    )
    common(p)
    p.add_argument(
        "--dry-run", action="store_true", help="visa vad som skulle skickas; skicka och spara inget"
    )
    p.set_defaults(func=cmd_remind)
