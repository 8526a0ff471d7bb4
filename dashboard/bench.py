"""`portfolj bench`: how fast the app is on small, medium and large portfolios, by measurement.

Each figure is measured in the same run: page render times under Streamlit's AppTest (cold and
warm, median of several runs), the tertial aggregation beside DuckDB and pandas on the same
SQLite file, SIE import throughput and peak memory (in a child process), and the server's
start-up to first render and peak memory (a real `portfolj serve` and headless Chromium).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.navigation import PAGES
from portfolio import store
from portfolio.auth import SYSTEM
from portfolio.ledger import sie_import
from portfolio.ledger import tertial as tertial_report
from portfolio.ledger.generate import generate_sie
from portfolio.periods import Period
from registers.schema import open_database
from seed.loader import seed_database
from seed.synthetic import Size, generate

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "streamlit_app.py"
CHROMIUM = os.environ.get("PORTFOLJ_CHROMIUM", "/usr/bin/chromium")
BENCH_VERSION = 1  # bump when the generated data changes, so cached databases are rebuilt


@dataclass(frozen=True)
class Tier:
    name: str
    size: Size | None  # None: the seed data only
    ledger_rows: int  # per year
    ledger_years: int
    import_rows: int  # the SIE file whose import is measured
    runs: int

    @property
    def last_year(self) -> int:
        return 2024


TIERS = {
    "small": Tier("small", None, 20_000, 1, 20_000, 5),
    "medium": Tier("medium", Size(200, 2_000, 5_000), 500_000, 1, 500_000, 3),
    "large": Tier("large", Size(2_000, 20_000, 50_000), 1_000_000, 5, 2_000_000, 3),
}

# The targets of the large tier (docs/performance.md explains each).
TARGETS = {
    "page_warm_median_s": 0.5,
    "aggregation_ratio_to_duckdb": 1.0,
    "sie_rows_per_s": 100_000,
    "sie_peak_mb": 500,
    "app_peak_mb": 1_500,
}


@dataclass
class Report:
    tier: str
    data: dict[str, Any] = field(default_factory=dict)
    pages: list[dict[str, Any]] = field(default_factory=list)
    aggregation: dict[str, Any] = field(default_factory=dict)
    sie_import: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _median_time(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- the data -------------------------------------------------------------------------------


def build_database(tier: Tier, directory: Path, *, rebuild: bool = False) -> tuple[Path, dict[str, Any]]:
    """The tier's database, built once and kept in `directory` (git-ignored data/bench/)."""
    path = directory / f"{tier.name}-v{BENCH_VERSION}.db"
    facts_path = path.with_suffix(".json")
    if path.exists() and facts_path.exists() and not rebuild:
        return path, json.loads(facts_path.read_text())
    directory.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_database(path)
    seed_database(db)
    counts: dict[str, Any] = {}
    objects = ["6663", "6674", "6676"]
    if tier.size is not None:
        _log(
            f"Genererar {tier.size.projects} projekt, {tier.size.risks} risker,"
            f" {tier.size.measurements} mätningar …"
        )
        counts.update(generate(db, tier.size))
        objects += tier.size.objects()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(tier.ledger_years):
            year = tier.last_year - tier.ledger_years + 1 + n
            _log(f"Genererar och läser in huvudbok {year} ({tier.ledger_rows:,} rader) …")
            sie = Path(tmp) / f"huvudbok-{year}.se"
            generate_sie(sie, rows=tier.ledger_rows, seed=year, year=year, projects=objects)
            sie_import.import_sie(db, SYSTEM, sie)
            sie.unlink()
    counts["huvudboksrader"] = store.count(db, "ledger_rows")
    db.close()
    facts = {"build_s": round(time.perf_counter() - started, 1), **counts}
    facts_path.write_text(json.dumps(facts, ensure_ascii=False))
    return path, facts


# --- pages ----------------------------------------------------------------------------------


def time_pages(db_path: Path, runs: int) -> list[dict[str, Any]]:
    """Every page under AppTest as the e-strateg: cold (caches cleared) and warm (a rerun)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["PORTFOLJ_DB"] = str(db_path)
    os.environ["PORTFOLJ_DEMO"] = "0"
    db = open_database(db_path)
    admin = store.find_user(db, "e-strateg@gns.example")
    db.close()
    assert admin is not None
    results = []
    for spec in PAGES:
        cold, warm, errors = [], [], []
        for _ in range(runs):
            st.cache_data.clear()
            at = AppTest.from_file(str(APP), default_timeout=600)
            at.session_state["user_id"] = admin[0].id
            at.run()
            at.switch_page(spec.path)
            started = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
            errors += [str(e.value) for e in at.exception]
        results.append(
            {
                "page": spec.title,
                "cold_s": round(statistics.median(cold), 3),
                "warm_s": round(statistics.median(warm), 3),
                "exceptions": len(errors),
            }
        )
        _log(f"  {spec.title}: kall {results[-1]['cold_s']} s, varm {results[-1]['warm_s']} s")
    return results


# --- the tertial aggregation beside DuckDB and pandas ---------------------------------------

# The same question for every engine: net cost per object (dimension 6) in T2 of the year,
# from #TRANS rows on result accounts (classes 3–8).
AGG_SQL = """
    SELECT object, SUM(amount_ore) AS actual_ore FROM {table}
    WHERE date BETWEEN {start} AND {end} AND account >= '3' AND account < '9' AND object IS NOT NULL
    GROUP BY object
"""


def time_aggregation(db_path: Path, year: int, runs: int) -> dict[str, Any]:
    """portfolj's tertial report beside the same aggregation in DuckDB and in pandas."""
    db = open_database(db_path)
    start, end = year * 10_000 + 101, year * 10_000 + 831
    ours = _median_time(lambda: tertial_report.load_report(db, year, Period.T2), runs)
    ours_objects = tertial_report.load_report(db, year, Period.T2).objects
    result: dict[str, Any] = {"year": year, "period": "T2", "portfolj_s": round(ours, 4)}
    expected = {
        r[0]: r[1] for r in db.execute(AGG_SQL.format(table="ledger_rows", start=start, end=end)).fetchall()
    }
    ours_actual = dict(ours_objects.select("object", "actual_ore").iter_rows()) if ours_objects.height else {}
    result["same_result"] = all(ours_actual.get(k, 0) == v for k, v in expected.items())
    db.close()
    try:
        import duckdb
        import duckdb_ext

        ext = next(Path(next(iter(duckdb_ext.__path__))).rglob("sqlite_scanner.duckdb_extension"))
        con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
        con.execute(f"LOAD '{ext}'")
        con.execute(f"ATTACH '{db_path}' AS p (TYPE sqlite, READ_ONLY)")
        sql = AGG_SQL.format(table="p.ledger_rows", start=start, end=end)
        result["duckdb_s"] = round(_median_time(lambda: con.execute(sql).fetchall(), runs), 4)
        con.close()
    except ImportError as exc:
        result["duckdb_s"] = None
        result["duckdb_note"] = f"ej mätt: {exc.name} saknas (pip install -e '.[bench]')"
    try:
        import pandas as pd

        def with_pandas() -> Any:
            conn = open_database(db_path)
            rows = pd.read_sql_query(
                "SELECT date, account, object, amount_ore FROM ledger_rows WHERE date BETWEEN ? AND ?",
                conn.conn,
                params=(start, end),
            )
            conn.close()
            rows = rows[(rows.account >= "3") & (rows.account < "9") & rows.object.notna()]
            return rows.groupby("object")["amount_ore"].sum()

        result["pandas_s"] = round(_median_time(with_pandas, runs), 4)
    except ImportError as exc:
        result["pandas_s"] = None
        result["pandas_note"] = f"ej mätt: {exc.name} saknas (pip install -e '.[bench]')"
    if result.get("duckdb_s"):
        result["ratio_to_duckdb"] = round(result["portfolj_s"] / result["duckdb_s"], 2)
    if result.get("pandas_s"):
        result["ratio_to_pandas"] = round(result["portfolj_s"] / result["pandas_s"], 2)
    return result


# --- SIE import in a child process -----------------------------------------------------------

# Peak memory is the child's own VmHWM. Its ru_maxrss is not: Linux carries the peak of the
# memory the process had before exec (here the parent's, shared through vfork) into it, and so
# an earlier run reported the benchmark's own 997 MB as the importer's.
_IMPORT_CHILD = """
import resource, sys, time
from pathlib import Path
from portfolio.auth import SYSTEM
from portfolio.ledger import sie_import
from registers.schema import open_database
db = open_database(sys.argv[1])
started = time.perf_counter()
summary = sie_import.import_sie(db, SYSTEM, sys.argv[2])
seconds = time.perf_counter() - started
try:
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(summary.trans_rows, seconds, peak_kb)
"""


def time_sie_import(rows: int, seed_db: Path, workdir: Path) -> dict[str, Any]:
    """Import a generated SIE file into a copy of the seeded database in a fresh process."""
    sie = workdir / "import.se"
    generate_sie(sie, rows=rows, seed=99, year=2023, projects=["6663", "6674", "6676"])
    target = workdir / "import.db"
    shutil.copy(seed_db, target)
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHILD, str(target), str(sie)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    trans_rows, seconds, peak_kb = int(out[0]), float(out[1]), int(out[2])
    return {
        "rows": trans_rows,
        "file_mb": round(sie.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 2),
        "rows_per_s": round(trans_rows / seconds),
        "peak_mb": round(peak_kb / 1024),
    }


# --- the real server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of the largest process in the server's process tree."""
    peaks = []
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks, default=0.0))


def time_server(db_path: Path) -> dict[str, Any]:
    """Start `portfolj serve`, time the first render in Chromium, visit every page, read peak memory."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--demo", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    result: dict[str, Any] = {}
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 120:
                    raise RuntimeError("servern startade inte") from None
                time.sleep(0.1)
        result["health_s"] = round(time.perf_counter() - started, 2)
        if not Path(CHROMIUM).exists():
            result["note"] = f"Chromium saknas ({CHROMIUM}): första rendering och sidbesök ej mätta"
        else:
            result.update(_browse(url, started))
        result["peak_mb"] = _tree_peak_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    return result


def _browse(url: str, started: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)  # the server's own login page (/logga-in), then the overview after login
        page.get_by_role("heading", name="Logga in till portfolj").wait_for(timeout=120_000)
        first = round(time.perf_counter() - started, 2)
        page.get_by_role("button", name="E-strateg").click()
        page.get_by_role("heading", name="Portföljöversikt").wait_for(timeout=120_000)
        page.wait_for_selector(idle, timeout=120_000)
        visited = 0
        for spec in PAGES:
            page.get_by_text(spec.section, exact=True).first.click()
            page.get_by_role("menuitem", name=spec.title, exact=True).first.click()
            page.wait_for_timeout(150)
            page.wait_for_selector(idle, timeout=120_000)
            visited += 1
        browser.close()
    return {"first_render_s": first, "pages_visited": visited}


# --- putting it together -----------------------------------------------------------------------


def _check_targets(report: Report) -> list[dict[str, Any]]:
    warm = [p["warm_s"] for p in report.pages]
    ratio = report.aggregation.get("ratio_to_duckdb")
    checks = [
        (
            "Varje sidas varma omritning ≤ 0,5 s (median)",
            max(warm) if warm else None,
            TARGETS["page_warm_median_s"],
            "max",
        ),
        (
            "Tertialaggregering inte långsammare än DuckDB (kvot ≤ 1,0)",
            ratio,
            TARGETS["aggregation_ratio_to_duckdb"],
            "max",
        ),
        (
            "SIE-import ≥ 100 000 #TRANS-rader/s",
            report.sie_import.get("rows_per_s"),
            TARGETS["sie_rows_per_s"],
            "min",
        ),
        ("SIE-importens toppminne < 500 MB", report.sie_import.get("peak_mb"), TARGETS["sie_peak_mb"], "max"),
        ("Appens toppminne < 1,5 GB", report.server.get("peak_mb"), TARGETS["app_peak_mb"], "max"),
    ]
    out = []
    for label, value, target, kind in checks:
        met = None if value is None else (value <= target if kind == "max" else value >= target)
        out.append({"target": label, "measured": value, "limit": target, "met": met})
    return out


def run(tier_name: str, *, data_dir: Path, rebuild: bool = False, runs: int | None = None) -> Report:
    """Build (or reuse) the tier's database and measure every figure."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings
    tier = TIERS[tier_name]
    if runs is not None:
        tier = dataclasses.replace(tier, runs=runs)
    report = Report(tier=tier_name)
    db_path, facts = build_database(tier, data_dir, rebuild=rebuild)
    report.data = {"database": str(db_path), "mb": round(db_path.stat().st_size / 1e6, 1), **facts}
    _log("Mäter sidorna (AppTest) …")
    report.pages = time_pages(db_path, tier.runs)
    _log("Mäter tertialaggregeringen …")
    report.aggregation = time_aggregation(db_path, tier.last_year, tier.runs)
    _log(f"Mäter SIE-import ({tier.import_rows:,} rader) …")
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.db"
        db = open_database(seeded)
        seed_database(db)
        db.close()
        report.sie_import = time_sie_import(tier.import_rows, seeded, Path(tmp))
    _log("Mäter servern (start, första rendering, minne) …")
    report.server = time_server(db_path)
    report.targets = _check_targets(report)
    return report


def as_table(report: Report) -> str:
    """The report as readable text."""
    lines = [
        f"portfolj bench – nivå {report.tier}",
        "",
        "Data: " + ", ".join(f"{k} {v}" for k, v in report.data.items()),
    ]
    lines += ["", f"{'Sida':32} {'kall (s)':>9} {'varm (s)':>9} {'fel':>4}"]
    lines += [
        f"{p['page']:32} {p['cold_s']:>9.3f} {p['warm_s']:>9.3f} {p['exceptions']:>4}" for p in report.pages
    ]
    agg = report.aggregation
    lines += [
        "",
        f"Tertialaggregering {agg['period']} {agg['year']}: portfolj {agg['portfolj_s']} s, "
        f"DuckDB {agg.get('duckdb_s')} s (kvot {agg.get('ratio_to_duckdb')}), "
        f"pandas {agg.get('pandas_s')} s (kvot {agg.get('ratio_to_pandas')});"
        f" samma resultat: {agg['same_result']}",
    ]
    sie = report.sie_import
    lines.append(
        f"SIE-import: {sie['rows']:,} rader på {sie['seconds']} s = {sie['rows_per_s']:,} rader/s,"
        f" toppminne {sie['peak_mb']} MB"
    )
    srv = report.server
    lines.append(
        f"Server: hälsa {srv.get('health_s')} s, första rendering {srv.get('first_render_s')} s,"
        f" toppminne {srv.get('peak_mb')} MB {srv.get('note', '')}".rstrip()
    )
    lines += ["", "Mål (stor nivå):"]
    for t in report.targets:
        mark = {True: "uppfyllt", False: "EJ uppfyllt", None: "ej mätt"}[t["met"]]
        lines.append(f"  {mark:12} {t['target']}: uppmätt {t['measured']}")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    """The report as JSON."""
    return json.dumps(report.__dict__, ensure_ascii=False, indent=2)
