"""Sessions and links as on any web service: a reload keeps you signed in and where you were, a link
opened logged out leads through the login to the linked project, a logout ends every tab."""

from __future__ import annotations

from tests.browser.conftest import PERSONA_LABELS, enter_on_option, open_login, screenshot, wait_idle

LINK2 = "/projekt?projekt=GNS%2F8%2F2018"
LINK2_HEADING = "LINK2 – Införande av nytt IT-stöd för samordnad planering (Cosmic Link)"


def test_a_reload_keeps_the_user_signed_in_and_on_the_same_project(page_as, server):
    page = page_as("namnd")
    page.goto(server + LINK2)
    page.get_by_role("heading", name=LINK2_HEADING).wait_for()
    page.reload()
    page.get_by_role("heading", name=LINK2_HEADING).wait_for()
    wait_idle(page)
    assert page.get_by_text("Demo Ledamot").first.is_visible()
    assert "projekt=GNS" in page.url


def test_a_link_opened_logged_out_leads_through_the_login_to_the_project(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page = context.new_page()
    open_login(page, server + LINK2)
    screenshot(page, "djuplank-inloggning")
    page.get_by_role("button", name=PERSONA_LABELS["kommunchef"]).click()
    page.get_by_role("heading", name=LINK2_HEADING).wait_for(timeout=20_000)
    assert "/projekt" in page.url
    context.close()


def test_logging_out_in_one_tab_ends_the_session_in_the_other(page_as):
    first = page_as("projektledare")
    second = first.context.new_page()
    second.goto(first.url)
    second.get_by_role("heading", name="Att göra").wait_for()
    wait_idle(second)
    first.get_by_role("button", name="Logga ut").click()
    first.get_by_role("heading", name="Logga in till portfolj").wait_for()
    second.get_by_text("Portföljen", exact=True).first.click()  # choosing a page reruns the script
    second.get_by_role("menuitem", name="Projekt", exact=True).first.click()
    second.get_by_role("heading", name="Logga in till portfolj").wait_for(timeout=20_000)


def test_an_unknown_address_says_so_in_swedish(page_as, server):
    page = page_as("namnd")
    page.goto(server + "/finns-inte")
    page.get_by_role("heading", name="Sidan finns inte").wait_for()
    assert page.get_by_role("link", name="Portföljöversikten").is_visible()


def test_the_back_button_returns_to_the_project_chosen_before(page_as, server):
    page = page_as("namnd")
    page.goto(server + LINK2)
    page.get_by_role("heading", name=LINK2_HEADING).wait_for()
    wait_idle(page)
    box = page.locator(".st-key-project_select input").first
    box.click()
    box.fill("GNS/03/2019")
    enter_on_option(page, "GNS/03/2019")
    page.get_by_role("heading", name="Förstudie IT-serverdrift").wait_for()
    assert "projekt=GNS%2F03%2F2019" in page.url
    page.go_back()
    page.get_by_role("heading", name=LINK2_HEADING).wait_for()
    assert "projekt=GNS%2F8%2F2018" in page.url
