"""Status reports from the project page, and what the overview then shows."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio import store
from registers.schema import open_database
from tests.app.conftest import texts


def open_link2(at):
    return at.selectbox(key="project_select").set_value("GNS/8/2018").run()


@pytest.mark.parametrize("role", ["projektledare", "admin"])
def test_leader_and_admin_save_a_status_report_that_the_overview_shows(app_as, app_env, role):
    at = open_link2(app_as(role, "app_pages/project.py"))
    at.date_input(key="project_status_date").set_value(dt.date(2019, 6, 3))
    at.selectbox(key="project_status_time").set_value("röd")
    at.text_area(key="project_status_time_reason").input("Driftstart flyttad tre gånger")
    at.selectbox(key="project_status_overall").set_value("gul")
    at.text_area(key="project_status_overall_reason").input("Förlängning till 2019-10-31")
    at.button(key="FormSubmitter:project_status_form-Spara statusrapport").click().run()
    assert not at.exception
    assert "Förlängning till 2019-10-31" in texts(at)

    conn = open_database(app_env)
    assert store.status_reports_frame(conn)["overall_status"].to_list() == ["gul"]

    at.switch_page("app_pages/overview.py").run()
    row = at.dataframe(key="overview_table").value
    link2 = row[row["Kod"] == "GNS/8/2018"].iloc[0]
    assert link2["Rapport"].startswith("rapporterad 2019-06-03")
    assert "äldre än senaste tertialet" in link2["Rapport"]
    assert "Förlängning" in link2["Kommentar"]


def test_a_red_status_without_a_reason_is_refused_and_nothing_is_saved(app_as, app_env):
    at = open_link2(app_as("projektledare", "app_pages/project.py"))
    at.selectbox(key="project_status_cost").set_value("röd")
    at.button(key="FormSubmitter:project_status_form-Spara statusrapport").click().run()
    assert "Inget sparades" in at.error[0].value
    assert "Kostnad" in at.error[0].value
    assert store.status_reports_frame(open_database(app_env)).height == 0


@pytest.mark.parametrize("role", ["namnd", "kommunchef"])
def test_readers_see_no_status_form(app_as, role):
    at = open_link2(app_as(role, "app_pages/project.py"))
    with pytest.raises(KeyError):
        at.date_input(key="project_status_date")


def test_a_leader_sees_no_form_on_another_project(app_as):
    at = app_as("projektledare", "app_pages/project.py")
    at.selectbox(key="project_select").set_value("GNS/03/2019").run()
    with pytest.raises(KeyError):
        at.date_input(key="project_status_date")


def test_the_report_history_shows_each_dimensions_reason(app_as):
    at = open_link2(app_as("projektledare", "app_pages/project.py"))
    at.date_input(key="project_status_date").set_value(dt.date(2019, 6, 3))
    at.selectbox(key="project_status_time").set_value("röd")
    at.text_area(key="project_status_time_reason").input("Driftstart flyttad tre gånger")
    at.selectbox(key="project_status_cost").set_value("gul")
    at.text_area(key="project_status_cost_reason").input("Licenskostnaden steg")
    at.text_area(key="project_status_scope_reason").input("Mobil åtkomst utgår")
    at.button(key="FormSubmitter:project_status_form-Spara statusrapport").click().run()

    reader = open_link2(app_as("namnd", "app_pages/project.py"))
    history = [t.value for t in reader.table if "Nästa steg" in t.value.columns]
    assert history, "historiken saknas"
    latest = history[0].iloc[0]
    assert latest["Tid"].endswith("– Driftstart flyttad tre gånger")
    assert latest["Kostnad"].endswith("– Licenskostnaden steg")
    assert latest["Omfattning"].endswith("– Mobil åtkomst utgår")
    assert "None" not in history[0].to_csv()
