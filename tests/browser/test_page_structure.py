"""Long pages have jump links to their sections (the Projekt page: a tab per part, each with its
own address), and on a 390 px phone the charts stay inside the screen with their legend below the
plot."""

from __future__ import annotations

import pytest

from dashboard.navigation import PROJECT_SECTIONS
from tests.browser.conftest import SCREENSHOTS, go_to, open_tab, screenshot, wait_idle

JUMP_PAGES = {
    "Riskregister": ["riskmatris", "risker", "atgarder", "en-risk", "lagg-till", "excel", "register"],
}
# Each page with a chart, and the tab it is on.
CHART_PAGES = {
    "Portföljöversikt": None,
    "Projekt": "Budget och utfall",
    "Riskregister": None,
    "Tertialrapport": None,
    "Kostnadsfördelning": None,
}

LINKS = """() => Array.from(document.querySelectorAll('[data-testid="stMarkdown"] a[href^="#"]'))
    .map(a => a.getAttribute('href').slice(1))"""


@pytest.mark.parametrize("title", list(JUMP_PAGES))
def test_a_long_page_links_to_each_of_its_sections(page_as, title):
    page = page_as("projektledare", on=title)
    links = page.evaluate(LINKS)
    assert links[: len(JUMP_PAGES[title])] == JUMP_PAGES[title]
    for anchor in links:
        assert page.locator(f'[id="{anchor}"]').count() == 1, f"{title}: inget avsnitt #{anchor}"
    last = JUMP_PAGES[title][-1]
    page.locator(f'[data-testid="stMarkdown"] a[href="#{last}"]').first.click()
    wait_idle(page)
    top = page.locator(f'[id="{last}"]').bounding_box()
    assert top is not None and 0 <= top["y"] < 400, f"{title}: länken till #{last} flyttade inte dit"


def test_the_project_page_opens_one_part_at_a_time_from_its_tabs_each_at_its_own_address(page_as):
    page = page_as("namnd", on="Projekt")  # a reader: only the open tab is drawn
    assert [t.inner_text().strip() for t in page.get_by_role("tab").all()] == list(PROJECT_SECTIONS)
    assert page.get_by_role("heading", name="Fakta").is_visible()
    open_tab(page, "Tidplan")
    page.get_by_role("heading", name="Tidplan", exact=True).wait_for()
    assert "avsnitt=Tidplan" in page.url
    assert page.get_by_role("heading", name="Fakta").count() == 0  # the other parts are not drawn
    assert page.get_by_text("avsnitt=Tidplan").first.is_visible()  # the link to share says so too
    page.reload()  # the address opens the same part
    wait_idle(page)
    page.get_by_role("heading", name="Tidplan", exact=True).wait_for()
    assert page.get_by_role("tab", name="Tidplan", exact=True).get_attribute("aria-selected") == "true"


def test_an_editor_finds_an_unsaved_form_field_as_typed_after_looking_at_another_tab(page_as):
    page = page_as("admin", on="Projekt")
    open_tab(page, "Budget och utfall")
    field = page.locator('[class*="st-key-project_budget_0_0_activity"] input').first
    field.fill("Halvskriven budgetrad")  # in a form: sent only when saved
    open_tab(page, "Tidplan")
    page.get_by_role("heading", name="Tidplan", exact=True).wait_for()
    open_tab(page, "Budget och utfall")
    assert field.input_value() == "Halvskriven budgetrad"


CHARTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => {
    const box = plot.getBoundingClientRect();
    const legend = plot.querySelector('.legend');
    const area = plot.querySelector('.bglayer, .cartesianlayer');
    return {
        right: box.right, width: box.width,
        cut: Array.from(plot.querySelectorAll('.ytick text'))
            .some(t => t.getBoundingClientRect().left < box.left - 1),
        legendTop: legend ? legend.getBoundingClientRect().top : null,
        areaBottom: area ? area.getBoundingClientRect().bottom : null,
    };
})"""


def _layout_problems(page, title: str) -> list[str]:
    found = []
    width = page.evaluate("window.innerWidth")
    if page.evaluate("document.documentElement.scrollWidth") > width + 1:
        found.append(f"{title}: sidan är bredare än skärmen")
    for chart in page.evaluate(CHARTS):
        if chart["right"] > width + 1:
            found.append(f"{title}: ett diagram går utanför skärmen ({chart['right']:.0f} px)")
        if chart["cut"]:
            found.append(f"{title}: en axeltext är avklippt vid diagrammets vänsterkant")
        if chart["legendTop"] is not None and chart["legendTop"] < chart["areaBottom"] - 1:
            found.append(f"{title}: en förklaring ligger över diagrammet, inte under")
    return found


def test_on_a_phone_charts_fit_the_screen_with_the_legend_below(page_as):
    page = page_as("admin", width=390, height=844)
    problems = []
    for title, tab in CHART_PAGES.items():
        go_to(page, title)
        close = page.locator('[data-testid="stSidebarCollapseButton"] button')
        if close.count() and close.first.is_visible():
            close.first.click()  # the navigation lies over the page on a phone
        if tab:
            open_tab(page, tab)
        # Plotly lays a chart out again after the sidebar closes; on a busy machine that takes a
        # moment, so a page counts once it has settled (at most 5 s), not at its first frame.
        # The first chart of a session also waits for Plotly's script to load.
        charts = page.locator(".js-plotly-plot")
        for _attempt in range(10):
            page.wait_for_timeout(500)
            found = _layout_problems(page, title) or ([] if charts.count() else [f"{title}: inget diagram"])
            if not found:
                break
        problems += found
        if charts.count():
            charts.first.scroll_into_view_if_needed()
            charts.first.screenshot(path=str(SCREENSHOTS / f"telefon-diagram-{title}.png"))
        screenshot(page, f"telefon-{title}")
    assert not problems, problems
