"""The whole story of a new project in a real browser: the e-strateg registers it with its money and
leader, the leader logs in and re-plans a milestone, the nämnd sees it in the overview."""

from __future__ import annotations

from tests.browser.conftest import (
    KEYBOARD_USER,
    go_to,
    log_in_with_password,
    open_tab,
    press,
    screenshot,
    wait_idle,
)
from tests.browser.conftest import pick as choose_option
from tests.browser.conftest import type_date as type_date_of

NBSP = "\u202f"
CODE = "GNS/5/2020"


def field(page, key_prefix: str, kind: str = "input"):
    """The input of the widget whose key starts with `key_prefix` (keys carry a form's version)."""
    return page.locator(f'[class*="st-key-{key_prefix}"] {kind}').first


def type_date(page, key_prefix: str, yyyymmdd: str) -> None:
    type_date_of(page, key_prefix, yyyymmdd, key_prefix=True)


def pick(page, key_prefix: str, text: str) -> None:
    choose_option(page, key_prefix, text, key_prefix=True, close=True)


def test_a_new_project_from_registration_to_the_leaders_replan_and_the_overview(page_as, server, browser):
    page = page_as("admin", on="Nytt projekt")
    field(page, "project_new_0_code").fill(CODE)
    field(page, "project_new_0_name").fill("Gemensam e-arkivering")
    type_date(page, "project_new_0_start", "20200301")
    type_date(page, "project_new_0_end", "20210630")
    pick(page, "project_new_0_owner", "Region")
    pick(page, "project_new_0_financing", "Region")
    pick(page, "project_new_0_financing", "Östersund")
    pick(page, "project_new_0_accounts", KEYBOARD_USER)
    press(page, "Registrera projektet")
    page.get_by_text(f"{CODE} Gemensam e-arkivering är registrerat.").wait_for()
    screenshot(page, "e-strateg-nytt-projekt")

    page.get_by_role("link", name=f"Öppna {CODE}").click()
    wait_idle(page)
    page.get_by_role("heading", name="Gemensam e-arkivering").wait_for()
    open_tab(page, "Budget och utfall")
    for activity, shares in (
        ("Projektledning", {"RJH": "300000", "OSTERSUND": "100000"}),
        ("Licenser", {"RJH": "100000"}),
    ):
        pick(page, "project_budget_line", "Ny budgetrad")
        field(page, "project_budget_0_0_activity").fill(activity)
        for code, amount in shares.items():
            field(page, f"project_budget_0_0_b_{code}").fill(amount)
        press(page, "Spara budgetraden")
        page.get_by_text(f"Budgetraden {activity} är sparad.").wait_for()
    assert page.get_by_text(f"500{NBSP}000 kr").first.is_visible()
    open_tab(page, "Tidplan")
    page.get_by_role("tab", name="Ny milstolpe").click()
    field(page, "project_schedule_add_name").fill("Driftstart")
    type_date(page, "project_schedule_add_date", "20210301")
    press(page, "Lägg till milstolpen")
    page.get_by_text("Milstolpen Driftstart är tillagd.").wait_for()
    screenshot(page, "e-strateg-projekt-budget")

    # The project leader logs in with their own account and finds the project as theirs.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    leader = context.new_page()
    log_in_with_password(leader, server)
    go_to(leader, "Projekt")
    pick(leader, "project_select", CODE)
    open_tab(leader, "Tidplan")
    leader.get_by_role("heading", name="Ändra tidplanen").wait_for()
    leader.get_by_role("tab", name="Planera om").click()
    type_date(leader, "project_schedule_replan_", "20210501")
    field(leader, "project_schedule_replan_", "textarea").fill("Upphandlingen drog ut på tiden")
    press(leader, "Planera om")
    leader.get_by_text("Driftstart är omplanerad till 2021-05-01.").wait_for()
    assert leader.get_by_text("Upphandlingen drog ut på tiden").first.is_visible()
    screenshot(leader, "projektledare-omplanerad-milstolpe")
    open_tab(leader, "Budget och utfall")
    leader.get_by_role("heading", name="Budget och utfall").wait_for()
    assert not leader.get_by_role("heading", name="Ändra budgeten").is_visible()
    context.close()

    # The nämnd sees the project in the overview with its budget and status.
    member = page_as("namnd", on="Portföljöversikt")
    member.get_by_text("Tabellen i textform").click()
    row = member.get_by_role("row").filter(has_text=CODE).first
    assert "Gemensam e-arkivering" in row.inner_text()
    assert f"500{NBSP}000" in row.inner_text()
    assert "Grön" in row.inner_text()
    screenshot(member, "namnd-oversikt-ny-projekt")
