"""Nyttoregister under AppTest: every role, the measurement flow, refusals and stale edits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from dashboard.navigation import BENEFITS_TABS
from portfolio import store as core_store
from portfolio.auth import SYSTEM
from registers.benefits import service, store
from registers.benefits.model import Point
from registers.database import open_database
from tests.app.conftest import (
    ROLES,
    duplicate_labels,
    fill,
    open_section,
    shown_under,
    texts,
    texts_of_a_clean_run,
)

PAGE = "app_pages/benefits.py"
DAYS = "Antal dagar efter beslut om utskrivningsklar som patienter finns kvar på sjukhuset"


def goal_id(path: Path, title: str = DAYS) -> int:
    db = open_database(path)
    try:
        link2 = core_store.project_id_for(db, "GNS/8/2018")
        return int(service.register(db, link2).filter(pl.col("title") == title)["id"][0])
    finally:
        db.close()


def set_plan(path: Path, benefit_id: int, **update: object) -> None:
    db = open_database(path)
    try:
        current = store.get_benefit(db, benefit_id)
        data = service.benefit_input(current).model_copy(
            update={
                "baseline": Point(date=date(2019, 1, 1), value=Decimal(6)),
                "target": Point(date=date(2021, 1, 1), value=Decimal(2)),
                **update,
            }
        )
        service.update_benefit(db, SYSTEM, benefit_id, data, version=current["version"])
    finally:
        db.close()


def measurements(path: Path, benefit_id: int) -> list[tuple]:
    db = open_database(path)
    try:
        return store.measurements_frame(db, benefit_id=benefit_id).select("measured_on", "value").rows()
    finally:
        db.close()


def measure(
    at, value: str, *, benefit: int | None = None, on: date | None = None, comment: str | None = None
) -> None:
    """Fill the measurement form (a field left None stays as it is) and press its button."""
    fill(
        at,
        benefits_measure_benefit=benefit,
        benefits_measure_date=on,
        benefits_measure_value=value,
        benefits_measure_comment=comment,
    )
    at.button(key="benefits_measure_submit").click().run()


def fill_plan(at, benefit: int, *, with_target: bool) -> None:
    """Fill the plan asked for a benefit without one: days, lower is better, 6 on 2019-01-01
    (and, with the target, 2 by 2021-01-01)."""
    plan = f"benefits_measure_plan_{benefit}"
    fill(
        at,
        **{
            f"{plan}_indicator": "Antal dagar",
            f"{plan}_unit": "dagar",
            f"{plan}_direction": "lägre",
            f"{plan}_baseline_date": date(2019, 1, 1),
            f"{plan}_baseline_value": "6",
        },
    )
    if with_target:
        fill(at, **{f"{plan}_target_date": date(2021, 1, 1), f"{plan}_target_value": "2"})


@pytest.mark.parametrize("role", ROLES)
def test_benefit_register_renders_for_every_role_with_link2s_effect_goals(app_as, role: str) -> None:
    at = app_as(role, PAGE)
    shown = texts_of_a_clean_run(at)
    assert "Nyttoregister" in shown
    assert "Beläggingsstatistik" in shown and "Andel patienter med SIP som har fast vårdkontakt" in shown
    assert "○ Ej mätt" in shown
    assert "ske utanför projektet" in shown  # the report's follow-up note
    assert at.selectbox(key="benefits_project").value == "GNS/8/2018"
    # A reader's other tabs are drawn when opened; an editor's are all drawn (unsaved fields stay).
    assert ("Kostnad 3\u202f489\u202f986 kr" in shown) is (role in ("projektledare", "admin"))
    assert "Kostnad 3\u202f489\u202f986 kr" in texts_of_a_clean_run(open_section(at, "Nyttokalkyl"))
    assert "⚠ Ej mätta senaste året 12" in texts_of_a_clean_run(open_section(at, "Hela portföljen"))


@pytest.mark.parametrize(
    ("role", "edits"), [("namnd", False), ("kommunchef", False), ("projektledare", True), ("admin", True)]
)
def test_only_leaders_and_admin_see_the_edit_forms(app_as, role: str, edits: bool) -> None:
    at = app_as(role, PAGE)
    keys = {w.key for w in at.selectbox}
    keys |= {w.key for w in open_section(at, "Nyttokalkyl").selectbox}
    assert ("benefits_edit_benefit" in keys) is edits
    assert ("benefits_value_benefit" in keys) is edits
    # Nothing has a plan yet: those who may set one measure with it, the others cannot measure.
    assert ("benefits_measure_benefit" in keys) is edits


def test_the_link2_leader_sets_a_plan_adds_a_measurement_and_the_status_changes(
    app_as, app_env: Path
) -> None:
    goal = goal_id(app_env)
    at = app_as("projektledare", PAGE)
    at.selectbox(key="benefits_edit_benefit").set_value(goal).run()
    at.date_input(key="benefits_edit_baseline_date").set_value(date(2019, 1, 1))
    at.text_input(key="benefits_edit_baseline_value").input("6")
    at.date_input(key="benefits_edit_target_date").set_value(date(2021, 1, 1))
    at.text_input(key="benefits_edit_target_value").input("2")
    at.button(key="benefits_edit_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Nyttan är sparad." in texts(at)

    measure(at, "3,5", benefit=goal, on=date(2020, 1, 1), comment="Första mätningen efter projektet")
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Mätningen är sparad. Status nu: → På väg." in shown
    assert f"→ På väg · effektmål: {DAYS}" in [e.label for e in at.expander]
    assert measurements(app_env, goal) == [(date(2020, 1, 1), "3.5")]


def test_a_measurement_before_the_baseline_is_shown_as_an_error_and_not_saved(app_as, app_env: Path) -> None:
    goal = goal_id(app_env)
    set_plan(app_env, goal)
    at = app_as("admin", PAGE)
    measure(at, "5", benefit=goal, on=date(2018, 12, 1))
    assert "före nollmätningens datum 2019-01-01" in " ".join(e.value for e in at.error)
    assert measurements(app_env, goal) == []


def test_a_non_numeric_measurement_is_refused(app_as, app_env: Path) -> None:
    goal = goal_id(app_env)
    set_plan(app_env, goal)
    at = app_as("projektledare", PAGE)
    measure(at, "ungefär fyra", benefit=goal)
    assert "'ungefär fyra' är inget tal" in " ".join(e.value for e in at.error)
    assert measurements(app_env, goal) == []


def test_a_benefit_owner_without_a_project_role_may_measure_their_benefit(app_as, app_env: Path) -> None:
    goal = goal_id(app_env)
    set_plan(app_env, goal, owner="Demo Kommunchef Bräcke", owner_email="kommunchef.bracke@gns.example")
    at = app_as("kommunchef", PAGE)
    assert at.selectbox(key="benefits_measure_benefit").options == [DAYS]
    assert "benefits_edit_benefit" not in {w.key for w in at.selectbox}
    measure(at, "4", on=date(2020, 6, 1))
    assert not at.error, [e.value for e in at.error]
    assert measurements(app_env, goal) == [(date(2020, 6, 1), "4")]


def test_a_stale_edit_is_refused_in_the_page_with_the_newer_values(app_as, app_env: Path) -> None:
    goal = goal_id(app_env)
    at = app_as("projektledare", PAGE)
    at.selectbox(key="benefits_edit_benefit").set_value(goal).run()
    # Someone else saves the same benefit while the leader's form is open.
    db = open_database(app_env)
    current = store.get_benefit(db, goal)
    service.update_benefit(
        db,
        SYSTEM,
        goal,
        service.benefit_input(current).model_copy(update={"owner": "Anna Andersson"}),
        version=current["version"],
    )
    db.close()
    at.text_input(key="benefits_edit_owner").input("Bo Berg")
    at.button(key="benefits_edit_submit").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "har ändrats av någon annan" in errors
    assert "Anna Andersson" in texts(at)  # the newer values are shown
    db = open_database(app_env)
    assert store.get_benefit(db, goal)["owner"] == "Anna Andersson"
    db.close()
    at.button(key="benefits_edit_reload").click().run()
    assert at.text_input(key="benefits_edit_owner").value == "Anna Andersson"


def portfolio_table(at):
    return next(d.value for d in at.dataframe if "Projekt" in d.value.columns)


def test_portfolio_view_filters_by_status_and_flags_the_unmeasured(app_as) -> None:
    at = open_section(app_as("namnd", PAGE), "Hela portföljen")
    at.multiselect(key="benefits_filter_statuses").set_value(["uppnått"]).run()
    assert len(portfolio_table(at)) == 0
    at.multiselect(key="benefits_filter_statuses").set_value([]).run()
    at.multiselect(key="benefits_filter_parties").set_value(["BRACKE"]).run()
    table = portfolio_table(at)
    assert len(table) == 12  # LINK2's benefits name no party; Bräcke finances LINK2
    assert set(table["Uppföljning"]) == {"⚠ Ej mätt senaste året"}


def test_a_leader_values_a_benefit_in_hours_and_the_calculation_shows_it(app_as, app_env: Path) -> None:
    at = open_section(app_as("projektledare", PAGE), "Nyttokalkyl")
    benefit = goal_id(app_env, "Effektivare nyttjande av befintliga vårdplatser")
    at.selectbox(key="benefits_value_benefit").set_value(benefit)
    at.number_input(key="benefits_value_year").set_value(2020)
    at.text_input(key="benefits_value_hours").input("1000")
    at.button(key="benefits_value_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Nytta i kronor 450\u202f000 kr" in texts(at)  # 1 000 h × 450 kr


def test_a_benefit_without_a_plan_gets_baseline_target_and_its_first_measurement_in_one_step(
    app_as, app_env: Path
) -> None:
    goal = goal_id(app_env)
    at = app_as("projektledare", PAGE)
    at.selectbox(key="benefits_measure_benefit").set_value(goal).run()
    assert "saknar nollmätning och målvärde" in texts(at)
    fill_plan(at, goal, with_target=True)
    measure(at, "3,5", on=date(2020, 1, 1), comment="Första mätningen")
    assert not at.error, [e.value for e in at.error]
    assert shown_under(at, "benefits_measure_submit") == (
        "Nollmätning, målvärde och mätning är sparade. Status nu: → På väg."
    )
    assert (
        at.text_input(key="benefits_measure_value").value,
        at.text_input(key="benefits_measure_comment").value,
    ) == (
        "",
        "",
    )
    assert at.selectbox(key="benefits_measure_benefit").value == goal  # still the benefit just measured
    assert measurements(app_env, goal) == [(date(2020, 1, 1), "3.5")]
    stored = store.get_benefit(open_database(app_env), goal)
    assert (stored["baseline_date"], stored["target_value"]) == ("2019-01-01", "2")


def test_a_plan_missing_its_target_saves_neither_plan_nor_measurement(app_as, app_env: Path) -> None:
    goal = goal_id(app_env)
    at = app_as("projektledare", PAGE)
    at.selectbox(key="benefits_measure_benefit").set_value(goal).run()
    fill_plan(at, goal, with_target=False)
    measure(at, "4")
    assert any("målvärde" in e.value for e in at.error)
    assert at.text_input(key="benefits_measure_value").value == "4"  # nothing typed is lost
    assert measurements(app_env, goal) == []
    assert store.get_benefit(open_database(app_env), goal)["baseline_date"] is None


def test_a_new_benefit_is_confirmed_under_its_button_the_form_emptied_and_the_benefit_chosen(
    app_as, app_env: Path
) -> None:
    at = app_as("projektledare", PAGE)
    at.text_input(key="benefits_new_title").input("Färre manuella överföringar")
    at.text_input(key="benefits_new_owner").input("Anna Andersson")
    at.button(key="benefits_new_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "'Färre manuella överföringar' är tillagd i nyttoregistret" in (
        shown_under(at, "benefits_new_submit") or ""
    )
    assert (at.text_input(key="benefits_new_title").value, at.text_input(key="benefits_new_owner").value) == (
        "",
        "",
    )
    new_id = goal_id(app_env, "Färre manuella överföringar")
    assert at.selectbox(key="benefits_edit_benefit").value == new_id
    assert at.text_input(key="benefits_edit_title").value == "Färre manuella överföringar"


def test_a_value_is_confirmed_under_its_button_and_its_amount_emptied(app_as, app_env: Path) -> None:
    at = open_section(app_as("projektledare", PAGE), "Nyttokalkyl")
    at.text_input(key="benefits_value_amount").input("12000")
    at.text_input(key="benefits_value_comment").input("Uppskattat")
    at.button(key="benefits_value_submit").click().run()
    assert shown_under(at, "benefits_value_submit") == "Värdet är sparat och kalkylen uppdaterad."
    assert (
        at.text_input(key="benefits_value_amount").value,
        at.text_input(key="benefits_value_comment").value,
    ) == (
        "",
        "",
    )


def test_no_two_controls_on_the_benefits_page_share_a_label(app_as) -> None:
    at = app_as("projektledare", PAGE)
    for tab in BENEFITS_TABS:
        assert duplicate_labels(open_section(at, tab)) == [], tab


def test_every_plan_date_of_a_benefit_offers_the_years_2000_to_2100(app_as):
    """A new benefit's baseline date had Streamlit's own limits: nothing before ten years ago,
    so a baseline measured in 2015 could not be entered."""
    at = app_as("projektledare", "app_pages/benefits.py")
    keys = [d.key for d in at.date_input if d.key and d.key.startswith(("benefits_new_", "benefits_edit_"))]
    assert "benefits_new_baseline_date" in keys
    for key in keys:
        proto = at.date_input(key=key).proto
        assert (proto.min, proto.max) == ("2000-01-01", "2100-12-31"), key
