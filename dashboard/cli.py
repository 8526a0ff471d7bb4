"""The `portfolj` command: seed, serve and read the portfolio from a terminal."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dashboard import (
    cli_apikeys,
    cli_bench,
    cli_benefits,
    cli_bruttolista,
    cli_governance,
    cli_ledger,
    cli_meetings,
    cli_projects,
    cli_report,
    cli_reporting,
    cli_risks,
    cli_surveys,
    cli_todo,
    cli_users,
    config,
)
from dashboard.cli_args import add_db_option, kronor_rows
from dashboard.cli_db import open_checked
from portfolio import db as core_db
from portfolio import store, uploads
from portfolio.errors import PortfoljError
from portfolio.overview import with_deviation
from registers.database import check_database, known_migrations, open_database, restore_database

APP = Path(__file__).resolve().parent / "server.py"


def _format_arg(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument("--format", choices=list(choices), default="table", help="utdataformat")


def render(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Rows as an aligned text table, JSON or CSV."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        from portfolio.textsafe import csv_cell

        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        # Text that a spreadsheet would run as a formula is escaped; numbers stay numbers.
        writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
        return out.getvalue().rstrip("\n")
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def cmd_seed(args: argparse.Namespace) -> int:
    from seed.loader import seed_database

    path = config.db_path(args.db)
    if args.reset and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if path.exists() and path.stat().st_size == 0:
        path.unlink()  # an empty file is a database yet to be created, not a damaged one
    check_database(path)
    db = open_database(path, migrate=True)
    inserted = seed_database(db)
    total = sum(inserted.values())
    if total:
        details = ", ".join(f"{k}: {v}" for k, v in inserted.items() if v)
        print(f"Grunddata inläst i {path} ({details}).")
    else:
        print(f"Databasen {path} innehåller redan all grunddata; inget ändrades.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    path = config.db_path(args.db).resolve()
    # The full integrity check reads the whole file (about 1 s on the large tier) inside SQLite,
    # which lets other threads run: Streamlit's server modules load meanwhile.
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(check_database, path, quick=False)
        _load_server_modules()
        checked.result()  # a damaged, foreign or newer file is refused here, before any server
    # The only place a running server's schema is brought up to date: page runs never migrate.
    open_database(path, migrate=True).close()
    os.environ.update(
        PORTFOLJ_DB=str(path),
        PORTFOLJ_DB_CHECKED=str(path),  # checked in full above; the app need not check it again
        PORTFOLJ_DEMO="1" if args.demo else "0",
    )
    options = [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # No watching of source files: a served app does not change under it, and the watcher
        # walked every loaded module after each run of each session (most of a new session's
        # cost with 15 sessions at once; docs/performance.md).
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
        # Select boxes declare the value they hold as their default (ui.held_index); Streamlit
        # would log that as a possible mistake in the run that sets such a value.
        "--global.disableWidgetStateDuplicationWarning",
        "true",
        # The largest upload any page takes (a SIE file); each importer checks its own, lower limit.
        "--server.maxUploadSize",
        str(uploads.SIE_FILE.max_bytes // 1_000_000),
        # A darker text colour keeps captions (text at 60 % opacity) above WCAG AA contrast.
        "--theme.base",
        "light",
        "--theme.textColor",
        "#10131a",
    ]
    print(f"portfolj körs på http://127.0.0.1:{args.port} med databasen {path}", flush=True)
    # Files the server creates (database, WAL, SHM) are readable by their owner only.
    os.umask(0o077)
    run_streamlit(["run", str(APP), *options])
    return 0


def _load_server_modules() -> None:
    """Import what the server needs (Streamlit's CLI and ASGI server, the app's routes)."""
    import streamlit.web.cli
    import streamlit.web.server.starlette.starlette_server  # noqa: F401

    import dashboard.api
    import dashboard.web  # noqa: F401


def run_streamlit(arguments: list[str]) -> None:
    """`streamlit ARGUMENTS` in this process, until the server stops (Ctrl-C or SIGTERM).

    In this process rather than a new one: every module the command has loaded is already here
    (about 1.5 s of imports on this machine), and a signal to this PID reaches the server."""
    import click
    from streamlit.web import cli as streamlit_cli

    try:
        streamlit_cli.main.main(args=arguments, prog_name="streamlit", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C: the server has shut down
        print("portfolj har stoppats.", flush=True)


PROJECT_COLUMNS = ("code", "name", "phase", "status", "budget", "actual", "deviation")


def cmd_projects(args: argparse.Namespace) -> int:
    db = open_checked(args.db)
    frame = with_deviation(store.projects_frame(db))
    rows = kronor_rows(
        frame,
        {
            **{c: c for c in ("code", "name", "kind", "phase", "status")},
            **{c: f"{c}_ore" for c in ("budget", "actual", "deviation")},
        },
    )
    print(render(rows, args.format, PROJECT_COLUMNS))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    db = open_checked(args.db)  # a damaged database is refused, never copied
    core_db.backup(db, args.out)
    print(f"Säkerhetskopian är sparad i {args.out}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    target = config.db_path(args.db)
    restore_database(Path(args.file), target, known=known_migrations())
    print(f"{target} är återställd från {args.file}.")
    return 0


Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Every sub-command with its options."""
    parser = argparse.ArgumentParser(
        prog="portfolj", description="Projektportfölj för gemensamma nämnden (GNS)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("seed", help="skapa eller uppgradera databasen och läs in grunddata")
    add_db_option(p)
    p.add_argument("--reset", action="store_true", help="börja om med en tom databas")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("serve", help="starta instrumentpanelen på 127.0.0.1")
    add_db_option(p)
    p.add_argument("--port", type=int, default=config.DEFAULT_PORT)
    p.add_argument("--demo", action="store_true", help="demoläge: logga in med ett klick per roll")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("projects", help="lista projekt och ärenden med budget och utfall")
    add_db_option(p)
    _format_arg(p, ("table", "json", "csv"))
    p.set_defaults(func=cmd_projects)

    p = sub.add_parser("backup", help="säkerhetskopiera databasen medan appen kör")
    add_db_option(p)
    p.add_argument("--out", required=True, help="fil att skriva kopian till")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="kontrollera en säkerhetskopia och återställ från den")
    add_db_option(p)
    p.add_argument("file", help="säkerhetskopian")
    p.set_defaults(func=cmd_restore)

    for module in (
        cli_bench,
        cli_governance,
        cli_ledger,
        cli_report,  # adds 'party' to cli_ledger's 'report'
        cli_risks,
        cli_benefits,
        cli_surveys,
        cli_bruttolista,
        cli_users,
        cli_projects,
        cli_apikeys,
        cli_meetings,
        cli_reporting,
        cli_todo,
    ):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `portfolj` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PortfoljError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
