"""Issue 14, item 13: a real `portfolj serve` sends the security headers and hides its metrics."""

from __future__ import annotations

import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.bench_browser import free_port, stop_server, wait_until_answers


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`portfolj serve --demo` on a free port, as a user starts it; stopped by its PID."""
    db = tmp_path_factory.mktemp("served") / "portfolj.db"
    portfolj = [sys.executable, "-m", "dashboard.cli"]
    subprocess.run([*portfolj, "seed", "--db", str(db)], check=True, capture_output=True)
    port = free_port()
    log_path = db.with_name("server.log")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*portfolj, "serve", "--demo", "--db", str(db), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_answers(f"{url}/_stcore/health", proc, seconds=60, pause=0.3):
                pytest.fail(f"Servern startade inte: {log_path.read_text()[-2000:]}")
            yield url, db
        finally:
            stop_server(proc, 10)


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/logga-in"])
def test_every_answer_forbids_framing_sniffing_foreign_images_and_leaking_referrers(served, path):
    url, _ = served
    status, headers = _get(url + path)
    assert status < 500
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: blob:" in policy


def test_the_metrics_endpoint_is_not_open(served):
    url, _ = served
    status, _ = _get(url + "/_stcore/metrics")
    assert status == 404


def test_the_served_database_and_its_wal_and_shm_are_owner_only(served):
    _, db = served
    for file in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
