"""Every persona opens every page in its navigation: no exception, the page's heading, no
serious or critical axe violation, no English or programmer's value (test_swedish.py says what is
scanned); a screenshot of each is saved."""

from __future__ import annotations

import pytest

from dashboard.navigation import BENEFITS_TABS, PROJECT_SECTIONS, pages_for
from portfolio.auth import Role
from tests.browser.conftest import axe_violations, go_to, open_login, open_tab, screenshot
from tests.browser.test_swedish import english_on

ROLES = {
    "namnd": Role.NAMND,
    "kommunchef": Role.KOMMUNCHEF,
    "projektledare": Role.PROJEKTLEDARE,
    "admin": Role.ADMIN,
}
# The project page is titled with the project's name; look for a section heading instead.
CONTENT = {"Projekt": "Fakta"}
# Pages whose parts are tabs drawn only when opened: each tab is checked like a page of its own.
TABS = {"Projekt": PROJECT_SECTIONS[1:], "Nyttoregister": BENEFITS_TABS[1:]}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_works_is_accessible_and_swedish_for_every_persona(page_as, role):
    page = page_as(role)
    problems, english = {}, {}
    for spec in pages_for(ROLES[role]):
        go_to(page, spec.title)
        heading = CONTENT.get(spec.title, spec.title)
        page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
        for tab in ("", *TABS.get(spec.title, ())):
            where = f"{spec.title} – {tab}" if tab else spec.title
            if tab:
                open_tab(page, tab)
                page.get_by_role("tab", name=tab, exact=True).and_(
                    page.locator('[aria-selected="true"]')
                ).wait_for(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0, f"{where}: undantag på sidan"
            violations = axe_violations(page)
            if violations:
                problems[where] = violations
            page.wait_for_timeout(300)  # charts draw their ticks after the script has finished
            hits = english_on(page, where)
            if hits:
                english[where] = hits
            screenshot(page, f"{role}-{spec.url_path}" + (f"-{tab}" if tab else ""))
    assert not problems, problems
    assert not english, "\n".join(f"{title}:\n  " + "\n  ".join(h) for title, h in english.items())


def test_login_page_is_accessible(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_login(page, server)
    assert axe_violations(page) == []
    screenshot(page, "logga-in")
    context.close()
