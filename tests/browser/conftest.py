"""A real `portfolj serve --demo` on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dashboard.bench_browser import (  # the browser the bench measures with, and how it serves the app
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    stop_server,
    wait_until_answers,
)

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PERSONA_LABELS = {
    "namnd": "Ledamot i nämnden",
    "kommunchef": "Kommunchef Bräcke",
    "projektledare": "Projektledare LINK2",
    "admin": "E-strateg",
}
KEYBOARD_USER = "tangent@region.se"
KEYBOARD_PASSWORD = "bara-tangentbordet-2026"
RUN_TRACKER = Path(__file__).resolve().parent / "run_tracker.js"
IDLE = """() => {
    const runs = window.__portfoljRuns;
    const app = document.querySelector('[data-testid="stApp"]');
    return runs !== undefined && runs.requested > 0 && runs.answered >= runs.requested
        && app !== null && app.dataset.testScriptState === "notRunning";
}"""

# Every test under tests/browser is marked `browser` by tests/conftest.py.


class Served(str):
    """The server's address, which also knows its database file (`served.db`)."""

    db: Path


@contextlib.contextmanager
def running_server(
    folder: Path, env: dict[str, str] | None = None, *, cwd: Path | None = None
) -> Iterator[Served]:
    """`portfolj serve --demo` on a fresh seeded database in `folder`, started exactly as a user
    would, with the keyboard user's account; `env` adds settings (e.g. a short idle timeout), `cwd`
    the folder it starts in (where it finds `.streamlit/secrets.toml`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium saknas ({CHROMIUM}); installera med: apt-get install -y chromium")
    db = folder / "portfolj.db"
    portfolj = [sys.executable, "-m", "dashboard.cli"]
    subprocess.run([*portfolj, "seed", "--db", str(db)], check=True, capture_output=True)
    subprocess.run(
        [*portfolj, "user", "add", "--db", str(db), "--name", "Tangent Bordsson", "--email", KEYBOARD_USER,
         "--role", "projektledare", "--project", "GNS/8/2018", "--password-stdin"],
        input=KEYBOARD_PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [*portfolj, "serve", "--demo", "--db", str(db), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    url = Served(f"http://127.0.0.1:{port}")
    url.db = db
    if not wait_until_answers(f"{url}/_stcore/health", proc, seconds=60, pause=0.3):
        pytest.fail(f"Servern startade inte; se {log.name}")
    try:
        yield url
    finally:
        stop_server(proc, 10)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app on a fresh seeded database, started exactly as a user would (`portfolj`)."""
    with running_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


class TrackedBrowser:
    """Chromium whose every new context watches the app's script runs (`run_tracker.js`), so that
    `wait_idle` knows when the run an action asked for has been drawn."""

    def __init__(self, chromium) -> None:
        self._chromium = chromium

    def new_context(self, **options):
        context = self._chromium.new_context(**options)
        context.add_init_script(path=str(RUN_TRACKER))
        return context

    def __getattr__(self, name: str):
        return getattr(self._chromium, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield TrackedBrowser(chromium)
        chromium.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until every script run the page has asked for is over and drawn.

    Streamlit's own "notRunning" is also shown between a click and the start of the run it asks
    for, which on a busy machine can be seconds: a test that trusted it typed into a form the run
    then redrew, and its click was lost. The run tracker counts the requests sent and the runs the
    server answered them with; the check is repeated once so the last run's elements are drawn.
    Every page asks for at least one run, so a page whose first run is not yet asked for (a link
    just opened a new document) is not idle either."""
    page.wait_for_timeout(100)  # a widget sends its change on the next tick
    for _ in range(2):
        page.wait_for_function(IDLE, timeout=timeout, polling=50)
        page.wait_for_timeout(50)


def open_login(page, url: str) -> None:
    """Open `url` logged out and wait until the login page is shown."""
    page.goto(url)
    page.get_by_role("heading", name="Logga in till portfolj").wait_for()


def log_in_with_password(page, url: str) -> None:
    """Open `url` (the login page) and log in with the keyboard user's e-mail and password, as a
    person with an account of their own does; returns once Att göra is shown."""
    page.goto(url)
    page.get_by_label("E-postadress").fill(KEYBOARD_USER)
    page.get_by_label("Lösenord", exact=True).fill(KEYBOARD_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_role("heading", name="Att göra").wait_for(timeout=20_000)


def press(page, name: str) -> None:
    """Click the button named `name` and wait until the run it asks for is drawn."""
    page.get_by_role("button", name=name).click()
    wait_idle(page)


def submit(page, key: str, confirmation: str, *, timeout: float = 30_000) -> None:
    """Click the button of the widget with key `key`, wait for the run it asks for (up to `timeout`
    ms), and wait until `confirmation` is shown."""
    page.locator(f".st-key-{key} button").click()
    wait_idle(page, timeout=timeout)
    page.get_by_text(confirmation).first.wait_for()


@pytest.fixture
def page_as(server: str, browser) -> Iterator[Callable[..., object]]:
    """`page_as("projektledare")`: a fresh browser session logged in with the demo persona, on Att
    göra; `page_as("projektledare", on="Riskregister")` then opens that page from the navigation."""
    contexts = []

    def make(role: str, *, on: str | None = None, width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        page.goto(server)  # the login page (/logga-in) of the server, then Att göra
        page.get_by_role("button", name=PERSONA_LABELS[role]).click()
        page.get_by_role("heading", name="Att göra").wait_for()
        wait_idle(page)
        if on is not None:
            go_to(page, on)
        return page

    yield make
    for context in contexts:
        context.close()


SECTIONS = {
    "Portföljen": [
        "Att göra",
        "Portföljöversikt",
        "Projekt",
        "Nytt projekt",
        "Riskregister",
        "Portföljens risker",
        "Nyttoregister",
        "Enkäter",
    ],
    "Ekonomi": ["Tertialrapport", "Kostnadsfördelning", "Import av redovisning"],
    "Nämnden": ["Sammanträden", "Beslut", "Bruttolista", "Rapportkalender"],
    "Uppföljning": ["Ändringslogg"],
    "Administration": ["Användare"],
    "Om tjänsten": ["Mitt konto", "API-nycklar", "Tillgänglighetsredogörelse"],
}
SECTION_OF = {title: section for section, titles in SECTIONS.items() for title in titles}


def go_to(page, title: str) -> None:
    """Open a page from the top navigation: its section's menu, then the page.

    On a phone the navigation moves into the sidebar, which is opened first when it is closed."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    side_nav = page.get_by_test_id("stSidebarNav")
    if expand.is_visible():
        expand.click()
        side_nav.get_by_text(title, exact=True).first.click()
    elif side_nav.is_visible():
        side_nav.get_by_text(title, exact=True).first.click()
    else:
        page.get_by_text(SECTION_OF[title], exact=True).first.click()
        page.get_by_role("menuitem", name=title, exact=True).first.click()
    wait_idle(page)


def open_tab(page, name: str) -> None:
    """Open a page's tab (the Projekt page's parts are tabs; only the open one is drawn)."""
    page.get_by_role("tab", name=name, exact=True).click()
    wait_idle(page)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`, as a keyboard user would."""
    _type_into_list(page, page.get_by_label(label, exact=True), option)
    enter_on_option(page, option)


def pick(page, key: str, text: str, *, key_prefix: bool = False, close: bool = False) -> None:
    """Choose the option containing `text` in the selectbox (or multiselect) with widget key `key`
    (with `key_prefix`, the first whose key starts so: a form's keys carry its version); `close`
    closes a multiselect's list afterwards."""
    selector = f'[class*="st-key-{key}"] input' if key_prefix else f".st-key-{key} input"
    _type_into_list(page, page.locator(selector).first, text)
    enter_on_option(page, text, close=close)


def _type_into_list(page, box, text: str) -> None:
    """Click the box and type `text`, which opens its option list. Under load a redraw of the page
    once closed the list under the typing (CI, 2026-12-04); then, as a person would, click into
    the box and type once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for attempt in range(2):
        box.click()
        box.fill(text)
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            if attempt:
                raise


def type_date(page, key: str, yyyymmdd: str, *, key_prefix: bool = False) -> None:
    """Type a date into the date input with widget key `key` (segmented year, month, day fields)."""
    widget = f'[class*="st-key-{key}"]' if key_prefix else f".st-key-{key}"
    page.locator(f"{widget} [data-type=year]").first.click()
    page.keyboard.type(yyyymmdd)
    page.keyboard.press("Tab")


def enter_on_option(page, text: str, *, close: bool = False) -> None:
    """Press Enter in an open option list once its first (highlighted) option contains `text`.

    The list filters as one types; on a busy machine an early Enter picks nothing, or the first
    option of the list before it was filtered (a test once chose project 6663 for LINK2 so)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("option").first).to_contain_text(text, timeout=15_000)
    page.keyboard.press("Enter")
    if close:
        page.keyboard.press("Escape")
    wait_idle(page)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under tests/browser/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failed test, a screenshot of every page it still has open, named in the report, so a
    failure on CI shows what the user would have seen."""
    report = yield
    if report.when == "call" and report.failed:
        browser = getattr(item, "funcargs", {}).get("browser")  # a test function's fixtures
        for n, page in enumerate(_open_pages(browser)):
            path = SCREENSHOTS / f"FEL-{item.name}-{n}.png"
            with contextlib.suppress(Exception):
                SCREENSHOTS.mkdir(exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
                text = page.locator("[data-testid=stMain]").inner_text(timeout=2_000)
                report.sections.append((f"sidan {n} ({path.name})", text[:4_000]))
    return report


def _open_pages(browser) -> list:
    if browser is None:
        return []
    return [page for context in browser.contexts for page in context.pages]


@pytest.fixture(autouse=True)
def _no_leftover_chromium_profile() -> Iterator[None]:
    yield
    shutil.rmtree("/tmp/playwright_chromiumdev_profile", ignore_errors=True)


AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; the violations of those impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core saknas ({AXE_JS}); kör `make test`, som installerar det med npm")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]
