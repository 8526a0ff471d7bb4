"""What a person feels: every page timed in Chromium, from the click until the page is drawn.

A click in the navigation is timed in the page's own clock: from the click event until Streamlit
has run the script (its `script_finished` message has arrived on the websocket and the app's
`data-test-script-state` is notRunning again), no fetch or XHR the page started is still open,
and the browser has drawn it: the end is the frame that painted the document's last change (or
the end of the last long task), confirmed by 150 ms in which nothing changed. Resources the click
loaded (images, files) count up to their last byte. Streamlit's own floor is measured the same way
in the same run: a tiny two-page app with the same top navigation, served by the same Streamlit.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.bench_load import run_load
from dashboard.navigation import PageSpec, pages_for
from portfolio.accounts import PERSONAS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PORTFOLJ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 180_000
ALL_PERSONAS = tuple(p.key for p in PERSONAS)

# Installed in every page before its own scripts: the click's time, when the server's
# script_finished message arrived after it (read from the websocket), the open fetch/XHR
# requests, and a promise that resolves with the click-to-drawn time.
_PROBE = """
(() => {
  const pb = window.__pb = {click: 0, finished: -1, inflight: 0};
  document.addEventListener('click', () => { pb.click = performance.now(); pb.finished = -1; }, true);
  // A ForwardMsg whose top-level field 6 (script_finished) is present ends a run.
  const isFinished = bytes => {
    let i = 0;
    const varint = () => {
      let v = 0, s = 1, b;
      do { b = bytes[i++]; v += (b & 127) * s; s *= 128; } while (b & 128 && i < bytes.length);
      return v;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (field === 6 && wire === 0) return true;
      if (wire === 0) varint();
      else if (wire === 2) { const n = varint(); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const WS0 = window.WebSocket;
  window.WebSocket = class extends WS0 {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ev => {
        if (ev.data instanceof ArrayBuffer && isFinished(new Uint8Array(ev.data))) {
          pb.finished = performance.now();
        }
      });
    }
  };
  const fetch0 = window.fetch;
  window.fetch = function (...args) {
    pb.inflight++;
    return fetch0.apply(this, args).finally(() => { pb.inflight--; });
  };
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    pb.inflight++;
    this.addEventListener('loadend', () => { pb.inflight--; }, {once: true});
    return send0.apply(this, args);
  };
  // The page is drawn when, after the run, nothing has changed in the document and no long task
  // has run for QUIET ms: React renders a large page in slices, so one frame is not enough. The
  // time taken is up to the frame that painted the last change (or the end of the last long task).
  const QUIET = 150;
  pb.painted = 0; pb.longTaskEnd = 0;
  new MutationObserver(() => {
    pb.changed = performance.now();
    requestAnimationFrame(() => { pb.painted = performance.now(); });
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) pb.longTaskEnd = Math.max(pb.longTaskEnd, e.startTime + e.duration);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long task timing: the changes alone decide */ }
  pb.drawn = (limitMs) => new Promise(resolve => {
    const until = performance.now() + limitMs;
    const check = () => {
      const now = performance.now();
      const app = document.querySelector('[data-testid="stApp"]');
      const finished = pb.finished >= pb.click && app
        && app.getAttribute('data-test-script-state') === 'notRunning' && pb.inflight === 0;
      const last = Math.max(pb.finished, pb.changed || 0, pb.longTaskEnd);
      if (finished && now - last >= QUIET && pb.painted >= (pb.changed || 0)) {
        const loaded = performance.getEntriesByType('resource')
          .filter(e => e.startTime >= pb.click).map(e => e.responseEnd);
        resolve(Math.max(pb.finished, pb.painted, pb.longTaskEnd, ...loaded) - pb.click);
      } else if (now > until) {
        resolve(-1);
      } else {
        setTimeout(check, 4);
      }
    };
    check();
  });
})();
"""

FLOOR_APP = """
import streamlit as st

def first():
    st.title("Första sidan")
    st.write("En rad text.")

def second():
    st.title("Andra sidan")
    st.write("En annan rad text.")

st.navigation({"Sidor": [st.Page(first, title="Första"), st.Page(second, title="Andra")]},
              position="top").run()
"""


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def wait_until_answers(url: str, proc: subprocess.Popen[Any], *, seconds: float, pause: float) -> bool:
    """Ask `url` every `pause` seconds until it answers 200 (True); False as soon as the server
    process `proc` has ended or `seconds` have passed without an answer."""
    deadline = time.monotonic() + seconds
    while not _answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def stop_server(proc: subprocess.Popen[Any], seconds: float) -> None:
    """End a server started with `start_new_session=True` and all it started: SIGTERM to its
    process group, SIGKILL if it has not ended within `seconds`."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(seconds)


@contextmanager
def _served(command: list[str], ready_path: str, cwd: Path, port: int) -> Iterator[tuple[str, float, int]]:
    """Start a server; (address, seconds until `ready_path` answers 200, pid)."""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=cwd,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        if not wait_until_answers(url + ready_path, proc, seconds=180, pause=0.02):
            raise RuntimeError(f"servern startade inte: {' '.join(command)}")
        yield url, time.perf_counter() - started, proc.pid
    finally:
        stop_server(proc, 20)


def _tree(pid: int) -> list[int]:
    pids, out = [pid], []
    while pids:
        current = pids.pop()
        out.append(current)
        try:
            pids += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the server's whole process tree now (sum of VmRSS)."""
    return sum(_status_kb(p, "VmRSS") for p in _tree(pid)) / 1024


class _MemorySampler:
    """The largest resident memory of the server's tree, sampled every 50 ms while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(0.05)

    def __enter__(self) -> _MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- timing in the browser ------------------------------------------------------------------


def _timed(page: Any, click: Callable[[], None]) -> float:
    """Seconds from the click `click()` makes until the run is finished and drawn."""
    click()
    ms = page.evaluate("limit => window.__pb.drawn(limit)", TIMEOUT_MS)
    if ms < 0:
        raise TimeoutError("sidan blev inte klar")
    return float(ms) / 1000


def _nav_click(page: Any, section: str, title: str) -> Callable[[], None]:
    def click() -> None:
        page.get_by_text(section, exact=True).first.click()
        page.get_by_role("menuitem", name=title, exact=True).first.click()

    return click


def _summary(cold: float | None, warm: list[float]) -> dict[str, Any]:
    return {
        "cold_s": None if cold is None else round(cold, 3),
        "warm_s": round(statistics.median(warm), 3) if warm else None,
        "warm_runs": [round(w, 3) for w in warm],
    }


def measure_floor(browser: Any, runs: int, sessions: int) -> dict[str, Any]:
    """Streamlit's own floor: switching between the two pages of an app that draws a line of text,
    in Chromium, and the same two pages opened by `sessions` sessions at once; also the time its
    server takes to answer after start and a whole first load of its page in a fresh browser session
    (what a login's new document costs at least)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "floor.py"
        app.write_text(FLOOR_APP)
        port = free_port()
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
                   "--server.port", str(port), "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none"]  # fmt: skip
        with _served(command, "/_stcore/health", Path(tmp), port) as (url, ready_s, _pid):
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
            context.add_init_script(_PROBE)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.wait_for_function("() => window.__pb !== undefined", timeout=TIMEOUT_MS)
            if page.evaluate("limit => window.__pb.drawn(limit)", TIMEOUT_MS) < 0:
                raise TimeoutError("golvets sida blev inte klar")
            load_s = time.perf_counter() - started
            page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
            cold = _timed(page, _nav_click(page, "Sidor", "Andra"))
            warm = []
            for n in range(max(runs, 3) * 2):
                warm.append(_timed(page, _nav_click(page, "Sidor", "Första" if n % 2 == 0 else "Andra")))
            context.close()
            with ThreadPoolExecutor(1) as pool:
                load = pool.submit(run_load, url, sessions=sessions, persona=None, pages=("first", "second"))
                sessions_floor = load.result()
    return {
        **_summary(cold, warm),
        "first_load_s": round(load_s, 3),
        "ready_s": round(ready_s, 2),
        "sessions": sessions_floor,
    }


def measure_persona(browser: Any, url: str, persona_key: str, runs: int) -> dict[str, Any]:
    """One persona in a fresh browser session: login → the page it opens, then each page of the
    persona's navigation cold (first visit in the session) and warm (`runs` visits, median)."""
    persona = next(p for p in PERSONAS if p.key == persona_key)
    specs = pages_for(persona.role)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    context.add_init_script(_PROBE)
    page = context.new_page()
    page.goto(url)  # the login page
    button = page.get_by_role("button", name=persona.label)
    button.wait_for(timeout=TIMEOUT_MS)
    # The login loads a new document, so it is timed here: from the click until the page the login
    # opens (the navigation's default page) has run and is drawn.
    started = time.perf_counter()
    button.click()
    page.wait_for_url(lambda u: "/logga-in" not in u, timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.__pb !== undefined", timeout=TIMEOUT_MS)
    if page.evaluate("limit => window.__pb.drawn(limit)", TIMEOUT_MS) < 0:
        raise TimeoutError("sidan efter inloggningen blev inte klar")
    login_s = time.perf_counter() - started
    landing = next((s for s in specs if s.default), specs[0])
    # The landing page's first visit came with the login; every other page gets its first visit
    # (cold) in the first round and its warm visits in the next, each after a different page.
    order: list[PageSpec] = [s for s in specs if s is not landing] + [landing]
    times: dict[str, list[float]] = {spec.title: [] for spec in specs}
    errors: list[str] = []
    for _ in range(runs + 1):
        for spec in order:
            try:
                times[spec.title].append(_timed(page, _nav_click(page, spec.section, spec.title)))
            except Exception as exc:  # a page that does not finish is reported, not fatal
                errors.append(f"{spec.title}: {type(exc).__name__}: {str(exc)[:200]}")
                page.goto(url)
                page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    context.close()
    pages = []
    for spec in specs:
        measured = times[spec.title]
        if spec is landing:
            summary = {**_summary(login_s, measured[-runs:] if runs else []), "cold_is_login": True}
        else:
            summary = _summary(measured[0] if measured else None, measured[1:])
        pages.append({"page": spec.title, **summary})
    return {
        "persona": persona.key,
        "login_s": round(login_s, 3),
        "login_lands_on": landing.title,
        "pages": pages,
        "errors": errors,
    }


def run(db_path: Path, *, runs: int, personas: tuple[str, ...], sessions: int = 15) -> dict[str, Any]:
    """Serve the tier's database as a user does and measure it in Chromium and with `sessions` at once."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return {"note": f"Chromium saknas ({CHROMIUM}); webbläsarmätningen gjordes inte"}
    result: dict[str, Any] = {"load_before": list(os.getloadavg())}
    port = free_port()
    command = [sys.executable, "-m", "dashboard.cli", "serve", "--demo", "--db", str(db_path),
               "--port", str(port)]  # fmt: skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _log("  Streamlits golv (tom sidväxling) …")
        result["floor"] = measure_floor(browser, runs, sessions)
        with _served(command, "/logga-in", ROOT, port) as (url, ready_s, pid):
            result["server"] = {"ready_s": round(ready_s, 2), "rss_after_start_mb": round(tree_rss_mb(pid))}
            result["personas"] = []
            for key in personas:
                _log(f"  {key} i Chromium …")
                result["personas"].append(measure_persona(browser, url, key, runs))
            floor = result["floor"]["warm_s"]
            for persona in result["personas"]:
                for p in persona["pages"]:
                    p["ratio_to_floor"] = round(p["warm_s"] / floor, 1) if p["warm_s"] and floor else None
            _log(f"  {sessions} samtidiga sessioner …")
            with _MemorySampler(pid) as memory, ThreadPoolExecutor(1) as pool:
                # Its own thread: Playwright's sync API holds an event loop in this one.
                result["load"] = pool.submit(run_load, url, sessions=sessions).result()
            result["server"]["rss_peak_with_sessions_mb"] = round(memory.peak_mb)
            result["server"]["rss_after_sessions_mb"] = round(tree_rss_mb(pid))
        browser.close()
    result["load_after"] = list(os.getloadavg())
    return result
