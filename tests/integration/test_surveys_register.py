"""Surveys in the database: LINK2's seeded survey, a user's own survey file imported all or
nothing, permissions, links to benefit indicators, new rounds, and the command line."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from dashboard.cli import main
from portfolio import accounts
from portfolio import store as core_store
from portfolio.auth import SYSTEM
from portfolio.db import Database
from portfolio.errors import ImportRejectedError, InvalidInputError, PermissionDeniedError
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.model import Point
from registers.database import open_database
from registers.surveys import service, store
from registers.surveys.model import parse_survey
from seed.loader import DATA_DIR, seed_database
from tests.personas import persona
from tests.survey_files import FIXTURES, STATEMENTS, own_survey

LINK2 = "GNS/8/2018"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def planned_goal(db: Database, title: str = "Antal genomförda SIP") -> int:
    """A LINK2 effect goal given a baseline (2019-01-01: 3,0) and a target (2022-01-01: 4,5)."""
    link2 = core_store.project_id_for(db, LINK2)
    row = benefits.register(db, link2).filter(pl.col("title") == title).row(0, named=True)
    current = benefits_store.get_benefit(db, row["id"])
    data = benefits.benefit_input(current).model_copy(
        update={
            "baseline": Point(date=date(2019, 1, 1), value=Decimal(3)),
            "target": Point(date=date(2022, 1, 1), value=Decimal("4.5")),
        }
    )
    benefits.update_benefit(db, SYSTEM, row["id"], data, version=current["version"])
    return int(row["id"])


# --- LINK2's survey -------------------------------------------------------------------------


def test_link2s_survey_has_229_of_about_3200_and_four_groups(seeded: Database) -> None:
    [row] = service.overview(seeded)
    assert (row["project"], row["respondents"], row["population"]) == (LINK2, 229, 3200)
    assert row["response_rate"] == 0.0716  # 229 / 3 200 = 0,0715625
    assert [g["name"] for g in row["groups"]] == [
        "Kommunerna",
        "Hälsocentraler och annan öppen vård",
        "Vårdavdelningarna",
        "Stab, förvaltning, IT-enheter",
    ]
    # 128, 43, 37 and 21 of 229: the report's 56, 19, 16 and 9 %.
    assert [round(g["share"] * 100) for g in row["groups"]] == [56, 19, 16, 9]
    means = {s["text"]: s["mean"] for s in row["statements"]}
    assert min(means.values()) == 2.9 and max(means.values()) == 4.8
    assert "utbildning" in min(means, key=lambda t: means[t] or 0)
    assert "vända mig" in max(means, key=lambda t: means[t] or 0)
    assert {s["n"] for s in row["statements"]} == {229}


def test_link2s_survey_is_marked_illustrative_where_the_report_gives_no_figures(seeded: Database) -> None:
    [survey_id] = store.surveys_frame(seeded)["id"].to_list()
    survey = store.get_survey(seeded, survey_id)
    assert survey["date_source"] == "illustrativ"
    assert set(store.statements_frame(seeded, survey_id)["source"].to_list()) == {"illustrativ"}
    assert any("illustrativa" in note for note in survey["notes"])
    assert "slutrapport-link2" in survey["source"]


def test_a_survey_seed_whose_counts_do_not_fit_the_scale_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    content = yaml.safe_load((data / "survey.yaml").read_text(encoding="utf-8"))
    content["statements"][0]["counts"]["kommunerna"] = [1, 2, 3]
    content["statements"][1]["counts"]["okand"] = [0, 0, 0, 0, 0, 1]
    (data / "survey.yaml").write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    db = open_database(tmp_path / "x.db")
    with pytest.raises(InvalidInputError) as info:
        seed_database(db, data)
    text = "\n".join(info.value.messages)
    assert text.startswith("survey.yaml: ")
    assert "grupp kommunerna: 3 antal, skalan har 6 värden" in text
    assert "okänd grupp 'okand'" in text
    assert core_store.count(db, "projects") == 0


# --- a user's own survey file --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["svar_per_svarande.csv", "svar_per_rad.xlsx", "antal_per_svar.csv", "antal_i_kolumner.xlsx"]
)
def test_a_users_survey_file_is_imported_and_gives_hand_computed_results(seeded: Database, name: str) -> None:
    survey_id = own_survey(seeded)
    result = service.import_answers(seeded, SYSTEM, survey_id, name, fixture(name))
    assert (result.respondents, result.measurements) == (12, 0)
    res = service.results(seeded, survey_id)
    assert res.respondents == 12
    assert res.response_rate == Decimal("0.3")  # 12 of 40
    assert res.stats is not None
    assert res.stats["mean_display"].to_list() == [3.5, 2.82, 1.92]
    assert res.stats["n"].to_list() == [12, 11, 12]
    assert res.hidden == ["Chefer", "Sjuksköterskor"]
    assert service.shown_groups(res) == [
        {"name": "Hemtjänst", "n": 6, "share": 0.5},
        {"name": service.OTHER_GROUPS, "n": 6, "share": 0.5},
    ]
    hemtjanst = service.results(seeded, survey_id, ["Hemtjänst"])
    assert hemtjanst.stats is not None and hemtjanst.stats["mean_display"].to_list() == [3.83, 2.0, 1.67]
    with pytest.raises(InvalidInputError, match="kan inte visas separat"):
        service.results(seeded, survey_id, ["Sjuksköterskor"])


def test_a_bad_file_saves_nothing_and_names_each_row(seeded: Database) -> None:
    survey_id = own_survey(seeded)
    audit_before = core_store.count(seeded, "audit_log")
    bad = "svarande;grupp;1;2;3\nR1;Hemtjänst;4;4;4\nR2;Hemtjänst;4;6;4\n".encode()
    with pytest.raises(ImportRejectedError) as info:
        service.import_answers(seeded, SYSTEM, survey_id, "svar.csv", bad)
    assert info.value.messages == ["Rad 3, kolumn '2': svaret 6 ligger utanför skalan 1–5"]
    assert store.answer_rows(seeded, survey_id) == 0
    assert store.get_survey(seeded, survey_id)["respondents"] is None
    assert core_store.count(seeded, "audit_log") == audit_before


def test_a_file_without_respondent_ids_replaces_nothing_and_names_each_row(seeded: Database) -> None:
    survey_id = own_survey(seeded)
    service.import_answers(seeded, SYSTEM, survey_id, "a.csv", fixture("svar_per_svarande.csv"))
    audit_before = core_store.count(seeded, "audit_log")
    bad = "svarande;grupp;påstående;svar\n;Hemtjänst;1;4\n;Hemtjänst;1;5\n".encode()
    with pytest.raises(ImportRejectedError) as info:
        service.import_answers(seeded, SYSTEM, survey_id, "b.csv", bad, replace=True)
    assert info.value.messages == ["Rad 2: svarande-id saknas", "Rad 3: svarande-id saknas"]
    assert service.results(seeded, survey_id).respondents == 12
    assert core_store.count(seeded, "audit_log") == audit_before


def test_answers_are_replaced_only_when_asked(seeded: Database) -> None:
    survey_id = own_survey(seeded)
    service.import_answers(seeded, SYSTEM, survey_id, "a.csv", fixture("antal_per_svar.csv"))
    smaller = (
        "svarande;grupp;1\nR1;Hemtjänst;5\nR2;Hemtjänst;5\nR3;Hemtjänst;5\nR4;Hemtjänst;5\nR5;Hemtjänst;4\n"
    )
    with pytest.raises(ImportRejectedError, match="har redan svar"):
        service.import_answers(seeded, SYSTEM, survey_id, "b.csv", smaller.encode())
    assert service.results(seeded, survey_id).respondents == 12
    service.import_answers(seeded, SYSTEM, survey_id, "b.csv", smaller.encode(), replace=True)
    res = service.results(seeded, survey_id)
    assert res.respondents == 5
    assert res.stats is not None and res.stats["mean_display"].to_list() == [4.8]
    actions = seeded.execute(
        "SELECT action FROM audit_log WHERE entity = 'enkät' AND entity_id = ? ORDER BY id", [str(survey_id)]
    ).fetchall()
    assert [a[0] for a in actions] == ["skapa", "importera svar", "ersätt svar"]


def test_more_respondents_than_were_asked_is_refused(seeded: Database) -> None:
    link2 = core_store.project_id_for(seeded, LINK2)
    data = parse_survey(
        {
            "title": "Liten",
            "date": date(2021, 1, 1),
            "population": 3,
            "scale": {"points": 5},
            "groups": "Hemtjänst",
            "statements": STATEMENTS[0],
        }
    )
    survey_id = service.create_survey(seeded, SYSTEM, link2, data)
    text = "svarande;grupp;1\nR1;Hemtjänst;1\nR2;Hemtjänst;2\nR3;Hemtjänst;3\nR4;Hemtjänst;4\n"
    with pytest.raises(ImportRejectedError, match="4 svarande men enkäten skickades till 3"):
        service.import_answers(seeded, SYSTEM, survey_id, "s.csv", text.encode())


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", True), ("leader", True), ("other_leader", False), ("namnd", False), ("kommunchef", False)],
)
def test_who_may_create_surveys_and_import_answers(seeded: Database, who: str, allowed: bool) -> None:
    if who == "other_leader":
        accounts.create_user(
            seeded,
            SYSTEM,
            email="pl@gns.example",
            name="PL",
            role="projektledare",
            project_codes=("GNS/11/2018",),
        )
    email = {
        "admin": "e-strateg@gns.example",
        "leader": "projektledare.link2@gns.example",
        "other_leader": "pl@gns.example",
        "namnd": "ledamot@gns.example",
        "kommunchef": "kommunchef.bracke@gns.example",
    }[who]
    user = persona(seeded, email)
    link2 = core_store.project_id_for(seeded, LINK2)
    assert service.can_manage(user, link2) is allowed
    if allowed:
        survey_id = own_survey(seeded, user)
        service.import_answers(seeded, user, survey_id, "s.csv", fixture("svar_per_svarande.csv"))
        assert service.results(seeded, survey_id).respondents == 12
        assert seeded.execute(
            "SELECT user_email, project_id FROM audit_log WHERE entity = 'enkät' ORDER BY id DESC LIMIT 1"
        ).fetchone() == (email, link2)
    else:
        with pytest.raises(PermissionDeniedError):
            own_survey(seeded, user)
        survey_id = own_survey(seeded)
        with pytest.raises(PermissionDeniedError):
            service.import_answers(seeded, user, survey_id, "s.csv", fixture("svar_per_svarande.csv"))
        assert store.answer_rows(seeded, survey_id) == 0


# --- statements feed benefit indicators ---------------------------------------------------------


def test_a_linked_statement_becomes_a_measurement_and_each_new_round_adds_one(seeded: Database) -> None:
    goal = planned_goal(seeded)
    survey_id = own_survey(seeded)
    service.import_answers(seeded, SYSTEM, survey_id, "s.csv", fixture("svar_per_svarande.csv"))
    statement = store.statements_frame(seeded, survey_id).filter(pl.col("position") == 0)["id"][0]

    assert service.link_statement(seeded, SYSTEM, statement, goal) == 1
    first = benefits_store.measurements_frame(seeded, benefit_id=goal)
    assert first.select("measured_on", "value").rows() == [(date(2021, 3, 1), "3.5")]
    assert first["source"][0] == "Enkät: Användarenkät 2021"
    status = benefits.register(seeded, today=date(2022, 6, 1)).filter(pl.col("id") == goal)["status"][0]
    # 2021-03-01 is 790 of 1 096 days from 3,0 to 4,5: the plan is 4,08; 3,50 is behind.
    assert status == "efter plan"

    round_two = service.new_round(
        seeded, SYSTEM, survey_id, title="Användarenkät 2022", survey_date=date(2022, 3, 1), population=40
    )
    assert store.statements_frame(seeded, round_two)["benefit_id"].to_list() == [goal, None, None]
    better = "svarande;grupp;1\n" + "".join(f"R{i};Hemtjänst;5\n" for i in range(1, 6))
    result = service.import_answers(seeded, SYSTEM, round_two, "r2.csv", better.encode())
    assert result.measurements == 1
    values = benefits_store.measurements_frame(seeded, benefit_id=goal).select("measured_on", "value").rows()
    assert values == [(date(2021, 3, 1), "3.5"), (date(2022, 3, 1), "5")]
    status = benefits.register(seeded, today=date(2022, 6, 1)).filter(pl.col("id") == goal)["status"][0]
    assert status == "uppnått"


def test_replacing_a_rounds_answers_replaces_its_measurement(seeded: Database) -> None:
    goal = planned_goal(seeded)
    survey_id = own_survey(seeded)
    service.import_answers(seeded, SYSTEM, survey_id, "s.csv", fixture("svar_per_svarande.csv"))
    statement = store.statements_frame(seeded, survey_id)["id"][0]
    service.link_statement(seeded, SYSTEM, statement, goal)
    again = "svarande;grupp;1\n" + "".join(f"R{i};Hemtjänst;4\n" for i in range(1, 6))
    service.import_answers(seeded, SYSTEM, survey_id, "s.csv", again.encode(), replace=True)
    values = benefits_store.measurements_frame(seeded, benefit_id=goal)["value"].to_list()
    assert values == ["4"]


def test_a_statement_cannot_be_linked_to_a_benefit_without_plan_or_of_another_project(
    seeded: Database,
) -> None:
    survey_id = own_survey(seeded)
    statement = store.statements_frame(seeded, survey_id)["id"][0]
    link2 = core_store.project_id_for(seeded, LINK2)
    unplanned = int(benefits.register(seeded, link2)["id"][0])
    with pytest.raises(InvalidInputError, match="saknar nollmätning och målvärde"):
        service.link_statement(seeded, SYSTEM, statement, unplanned)
    other = benefits.create_benefit(
        seeded,
        SYSTEM,
        core_store.project_id_for(seeded, "GNS/11/2018"),
        benefits.parse_benefit({"kind": "nytta", "title": "Annat projekts nytta"}),
    )
    with pytest.raises(InvalidInputError, match="samma projekt"):
        service.link_statement(seeded, SYSTEM, statement, other)


def test_a_linked_round_dated_before_the_baseline_is_refused_whole(seeded: Database) -> None:
    goal = planned_goal(seeded)
    link2 = core_store.project_id_for(seeded, LINK2)
    data = parse_survey(
        {
            "title": "Tidig",
            "date": date(2018, 6, 1),
            "scale": {"points": 5},
            "groups": "Hemtjänst",
            "statements": STATEMENTS[0],
        }
    )
    survey_id = service.create_survey(seeded, SYSTEM, link2, data)
    service.link_statement(seeded, SYSTEM, store.statements_frame(seeded, survey_id)["id"][0], goal)
    text = "svarande;grupp;1\n" + "".join(f"R{i};Hemtjänst;3\n" for i in range(1, 6))
    with pytest.raises(InvalidInputError, match="före nollmätningens datum"):
        service.import_answers(seeded, SYSTEM, survey_id, "s.csv", text.encode())
    assert store.answer_rows(seeded, survey_id) == 0
    assert benefits_store.measurements_frame(seeded, benefit_id=goal).is_empty()


def test_only_leaders_and_admin_link_statements(seeded: Database) -> None:
    goal = planned_goal(seeded)
    survey_id = own_survey(seeded)
    statement = store.statements_frame(seeded, survey_id)["id"][0]
    with pytest.raises(PermissionDeniedError):
        service.link_statement(seeded, persona(seeded, "ledamot@gns.example"), statement, goal)
    assert store.get_statement(seeded, statement)["benefit_id"] is None


# --- command line ------------------------------------------------------------------------------


def test_cli_reports_link2s_survey(seeded_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["surveys", "--db", str(seeded_path), "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert list(row) == [
        "id",
        "project",
        "title",
        "respondents",
        "population",
        "response_rate",
        "groups",
        "statements",
    ]
    assert (row["respondents"], row["population"]) == (229, 3200)
    assert len(row["groups"]) == 4
    assert set(row["groups"][0]) == {"name", "share"}
    assert set(row["statements"][0]) == {"text", "mean", "n"}
    assert main(["surveys", "--db", str(seeded_path)]) == 0
    assert "Kommunerna 56 %" in capsys.readouterr().out


def test_cli_imports_a_users_file_and_refuses_a_bad_one(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(seeded_path)
    survey_id = own_survey(db)
    db.close()
    path = FIXTURES / "antal_i_kolumner.xlsx"
    args = ["surveys", "import", str(path), "--survey", str(survey_id), "--db", str(seeded_path)]
    assert main([*args, "--user", "ledamot@gns.example"]) == 1
    assert "får inte ändra enkäter" in capsys.readouterr().err
    assert main([*args, "--user", "projektledare.link2@gns.example"]) == 0
    assert "9 rader (antal i kolumner) inlästa" in capsys.readouterr().out
    bad = tmp_path / "fel.csv"
    bad.write_text("svarande;grupp;1\nR1;Hemtjänst;4\nR1;Hemtjänst;5\n", encoding="utf-8")
    assert (
        main(
            ["surveys", "import", str(bad), "--survey", str(survey_id), "--db", str(seeded_path), "--replace"]
        )
        == 1
    )
    assert "Rad 3: svarande 'R1' finns redan på rad 2" in capsys.readouterr().err
    main(["surveys", "--db", str(seeded_path), "--format", "json"])
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[survey_id]["respondents"] == 12
    assert [s["mean"] for s in rows[survey_id]["statements"]] == [3.5, 2.82, 1.92]
