"""Keyboard-only use and a phone-sized screen."""

from __future__ import annotations

from tests.browser.conftest import KEYBOARD_PASSWORD, KEYBOARD_USER, SECTION_OF, go_to, open_login, screenshot


def tab_to(page, predicate_js: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies `predicate_js` (e => bool)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(({predicate_js}))(document.activeElement)"):
            return
    raise AssertionError(f"nådde aldrig fältet med Tab: {predicate_js}")


def test_login_works_with_the_keyboard_only(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_login(page, server)
    tab_to(page, "e => e.id === 'email'")
    page.keyboard.type(KEYBOARD_USER)
    page.keyboard.press("Tab")
    page.keyboard.type(KEYBOARD_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Att göra").wait_for(timeout=20_000)
    assert page.get_by_text("Tangent Bordsson").first.is_visible()
    context.close()


def test_focus_is_visible_on_the_login_button(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_login(page, server)
    tab_to(page, "e => e.innerText && e.innerText.trim() === 'Logga in'")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }"
    )
    assert outline != "none 0px none", outline
    context.close()


def test_every_page_fits_a_phone_screen(page_as):
    # The e-strateg sees every page. Wide tables scroll inside their own frame; the page never does.
    page = page_as("admin", width=390, height=844)
    for title in SECTION_OF:
        if title != "Att göra":
            go_to(page, title)
        heading = "LINK2" if title == "Projekt" else title  # a project page is titled by its project
        page.get_by_role("heading", name=heading, level=1).wait_for()
        overflow = page.evaluate(
            "() => document.querySelector('[data-testid=stMain]').scrollWidth - window.innerWidth"
        )
        assert overflow <= 1, f"{title}: sidan är {overflow} px bredare än skärmen"
        close = page.get_by_test_id("stSidebarCollapseButton").locator("button")
        if close.is_visible():  # Streamlit leaves the sidebar menu open after a choice
            close.click()
            page.get_by_test_id("stExpandSidebarButton").wait_for()
            page.wait_for_timeout(500)  # the sidebar slides away; the screenshot waits for it
        screenshot(page, f"mobil-{title}")
