"""Enkäter under AppTest: every role, group filter and privacy, upload of a user's file, links."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from portfolio import store as core_store
from portfolio.auth import SYSTEM
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.model import Point
from registers.database import open_database
from registers.surveys import store
from tests.app.conftest import ROLES, duplicate_labels, rendered, shown_under, texts, texts_of_a_clean_run
from tests.survey_files import FIXTURES, own_survey

PAGE = "app_pages/surveys.py"


def survey_in(path: Path) -> int:
    """The survey the fixture files belong to, on a scale without labels, in the database at path."""
    db = open_database(path)
    try:
        return own_survey(db, scale={"points": 5})
    finally:
        db.close()


def statements_table(at) -> Any:
    return next(d.value for d in at.dataframe if "Påstående" in d.value.columns)


@pytest.mark.parametrize("role", ROLES)
def test_survey_results_render_for_every_role(app_as, role: str) -> None:
    at = app_as(role, PAGE)
    shown = texts_of_a_clean_run(at)
    assert "Enkäter" in shown
    assert "Svarande 229" in shown
    assert "Tillfrågade ca 3\u202f200" in shown
    assert "Svarsfrekvens 7,2 %" in shown
    groups = ("Kommunerna", "Hälsocentraler och annan öppen vård", "Vårdavdelningarna", "Stab, förvaltning")
    assert all(group in shown for group in groups)
    table = statements_table(at)
    assert len(table) == 8
    assert table["Medelvärde"].iloc[0] == "2,90" and table["Medelvärde"].iloc[6] == "4,80"
    assert "illustrativ" in shown


@pytest.mark.parametrize(
    ("role", "manages"), [("namnd", False), ("kommunchef", False), ("projektledare", True), ("admin", True)]
)
def test_only_the_projects_leader_and_admin_see_upload_and_new_survey(
    app_as, role: str, manages: bool
) -> None:
    at = app_as(role, PAGE)
    uploaders = [u.key for u in at.get("file_uploader")]
    assert ("surveys_upload_file" in uploaders) is manages
    assert ("surveys_new_title" in {t.key for t in at.text_input}) is manages


def test_filtering_by_group_shows_that_groups_results(app_as) -> None:
    at = app_as("namnd", PAGE)
    at.multiselect(key="surveys_groups").set_value(["Stab, förvaltning, IT-enheter"]).run()
    assert not at.exception and not at.error
    assert "Påståenden – Stab, förvaltning, IT-enheter" in texts(at)
    assert set(statements_table(at)["Antal svar"]) == {21}


def test_a_user_uploads_their_survey_file_and_sees_the_results(app_as, app_env: Path) -> None:
    survey_id = survey_in(app_env)
    at = app_as("projektledare", PAGE)
    at.selectbox(key="surveys_select").set_value(survey_id).run()
    assert "Enkäten har inga svar ännu." in texts(at)
    content = (FIXTURES / "svar_per_svarande.csv").read_bytes()
    at.get("file_uploader")[0].set_value(("svar_per_svarande.csv", content, "text/csv")).run()
    at.button(key="surveys_upload_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "svar_per_svarande.csv: 12 rader (en rad per svarande) inlästa, 12 svarande." in shown
    assert "Svarande 12" in shown and "Svarsfrekvens 30,0 %" in shown
    assert statements_table(at)["Medelvärde"].tolist() == ["3,50", "2,82", "1,92"]
    # Sjuksköterskor (4) and Chefer (2) are too few to be shown or chosen on their own.
    assert at.multiselect(key="surveys_groups").options == ["Hemtjänst"]
    assert "Övriga grupper" in shown
    assert "Chefer, Sjuksköterskor har för få svarande" in shown


def test_a_bad_upload_lists_the_rows_and_saves_nothing(app_as, app_env: Path) -> None:
    survey_id = survey_in(app_env)
    at = app_as("admin", PAGE)
    at.selectbox(key="surveys_select").set_value(survey_id).run()
    bad = "svarande;grupp;1\nR1;Hemtjänst;4\nR2;Hemtjänst;8\nR3;Okänd;2\n".encode()
    at.get("file_uploader")[0].set_value(("fel.csv", bad, "text/csv")).run()
    at.button(key="surveys_upload_submit").click().run()
    errors = rendered(" ".join(e.value for e in at.error))
    assert "inget sparades (2 fel)" in errors
    assert "Rad 3, kolumn '1': svaret 8 ligger utanför skalan 1–5" in errors
    assert "Rad 4: gruppen 'Okänd' finns inte i enkäten" in errors
    db = open_database(app_env)
    assert store.answer_rows(db, survey_id) == 0
    db.close()


def test_linking_a_statement_makes_a_measurement_of_the_benefit(app_as, app_env: Path) -> None:
    db = open_database(app_env)
    link2 = core_store.project_id_for(db, "GNS/8/2018")
    goal = int(benefits.register(db, link2).filter(pl.col("title") == "Antal genomförda SIP")["id"][0])
    current = benefits_store.get_benefit(db, goal)
    benefits.update_benefit(
        db,
        SYSTEM,
        goal,
        benefits.benefit_input(current).model_copy(
            update={
                "baseline": Point(date=date(2019, 1, 1), value=Decimal(3)),
                "target": Point(date=date(2022, 1, 1), value=Decimal("4.5")),
            }
        ),
        version=current["version"],
    )
    [survey_id] = store.surveys_frame(db)["id"].to_list()
    statement = int(store.statements_frame(db, survey_id)["id"][5])  # the SIP statement, mean 3,40
    db.close()
    at = app_as("projektledare", PAGE)
    at.selectbox(key="surveys_link_statement").set_value(statement)
    at.selectbox(key="surveys_link_benefit").set_value(goal)
    at.button(key="surveys_link_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Kopplingen är sparad och 1 mätning lades till i nyttoregistret." in texts(at)
    assert "Antal genomförda SIP" in statements_table(at)["Kopplad nytta"].tolist()
    db = open_database(app_env)
    rows = benefits_store.measurements_frame(db, benefit_id=goal).select("measured_on", "value").rows()
    db.close()
    assert rows == [(date(2019, 10, 1), "3.4")]


def test_a_leader_creates_a_survey_in_the_page(app_as, app_env: Path) -> None:
    at = app_as("projektledare", PAGE)
    at.text_input(key="surveys_new_title").input("Uppföljning 2024")
    at.number_input(key="surveys_new_population").set_value(120)
    at.text_area(key="surveys_new_groups").input("Hemtjänst\nSärskilt boende")
    at.text_area(key="surveys_new_statements").input("Det fungerar\nDet går fort")
    at.button(key="surveys_new_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Enkäten 'Uppföljning 2024' är skapad" in texts(at)
    assert "Uppföljning 2024" in at.selectbox(key="surveys_select").format_func(
        at.selectbox(key="surveys_select").value
    )
    assert "Enkäten har inga svar ännu." in texts(at)


def test_a_new_round_keeps_the_statements_and_is_chosen_for_upload(app_as, app_env: Path) -> None:
    at = app_as("admin", PAGE)
    at.text_input(key="surveys_round_title").input("Uppföljning av Cosmic Link – omgång 2")
    at.button(key="surveys_round_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Den nya omgången är skapad" in shown
    assert "Enkäten har inga svar ännu." in shown
    db = open_database(app_env)
    newest = store.surveys_frame(db).row(0, named=True)
    assert newest["title"] == "Uppföljning av Cosmic Link – omgång 2"
    assert len(store.statements_frame(db, newest["id"])) == 8
    assert newest["previous_survey_id"] is not None
    db.close()


def test_a_new_survey_is_confirmed_under_its_button_and_the_form_is_empty(app_as, app_env: Path) -> None:
    at = app_as("projektledare", PAGE)
    at.text_input(key="surveys_new_title").input("Uppföljning 2024")
    at.text_area(key="surveys_new_groups").input("Hemtjänst")
    at.text_area(key="surveys_new_statements").input("Det fungerar")
    at.button(key="surveys_new_submit").click().run()
    assert "Enkäten 'Uppföljning 2024' är skapad och vald ovan" in (
        shown_under(at, "surveys_new_submit") or ""
    )
    assert [
        at.text_input(key="surveys_new_title").value,
        at.text_area(key="surveys_new_groups").value,
        at.text_area(key="surveys_new_statements").value,
    ] == ["", "", ""]


def test_a_failed_new_survey_keeps_what_was_typed(app_as, app_env: Path) -> None:
    at = app_as("projektledare", PAGE)
    at.text_input(key="surveys_new_title").input("Utan påståenden")
    at.text_area(key="surveys_new_groups").input("Hemtjänst")
    at.button(key="surveys_new_submit").click().run()
    assert at.error
    assert at.text_input(key="surveys_new_title").value == "Utan påståenden"


def test_a_new_round_is_confirmed_under_its_button_with_its_title_emptied(app_as) -> None:
    at = app_as("admin", PAGE)
    at.text_input(key="surveys_round_title").input("Omgång 2")
    at.button(key="surveys_round_submit").click().run()
    assert (
        shown_under(at, "surveys_round_submit")
        == "Den nya omgången är skapad och vald; läs in dess svar ovan."
    )
    assert at.text_input(key="surveys_round_title").value == ""
    assert "Omgång 2" in at.selectbox(key="surveys_select").format_func(
        at.selectbox(key="surveys_select").value
    )


def test_no_two_controls_on_the_surveys_page_share_a_label(app_as) -> None:
    at = app_as("admin", PAGE)
    assert duplicate_labels(at) == []
