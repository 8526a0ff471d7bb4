"""`portfolj bench`: the performance figures, measured."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_bench(args: argparse.Namespace) -> int:
    from dashboard import bench, bench_browser

    report = bench.run(
        args.tier,
        data_dir=Path(args.data_dir),
        rebuild=args.rebuild,
        runs=args.runs,
        personas=tuple(args.persona or bench_browser.ALL_PERSONAS),
        sessions=args.sessions,
    )
    print(bench.as_json(report) if args.format == "json" else bench.as_table(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `bench` to the parser."""
    p = sub.add_parser("bench", help="mät prestanda på liten, mellan eller stor datamängd")
    p.add_argument("--tier", choices=["small", "medium", "large"], default="small")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--data-dir", default="data/bench", help="där testdatabaserna sparas (git-ignorerat)")
    p.add_argument("--rebuild", action="store_true", help="bygg om testdatabasen")
    p.add_argument("--runs", type=int, default=None, help="mätningar per värde (medianen visas)")
    p.add_argument(
        "--persona",
        action="append",
        choices=["namnd", "kommunchef", "projektledare", "admin"],
        help="mät bara denna persona i webbläsaren (kan upprepas; standard: alla fyra)",
    )
    p.add_argument("--sessions", type=int, default=15, help="antal samtidiga sessioner (standard 15)")
    p.set_defaults(func=cmd_bench)
