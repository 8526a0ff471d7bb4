"""Issue 14, item 13: a real `portfolj serve` sends the security headers and hides its metrics."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`portfolj serve --demo` on a free port, as a user starts it; stopped by its PID."""
    db = tmp_path_factory.mktemp("served") / "portfolj.db"
    portfolj = [sys.executable, "-m", "dashboard.cli"]
    subprocess.run([*portfolj, "seed", "--db", str(db)], check=True, capture_output=True)
    port = _free_port()
    log_path = db.with_name("server.log")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*portfolj, "serve", "--demo", "--db", str(db), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Servern startade inte: {log_path.read_text()[-2000:]}")
                    time.sleep(0.3)
            yield url, db
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


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
