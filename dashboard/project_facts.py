"""The form of a project's facts, people and parties: for a new project, and for editing one.

The e-strateg fills in every field; a project leader sees the fields only the e-strateg changes
as disabled (the domain refuses them anyway). Widget keys carry the project and the version the
form was drawn from, so after a save the form shows the saved record and a colliding edit is
refused by the version it was based on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio.auth import Action, User
from portfolio.db import Database
from portfolio.errors import InvalidInputError, StaleEditError
from portfolio.models import CaseKind, Phase, Status
from portfolio.projects import service as projects
from portfolio.projects.model import KIND_LABELS, LABELS, Person, ProjectInput

NO_PARTY = ""


def _lines(people: tuple[Person, ...]) -> str:
    return "\n".join(p.text() for p in people)


def _people(text: str) -> list[Person]:
    return [Person.parse(line) for line in text.splitlines() if line.strip()]


def _kr(ore: int | None) -> str:
    return "" if ore is None else f"{ore // 100}" + (f",{ore % 100:02d}" if ore % 100 else "")


def project_fields(
    prefix: str,
    initial: ProjectInput | None,
    *,
    admin: bool,
    leader_emails: list[str],
) -> dict[str, Any]:
    """Draw the fields inside the caller's st.form; returns the values as ProjectInput's fields."""
    names = ui.party_names()
    party_codes = list(names)
    p = initial

    def key(name: str) -> str:
        return f"{prefix}_{name}"

    values: dict[str, Any] = {}
    left, right = st.columns(2)
    with left:
        values["code"] = st.text_input(
            "Diarienummer eller objektnummer",
            value=p.code if p else "",
            placeholder="GNS/5/2020",
            help="Diarienummer som GNS/5/2020; löpande drift kan i stället ha sitt objektnummer, t.ex. 6663.",
            disabled=not admin,
            key=key("code"),
        )
        values["name"] = st.text_input("Namn", value=p.name if p else "", key=key("name"))
        # (field, label, options, shown as, only the administrator changes it)
        enumerated: tuple[tuple[str, str, list[Any], Callable[[Any], str], bool], ...] = (
            ("kind", "Typ", list(CaseKind), lambda k: KIND_LABELS[k].capitalize(), True),
            ("phase", "Fas", list(Phase), lambda ph: ph.value.capitalize(), True),
            ("status", "Status", list(Status), lambda s: ui.status_text(s.value), False),
        )
        for field, label, options, shown, admin_only in enumerated:
            values[field] = ui.choose(
                label,
                options,
                index=options.index(getattr(p, field)) if p else 0,
                format_func=shown,
                disabled=admin_only and not admin,
                key=key(field),
            )
        values["status_reason"] = st.text_area(
            "Skäl till status", value=(p.status_reason or "") if p else "", key=key("status_reason")
        )
    with right:
        values["start_date"] = ui.date_input(
            "Planerad start", value=p.start_date if p else None, key=key("start")
        )
        values["planned_end_date"] = ui.date_input(
            "Planerat slut", value=p.planned_end_date if p else None, key=key("end")
        )
        owner_options = [NO_PARTY, *party_codes]
        values["owner_party"] = ui.choose(
            "Ägande part",
            owner_options,
            index=owner_options.index(p.owner_party or NO_PARTY) if p else 0,
            format_func=lambda c: names.get(c, "– ingen –"),
            disabled=not admin,
            key=key("owner"),
        )
        values["financing_parties"] = ui.choose_many(
            "Finansierande parter",
            party_codes,
            default=list(p.financing_parties) if p else [],
            format_func=lambda c: names.get(c, c),
            placeholder="Välj en eller flera parter",
            disabled=not admin,
            key=key("financing"),
        )
        values["objects"] = [
            o.strip()
            for o in st.text_input(
                "Objekt i redovisningen (dimension 6)",
                value=", ".join(p.objects) if p else "",
                placeholder="6663, 6674",
                help="Objektnummer vars rader i redovisningen hör till projektet, åtskilda med komma.",
                disabled=not admin,
                key=key("objects"),
            ).split(",")
            if o.strip()
        ]
        values["budget_kr"] = st.text_input(
            "Budget eller kostnadstak (kr), för ärenden utan budgetrader",
            value=_kr(initial_ore(p, "budget_kr")),
            placeholder="360 000",
            disabled=not admin,
            key=key("budget"),
        )
    values["purpose"] = st.text_area("Syfte", value=(p.purpose or "") if p else "", key=key("purpose"))
    values["goals"] = st.text_area("Mål", value=(p.goals or "") if p else "", key=key("goals"))
    people_left, people_right = st.columns(2)
    with people_left:
        values["leaders"] = _people(
            st.text_area(
                "Projektledare (en per rad: Namn (Organisation))",
                value=_lines(p.leaders) if p else "",
                placeholder="Anna Berg (Östersunds kommun)",
                disabled=not admin,
                key=key("leaders"),
            )
        )
        values["leader_accounts"] = ui.choose_many(
            "Projektledarkonton (får rapportera och ändra tidplanen)",
            sorted({*leader_emails, *(p.leader_accounts if p else ())}),
            default=list(p.leader_accounts) if p else [],
            placeholder="Välj konton med rollen projektledare",
            disabled=not admin,
            key=key("accounts"),
        )
    with people_right:
        values["steering_group"] = _people(
            st.text_area(
                "Styrgrupp (en per rad: Namn (Organisation))",
                value=_lines(p.steering_group) if p else "",
                key=key("steering"),
            )
        )
    values["notes"] = st.text_area("Anteckningar", value=(p.notes or "") if p else "", key=key("notes"))
    if p is not None:
        # Fields this form does not show keep their values.
        values["actual_end_date"] = p.actual_end_date
        values["actual_kr"] = initial_kronor(p, "actual_kr")
        values["source"] = p.source
    return values


def initial_ore(p: ProjectInput | None, field: str) -> int | None:
    """An amount of the project in öre, or None."""
    return None if p is None else getattr(p, field)


def initial_kronor(p: ProjectInput, field: str) -> str | None:
    """An amount of the project as kronor text, as the input model reads it."""
    ore = getattr(p, field)
    return None if ore is None else f"{ore // 100}.{ore % 100:02d}"


def as_input(values: dict[str, Any]) -> dict[str, Any]:
    """Form values in the shapes ProjectInput reads (kronor text with a decimal point, None for blanks)."""
    out = dict(values)
    out["budget_kr"] = str(out.get("budget_kr") or "").strip() or None
    if out.get("owner_party") == NO_PARTY:
        out["owner_party"] = None
    return out


def render_editor(conn: Database, pid: int, user: User) -> None:
    """The project's facts as a form: all of them for the e-strateg, facts only for its leaders."""
    admin = ui.can(Action.MANAGE_PROJECTS)
    name = f"project_facts_{pid}"
    now = projects.project(conn, pid)
    version = forms.drawn_version(name, now["version"], "name")
    current = projects.project_input(conn, pid)
    flash = st.session_state.get("project_facts_flash") or st.session_state.get("project_close_flash")
    with st.expander("Ändra projektets uppgifter", expanded=bool(flash)):
        if not admin:
            st.caption(
                "Som projektledare ändrar du uppgifterna och tidplanen;"
                " pengar och ledning ändrar e-strategen."
            )
        prefix = f"{name}_{version}"
        with st.form(f"{prefix}_form"):
            values = project_fields(
                prefix, current, admin=admin, leader_emails=projects.leader_candidates(conn)
            )
            saved = st.form_submit_button("Spara uppgifterna", type="primary")
        if saved:
            with forms.saving(
                "project_facts_flash",
                "Uppgifterna är sparade.",
                refused={StaleEditError: lambda exc: _show_newer(exc, name, now["version"])},
                then=lambda: {"project_select": st.session_state.pop("project_saved_code")},
            ):
                data = projects.parse(ProjectInput, as_input(values))
                projects.update_project(conn, user, pid, data, version=version)
                forms.rebase(name, projects.project(conn, pid)["version"])
                st.session_state["project_saved_code"] = data.code
        forms.confirmation("project_facts_flash")
        if admin and now["phase"] != "avslutad":
            _close_form(conn, pid, user, now)


def _show_newer(exc: StaleEditError, name: str, newest: int) -> None:
    show_stale(exc, name, newest, {k: v for k, v in exc.current.items() if k in LABELS})


def show_stale(exc: StaleEditError, name: str, newest: int, current: dict[str, Any] | None = None) -> None:
    """What another person saved meanwhile, and a button to draw the form again from it."""
    st.error(str(exc))
    shown = exc.current if current is None else current
    rows = [(LABELS.get(k, k).capitalize(), _value_text(v)) for k, v in shown.items()]
    ui.table(pl.DataFrame(rows, schema=["Uppgift", "Sparat värde"], orient="row"), hide_index=True)
    if st.button("Läs in den sparade versionen", key=f"{name}_reload"):
        forms.rebase(name, newest)
        st.rerun()


def _value_text(value: object) -> str:
    if value in (None, "", [], ()):
        return "–"
    if isinstance(value, list):
        return ", ".join(v["name"] if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "–"
    return str(value)


def _close_form(conn: Database, pid: int, user: User, now: dict[str, Any]) -> None:
    st.markdown("**Avsluta projektet**")
    with st.form(f"project_close_{pid}_{now['version']}"):
        end = ui.date_input("Faktiskt slutdatum", value=None, key=f"project_close_{pid}_end")
        closed = st.form_submit_button("Avsluta projektet")
    if closed:
        with forms.saving("project_close_flash", f"{now['code']} är avslutat."):
            if end is None:
                raise InvalidInputError(["Faktiskt slutdatum: ange dagen då projektet avslutades"])
            projects.close_project(conn, user, pid, actual_end=end, version=now["version"])
    forms.confirmation("project_close_flash")
