"""A session ends in the browser when it has been idle too long, when it has lived its longest,
and when the account is disabled: the next click shows the login, never the data."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.browser.conftest import KEYBOARD_USER, go_to, log_in_with_password, running_server, wait_idle

# Seconds, through the same settings an operator uses (fractions of minutes and hours). The idle
# time leaves a page switch on a busy machine (seconds) well inside it.
IDLE_S = 10
LIFETIME_S = 30


@pytest.fixture(scope="module")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"PORTFOLJ_IDLE_MINUTES": str(IDLE_S / 60), "PORTFOLJ_SESSION_HOURS": str(LIFETIME_S / 3600)}
    with running_server(tmp_path_factory.mktemp("expiry"), env) as url:
        yield url


def logged_in(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page = context.new_page()
    log_in_with_password(page, url)
    wait_idle(page)
    return context, page


def click_and_expect_login(page) -> None:
    page.get_by_text("Portföljen", exact=True).first.click()
    page.get_by_role("menuitem", name="Projekt", exact=True).first.click()
    page.get_by_role("heading", name="Logga in till portfolj").wait_for(timeout=20_000)


def test_an_idle_session_ends_and_the_login_says_why(short_server, browser):
    context, page = logged_in(browser, short_server)
    time.sleep(IDLE_S + 2)
    click_and_expect_login(page)
    page.goto(short_server + "/logga-in")
    assert page.get_by_text("minuters inaktivitet").first.is_visible()
    context.close()


def test_an_active_session_still_ends_after_its_longest_life(short_server, browser):
    started = time.monotonic()  # the session's life starts at the login, so before it
    context, page = logged_in(browser, short_server)
    # Used every few seconds, well within the idle time, until an idle time before its end.
    while time.monotonic() - started < LIFETIME_S - IDLE_S:
        go_to(page, "Projekt")
        assert page.get_by_role("heading", name="Logga in till portfolj").count() == 0
        time.sleep(1)
    time.sleep(max(0.0, LIFETIME_S + 1 - (time.monotonic() - started)))
    click_and_expect_login(page)
    context.close()


def test_a_disabled_accounts_open_session_ends_at_its_next_click(server, browser):
    context, page = logged_in(browser, server)
    db = str(server.db)
    subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "user", "disable", KEYBOARD_USER, "--db", db],
        check=True,
        capture_output=True,
    )
    try:
        click_and_expect_login(page)
    finally:
        subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "user", "enable", KEYBOARD_USER, "--db", db],
            check=True,
            capture_output=True,
        )
        context.close()
