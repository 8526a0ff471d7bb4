"""The project page's milestones: add, re-plan (keeping every earlier date), mark reached, edit, remove.

The e-strateg and the project's own leaders change the plan. Widget keys start with
`project_schedule_` and carry the milestone and version a form was drawn from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from dashboard import forms, ui
from dashboard.project_facts import show_stale
from portfolio import clock
from portfolio.auth import Action, User, can
from portfolio.db import Database
from portfolio.errors import StaleEditError
from portfolio.projects import service as projects
from portfolio.projects.model import MilestoneInput, ReplanInput

FLASH = "project_schedule_flash"


def render_editor(conn: Database, project_id: int, user: User) -> None:
    """The forms, for those who may change the project's plan."""
    if not can(user, Action.EDIT_PROJECT, project_id=project_id):
        return
    st.subheader("Ändra tidplanen")
    milestones = projects.milestones(conn, project_id)
    add, replan, reached, edit = st.tabs(
        ["Ny milstolpe", "Planera om", "Markera nådd", "Ändra eller ta bort"]
    )
    with add:
        _add_form(conn, project_id, user)
    by_id = {m["id"]: m for m in milestones}
    if not by_id:
        for tab in (replan, reached, edit):
            tab.markdown("Projektet har inga milstolpar ännu.")
        return
    with replan:
        if chosen := _open_milestone(by_id, "Milstolpe att planera om", "replan", "reason"):
            _replan_form(conn, user, *chosen)
    with reached:
        if chosen := _open_milestone(by_id, "Milstolpe som nåtts", "reached", "date"):
            _reached_form(conn, user, *chosen)
    with edit:
        _edit_form(conn, user, by_id)


def _label(m: dict[str, Any]) -> str:
    # The name only: Streamlit keeps an option's first label while its value stays the same,
    # so a date in the label would go stale after a re-plan. The form says the current date.
    return str(m["name"])


def _choose(by_id: dict[int, dict[str, Any]], label: str, key: str) -> dict[str, Any]:
    chosen = ui.choose(label, list(by_id), format_func=lambda i: _label(by_id[i]), key=key)
    return by_id[chosen]


def _add_form(conn: Database, project_id: int, user: User) -> None:
    with st.form("project_schedule_add_form"):
        name = st.text_input(
            "Milstolpens namn", key="project_schedule_add_name", placeholder="t.ex. Driftstart"
        )
        planned = ui.date_input("Planerat datum", value=None, key="project_schedule_add_date")
        note = st.text_input("Anteckning", key="project_schedule_add_note")
        added = st.form_submit_button("Lägg till milstolpen", type="primary")
    if added:
        with forms.saving(
            "project_schedule_add_flash",
            f"Milstolpen {ui.plain(name.strip())} är tillagd.",
            then={
                "project_schedule_add_name": "",
                "project_schedule_add_date": None,
                "project_schedule_add_note": "",
            },
        ):
            projects.add_milestone(
                conn,
                user,
                project_id,
                projects.parse(MilestoneInput, {"name": name, "planned_date": planned, "note": note}),
            )
    forms.confirmation("project_schedule_add_flash")


def _open_milestone(
    by_id: dict[int, dict[str, Any]], label: str, action: str, probe: str
) -> tuple[dict[str, Any], str, int] | None:
    """The chosen milestone not yet reached, the name of its `action` form and the version the form
    was drawn from (see `forms.drawn_version`); None, said on the page, when every one is reached."""
    open_ones = {i: m for i, m in by_id.items() if not m["actual_date"]}
    if not open_ones:
        st.markdown("Alla milstolpar är nådda.")
        return None
    m = _choose(open_ones, label, f"project_schedule_{action}_choice")
    name = f"project_schedule_{action}_{m['id']}"
    return m, name, forms.drawn_version(name, m["version"], probe)


def _replan_form(conn: Database, user: User, m: dict[str, Any], name: str, version: int) -> None:
    with st.form(f"{name}_{version}_form"):
        st.markdown(
            f"Planerad nu: {m['current_date'] or 'inget datum'}. Tidigare datum behålls i historiken."
        )
        new_date = ui.date_input("Nytt planerat datum", value=None, key=f"{name}_{version}_date")
        reason = st.text_area("Skäl till det nya datumet", key=f"{name}_{version}_reason")
        moved = st.form_submit_button("Planera om", type="primary")
    if moved:
        with forms.saving(
            "project_schedule_replan_flash",
            lambda: f"{ui.plain(m['name'])} är omplanerad till {new_date}.",
            refused={StaleEditError: lambda exc: show_stale(exc, name, m["version"])},
        ):
            data = projects.parse(ReplanInput, {"new_date": new_date, "reason": reason})
            projects.replan_milestone(conn, user, m["id"], data, version=version)
            forms.rebase(name, version + 1)
    forms.confirmation("project_schedule_replan_flash")


def _reached_form(conn: Database, user: User, m: dict[str, Any], name: str, version: int) -> None:
    with st.form(f"{name}_{version}_form"):
        actual = ui.date_input(
            "Datum då milstolpen nåddes", value=clock.today(), key=f"{name}_{version}_date"
        )
        done = st.form_submit_button("Markera som nådd", type="primary")
    if done:
        with forms.saving(
            "project_schedule_reached_flash",
            f"{ui.plain(m['name'])} är markerad som nådd {actual}.",
            refused={StaleEditError: lambda exc: show_stale(exc, name, m["version"])},
        ):
            projects.mark_reached(conn, user, m["id"], actual, version=version)
    forms.confirmation("project_schedule_reached_flash")


def _edit_form(conn: Database, user: User, by_id: dict[int, dict[str, Any]]) -> None:
    m = _choose(by_id, "Milstolpe att ändra", "project_schedule_edit_choice")
    name = f"project_schedule_edit_{m['id']}"
    version = forms.drawn_version(name, m["version"], "name")
    prefix = f"{name}_{version}"
    with st.form(f"{prefix}_form"):
        new_name = st.text_input("Namn", value=m["name"], key=f"{prefix}_name")
        planned = ui.date_input(
            "Ursprungligt planerat datum",
            value=date.fromisoformat(m["planned_date"]) if m["planned_date"] else None,
            disabled=bool(m["changes"]),
            help="Kan ändras bara innan milstolpen har planerats om; använd annars Planera om.",
            key=f"{prefix}_date",
        )
        note = st.text_input("Anteckning", value=m["note"] or "", key=f"{prefix}_note")
        remove = st.checkbox("Ta bort milstolpen och dess historik", key=f"{prefix}_remove")
        saved = st.form_submit_button("Spara ändringen")
    if saved:
        done = (
            f"{ui.plain(m['name'])} är borttagen." if remove else f"{ui.plain(new_name.strip())} är sparad."
        )
        with forms.saving(
            "project_schedule_edit_flash",
            done,
            refused={StaleEditError: lambda exc: show_stale(exc, name, m["version"])},
        ):
            if remove:
                projects.remove_milestone(conn, user, m["id"], version=version)
            else:
                data = projects.parse(
                    MilestoneInput, {"name": new_name, "planned_date": planned, "note": note}
                )
                projects.edit_milestone(conn, user, m["id"], data, version=version)
                forms.rebase(name, version + 1)
    forms.confirmation("project_schedule_edit_flash")
