"""A whole nämnd at once: many sessions open pages at the same moment over Streamlit's own protocol.

Each session signs in over HTTP as a demo persona (the login form with its CSRF token), opens the
websocket a browser opens (`/_stcore/stream`, with the session cookie) and asks for page runs with
the `BackMsg` a browser sends when a page is clicked. A run is done when the server sends
`script_finished`; what it drew in between is read as `ForwardMsg` protobufs, so an exception or
an error box on the page counts as an error.

Why not 15 browsers: on this 2-core machine 15 Chromiums would themselves take both cores (each
page's layout and drawing), and the server would be measured under a load the members' own
laptops carry in a real meeting. The protocol client does the server's half of the work exactly
as a browser asks for it and costs a few milliseconds of CPU per page; the browser's half is
measured one session at a time by `dashboard.bench_browser`.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import statistics
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# What a member does in a meeting: opens the overview, then a project.
MEETING_PAGES = ("oversikt", "projekt")
_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


def login(base: str, persona: str) -> str:
    """Sign in as a demo persona through the login form; the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/logga-in", timeout=60) as resp:
        html = resp.read().decode()
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("inloggningssidan saknar CSRF-fält")
    form = urllib.parse.urlencode({"csrf": match.group(1), "persona": persona, "next": "/"}).encode()
    request = urllib.request.Request(f"{base}/logga-in", data=form, headers={"Origin": base})
    with opener.open(request, timeout=60):
        pass
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@dataclass
class Visit:
    session: int
    page: str
    seconds: float
    error: str | None = None


def _rerun(base: str, page: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = ""
    msg.rerun_script.context_info.timezone = "Europe/Stockholm"
    msg.rerun_script.context_info.locale = "sv-SE"
    msg.rerun_script.context_info.url = f"{base}/{page}"
    return msg.SerializeToString()


async def _until_finished(ws: Any) -> str | None:
    """Read the run's messages until `script_finished`; what went wrong on the page, if anything."""
    problem: str | None = None
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                problem = problem or f"undantag: {element.exception.type}: {element.exception.message}"
            elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                problem = problem or f"felruta: {element.alert.body[:120]}"
        elif kind == "script_finished":
            if msg.script_finished not in _OK:
                problem = problem or f"körningen avbröts ({msg.script_finished})"
            return problem


async def _session(
    index: int, base: str, cookie: str, pages: tuple[str, ...], start: asyncio.Event, timeout: float
) -> list[Visit]:
    import websockets

    await start.wait()
    visits: list[Visit] = []
    ws_url = base.replace("http://", "ws://", 1) + "/_stcore/stream"
    started = time.perf_counter()
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers={"Cookie": cookie, "Origin": base},
            max_size=None,
            open_timeout=timeout,
        ) as ws:
            for page in pages:
                await ws.send(_rerun(base, page))
                error = await asyncio.wait_for(_until_finished(ws), timeout)
                now = time.perf_counter()
                visits.append(Visit(index, page, now - started, error))
                started = now
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        visits.append(Visit(index, pages[len(visits)], time.perf_counter() - started, repr(exc)))
    return visits


def _percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


async def _all(base: str, cookies: list[str], pages: tuple[str, ...], timeout: float) -> list[Visit]:
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(_session(i, base, cookie, pages, start, timeout))
        for i, cookie in enumerate(cookies)
    ]
    await asyncio.sleep(0)
    start.set()  # every session's first click at the same moment
    return [visit for visits in await asyncio.gather(*tasks) for visit in visits]


def run_load(
    base: str,
    *,
    sessions: int = 15,
    persona: str | None = "namnd",
    pages: tuple[str, ...] = MEETING_PAGES,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """`sessions` members open `pages` one after the other, all starting at the same moment.

    A visit's time runs from the click (for the first page: the websocket's opening, as when a
    page is loaded) until the server has finished the run and sent all of it. With no persona the
    sessions do not sign in (Streamlit's own floor: an app without a login)."""
    cookies = [login(base, persona) if persona else "" for _ in range(sessions)]
    cpu = time.process_time()
    wall = time.perf_counter()
    visits = asyncio.run(_all(base, cookies, pages, timeout))
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    times = sorted(v.seconds for v in visits)
    errors = [f"session {v.session}, {v.page}: {v.error}" for v in visits if v.error]
    per_page = {
        page: {
            "p50_s": round(statistics.median(ts), 3),
            "p95_s": round(_percentile(ts, 95), 3),
            "max_s": round(max(ts), 3),
        }
        for page in pages
        if (ts := sorted(v.seconds for v in visits if v.page == page))
    }
    return {
        "client": "Streamlits websocketprotokoll (BackMsg/ForwardMsg), en Python-process med asyncio",
        "sessions": sessions,
        "persona": persona,
        "pages": list(pages),
        "visits": len(visits),
        "p50_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(_percentile(times, 95), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "per_page": per_page,
        "errors": len(errors) + sessions * len(pages) - len(visits),
        "error_messages": errors[:10],
        "wall_s": round(wall, 2),
        "client_cpu_s": round(cpu, 2),
    }
