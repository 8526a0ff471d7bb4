"""Portföljöversikt draws what a person reads, also for a large portfolio: a page of the table
(searched and sorted before it reaches the browser), the same page as text, and a chart of the
largest projects with one bar for the rest."""

from __future__ import annotations

import pytest

from registers.database import open_database
from seed.synthetic import Size, generate


def opened_text_table(at):
    """Open "Tabellen i textform" (drawn only when open) and return its rows."""
    assert not next(e for e in at.expander if e.label.startswith("Tabellen i textform")).table
    at.session_state["overview_text_table"] = True
    at.run()
    return next(e for e in at.expander if e.label.startswith("Tabellen i textform")).table[0].value


def test_searching_the_overview_shows_only_the_matching_projects_in_both_tables(app_as):
    at = app_as("namnd", "app_pages/overview.py")
    at.text_input(key="overview_search").input("link2").run()
    assert not at.exception
    assert at.dataframe(key="overview_table").value["Kod"].tolist() == ["GNS/8/2018"]
    text_table = opened_text_table(at)  # the same rows
    assert text_table["Kod"].tolist() == ["GNS/8/2018"]
    assert at.selectbox(key="overview_open_choice").options == ["GNS/8/2018 – " + text_table["Namn"][0]]


@pytest.fixture
def many_projects(app_env):
    db = open_database(app_env)
    generate(db, Size(80, 0, 0))
    db.close()


@pytest.mark.usefixtures("many_projects")
@pytest.mark.parametrize("role", ["namnd", "admin"])
def test_a_large_portfolio_is_shown_a_page_at_a_time_with_a_readable_chart(app_as, role):
    at = app_as(role, "app_pages/overview.py")
    assert not at.exception
    first = at.dataframe(key="overview_table").value["Kod"].tolist()
    assert len(first) == 50
    assert opened_text_table(at)["Kod"].tolist() == first  # the text alternative is paginated the same way
    assert len(at.selectbox(key="overview_open_choice").options) == 50
    chart_table = next(e for e in at.expander if e.label == "Diagrammet som tabell").table[0].value
    assert len(chart_table) == 16 and chart_table["Namn"].iloc[-1].startswith("Övriga (")
    at.selectbox(key="overview_page").set_value(2).run()
    second = at.dataframe(key="overview_table").value["Kod"].tolist()
    assert second and not set(second) & set(first)
    assert any(c.value.startswith("Visar 51–100 av ") for c in at.caption)


@pytest.mark.usefixtures("many_projects")
@pytest.mark.parametrize(
    ("page", "key", "search_key"),
    [
        ("app_pages/project.py", "project_select", "project_search"),
        ("app_pages/risks.py", "risks_project", "risks_project_search"),
        ("app_pages/benefits.py", "benefits_project", "benefits_project_search"),
    ],
)
def test_a_project_is_found_by_searching_instead_of_scrolling_thousands_of_options(
    app_as, page, key, search_key
):
    at = app_as("namnd", page)
    assert not at.exception
    assert len(at.selectbox(key=key).options) <= 51  # the 50 first and the chosen one
    assert any("sök för att hitta andra" in c.value for c in at.caption)
    at.text_input(key=search_key).input("syn/77/").run()
    options = at.selectbox(key=key).options
    assert [o for o in options if o.startswith("SYN/77/")] and len(options) == 2  # the match and LINK2
    match = next(o.split(" – ")[0] for o in options if o.startswith("SYN/77/"))
    at.selectbox(key=key).set_value(match).run()
    assert not at.exception
    assert at.selectbox(key=key).value == match
