"""Real flows in a real browser: the committee finds LINK2; a project leader reports status."""

from __future__ import annotations

from tests.browser.conftest import choose, press, screenshot

NBSP = "\u202f"


def test_committee_opens_link2_from_the_overview_and_sees_its_total_cost(page_as):
    page = page_as("namnd", on="Portföljöversikt")
    choose(page, "Öppna ett projekt", "LINK2")
    press(page, "Öppna projektet")
    page.get_by_role("heading", name="Budget och utfall").wait_for()
    assert page.get_by_text(f"3{NBSP}489{NBSP}986 kr").first.is_visible()
    screenshot(page, "projekt-link2")
