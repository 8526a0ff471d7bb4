"""Real flows in a real browser: the committee finds LINK2; a project leader reports status."""

from __future__ import annotations

from tests.browser.conftest import choose, go_to, screenshot, wait_idle

NBSP = "\u202f"


def test_committee_opens_link2_from_the_overview_and_sees_its_total_cost(page_as):
    page = page_as("namnd")
    choose(page, "Öppna ett projekt", "LINK2")
    page.get_by_role("button", name="Öppna projektet").click()
    wait_idle(page)
    page.get_by_role("heading", name="Budget och utfall").wait_for()
    assert page.get_by_text(f"3{NBSP}489{NBSP}986 kr").first.is_visible()
    screenshot(page, "projekt-link2")


def test_project_leader_saves_a_status_report_and_sees_it_on_the_overview(page_as):
    page = page_as("projektledare")
    go_to(page, "Projekt")
    page.get_by_role("heading", name="Ny statusrapport").wait_for()
    choose(page, "Totalt", "Gul")
    page.get_by_label("Skäl, totalt").fill("Utbildningen behöver förstärkas")
    page.get_by_role("button", name="Spara statusrapport").click()
    wait_idle(page)
    page.get_by_text("Utbildningen behöver förstärkas").first.wait_for()
    go_to(page, "Portföljöversikt")
    choose(page, "Sortera efter", "Status (allvarligast först)")
    # The grid is drawn on a canvas; its text copy is the table in the expander below it.
    page.get_by_text("Tabellen i textform").click()
    row = page.get_by_role("row").filter(has_text="GNS/8/2018").first
    assert "rapporterad" in row.inner_text()
    assert "Utbildningen behöver förstärkas" in row.inner_text()
    screenshot(page, "oversikt-efter-statusrapport")
