"""`portfolj bench --tier small` runs and reports every figure, the browser's included (the
figures themselves are not asserted: performance is shown by the command, never by a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard.navigation import PAGES, pages_for
from portfolio.auth import Role

pytestmark = pytest.mark.browser  # it starts the real server and Chromium


def test_bench_small_reports_every_figure(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard.cli",
            "bench",
            "--tier",
            "small",
            "--runs",
            "1",
            "--persona",
            "namnd",
            "--sessions",
            "3",
            "--format",
            "json",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report = json.loads(out.stdout)
    assert [p["page"] for p in report["pages"]] == [p.title for p in PAGES]
    assert all(p["cold_s"] > 0 and p["warm_s"] > 0 and p["exceptions"] == 0 for p in report["pages"])
    agg = report["aggregation"]
    assert agg["same_result"] is True
    assert agg["portfolj_s"] > 0 and agg["duckdb_s"] > 0 and agg["pandas_s"] > 0
    assert agg["ratio_to_duckdb"] > 0
    assert report["sie_import"]["rows"] > 0 and report["sie_import"]["rows_per_s"] > 0
    assert report["sie_import"]["peak_mb"] > 0
    browser = report["browser"]
    assert browser["floor"]["cold_s"] > 0 and browser["floor"]["warm_s"] > 0
    assert browser["floor"]["first_load_s"] > 0 and browser["floor"]["ready_s"] > 0
    assert browser["floor"]["sessions"]["visits"] == 6 and browser["floor"]["sessions"]["errors"] == 0
    assert browser["server"]["ready_s"] > 0 and browser["server"]["rss_peak_with_sessions_mb"] > 0
    (namnd,) = browser["personas"]
    assert namnd["login_s"] > 0 and namnd["errors"] == []
    shown = [p.title for p in pages_for(Role.NAMND)]
    assert [p["page"] for p in namnd["pages"]] == shown
    assert all(p["cold_s"] > 0 and p["warm_s"] > 0 and p["ratio_to_floor"] > 0 for p in namnd["pages"])
    load = browser["load"]
    assert load["sessions"] == 3 and load["visits"] == 6 and load["errors"] == 0 and load["p95_s"] > 0
    assert len(report["targets"]) == 12 and all(t["measured"] is not None for t in report["targets"])
