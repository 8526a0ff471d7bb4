"""What every `portfolj` sub-command reads and writes the same way: dates, the acting user, --db,
refusals, and rows of kronor."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from portfolio import users_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from portfolio.errors import ImportRejectedError, NotFoundError, PermissionDeniedError
from portfolio.money import kronor_json


def iso_day(text: str) -> date:
    """An argparse type for a date written ÅÅÅÅ-MM-DD, refused in Swedish otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inget datum; skriv ÅÅÅÅ-MM-DD") from None


def acting_user(db: Database, email: str | None) -> User:
    """The acting user: --user EMAIL, else the system user (the command line runs as admin).
    Refused, with nothing changed, when there is no such account or it is disabled."""
    if not email:
        return SYSTEM
    found = users_store.find_user(db, email)
    if found is None:
        raise NotFoundError(f"Det finns inget konto med e-postadressen {email}; inget ändrades.")
    if not found[0].active:
        raise PermissionDeniedError(f"Kontot {email} är avstängt; inget ändrades.")
    return found[0]


def import_rejected(exc: ImportRejectedError) -> int:
    """Say on stderr why an all-or-nothing import was refused, one line a problem; exit code 1."""
    print(f"Importen avvisades; inget ändrades ({len(exc.messages)} fel):", file=sys.stderr)
    for message in exc.messages:
        print(f"  - {message}", file=sys.stderr)
    return 1


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The --db option of every command that opens the database."""
    parser.add_argument(
        "--db", help="databasfil (annars $PORTFOLJ_DB, annars data/portfolj.db)", default=None
    )


def documented_command(
    sub: argparse._SubParsersAction, name: str, help: str, doc: str | None
) -> argparse.ArgumentParser:
    """A sub-command whose --help shows `doc` (the module's docstring) with its line breaks kept."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def fail(message: str) -> int:
    """Say on stderr why the command was refused; 2 is the exit code of a refused command."""
    print(f"Fel: {message}", file=sys.stderr)
    return 2


def kronor_rows(frame: pl.DataFrame, columns: Mapping[str, str]) -> list[dict[str, Any]]:
    """Output rows {name: the frame's column}; a column in öre (`…_ore`) is given in kronor."""
    return [
        {name: kronor_json(r[col]) if col.endswith("_ore") else r[col] for name, col in columns.items()}
        for r in frame.iter_rows(named=True)
    ]
