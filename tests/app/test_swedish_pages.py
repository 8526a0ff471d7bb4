"""Swedish all the way, as the AppTest sees it: no developer remarks about how a document was read,
jump links on the project page, times in Swedish local time."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from dashboard.navigation import BENEFITS_TABS, PROJECT_SECTIONS, pages_for
from portfolio.auth import Role
from tests.app.conftest import open_section, texts


def open_link2(at):
    return at.selectbox(key="project_select").set_value("GNS/8/2018").run()


def test_the_project_page_hides_remarks_on_how_the_documents_were_read(app_as):
    at = open_link2(app_as("namnd", "app_pages/project.py"))
    shown = "\n".join(texts(open_section(at, section)) for section in PROJECT_SECTIONS)
    for remark in ("textversionen", "kryssrutorna", "tolkning", "seed-dokument", "actual_end_date"):
        assert remark not in shown, remark
    assert "(bedömd)" in shown  # what a judged row means is said in words a reader uses
    assert "dokumentet anger inte ja eller nej" in shown


def test_the_project_page_shows_one_part_at_a_time_each_with_its_own_link(app_as):
    """The parts are tabs; only the open one is drawn (issue 20: the whole page took a browser over
    a second at 2 000 projects), and the page's link names the open part."""
    at = open_link2(app_as("namnd", "app_pages/project.py"))
    assert [t.label for t in at.tabs] == list(PROJECT_SECTIONS)
    parts = {
        "Översikt": "Fakta",
        "Statusrapporter": "Statusrapporter",
        "Budget och utfall": "Budget och utfall",
        "Tidplan": "Tidplan",
        "Livscykel och beslut": "Projektets livscykel",
    }
    for section, heading in parts.items():
        at = open_section(at, section)
        headers = {h.value for h in [*at.header, *at.subheader]}
        assert heading in headers
        assert not (set(parts.values()) - {heading}) & headers, section  # the others are not drawn
        link = at.code[0].value
        assert link.endswith(
            "/projekt?projekt=GNS/8/2018" + ("" if section == "Översikt" else f"&avsnitt={quote(section)}")
        )


@pytest.mark.parametrize("role", ["admin", "projektledare"])
def test_what_an_editor_typed_in_one_tab_is_still_there_after_another(app_as, role):
    """Whoever may change the project gets every tab drawn: a field filled in and not yet saved
    survives a look at another tab (a reader's page draws only the open tab and has no forms)."""
    at = open_section(open_link2(app_as(role, "app_pages/project.py")), "Statusrapporter")
    at.selectbox(key="project_report_period").set_value("T2 2019").run()
    at = open_section(at, "Budget och utfall")
    at = open_section(at, "Statusrapporter")
    assert at.selectbox(key="project_report_period").value == "T2 2019"


@pytest.mark.parametrize("role", ["namnd", "kommunchef"])
@pytest.mark.parametrize(
    ("page", "tabs"), [("app_pages/project.py", PROJECT_SECTIONS), ("app_pages/benefits.py", BENEFITS_TABS)]
)
def test_a_readers_tabs_have_no_form_to_lose(app_as, role, page, tabs):
    at = app_as(role, page)
    for tab in tabs:
        at = open_section(at, tab)
        assert not at.exception
        assert not at.get("form"), f"{tab}: ett formulär försvinner när fliken byts"


def test_risk_history_times_are_swedish_local_time(app_as):
    at = app_as("projektledare", "app_pages/risks.py")
    history = next(d.value for d in at.dataframe if "Ändring" in d.value.columns)
    assert "Tid" in history.columns and "Tid (UTC)" not in history.columns
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", t) for t in history["Tid"])


@pytest.mark.parametrize("role", ["namnd", "admin"])
def test_no_table_draws_an_empty_cell_as_none(app_as, role):
    # st.dataframe draws a missing value as a grey "None" on its canvas, where no browser scan sees it.
    missing = []
    for spec in pages_for(Role.NAMND if role == "namnd" else Role.ADMIN):
        at = app_as(role, spec.path)
        missing += [
            f"{spec.title}: tabell {i + 1}"
            for i, d in enumerate(at.dataframe)
            if not d.proto.HasField("placeholder")  # "" (an empty cell) is a choice too
        ]
    assert not missing, missing
