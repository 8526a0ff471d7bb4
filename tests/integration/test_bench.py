"""`portfolj bench --tier small` runs and reports every figure (the figures themselves are not
asserted: performance is shown by the command, never by a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard.navigation import PAGES

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
    assert report["server"]["first_render_s"] > 0 and report["server"]["peak_mb"] > 0
    assert report["server"]["pages_visited"] == len(PAGES)
    assert len(report["targets"]) == 5 and all(t["measured"] is not None for t in report["targets"])
