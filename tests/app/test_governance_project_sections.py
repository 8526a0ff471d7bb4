"""render_lifecycle: phases, decision timeline, handover, deviations, needs and debits, per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from portfolio import store as core_store
from portfolio import users_store
from portfolio.governance import service as governance
from registers.bruttolista import service as bruttolista
from registers.database import open_database
from registers.lifecycle import service as lifecycle
from tests.app.conftest import PERSONA_EMAILS, ROLES, texts, texts_of_a_clean_run


def _script() -> None:
    import streamlit as st

    from dashboard import ui
    from dashboard.project_sections import render_lifecycle
    from portfolio import store

    user = ui.require_user()
    conn = ui.db()
    render_lifecycle(conn, store.project_id_for(conn, st.session_state.get("code", "GNS/8/2018")), user)


@pytest.fixture
def sections(app_env: Path) -> Callable[..., AppTest]:
    def make(role: str, code: str = "GNS/8/2018") -> AppTest:
        conn = open_database(app_env)
        found = users_store.find_user(conn, PERSONA_EMAILS[role])
        assert found is not None
        at = AppTest.from_function(_script, default_timeout=60)
        at.session_state["user_id"] = found[0].id
        at.session_state["code"] = code
        return at.run()

    return make


@pytest.mark.parametrize("role", ROLES)
def test_link2s_life_is_shown_to_every_role(sections, role):
    at = sections(role)
    shown = texts_of_a_clean_run(at)
    for heading in ("Faser och beslut", "Beslutstidslinje", "Överlämning till förvaltning", "Avvikelser"):
        assert heading in shown
    assert "2018-08-24 §19" in shown  # the decision behind the first phase
    assert "Förslag till beslut (beslutet finns inte i handlingarna)" in shown  # 2020-02-14 punkt 3
    assert "45 avvikelser" in shown and "44 gäller arbetssätt" in shown
    assert "21 levererade (✔ Ja), 3 inte levererade (✘ Nej)" in shown
    assert "Link 2.5" in shown
    assert at.get("plotly_chart")


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_gets_the_lifecycle_forms(sections, role):
    keys = {b.key for b in sections(role).button}
    assert not keys & {
        "project_debit_save",
        "project_phase_save",
        "project_need_save",
        "project_handover_save",
    }


def test_a_case_from_the_bruttolista_shows_where_it_came_from(sections):
    at = sections("namnd", "GNS/4/2019")
    assert "Kopplat till verksamhetsplan 2019, rad 10" in texts(at)


def test_admin_debits_hours_at_the_price_list_rate(sections, app_env):
    at = sections("admin")
    at.date_input(key="project_debit_date").set_value(date(2019, 9, 2))
    at.selectbox(key="project_debit_resource").set_value("Jurist")
    at.text_input(key="project_debit_hours").set_value("7,5")
    at.button(key="project_debit_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Utfall från debiterade resurser: 4\u202f837,50 kr" in texts(at)
    assert governance.debits(open_database(app_env))["amount_ore"].to_list() == [483_750]


def test_negative_hours_are_refused_on_the_page_and_nothing_is_saved(sections, app_env):
    at = sections("admin")
    at.date_input(key="project_debit_date").set_value(date(2019, 9, 2))
    at.text_input(key="project_debit_hours").set_value("-3")
    at.button(key="project_debit_save").click().run()
    errors = [e.value for e in at.error]
    assert errors and "Antal timmar kan inte vara mindre än noll (angivet: −3 h)" in errors[0]
    assert governance.debits(open_database(app_env)).height == 0


def test_admin_makes_a_need_a_bruttolista_activity(sections, app_env):
    at = sections("admin")
    needs = lifecycle.needs(
        open_database(app_env), core_store.project_id_for(open_database(app_env), "GNS/8/2018")
    )
    sip = needs.filter(needs["need"] == "SIP")["id"].item()
    at.selectbox(key="project_need_choice").set_value(sip).run()
    at.number_input(key="project_need_year").set_value(2020)
    at.multiselect(key="project_need_areas").set_value(["Kärnverksamhet"])
    at.button(key="project_need_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Behovet ”SIP” är nu en aktivitet i bruttolistan 2020." in [s.value for s in at.success]
    made = bruttolista.activities(open_database(app_env), year=2020)
    assert made["activity"].to_list() == ["SIP"]
    assert made["linked_cases"].to_list() == [["GNS/8/2018"]]


def test_admin_records_a_phase_change_with_its_decision(sections, app_env):
    db = open_database(app_env)
    items = governance.decisions(db, case_code="GNS/8/2019")
    decision = items.filter(items["date"] == "2019-06-03")["item_id"].item()
    at = sections("admin", "GNS/8/2019")
    at.date_input(key="project_phase_date").set_value(date(2020, 3, 2))
    at.selectbox(key="project_phase_phase").set_value("genomförande")
    at.selectbox(key="project_phase_decision").set_value(decision)
    at.button(key="project_phase_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**Nuvarande fas:** genomförande" in texts(at)
    after = open_database(app_env)
    assert (
        core_store.project_detail(after, core_store.project_id_for(after, "GNS/8/2019"))["phase"]
        == "genomförande"
    )


def test_a_linked_activitys_text_is_shown_as_written(sections, app_env):
    from portfolio.accounts import persona_user
    from registers.bruttolista.model import AREAS, ActivityInput

    conn = open_database(app_env)
    text = "**Fet** [länk](https://x.example) <b>"
    data = ActivityInput(plan_year=2019, activity=text, areas=(AREAS[0],))
    bruttolista.create_activity(conn, persona_user(conn, "admin"), data, linked_cases=["GNS/4/2019"])
    conn.close()
    at = sections("namnd", "GNS/4/2019")
    shown = [m.value for m in at.markdown if "Fet" in m.value]
    assert shown and all("**Fet**" not in m and "\\*\\*Fet\\*\\*" in m for m in shown), shown
