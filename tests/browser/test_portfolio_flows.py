"""Real flows in a real browser: the committee finds LINK2; a project leader reports status."""

from __future__ import annotations

from tests.browser.conftest import choose, open_tab, press, screenshot

NBSP = "\u202f"


def test_committee_opens_link2_from_the_overview_and_sees_its_total_cost(page_as):
    page = page_as("namnd", on="Portföljöversikt")
    choose(page, "Öppna ett projekt", "LINK2")
    press(page, "Öppna projektet")
    page.get_by_role("heading", name="Fakta").wait_for()
    open_tab(page, "Budget och utfall")
    page.get_by_role("heading", name="Budget och utfall").wait_for()
    assert page.get_by_test_id("stMetric").filter(has_text=f"3{NBSP}489{NBSP}986 kr").first.is_visible()
    screenshot(page, "projekt-link2")
