"""Bruttolista page: filters, grouping, chart with table, and the admin's promotion of an activity."""

from __future__ import annotations

import pytest

from portfolio import store as core_store
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import AREAS
from registers.database import open_database
from tests.app.conftest import ROLES, duplicate_labels, fill, shown_under, texts

PAGE = "app_pages/bruttolista.py"


def activity_id(path, row: int) -> int:
    db = open_database(path)
    frame = bruttolista.activities(db, year=2019)
    return int(frame.filter(frame["row"] == row)["id"].item())


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_eleven_activities_with_status_as_symbol_and_word(app_as, role):
    at = app_as(role, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe(key="bruttolista_table").value
    assert len(table) == 11
    assert "● Genomförd" in table["Status"].to_list()
    assert "‖ Bordlagd" in table["Status"].to_list()
    assert "11 aktiviteter" in texts(at)
    assert at.get("plotly_chart")  # the chart of status by area …
    assert "Diagrammet som tabell" in texts(at)  # … and the same figures as a table


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_gets_the_edit_forms(app_as, role):
    at = app_as(role, PAGE)
    keys = {b.key for b in at.button}
    assert "bruttolista_promote_submit" not in keys
    assert "Redigera bruttolistan" not in texts(at)


def test_filters_by_status_and_area(app_as):
    at = app_as("namnd", PAGE)
    at.multiselect(key="bruttolista_statuses").set_value(["ej aktuell"]).run()
    assert len(at.dataframe(key="bruttolista_table").value) == 3
    at.multiselect(key="bruttolista_areas").set_value(["Expertis"]).run()
    table = at.dataframe(key="bruttolista_table").value
    assert table["Rad"].to_list() == [11]
    assert "1 aktiviteter" in texts(at)


def test_grouping_by_area_shows_an_activity_under_each_of_its_areas(app_as):
    at = app_as("namnd", PAGE)
    at.radio(key="bruttolista_group").set_value("Område").run()
    shown = texts(at)
    assert "**Kärnverksamhet** (6)" in shown
    assert "**Expertis** (1)" in shown


def test_the_activity_shows_its_linked_case_and_the_decisions_on_it(app_as, app_env):
    at = app_as("namnd", PAGE)
    at.selectbox(key="bruttolista_choice").set_value(activity_id(app_env, 7)).run()
    shown = texts(at)
    assert "GNS/03/2019" in shown
    assert "Förstudien godkänns och skickas på remiss" in shown


def test_admin_promotes_an_activity_and_the_case_appears_in_the_overview(app_as, app_env):
    at = app_as("admin", PAGE)
    row11 = activity_id(app_env, 11)
    at.selectbox(key="bruttolista_choice").set_value(row11).run()
    fill(
        at,
        bruttolista_promote_code="GNS/5/2020",
        bruttolista_promote_name="Nulägesanalys i arkivfrågan",
        bruttolista_promote_kind="förstudie",
    )
    at.button(key="bruttolista_promote_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Aktiviteten är nu ärendet GNS/5/2020." in [s.value for s in at.success]
    assert "GNS/5/2020 (skapat från aktiviteten)" in texts(at)

    db = open_database(app_env)
    pid = core_store.project_id_for(db, "GNS/5/2020")
    assert bruttolista.activities_for_project(db, pid)["id"].to_list() == [row11]

    at.switch_page("app_pages/overview.py").run()
    overview = at.dataframe(key="overview_table").value
    new = overview[overview["Kod"] == "GNS/5/2020"].iloc[0]
    assert new["Namn"] == "Nulägesanalys i arkivfrågan"
    assert new["Fas"] == "idé"


def test_the_promoted_case_opens_on_the_project_page(app_as, app_env):
    at = app_as("admin", PAGE)
    at.selectbox(key="bruttolista_choice").set_value(activity_id(app_env, 9)).run()
    at.text_input(key="bruttolista_promote_code").set_value("GNS/6/2020")
    at.button(key="bruttolista_promote_submit").click().run()
    at.button(key="bruttolista_open_promoted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="project_select").value == "GNS/6/2020"


def test_a_promotion_with_a_malformed_code_is_refused_and_nothing_is_saved(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_input(key="bruttolista_promote_code").set_value("GNS/5/20")
    at.button(key="bruttolista_promote_submit").click().run()
    errors = [e.value for e in at.error]
    assert (
        errors and "Inget sparades" in errors[0] and "'GNS/5/20' är inget giltigt ärendenummer" in errors[0]
    )
    assert core_store.count(open_database(app_env), "projects") == 21


def test_admin_records_a_new_years_outcome(app_as, app_env):
    at = app_as("admin", PAGE)
    row4 = activity_id(app_env, 4)
    at.selectbox(key="bruttolista_choice").set_value(row4).run()
    at.number_input(key="bruttolista_outcome_year").set_value(2020)
    at.selectbox(key="bruttolista_outcome_status").set_value("pågår")
    at.text_area(key="bruttolista_outcome_text").set_value("Projektmallen tas fram")
    at.button(key="bruttolista_outcome_save").click().run()
    assert "Utfallet för 2020 är sparat." in [s.value for s in at.success]
    assert "**Utfall 2020** (◐ Pågår): Projektmallen tas fram" in texts(at)


def test_a_new_activity_is_confirmed_under_its_button_chosen_and_the_form_emptied(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_area(key="bruttolista_new_activity").set_value("Gemensam e-arkivtjänst")
    at.multiselect(key="bruttolista_new_areas").set_value([next(iter(AREAS))])
    at.button(key="bruttolista_new_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert shown_under(at, "bruttolista_new_save") == (
        "Aktiviteten är tillagd i bruttolistan och vald under Aktivitet ovan."
    )
    assert (
        at.text_area(key="bruttolista_new_activity").value,
        at.multiselect(key="bruttolista_new_areas").value,
    ) == (
        "",
        [],
    )
    chosen = at.selectbox(key="bruttolista_choice")
    assert "Gemensam e-arkivtjänst" in chosen.format_func(chosen.value)


def test_an_outcome_is_confirmed_under_its_button_and_its_text_emptied(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_area(key="bruttolista_outcome_text").set_value("Klart till sommaren")
    at.button(key="bruttolista_outcome_save").click().run()
    assert (shown_under(at, "bruttolista_outcome_save") or "").startswith("Utfallet för")
    assert at.text_area(key="bruttolista_outcome_text").value == ""


def test_no_two_controls_on_the_bruttolista_page_share_a_label(app_as):
    at = app_as("admin", PAGE)
    assert duplicate_labels(at) == []
