"""Every page renders for every role without an exception, and shows its key content."""

from __future__ import annotations

import pytest

from dashboard.navigation import PAGES, pages_for
from portfolio.auth import Role
from tests.app.conftest import ROLES, open_section, texts

PERSONA_ROLES = {
    "namnd": "nämnd",
    "kommunchef": "kommunchef",
    "projektledare": "projektledare",
    "admin": "admin",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.title)
def test_every_page_renders_for_every_role_that_has_it(app_as, role, spec):
    if spec not in pages_for(Role(PERSONA_ROLES[role])):
        at = app_as(role, spec.path)  # the address exists; the page says the role may not see it
        assert not at.exception, [e.value for e in at.exception]
        assert "är inte tillgänglig för rollen" in at.error[0].value
        return
    at = app_as(role, spec.path)
    assert not at.exception, [e.value for e in at.exception]
    assert spec.title in [t.value for t in at.title] or spec.title == "Projekt"


def test_overview_lists_every_seeded_project_with_status_text(app_as):
    at = app_as("namnd", "app_pages/overview.py")
    table = at.dataframe(key="overview_table").value
    assert "GNS/8/2018" in table["Kod"].to_list()
    assert len(table) == 21
    link2 = table[table["Kod"] == "GNS/8/2018"].iloc[0]
    assert "Gul" in link2["Status"] and "▲" in link2["Status"]


def test_project_page_shows_link2_total_cost_and_rounding(app_as):
    at = app_as("namnd", "app_pages/project.py")
    at.selectbox(key="project_select").set_value("GNS/8/2018").run()
    shown = texts(open_section(at, "Budget och utfall"))
    assert "3\u202f489\u202f986 kr" in shown
    assert "2\u202f810\u202f000 kr" in shown
    assert "differens" in shown  # the report's rounding is shown, not hidden
    shown = texts(open_section(at, "Tidplan"))
    assert "2019-05-20" in shown  # actual go-live
    assert "2019-03-26" in shown  # one of the postponements


def test_project_page_lists_decisions_in_date_order(app_as):
    at = app_as("namnd", "app_pages/project.py")
    at.selectbox(key="project_select").set_value("GNS/8/2018").run()
    at = open_section(at, "Livscykel och beslut")
    table = next(d.value for d in at.dataframe if "§" in d.value.columns)
    assert list(table["Datum"]) == sorted(table["Datum"])
    assert "2018-08-24" in list(table["Datum"])  # the project directive
    assert "§17" in list(table[table["Datum"] == "2019-06-03"]["§"])  # the extension
