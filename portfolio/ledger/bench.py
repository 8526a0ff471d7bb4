"""Import benchmark: `python -m portfolio.ledger.bench --rows 2000000`.

Generates a synthetic SIE file (portfolio.ledger.generate), imports it into a fresh database
in a temporary folder, and prints rows per second, wall and CPU time, the process's peak
memory, and how long the tertial report takes on the imported ledger. Not a timed test: the
figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from portfolio import store as core_store
from portfolio.auth import SYSTEM
from portfolio.db import connect, migrate
from portfolio.ledger import store as ledger_store
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie_import import import_sie
from portfolio.ledger.tertial import load_report
from portfolio.periods import Period

__all__ = ["main", "run"]


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int, seed: int, folder: Path) -> dict[str, float]:
    """Generate, import and report once; returns the measurements."""
    started = time.perf_counter()
    made = generate_sie(folder / "bench.se", rows=rows, seed=seed)
    generated = time.perf_counter() - started
    # The core's and the ledger's tables are all an import needs (portfolio/ never imports registers/).
    for suffix in ("", "-wal", "-shm"):
        (folder / f"bench.db{suffix}").unlink(missing_ok=True)
    db = connect(folder / "bench.db")
    migrate(db, core_store.MIGRATIONS, ledger_store.MIGRATIONS)
    memory_before = _peak_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    summary = import_sie(db, SYSTEM, made.path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report_started = time.perf_counter()
    load_report(db, made.year, Period.T2)
    report_seconds = time.perf_counter() - report_started
    db.close()
    return {
        "rows": summary.trans_rows,
        "file_mib": made.path.stat().st_size / 2**20,
        "generate_s": generated,
        "import_s": wall,
        "import_cpu_s": cpu,
        "rows_per_s": summary.trans_rows / wall,
        "peak_mib_before_import": memory_before,
        "peak_mib": _peak_mib(),
        "report_s": report_seconds,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description="Mät importen av en syntetisk SIE-fil.")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="mapp för filen och databasen (annars en temporär)")
    args = parser.parse_args(argv)
    if args.dir:
        figures = run(args.rows, args.seed, Path(args.dir))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            figures = run(args.rows, args.seed, Path(tmp))
    print(
        f"{int(figures['rows'])} rader ({figures['file_mib']:.0f} MiB) importerade"
        f" på {figures['import_s']:.1f} s ({figures['rows_per_s']:,.0f} rader/s;"
        f" CPU {figures['import_cpu_s']:.1f} s).".replace(",", " ")
    )
    print(
        f"Minne (största RSS): {figures['peak_mib_before_import']:.0f} MiB före importen,"
        f" {figures['peak_mib']:.0f} MiB efter. Tertialrapporten: {figures['report_s'] * 1000:.0f} ms."
        f" Filen genererades på {figures['generate_s']:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
