"""Every page worth sharing opens from its address and writes the user's choice back into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from portfolio import users_store
from registers.database import open_database
from tests.app.conftest import APP, PERSONA_EMAILS, texts
from tests.present import present


@pytest.fixture
def open_link(app_env: Path):
    """`open_link("namnd", "app_pages/project.py", projekt="GNS/03/2019")`: a new session on that address."""

    def make(role: str, page: str, **params: str) -> AppTest:
        conn = open_database(app_env)
        user = present(users_store.find_user(conn, PERSONA_EMAILS[role]))[0]
        conn.close()
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["user_id"] = user.id
        at.run()
        for name, value in params.items():
            at.query_params[name] = value
        return at.switch_page(page).run()

    return make


def test_a_project_link_opens_that_project_and_a_new_choice_updates_the_address(open_link):
    at = open_link("namnd", "app_pages/project.py", projekt="GNS/03/2019")
    assert at.selectbox(key="project_select").value == "GNS/03/2019"
    assert at.title[0].value == "Förstudie IT-serverdrift"
    at.selectbox(key="project_select").set_value("GNS/8/2018").run()
    assert at.query_params["projekt"] == "GNS/8/2018"
    assert at.code[0].value.endswith("/projekt?projekt=GNS/8/2018")


def test_a_link_to_a_part_of_the_project_page_opens_that_tab(open_link):
    """Att göra's "Statusrapport T2 …" and its e-mail link open the tab where the report is written."""
    at = open_link("projektledare", "app_pages/project.py", projekt="GNS/8/2018", avsnitt="Statusrapporter")
    assert at.session_state["avsnitt"] == "Statusrapporter"  # the tab that is open
    assert "Statusrapporter" in [h.value for h in at.header]
    assert at.code[0].value.endswith("/projekt?projekt=GNS/8/2018&avsnitt=Statusrapporter")


def test_a_link_to_a_project_that_does_not_exist_says_so_in_swedish(open_link):
    at = open_link("namnd", "app_pages/project.py", projekt="GNS/99/2099")
    assert "Det finns inget projekt eller ärende med koden GNS/99/2099" in texts(at)
    assert not at.exception


def test_a_risk_link_opens_the_project_and_the_risk(open_link):
    at = open_link("namnd", "app_pages/risks.py", projekt="GNS/8/2018", risk="3")
    assert at.selectbox(key="risks_project").value == "GNS/8/2018"
    assert at.selectbox(key="risks_selected").value == 3
    assert at.query_params["risk"] == "3"


def test_a_benefit_link_opens_the_project_in_the_benefit_register(open_link):
    # Att göra's "benefit due for measurement" links here with ?projekt=.
    at = open_link("projektledare", "app_pages/benefits.py", projekt="GNS/03/2019")
    assert at.selectbox(key="benefits_project").value == "GNS/03/2019"
    at.selectbox(key="benefits_project").set_value("GNS/8/2018").run()
    assert at.query_params["projekt"] == "GNS/8/2018"


def test_a_tertial_link_opens_the_year_and_period(open_link):
    at = open_link("kommunchef", "app_pages/tertial.py", ar="2019", period="T1")
    assert (at.selectbox(key="tertial_year").value, at.selectbox(key="tertial_period").value) == (2019, "T1")
    assert "−219 tkr" in texts(at)


def test_a_meeting_link_opens_that_meeting_with_a_link_to_copy(open_link):
    at = open_link("namnd", "app_pages/meetings.py", datum="2019-06-03")
    assert "Sammanträde 2019-06-03" in [h.value for h in at.header]
    assert at.query_params["datum"] == "2019-06-03"


def test_a_search_link_fills_in_the_search_of_the_decisions(open_link):
    at = open_link("namnd", "app_pages/decisions.py", q="serverdrift")
    assert at.text_input(key="decisions_search").value == "serverdrift"
    assert "Förstudie IT-serverdrift" in texts(at)
