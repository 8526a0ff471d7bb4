"""Rapportkalender under AppTest: every role reads it; the e-strateg sets periods and who reports."""

from __future__ import annotations

import pytest

from portfolio import clock
from portfolio.reporting import service
from portfolio.reporting import store as reporting_store
from registers.database import open_database
from seed.synthetic import Size, generate
from tests.app.conftest import ROLES, texts

PAGE = "app_pages/calendar.py"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_2019_calendar_and_who_is_due(app_as, role):
    at = app_as(role, PAGE)
    assert not at.exception
    shown = texts(at)
    assert "T2,2019-01-01 – 2019-08-31,2019-10-11,2019-10-01,2019-10-06" in shown
    assert "Att rapportera nu" in shown
    if role == "admin":
        assert at.button(key="FormSubmitter:calendar_period_form-Spara period")
    else:
        with pytest.raises(KeyError):
            at.button(key="FormSubmitter:calendar_period_form-Spara period")


def test_admin_adds_a_period_from_the_meeting_plan_and_a_late_deadline_is_refused(app_as, app_env):
    at = app_as("admin", PAGE)
    at.number_input(key="calendar_year_in").set_value(2020)
    at.text_input(key="calendar_period_name").input("T1")
    at.button(key="FormSubmitter:calendar_period_form-Spara period").click().run()
    assert "T1 2020 är tillagd: statusrapporter senast 2020-05-19" in texts(at)

    at.number_input(key="calendar_year_in").set_value(2020)
    at.text_input(key="calendar_period_name").input("T2")
    at.date_input(key="calendar_report_deadline").set_value("2020-10-10")
    at.date_input(key="calendar_review_deadline").set_value("2020-10-10")
    at.button(key="FormSubmitter:calendar_period_form-Spara period").click().run()
    assert "ligger efter sammanträdet där rapporten redovisas (2020-10-09)" in at.error[0].value
    assert reporting_store.period_row(open_database(app_env), 2020, "T2") is None


def test_admin_sets_that_a_closed_project_must_report(app_as, app_env):
    at = app_as("admin", PAGE)
    conn = open_database(app_env)
    link2 = next(p for p in reporting_store.reporting_projects(conn) if p["code"] == "GNS/8/2018")
    at.selectbox(key="calendar_obligation_project").set_value(link2["id"])
    at.radio(key="calendar_obligation").set_value("ja")
    at.button(key="FormSubmitter:calendar_obligation_form-Spara").click().run()
    assert not at.exception
    assert "GNS/8/2018: rapporterar ja, alltid." in texts(at)
    again = next(
        p for p in reporting_store.reporting_projects(open_database(app_env)) if p["code"] == "GNS/8/2018"
    )
    assert again["must_report"] is True


def test_a_period_name_with_markup_is_shown_as_written(app_as):
    at = app_as("admin", PAGE)
    at.number_input(key="calendar_year_in").set_value(2019)
    at.text_input(key="calendar_period_name").input("**Extra** [länk](http://x.se)")
    at.date_input(key="calendar_start").set_value("2019-01-01")
    at.date_input(key="calendar_end").set_value("2019-03-31")
    at.button(key="FormSubmitter:calendar_period_form-Spara period").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("\\*\\*Extra\\*\\* \\[länk\\](http\\:")
    assert "**Extra** [länk](http://x.se) 2019 är tillagd" in texts(at)


def test_a_large_portfolio_shows_one_screenful_of_due_projects_missing_first(app_as, app_env):
    db = open_database(app_env)
    generate(db, Size(160, 0, 0))
    due = len(service.due_reports(db, clock.today()))
    db.close()
    at = app_as("admin", PAGE)
    assert not at.exception
    assert due > 50
    assert f"Visar 50 av {due} projekt, de som saknar rapport först" in texts(at)
    (shown,) = [t for t in at.table if "Läge" in t.value.columns]
    assert len(shown.value) == 50
