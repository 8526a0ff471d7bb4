"""Tertialrapport under AppTest: every role, T1 2019 from the minutes, review, freeze, notes."""

from __future__ import annotations

import pytest

from portfolio.ledger import tertial_store
from registers.database import open_database
from tests.app.conftest import ROLES, frame_with, texts, texts_of_a_clean_run

PAGE = "app_pages/tertial.py"


def _choose(at, year: int, period: str):
    at.selectbox(key="tertial_year").set_value(year).run()
    at.selectbox(key="tertial_period").set_value(period).run()
    return at


@pytest.mark.parametrize("role", ROLES)
def test_tertial_page_renders_for_every_role_with_the_t1_result(app_as, role):
    at = _choose(app_as(role, PAGE), 2019, "T1")
    shown = texts_of_a_clean_run(at)
    assert "Tertialrapport" in shown
    assert "−219 tkr" in shown
    assert "protokoll-2019-06-03" in shown


def test_full_year_2019_shows_the_annual_reports_statement_line_by_line(app_as):
    at = _choose(app_as("namnd", PAGE), 2019, "helår")
    table = frame_with(at, "Ack utfall fg år")
    rows = {r["Rad"]: r for r in table.to_dict("records")}
    assert rows["Försäljning"]["Ack utfall"] == "4\u202f454"
    assert rows["Konsultkostnader"]["Budget − utfall"] == "−1\u202f509"
    assert rows["Verksamhetens nettokostnader"]["Ack utfall"] == "−50"
    assert rows["Verksamhetens nettokostnader"]["Ack budget"] == "−101"
    assert rows["Verksamhetens nettokostnader"]["Ack utfall fg år"] == "−88"
    assert len(table) == 19


def test_municipal_ceo_marks_t1_reviewed_for_their_own_party(app_as, app_env):
    at = _choose(app_as("kommunchef", PAGE), 2019, "T1")
    at.text_area(key="tertial_review_comment").input("Inga frågor från Bräcke.")
    at.button(key="tertial_review_submit").click().run()
    assert not at.exception
    assert "markerad som granskad för Bräcke kommun" in texts(at)
    reviews = frame_with(at, "Granskad av")
    bracke = reviews[reviews["Part"] == "Bräcke kommun"].iloc[0]
    assert bracke["Status"] == "✓ granskad"
    assert bracke["Kommentar"] == "Inga frågor från Bräcke."
    conn = open_database(app_env)
    stored = tertial_store.reviews_frame(conn, 2019, "T1")
    assert stored["party"].to_list() == ["BRACKE"]


@pytest.mark.parametrize("role", ["namnd", "projektledare", "admin"])
def test_only_a_municipal_ceo_sees_the_review_form(app_as, role):
    at = _choose(app_as(role, PAGE), 2019, "T1")
    keys = {b.key for b in at.button}
    assert "tertial_review_submit" not in keys


def test_freezing_needs_a_comment_on_a_large_deviation_then_shows_the_snapshot(app_as, app_env):
    at = _choose(app_as("admin", PAGE), 2019, "T1")
    at.button(key="tertial_freeze_submit").click().run()
    assert "6674" in texts(at) and "måste kommenteras" in texts(at)
    at.selectbox(key="tertial_note_object").set_value("6674")
    at.text_area(key="tertial_note_comment").input("Vidarefaktureras kommunerna till viss del.")
    at.button(key="tertial_note_submit").click().run()
    assert "Kommentaren för objekt 6674 är sparad" in texts(at)
    at.text_input(key="tertial_freeze_note").input("§16 2019-06-03")
    at.button(key="tertial_freeze_submit").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Rapporten är fastställd" in shown
    assert "Siffrorna är desamma som när rapporten fastställdes" in shown
    conn = open_database(app_env)
    assert tertial_store.latest_snapshot(conn, 2019, "T1", "nämnden") is not None


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_other_roles_cannot_freeze_or_comment(app_as, role):
    at = _choose(app_as(role, PAGE), 2019, "T1")
    keys = {b.key for b in at.button}
    assert "tertial_freeze_submit" not in keys
    assert "tertial_note_submit" not in keys


def test_downloads_are_offered(app_as):
    at = _choose(app_as("namnd", PAGE), 2019, "helår")
    assert at.get("download_button")
