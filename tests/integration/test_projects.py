"""The project register: projects, budget lines, stated totals and milestones kept by their owners."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from dashboard.cli import main
from portfolio import audit_store
from portfolio import store as core_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database, connect, migrate
from portfolio.errors import (
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StaleEditError,
)
from portfolio.governance import service as governance
from portfolio.projects import budget_import
from portfolio.projects import service as projects
from portfolio.projects import store as projects_store
from portfolio.projects.model import BudgetLineInput, MilestoneInput, Person, ProjectInput, ReplanInput
from registers.database import ALL_MIGRATIONS, open_database
from tests.personas import persona

LINK2 = "GNS/8/2018"


@pytest.fixture
def member(seeded: Database) -> User:
    return persona(seeded, "ledamot@gns.example")


def audit_rows(db: Database) -> int:
    return core_store.count(db, "audit_log")


def e_arkivering(**changes) -> ProjectInput:
    return projects.parse(
        ProjectInput,
        {
            "code": "GNS/5/2020",
            "name": "Gemensam e-arkivering",
            "kind": "projekt",
            "phase": "förstudie",
            "start_date": "2020-03-01",
            "planned_end_date": "2021-06-30",
            "owner_party": "Region",
            "financing_parties": ["Region", "Östersund"],
            "objects": ["6690"],
            "leaders": [{"name": "Anna Berg", "organisation": "Östersunds kommun"}],
            "steering_group": [{"name": "Per Ek", "organisation": "Region Jämtland Härjedalen"}],
            "purpose": "Ett gemensamt e-arkiv för parterna",
            "goals": "Alla parter arkiverar digitalt 2021",
            "status_reason": "Upphandling pågår",
            **changes,
        },
    )


def split_line(activity: str, **shares: str) -> BudgetLineInput:
    return projects.parse(
        BudgetLineInput,
        {"activity": activity, "budget": [{"financier": f, "amount": a} for f, a in shares.items()]},
    )


# --- projects -----------------------------------------------------------------------------------


def test_the_e_strateg_registers_a_project_with_its_parties_objects_and_people(seeded, admin):
    before = audit_rows(seeded)
    pid = projects.create_project(seeded, admin, e_arkivering())
    p = projects.project(seeded, pid)
    assert (p["code"], p["name"], p["phase"], p["owner_party"]) == (
        "GNS/5/2020",
        "Gemensam e-arkivering",
        "förstudie",
        "RJH",
    )
    assert p["financing_parties"] == ["OSTERSUND", "RJH"]
    assert p["objects"] == ["6690"]
    assert [x["name"] for x in p["leaders"]] == ["Anna Berg"]
    assert [x["name"] for x in p["steering_group"]] == ["Per Ek"]
    assert p["goals"] == "Alla parter arkiverar digitalt 2021"
    assert audit_rows(seeded) == before + 1
    assert governance.phase_history(seeded, pid)["to_phase"].to_list() == ["förstudie"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": LINK2}, "finns redan ett projekt eller ärende med koden GNS/8/2018"),
        ({"owner_party": "Bräcken"}, "Okänd part 'Bräcken'"),
        ({"objects": ["6674"]}, "objektet 6674 hör redan till GNS/8/2018"),
        ({"leader_accounts": ["ingen@example.se"]}, "inget konto med e-postadressen ingen@example.se"),
        ({"leader_accounts": ["ledamot@gns.example"]}, "bara konton med rollen projektledare"),
    ],
)
def test_a_project_that_collides_or_names_the_unknown_is_refused_and_nothing_written(
    seeded, admin, changes, message
):
    before = (core_store.count(seeded, "projects"), audit_rows(seeded))
    with pytest.raises(InvalidInputError, match=message):
        projects.create_project(seeded, admin, e_arkivering(**changes))
    assert (core_store.count(seeded, "projects"), audit_rows(seeded)) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "gns/5/2020"}, "Diarienummer: 'gns/5/2020' är inget giltigt ärendenummer"),
        (
            {"planned_end_date": "2019-01-01"},
            "Planerat slut måste vara samma dag som eller efter planerad start",
        ),
        ({"name": "  "}, "Namn: får inte vara tomt"),
        ({"budget_kr": "-5"}, "Budget / kostnadstak.*negativt"),
    ],
)
def test_a_project_in_the_wrong_form_gets_a_swedish_message_naming_the_field(changes, message):
    with pytest.raises(InvalidInputError, match=message):
        e_arkivering(**changes)


def test_an_operation_may_carry_an_object_number_instead_of_a_diarienummer(seeded, admin):
    pid = projects.create_project(
        seeded,
        admin,
        projects.parse(ProjectInput, {"code": "6690", "name": "Serverdrift Berg", "kind": "drift"}),
    )
    assert projects.project(seeded, pid)["has_diarienummer"] == 0


def test_the_nämnd_and_a_project_leader_cannot_register_a_project(seeded, member, leader):
    for user in (member, leader):
        with pytest.raises(PermissionDeniedError):
            projects.create_project(seeded, user, e_arkivering())


def test_a_project_leader_edits_the_facts_of_their_own_project(seeded, leader):
    pid = projects.project_id_for(seeded, LINK2)
    current = projects.project_input(seeded, pid)
    version = projects.project(seeded, pid)["version"]
    edited = current.model_copy(update={"goals": "Samordnad utskrivning utan dubbeldokumentation"})
    projects.update_project(seeded, leader, pid, edited, version=version)
    assert projects.project(seeded, pid)["goals"] == "Samordnad utskrivning utan dubbeldokumentation"


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("financing_parties", ("RJH",), "Finansierande parter"),
        ("leaders", (Person(name="Någon Annan"),), "Projektledare"),
        ("budget_kr", 100, "Budget / kostnadstak"),
        ("objects", ("9999",), "Objekt i redovisningen"),
    ],
)
def test_a_project_leader_may_not_change_money_or_who_leads(seeded, leader, field, value, label):
    pid = projects.project_id_for(seeded, LINK2)
    current = projects.project_input(seeded, pid)
    version = projects.project(seeded, pid)["version"]
    before = audit_rows(seeded)
    with pytest.raises(PermissionDeniedError, match=label):
        projects.update_project(
            seeded, leader, pid, current.model_copy(update={field: value}), version=version
        )
    assert projects.project_input(seeded, pid) == current
    assert audit_rows(seeded) == before


def test_a_project_leader_cannot_edit_another_project(seeded, leader):
    pid = projects.project_id_for(seeded, "GNS/03/2019")
    current = projects.project_input(seeded, pid)
    with pytest.raises(PermissionDeniedError, match="inte projektledare för det här projektet"):
        projects.update_project(
            seeded,
            leader,
            pid,
            current.model_copy(update={"goals": "x"}),
            version=projects.project(seeded, pid)["version"],
        )


def test_a_colliding_edit_is_refused_and_shows_what_the_other_person_saved(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    current = projects.project_input(seeded, pid)
    version = projects.project(seeded, pid)["version"]
    projects.update_project(
        seeded, admin, pid, current.model_copy(update={"goals": "Först"}), version=version
    )
    with pytest.raises(StaleEditError) as refused:
        projects.update_project(
            seeded, admin, pid, current.model_copy(update={"goals": "Sist"}), version=version
        )
    assert refused.value.current["goals"] == "Först"
    assert projects.project(seeded, pid)["goals"] == "Först"


def test_binding_a_leader_account_lets_that_account_edit_the_project(seeded, admin):
    from portfolio import accounts

    accounts.create_user(seeded, admin, email="lena@krokom.se", name="Lena Krok", role="projektledare")
    pid = projects.create_project(seeded, admin, e_arkivering(leader_accounts=["LENA@krokom.se"]))
    lena = persona(seeded, "lena@krokom.se")
    assert pid in lena.projects
    assert [a["email"] for a in projects.project(seeded, pid)["leader_accounts"]] == ["lena@krokom.se"]
    projects.add_milestone(
        seeded, lena, pid, MilestoneInput(name="Driftstart", planned_date=date(2021, 3, 1))
    )


def test_closing_a_project_sets_phase_avslutad_end_date_and_history(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    projects.close_project(
        seeded, admin, pid, actual_end=date(2021, 6, 30), version=projects.project(seeded, pid)["version"]
    )
    p = projects.project(seeded, pid)
    assert (p["phase"], p["actual_end_date"]) == ("avslutad", "2021-06-30")
    assert governance.phase_history(seeded, pid)["to_phase"].to_list() == ["förstudie", "avslutad"]
    with pytest.raises(InvalidInputError, match="redan avslutat"):
        projects.close_project(seeded, admin, pid, actual_end=date(2021, 7, 1), version=p["version"])


# --- budget --------------------------------------------------------------------------------------


def test_budget_lines_split_between_financiers_sum_to_the_projects_budget(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    projects.set_budget_line(
        seeded, admin, pid, split_line("Projektledning", RJH="300000", OSTERSUND="100000")
    )
    projects.set_budget_line(seeded, admin, pid, split_line("Licenser", RJH="100000"))
    frame = core_store.projects_frame(seeded).filter(code="GNS/5/2020")
    assert frame["budget_ore"].to_list() == [500_000_00]
    lines = projects.budget_lines(seeded, pid)
    assert lines[0]["shares"]["budget"] == {"RJH": 300_000_00, "OSTERSUND": 100_000_00}
    assert (lines[0]["budget_region_ore"], lines[0]["budget_kommunerna_ore"]) == (300_000_00, 100_000_00)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"activity": "A", "budget": [{"financier": "RJH", "amount": "100"}], "budget_total": "150"},
            "delarna måste tillsammans bli totalen",
        ),
        ({"activity": "A", "budget": [{"financier": "RJH", "amount": "-1"}]}, "negativt"),
        ({"activity": "A", "budget": [{"financier": "RJH", "amount": "tio"}]}, "'tio' är inget belopp"),
        ({"activity": "", "budget": [{"financier": "RJH", "amount": "1"}]}, "Aktivitet: får inte vara tomt"),
        (
            {"activity": "A", "kind": "tillkommande", "budget": [{"financier": "RJH", "amount": "1"}]},
            "utanför budget har inget budgetbelopp",
        ),
    ],
)
def test_a_budget_line_in_the_wrong_form_is_refused_naming_the_field(data, message):
    with pytest.raises(InvalidInputError, match=message):
        projects.parse(BudgetLineInput, data)


def test_a_budget_change_records_who_before_after_and_the_decision(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    line = projects.budget_lines(seeded, pid)[0]
    edited = projects.budget_line_input(line).model_copy(update={"note": "Förlängd projekttid"})
    projects.set_budget_line(
        seeded, admin, pid, edited, line_id=line["id"], version=line["version"], decision="2019-06-03 §17"
    )
    row = audit_store.audit_frame(seeded).row(0, named=True)
    assert (row["user"], row["entity"], row["action"]) == ("e-strateg@gns.example", "budgetrad", "ändra")
    assert json.loads(row["after"])["beslut"] == "2019-06-03 §17"
    assert json.loads(row["before"])["aktivitet"] == line["activity"]


def test_a_decision_that_does_not_exist_refuses_the_change(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    with pytest.raises(InvalidInputError, match="inget beslut 2019-06-03 §99"):
        projects.set_budget_line(seeded, admin, pid, split_line("Ny rad", RJH="1"), decision="2019-06-03 §99")


def test_a_stale_budget_edit_is_refused_and_the_line_keeps_the_first_save(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    line = projects.budget_lines(seeded, pid)[0]
    first = projects.budget_line_input(line).model_copy(update={"note": "Först"})
    projects.set_budget_line(seeded, admin, pid, first, line_id=line["id"], version=line["version"])
    with pytest.raises(StaleEditError) as refused:
        projects.set_budget_line(
            seeded,
            admin,
            pid,
            first.model_copy(update={"note": "Sist"}),
            line_id=line["id"],
            version=line["version"],
        )
    assert refused.value.current["anteckning"] == "Först"


def test_project_leaders_never_change_money_on_their_own_or_another_project(seeded, leader):
    for code in (LINK2, "GNS/03/2019"):
        pid = projects.project_id_for(seeded, code)
        with pytest.raises(PermissionDeniedError):
            projects.set_budget_line(seeded, leader, pid, split_line("Extra", RJH="1"))


def test_removing_a_budget_line_changes_the_budget_and_is_audited(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    line_id = projects.set_budget_line(seeded, admin, pid, split_line("Licenser", RJH="100000"))
    before = audit_rows(seeded)
    projects.remove_budget_line(seeded, admin, line_id, version=1)
    assert projects.budget_lines(seeded, pid) == []
    assert audit_rows(seeded) == before + 1


def test_link2s_stated_totals_can_be_removed_and_the_lines_sum_counts_again(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    stated = projects.stated_totals(seeded, pid)
    assert stated is not None
    projects.set_stated_totals(seeded, admin, pid, None, version=stated["version"])
    link2 = core_store.projects_frame(seeded).filter(code=LINK2).row(0, named=True)
    assert link2["actual_ore"] == 2_756_425_00 + 694_986_00  # the lines: outcome plus the three extra lines


# --- milestones --------------------------------------------------------------------------------


def test_a_replan_keeps_every_earlier_date_with_its_reason(seeded, leader):
    pid = projects.project_id_for(seeded, LINK2)
    mid = projects.add_milestone(
        seeded, leader, pid, MilestoneInput(name="Effektmätning", planned_date=date(2020, 6, 1))
    )
    projects.replan_milestone(
        seeded, leader, mid, ReplanInput(new_date=date(2020, 9, 1), reason="Pandemin"), version=1
    )
    history = core_store.milestones_frame(seeded, pid).filter(milestone="Effektmätning")
    assert history["date"].to_list() == ["2020-06-01", "2020-09-01"]
    assert history["reason"].to_list() == [None, "Pandemin"]


def test_a_replan_without_a_reason_is_refused():
    with pytest.raises(InvalidInputError, match="Skäl"):
        projects.parse(ReplanInput, {"new_date": "2021-05-01", "reason": " "})


def test_a_reached_milestone_keeps_its_actual_date_and_cannot_be_replanned(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    mid = projects.add_milestone(
        seeded, admin, pid, MilestoneInput(name="Upphandling", planned_date=date(2020, 6, 1))
    )
    projects.mark_reached(seeded, admin, mid, date(2020, 6, 5), version=1)
    assert projects.milestones(seeded, pid)[0]["actual_date"] == "2020-06-05"
    with pytest.raises(InvalidInputError, match="nåddes redan"):
        projects.replan_milestone(
            seeded, admin, mid, ReplanInput(new_date=date(2020, 7, 1), reason="x"), version=2
        )


def test_the_nämnd_and_other_projects_leaders_cannot_touch_milestones(seeded, member, leader):
    pid = projects.project_id_for(seeded, "GNS/03/2019")
    for user in (member, leader):
        with pytest.raises(PermissionDeniedError):
            projects.add_milestone(seeded, user, pid, MilestoneInput(name="X"))


def test_a_stale_milestone_edit_is_refused(seeded, leader):
    pid = projects.project_id_for(seeded, LINK2)
    ms = projects.milestones(seeded, pid)[0]

    def rename_as_read(name: str) -> None:
        """Rename the milestone, from the version read before either edit."""
        data = MilestoneInput(name=name, planned_date=date.fromisoformat(ms["planned_date"]))
        projects.edit_milestone(seeded, leader, ms["id"], data, version=ms["version"])

    rename_as_read("Direktiv godkänt")
    with pytest.raises(StaleEditError):
        rename_as_read("Annat namn")


def test_an_unknown_milestone_name_lists_the_projects_milestones(seeded):
    pid = projects.project_id_for(seeded, LINK2)
    with pytest.raises(NotFoundError, match="Driftstart"):
        projects.milestone_id_for(seeded, pid, "Drift")


# --- budget import -----------------------------------------------------------------------------

CSV = (
    "Aktivitet;Region;Östersund;Typ\n"
    "Projektledning;300 000;100 000;\n"
    "Licenser;100000;;budget\n"
    "Summa;400000;100000;\n"
)


def test_a_budget_csv_is_previewed_then_saved_all_at_once(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    plan = budget_import.plan(seeded, pid, "budget.csv", CSV.encode("utf-8-sig"))
    assert [(r.row, r.line.activity, r.change) for r in plan.rows] == [
        (2, "Projektledning", "ny"),
        (3, "Licenser", "ny"),
    ]
    assert plan.skipped == ("Rad 4 (Summa) är en summarad och läses inte in",)
    assert projects.budget_lines(seeded, pid) == []  # a plan saves nothing
    assert budget_import.apply(seeded, admin, pid, plan) == 2
    assert core_store.projects_frame(seeded).filter(code="GNS/5/2020")["budget_ore"].to_list() == [500_000_00]


def test_a_budget_file_with_bad_cells_names_row_and_column_and_saves_nothing(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    bad = "Aktivitet;Region;Bräcken\nProjektledning;30x;1\n"
    with pytest.raises(ImportRejectedError, match="Rad 1, kolumn 'Bräcken'"):
        budget_import.plan(seeded, pid, "b.csv", bad.encode())
    with pytest.raises(ImportRejectedError) as refused:
        budget_import.plan(seeded, pid, "b.csv", b"Aktivitet;Region\nProjektledning;30x\n;5\n")
    assert refused.value.messages == [
        "Rad 2, kolumn 'Region': '30x' är inget belopp; skriv till exempel 300000 eller 300 000",
        "Rad 3: aktiviteten saknas",
    ]
    assert projects.budget_lines(seeded, pid) == []


def test_a_budget_xlsx_reads_numbers_as_excel_stores_them(seeded, admin):
    pid = projects.create_project(seeded, admin, e_arkivering())
    wb = Workbook()
    ws = wb.active
    ws.append(["Aktivitet", "Region", "Kommunerna"])
    ws.append(["Utbildning", 120000.0, 80000])
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = budget_import.plan(seeded, pid, "budget.xlsx", buffer.getvalue())
    assert plan.rows[0].line.total("budget") == 200_000_00


def test_an_import_that_changes_a_line_keeps_its_outcome(seeded, admin):
    pid = projects.project_id_for(seeded, LINK2)
    plan = budget_import.plan(seeded, pid, "b.csv", b"Aktivitet;Region\nProjektledare RJH;450000\n")
    assert plan.rows[0].change == "ändrad"
    budget_import.apply(seeded, admin, pid, plan)
    line = next(ln for ln in projects.budget_lines(seeded, pid) if ln["activity"] == "Projektledare RJH")
    assert (line["budget_total_ore"], line["outcome_total_ore"]) == (450_000_00, 542_000_00)


def test_a_project_leader_cannot_import_a_budget(seeded, leader):
    pid = projects.project_id_for(seeded, LINK2)
    plan = budget_import.plan(seeded, pid, "b.csv", CSV.encode())
    with pytest.raises(PermissionDeniedError):
        budget_import.apply(seeded, leader, pid, plan)


# --- the database of an earlier version, and the command line --------------------------------


def test_budget_lines_of_an_earlier_version_become_shares_of_the_region_and_the_municipalities(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    migrate(old, *(m for m in ALL_MIGRATIONS if m is not projects_store.MIGRATIONS))
    old.execute("INSERT INTO parties (code, name, kind) VALUES ('RJH', 'Region', 'region')")
    old.execute(
        "INSERT INTO projects (code, has_diarienummer, name, kind, phase, status) VALUES"
        " ('GNS/1/2019', 1, 'Gammalt', 'projekt', 'idé', 'grön')"
    )
    old.execute(
        "INSERT INTO budget_lines (project_id, position, activity, kind, budget_total_ore, budget_region_ore,"
        " budget_kommunerna_ore) VALUES (1, 0, 'Resor', 'budget', 1001, 500, 500)"
    )
    old.conn.commit()
    old.close()
    db = open_database(path)
    line = projects.budget_lines(db, 1)[0]
    assert line["shares"]["budget"] == {"RJH": 500, "KOMMUNERNA": 500}
    assert line["document_rounding"] == 1
    edited = projects.budget_line_input(line).model_copy(update={"note": "Ändrad efter uppgradering"})
    projects.set_budget_line(db, SYSTEM, 1, edited, line_id=line["id"], version=line["version"])


def test_the_issues_command_line_story_registers_budgets_and_replans(seeded_path: Path, capsys):
    db = ["--db", str(seeded_path)]
    code = "GNS/5/2020"
    commands = [
        ["project", "add", "--code", code, "--name", "Gemensam e-arkivering", "--type", "projekt",
         "--start", "2020-03-01", "--end", "2021-06-30", "--owner", "Region"],
        ["budget", "set", "--project", code, "--activity", "Projektledning", "--split", "Region=300000",
         "--split", "Östersund=100000"],
        ["budget", "set", "--project", code, "--activity", "Licenser", "--split", "Region=100000"],
        ["milestone", "add", "--project", code, "--name", "Driftstart", "--planned", "2021-03-01"],
        ["milestone", "replan", "--project", code, "--name", "Driftstart", "--planned", "2021-05-01",
         "--reason", "Upphandlingen drog ut på tiden"],
    ]  # fmt: skip
    for command in commands:
        assert main([*command, *db]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["project", "show", code, "--format", "json", *db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["budget"] == 500000
    assert shown["budget_lines"][0]["budget_split"] == {"RJH": 300000, "OSTERSUND": 100000}
    assert shown["milestones"] == [
        {
            "name": "Driftstart",
            "first_planned": "2021-03-01",
            "planned": "2021-05-01",
            "replans": 1,
            "reached": None,
        }
    ]
    assert main(["projects", "--format", "json", *db]) == 0
    listed = next(p for p in json.loads(capsys.readouterr().out) if p["code"] == code)
    assert listed["budget"] == 500000


def test_the_command_line_refuses_a_replan_without_reason_with_exit_1(seeded_path: Path, capsys):
    args = ["milestone", "replan", "--project", LINK2, "--name", "Slutrapport", "--planned", "2020-03-01"]
    assert main([*args, "--db", str(seeded_path)]) == 1
    assert "Skäl: får inte vara tomt" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "E-ar\x0bkiv"}, "styrtecken"),
        ({"goals": "x" * 10_001}, "Mål"),
        ({"name": "Två\nrader"}, "Namn"),
    ],
)
def test_control_characters_and_overlong_text_are_refused_in_a_project(changes, message):
    with pytest.raises(InvalidInputError, match=message):
        e_arkivering(**changes)
