"""Nytt projekt and the project page's forms: what the user fills in is what the database holds."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.navigation import pages_for
from portfolio import store
from portfolio.auth import SYSTEM, Role
from portfolio.projects import service as projects
from portfolio.projects.model import ProjectInput
from registers.database import open_database
from tests.app.conftest import open_section, texts

PROJECT_PAGE = "app_pages/project.py"
NEW_PAGE = "app_pages/project_new.py"


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def open_project(at: AppTest, code: str, section: str = "Budget och utfall") -> AppTest:
    at.selectbox(key="project_select").set_value(code)
    return open_section(at.run(), section)


@pytest.fixture
def conn(app_env):
    return open_database(app_env)


def e_arkivering(conn) -> int:
    return projects.create_project(
        conn,
        SYSTEM,
        projects.parse(
            ProjectInput,
            {
                "code": "GNS/5/2020",
                "name": "Gemensam e-arkivering",
                "financing_parties": ["RJH", "OSTERSUND"],
            },
        ),
    )


def test_the_e_strateg_registers_a_project_and_the_form_is_empty_again(app_as, conn):
    at = app_as("admin", NEW_PAGE)
    at.text_input(key="project_new_0_code").input("GNS/5/2020")
    at.text_input(key="project_new_0_name").input("Gemensam e-arkivering")
    at.date_input(key="project_new_0_start").set_value(date(2020, 3, 1))
    at.date_input(key="project_new_0_end").set_value(date(2021, 6, 30))
    at.selectbox(key="project_new_0_owner").set_value("RJH")
    at.multiselect(key="project_new_0_financing").set_value(["RJH", "OSTERSUND"])
    at.text_area(key="project_new_0_leaders").input("Anna Berg (Östersunds kommun)")
    at = click(at, "Registrera projektet")
    assert not at.exception
    assert "GNS/5/2020 Gemensam e-arkivering är registrerat." in [s.value for s in at.success]
    p = projects.project(conn, store.project_id_for(conn, "GNS/5/2020"))
    assert (p["start_date"], p["planned_end_date"], p["owner_party"]) == ("2020-03-01", "2021-06-30", "RJH")
    assert p["financing_parties"] == ["OSTERSUND", "RJH"]
    assert [(x["name"], x["organisation"]) for x in p["leaders"]] == [("Anna Berg", "Östersunds kommun")]
    assert at.text_input(key="project_new_1_code").value == ""  # the form starts over, empty


def test_a_project_in_the_wrong_form_is_refused_on_the_page_and_nothing_saved(app_as, conn):
    at = app_as("admin", NEW_PAGE)
    before = store.count(conn, "projects")
    at.text_input(key="project_new_0_code").input("GNS/8/2018")
    at.text_input(key="project_new_0_name").input("Dubblett")
    at = click(at, "Registrera projektet")
    assert "finns redan ett projekt eller ärende med koden GNS/8/2018" in texts(at)
    assert store.count(conn, "projects") == before
    assert at.text_input(key="project_new_0_name").value == "Dubblett"  # what was typed stays


@pytest.mark.parametrize("role", [Role.NAMND, Role.KOMMUNCHEF, Role.PROJEKTLEDARE])
def test_only_the_e_strateg_has_nytt_projekt_in_the_navigation(role):
    assert NEW_PAGE not in [p.path for p in pages_for(role)]
    assert NEW_PAGE in [p.path for p in pages_for(Role.ADMIN)]


def test_the_e_strateg_edits_a_projects_facts_and_the_form_shows_the_saved_record(app_as, conn):
    pid = store.project_id_for(conn, "GNS/8/2018")
    version = projects.project(conn, pid)["version"]
    at = app_as("admin", PROJECT_PAGE)
    at.text_area(key=f"project_facts_{pid}_{version}_goals").input("Färre återinskrivningar")
    at = click(at, "Spara uppgifterna")
    assert not at.exception
    assert "Uppgifterna är sparade." in [s.value for s in at.success]
    assert projects.project(conn, pid)["goals"] == "Färre återinskrivningar"
    assert at.text_area(key=f"project_facts_{pid}_{version + 1}_goals").value == "Färre återinskrivningar"
    assert at.selectbox(key="project_select").value == "GNS/8/2018"


def test_a_colliding_edit_is_refused_and_the_page_shows_what_the_other_person_saved(app_as, conn):
    pid = store.project_id_for(conn, "GNS/8/2018")
    version = projects.project(conn, pid)["version"]
    at = app_as("admin", PROJECT_PAGE)
    current = projects.project_input(conn, pid)
    projects.update_project(conn, SYSTEM, pid, current.model_copy(update={"goals": "Först"}), version=version)
    at.text_area(key=f"project_facts_{pid}_{version}_goals").input("Sist")
    at = click(at, "Spara uppgifterna")
    assert "har ändrats av någon annan" in texts(at)
    assert "Först" in texts(at)
    assert projects.project(conn, pid)["goals"] == "Först"


def test_a_project_leader_sees_money_and_leadership_read_only_and_saves_the_status(app_as, conn):
    pid = store.project_id_for(conn, "GNS/8/2018")
    version = projects.project(conn, pid)["version"]
    at = app_as("projektledare", PROJECT_PAGE)
    prefix = f"project_facts_{pid}_{version}"
    assert at.multiselect(key=f"{prefix}_financing").disabled
    assert at.text_area(key=f"{prefix}_leaders").disabled
    assert not at.text_area(key=f"{prefix}_status_reason").disabled
    at.text_area(key=f"{prefix}_status_reason").input("Effektmätningen är planerad")
    at = click(at, "Spara uppgifterna")
    assert "Uppgifterna är sparade." in [s.value for s in at.success]
    assert projects.project(conn, pid)["status_reason"] == "Effektmätningen är planerad"
    assert "Budget och utfall" in texts(open_section(at, "Budget och utfall"))
    assert "Ändra budgeten" not in texts(at)


def test_the_e_strateg_adds_a_budget_line_split_between_two_financiers(app_as, conn):
    pid = e_arkivering(conn)
    at = open_project(app_as("admin", PROJECT_PAGE), "GNS/5/2020")
    at.text_input(key="project_budget_0_0_activity").input("Projektledning")
    at.text_input(key="project_budget_0_0_b_RJH").input("300 000")
    at.text_input(key="project_budget_0_0_b_OSTERSUND").input("100000")
    at = click(at, "Spara budgetraden")
    assert not at.exception
    assert "Budgetraden Projektledning är sparad." in [s.value for s in at.success]
    line = projects.budget_lines(conn, pid)[0]
    assert line["shares"]["budget"] == {"RJH": 300_000_00, "OSTERSUND": 100_000_00}
    assert "400 000 kr" in texts(at).replace("\u202f", " ")
    assert at.selectbox(key="project_budget_line").value == line["id"]  # the line just saved is chosen


def test_a_budget_amount_that_is_not_a_number_is_refused_naming_the_field(app_as, conn):
    pid = e_arkivering(conn)
    at = open_project(app_as("admin", PROJECT_PAGE), "GNS/5/2020")
    at.text_input(key="project_budget_0_0_activity").input("Licenser")
    at.text_input(key="project_budget_0_0_b_RJH").input("tio tusen")
    at = click(at, "Spara budgetraden")
    assert "'tio tusen' är inget belopp" in texts(at)
    assert projects.budget_lines(conn, pid) == []


def test_a_pasted_budget_table_is_previewed_then_saved(app_as, conn):
    pid = e_arkivering(conn)
    at = open_project(app_as("admin", PROJECT_PAGE), "GNS/5/2020")
    at.text_area(key="project_budget_paste").input(
        "Aktivitet\tRegion\tÖstersund\nProjektledning\t300000\t100000"
    )
    at = click(at, "Förhandsgranska")
    assert "Projektledning" in texts(at)
    assert projects.budget_lines(conn, pid) == []
    at.button(key="project_budget_import_save").click()
    at = at.run()
    assert "1 budgetrader är sparade." in [s.value for s in at.success]
    assert projects.budget_lines(conn, pid)[0]["budget_total_ore"] == 400_000_00


def test_a_project_leader_adds_and_replans_a_milestone_and_the_history_keeps_both_dates(app_as, conn):
    pid = store.project_id_for(conn, "GNS/8/2018")
    at = open_section(app_as("projektledare", PROJECT_PAGE), "Tidplan")
    at.text_input(key="project_schedule_add_name").input("Effektmätning")
    at.date_input(key="project_schedule_add_date").set_value(date(2027, 6, 1))
    at = click(at, "Lägg till milstolpen")
    assert "Milstolpen Effektmätning är tillagd." in [s.value for s in at.success]
    assert at.text_input(key="project_schedule_add_name").value == ""
    ms = next(m for m in projects.milestones(conn, pid) if m["name"] == "Effektmätning")
    at.selectbox(key="project_schedule_replan_choice").set_value(ms["id"])
    at = at.run()
    prefix = f"project_schedule_replan_{ms['id']}_{ms['version']}"
    at.date_input(key=f"{prefix}_date").set_value(date(2027, 9, 1))
    at.text_area(key=f"{prefix}_reason").input("Mätningen samordnas med regionens uppföljning")
    at = click(at, "Planera om")
    assert not at.exception
    history = store.milestones_frame(conn, pid).filter(milestone="Effektmätning")
    assert history["date"].to_list() == ["2027-06-01", "2027-09-01"]
    assert "Mätningen samordnas med regionens uppföljning" in texts(at)


def test_a_replan_without_a_reason_says_so_and_keeps_the_date(app_as, conn):
    pid = store.project_id_for(conn, "GNS/8/2018")
    at = open_section(app_as("projektledare", PROJECT_PAGE), "Tidplan")
    at.text_input(key="project_schedule_add_name").input("Effektmätning")
    at = click(at, "Lägg till milstolpen")
    ms = next(m for m in projects.milestones(conn, pid) if m["name"] == "Effektmätning")
    at.selectbox(key="project_schedule_replan_choice").set_value(ms["id"])
    at = at.run()
    at.date_input(key=f"project_schedule_replan_{ms['id']}_{ms['version']}_date").set_value(date(2027, 9, 1))
    at = click(at, "Planera om")
    assert "Skäl till det nya datumet" in texts(at) or "Skäl: får inte vara tomt" in texts(at)
    assert next(m for m in projects.milestones(conn, pid) if m["id"] == ms["id"])["changes"] == 0


@pytest.mark.parametrize("role", ["namnd", "kommunchef"])
def test_readers_see_the_budget_and_plan_but_no_forms(app_as, role):
    at = open_section(app_as(role, PROJECT_PAGE), "Budget och utfall")
    shown = texts(at)
    assert "Budget och utfall" in shown and "Fördelning per finansiär" in shown
    assert "Ändra budgeten" not in shown
    buttons = [b.label for b in at.button]
    at = open_section(at, "Tidplan")
    shown = texts(at)
    assert "Tidplan" in shown and "Ändra tidplanen" not in shown
    buttons += [b.label for b in at.button]
    at = open_section(at, "Översikt")
    buttons += [b.label for b in at.button]
    assert not set(buttons) & {"Spara uppgifterna", "Spara budgetraden", "Planera om"}
