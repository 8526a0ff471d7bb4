"""Every persona opens every page in its navigation: no exception, key content, no serious
or critical axe violation; a screenshot of each is saved."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, go_to, screenshot, wait_idle

# Navigation title → text that must be on the page.
COMMON = {
    "Portföljöversikt": "Nyckeltal",
    "Projekt": "Budget och utfall",
    "Sammanträden": "Sammanträdesplan",
    "Ändringslogg": "Exportera till CSV",
    "Tillgänglighetsredogörelse": "Rapportera brister",
}
ADMIN_ONLY = {"Användare": "Nytt konto"}


def pages_for(role: str) -> dict[str, str]:
    return {**COMMON, **(ADMIN_ONLY if role == "admin" else {})}


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare", "admin"])
def test_every_page_works_and_is_accessible_for_every_persona(page_as, role):
    page = page_as(role)
    problems = {}
    for title, content in pages_for(role).items():
        go_to(page, title)
        page.get_by_text(content).first.wait_for(timeout=20_000)
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title}: undantag på sidan"
        violations = axe_violations(page)
        if violations:
            problems[title] = violations
        screenshot(page, f"{role}-{title}")
    assert not problems, problems


def test_login_page_is_accessible(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(server)
    wait_idle(page)
    assert axe_violations(page) == []
    screenshot(page, "logga-in")
    context.close()
