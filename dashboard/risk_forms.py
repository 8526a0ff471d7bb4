"""The risk page's forms: the fields of a risk, an action and a register, and each form that saves them.

The page (`app_pages/risks.py`) shows the register and calls these where a form stands. Widget
keys start with `risks_`; every form's fields are keyed `<form>_<field>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio.auth import User
from portfolio.db import Database
from portfolio.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StaleEditError,
)
from registers.risks import scoring, service
from registers.risks.model import (
    ACTION_LABELS,
    REGISTER_LABELS,
    RISK_LABELS,
    ActionInput,
    ActionStatus,
    Register,
    RegisterInput,
    RiskStatus,
    parse_action,
    parse_register,
    parse_risk,
)


@dataclass(frozen=True)
class Editing:
    """What the forms need: who edits which project, and the owners and categories they offer."""

    conn: Database
    user: User
    project_id: int
    owners: list[str]
    categories: list[str]


# --- form state and fields ------------------------------------------------------------------------


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _form_base(name: str, entity_id: int, version: int, values: dict[str, Any]) -> int:
    """The version a form was opened at; fills its fields when another record is chosen, or after a save."""
    key = f"{name}_base"
    base = st.session_state.get(key)
    # Streamlit drops a widget's state when it is not drawn; then the form is refilled from the database.
    if base is None or base[0] != entity_id or any(f"{name}_{f}" not in st.session_state for f in values):
        for field, value in values.items():
            st.session_state[f"{name}_{field}"] = value
        base = (entity_id, version)
        st.session_state[key] = base
    return int(base[1])


def reload(name: str) -> None:
    st.session_state.pop(f"{name}_base", None)


def _saved(flash_key: str, message: str, *reloaded: str) -> None:
    st.session_state[flash_key] = message
    for name in reloaded:
        reload(name)
    st.rerun()


def _show_stale(exc: StaleEditError, form: str, labels: dict[str, str]) -> None:
    st.error(str(exc))
    if exc.current:
        rows = [(labels.get(k, k), "–" if v is None else str(v)) for k, v in exc.current.items()]
        ui.table(pl.DataFrame(rows, schema=["Fält", "Nu sparat"], orient="row"), hide_index=True)
    st.button("Läs in den nya versionen", key=f"{form}_reload", on_click=reload, args=(form,))


def _stale(form: str, labels: dict[str, str]) -> forms.Refusals:
    """The refusal for `forms.saving`: a stale edit shows the newer values and a reload button."""
    return {StaleEditError: lambda exc: _show_stale(exc, form, labels)}


def _level_labeller(axis: str, scale: int) -> Callable[[int], str]:
    """A chooser's label for a level on the register's scale: "3 – Stor"."""
    return lambda level: scoring.level_label(axis, level, scale)


def level_options(scale: int) -> list[int]:
    return list(range(1, scale + 1))


VIEWS = {"inherent": "Ursprunglig risk (före åtgärder)", "residual": "Restrisk (efter åtgärder)"}


def view_choice(where: Any, key: str) -> str:
    """The risk the matrix and the list show: inherent (before actions) or residual."""
    view: str = where.radio("Risk att visa", list(VIEWS), format_func=VIEWS.__getitem__, key=key)
    return view


def keep_valid(key: str, options: list[Any]) -> None:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def offered_owners(owners: list[str], stored: str | None = None) -> list[str]:
    """No owner, the owners a form offers, and the stored owner when it is no longer among them."""
    options = ["", *owners]
    if stored and stored not in options:
        options.append(stored)
    return options


def _owner_label(owner: str) -> str:
    return owner or "(ingen)"


_LEVEL_FIELDS = (
    ("probability", "Sannolikhet", "sannolikhet"),
    ("consequence", "Konsekvens", "konsekvens"),
    ("residual_probability", "Sannolikhet efter åtgärd", "sannolikhet"),
    ("residual_consequence", "Konsekvens efter åtgärd", "konsekvens"),
)


def _risk_fields(
    form: str,
    scale: int,
    owner_options: list[str],
    categories: list[str],
    *,
    new: bool,
    owner_index: int = 0,
) -> None:
    """The fields of a risk form, keyed `<form>_<field>`; a new risk starts with no level chosen.

    The new risk's labels say so: no two controls on the page share a label.
    """
    levels = level_options(scale)
    no_category = "Registrets kategori" if new else "–"
    of = " (ny risk)" if new else ""
    c1, c2 = st.columns(2)
    c1.text_input(f"Titel{of}", key=f"{form}_title")
    ui.choose(
        f"Kategori{of}",
        [None, *categories],
        format_func=lambda c: c or no_category,
        key=f"{form}_category",
        where=c2,
    )
    st.text_area(f"Beskrivning{of}", key=f"{form}_description")
    c1, c2 = st.columns(2)
    c1.text_input(f"Orsak{of}", key=f"{form}_cause")
    c2.text_input(f"Beskrivning av konsekvensen{of}", key=f"{form}_consequence_text")
    for column, (field, label, axis) in zip(st.columns(4), _LEVEL_FIELDS, strict=True):
        residual = field.startswith("residual_")
        options = [None, *levels] if residual else levels
        unchosen = new and not residual
        keep_valid(f"{form}_{field}", options)
        column.selectbox(
            f"{label}{of}",
            options,
            index=ui.held_index(f"{form}_{field}", options, None if unchosen else 0),
            placeholder=f"Välj 1–{scale}",
            format_func=lambda v, axis=axis: scoring.level_label(axis, v, scale),
            key=f"{form}_{field}",
        )
    c1, c2, c3 = st.columns(3)
    ui.choose(
        f"Ägare{of}",
        owner_options,
        index=owner_index,
        format_func=_owner_label,
        key=f"{form}_owner",
        where=c1,
    )
    ui.choose(f"Status{of}", [s.value for s in RiskStatus], key=f"{form}_status", where=c2)
    ui.date_input(
        f"Nästa uppföljning{of}", value=None if new else "today", key=f"{form}_next_review", where=c3
    )
    st.checkbox(
        "Visa den nya risken i portföljen (nämnden ser den)"
        if new
        else "Visa i portföljen (nämnden ser risken)",
        key=f"{form}_show_in_portfolio",
    )


def _risk_values(form: str) -> dict[str, Any]:
    """What the fields of `_risk_fields` hold, by the risk's field names."""
    s = st.session_state
    return {
        "title": s[f"{form}_title"],
        "description": s[f"{form}_description"],
        "cause": s[f"{form}_cause"],
        "consequence_text": s[f"{form}_consequence_text"],
        "category": s[f"{form}_category"],
        "probability": s[f"{form}_probability"],
        "consequence": s[f"{form}_consequence"],
        "residual_probability": s[f"{form}_residual_probability"],
        "residual_consequence": s[f"{form}_residual_consequence"],
        "owner": s[f"{form}_owner"] or None,
        "status": s[f"{form}_status"],
        "next_review": s[f"{form}_next_review"],
        "show_in_portfolio": s[f"{form}_show_in_portfolio"],
    }


# An action form's labels (description, owner, due date, status, comment), unique on the page.
_ACTION_LABELS = {
    "first": ("Första åtgärd", "Första åtgärdens ägare", "Första åtgärdens förfallodatum",
              "Första åtgärdens status", ""),
    "new": ("Ny åtgärd", "Den nya åtgärdens ägare", "Den nya åtgärdens förfallodatum",
            "Den nya åtgärdens status", "Kommentar till den nya åtgärden"),
    "edit": ("Åtgärd", "Åtgärdens ägare", "Åtgärdens förfallodatum", "Åtgärdens status",
             "Kommentar till åtgärden"),
}  # fmt: skip


def _action_fields(form: str, owner_options: list[str], *, new: bool, in_risk_form: bool = False) -> None:
    """The fields of an action form, keyed `<form>_<field>`.

    Inside a risk's form the labels say it is the first action, and there is no comment.
    """
    description, owner, due, status, comment = _ACTION_LABELS[
        "first" if in_risk_form else "new" if new else "edit"
    ]
    st.text_area(description, key=f"{form}_description")
    c1, c2, c3 = st.columns(3)
    ui.choose(owner, owner_options, format_func=_owner_label, key=f"{form}_owner", where=c1)
    ui.date_input(due, value=None if new else "today", key=f"{form}_due", where=c2)
    ui.choose(status, [s.value for s in ActionStatus], key=f"{form}_status", where=c3)
    if not in_risk_form:
        st.text_input(comment, key=f"{form}_comment")


def _action_input(form: str, *, in_risk_form: bool = False) -> ActionInput:
    """The action the fields of `_action_fields` describe; InvalidInputError otherwise."""
    s = st.session_state
    values = {
        "description": s[f"{form}_description"],
        "owner": s[f"{form}_owner"] or None,
        "due_date": s[f"{form}_due"],
        "status": s[f"{form}_status"],
    }
    if not in_risk_form:
        values["comment"] = s[f"{form}_comment"]
    return parse_action(values)


_EMPTY_ACTION = {
    "risks_action_add_description": "",
    "risks_action_add_owner": "",
    "risks_action_add_due": None,
    "risks_action_add_status": ActionStatus.PLANERAD.value,
    "risks_action_add_comment": "",
}


def _empty_risk(owner: str) -> dict[str, Any]:
    """The add form's fields emptied for the next risk (the register and the leader as owner stay)."""
    fields: dict[str, Any] = {
        "title": "",
        "description": "",
        "cause": "",
        "consequence_text": "",
        "category": None,
        "probability": None,
        "consequence": None,
        "residual_probability": None,
        "residual_consequence": None,
        "owner": owner,
        "status": next(iter(RiskStatus)).value,
        "next_review": None,
        "show_in_portfolio": False,
    }
    first_action = {"description": "", "owner": "", "due": None, "status": ActionStatus.PLANERAD.value}
    return {f"risks_add_{k}": v for k, v in fields.items()} | {
        f"risks_add_action_{k}": v for k, v in first_action.items()
    }


# --- a risk and its actions ----------------------------------------------------------------------


def reassess_form(ctx: Editing, risk: dict[str, Any], scale: int) -> None:
    """Every action of the risk is done: ask for the residual levels again, starting from today's."""
    version = _form_base(
        "risks_residual",
        risk["id"],
        risk["version"],
        {
            "probability": risk["residual_probability"] or risk["probability"],
            "consequence": risk["residual_consequence"] or risk["consequence"],
            "note": "",
        },
    )
    levels = level_options(scale)
    with st.form("risks_residual_form", enter_to_submit=False):
        st.markdown(
            "**Alla riskens åtgärder är klara. Bedöm restrisken på nytt:** stämmer sannolikheten och "
            "konsekvensen efter åtgärderna? Spara även om de är oförändrade, så syns bedömningen i "
            "historiken."
        )
        c1, c2 = st.columns(2)
        for column, field, label, axis in (
            (c1, "probability", "Sannolikhet efter åtgärderna (omprövning)", "sannolikhet"),
            (c2, "consequence", "Konsekvens efter åtgärderna (omprövning)", "konsekvens"),
        ):
            keep_valid(f"risks_residual_{field}", levels)
            ui.choose(
                label,
                levels,
                format_func=_level_labeller(axis, scale),
                key=f"risks_residual_{field}",
                where=column,
            )
        st.text_input("Kommentar till omprövningen (valfri)", key="risks_residual_note")
        reassessed = st.form_submit_button("Spara bedömningen av restrisken", key="risks_residual_submit")
    if reassessed:
        with forms.saving(
            "risks_residual_flash",
            f"Restrisken för risk {risk['id']} är omprövad.",
            refused=_stale("risks_residual", RISK_LABELS),
        ):
            s = st.session_state
            service.reassess_residual(
                ctx.conn,
                ctx.user,
                risk["id"],
                s["risks_residual_probability"],
                s["risks_residual_consequence"],
                version=version,
                note=s["risks_residual_note"],
            )
            reload("risks_residual")
            reload("risks_edit")


def edit_risk_form(ctx: Editing, risk: dict[str, Any], reg: Register) -> int:
    """The form that edits the risk; returns the version it was opened at."""
    version = _form_base(
        "risks_edit",
        risk["id"],
        risk["version"],
        {
            "title": risk["title"],
            "description": risk["description"] or "",
            "cause": risk["cause"] or "",
            "consequence_text": risk["consequence_text"] or "",
            "category": risk["category"],
            "probability": risk["probability"],
            "consequence": risk["consequence"],
            "residual_probability": risk["residual_probability"],
            "residual_consequence": risk["residual_consequence"],
            "owner": risk["owner"] or "",
            "status": risk["status"],
            "next_review": _iso(risk["next_review"]),
            "show_in_portfolio": risk["show_in_portfolio"],
            "status_note": risk["status_note"] or "",
        },
    )
    with st.form("risks_edit_form", enter_to_submit=False):
        st.markdown(f"**Ändra risken** (du utgår från version {version})")
        _risk_fields(
            "risks_edit", reg.scale, offered_owners(ctx.owners, risk["owner"]), ctx.categories, new=False
        )
        st.text_area("Kommentar", key="risks_edit_status_note")
        edited = st.form_submit_button("Spara ändringen", type="primary", key="risks_edit_submit")
    forms.confirmation("risks_edit_flash")
    if edited:
        changed = False
        with forms.saving(
            "risks_edit_flash",
            lambda: forms.saved_or_unchanged(f"Risken {risk['id']} sparades.", changed),
            refused=_stale("risks_edit", RISK_LABELS),
        ):
            data = parse_risk(
                {
                    "register_id": risk["register_id"],
                    **_risk_values("risks_edit"),
                    "status_note": st.session_state["risks_edit_status_note"],
                }
            )
            changed = service.update_risk(ctx.conn, ctx.user, risk["id"], data, version=version)
            reload("risks_edit")
    return version


def close_risk_form(ctx: Editing, risk: dict[str, Any], version: int) -> None:
    """Close an open risk (from the version its edit form was opened at); the message stays where it stood."""
    if risk["status"] != RiskStatus.STANGD.value:
        with st.form("risks_close_form", enter_to_submit=False):
            st.markdown("**Stäng risken** (status blir stängd; historiken finns kvar)")
            st.text_input("Kommentar till stängningen (valfri)", key="risks_close_note")
            closing = st.form_submit_button("Stäng risken", key="risks_close_submit")
        if closing:
            with forms.saving(
                "risks_close_flash",
                f"Risken {risk['id']} är stängd.",
                refused=_stale("risks_edit", RISK_LABELS),
                then={"risks_close_note": ""},
            ):
                service.close_risk(
                    ctx.conn, ctx.user, risk["id"], version=version, note=st.session_state["risks_close_note"]
                )
                reload("risks_edit")
    forms.confirmation("risks_close_flash")  # where the close form stood


def add_action_form(ctx: Editing, risk: dict[str, Any]) -> None:
    """A new action for the risk; once added, it is the action chosen for updating."""
    with st.form("risks_action_add_form", enter_to_submit=False):
        st.markdown("**Ny åtgärd för risken**")
        _action_fields("risks_action_add", offered_owners(ctx.owners), new=True)
        adding = st.form_submit_button("Lägg till åtgärden", key="risks_action_add_submit")
    forms.confirmation("risks_action_add_flash")
    if adding:
        new_action: int
        with forms.saving(
            "risks_action_add_flash",
            f"Åtgärden lades till risken {risk['id']} och är vald nedan.",
            then=lambda: {**_EMPTY_ACTION, "risks_action_select": new_action},
        ):
            new_action = service.add_action(ctx.conn, ctx.user, risk["id"], _action_input("risks_action_add"))


def edit_action_form(ctx: Editing, own_actions: pl.DataFrame) -> None:
    """Choose one of the risk's actions and update it; nothing when the risk has none."""
    if not own_actions.height:
        return
    action_ids = own_actions["id"].to_list()
    descriptions = dict(own_actions.select("id", "description").iter_rows())
    keep_valid("risks_action_select", action_ids)
    chosen_action = ui.choose(
        "Åtgärd att uppdatera",
        action_ids,
        format_func=lambda i: f"{i} – {descriptions[i]}",
        key="risks_action_select",
    )
    action = service.action(ctx.conn, int(chosen_action))
    action_version = _form_base(
        "risks_action_edit",
        action["id"],
        action["version"],
        {
            "description": action["description"],
            "owner": action["owner"] or "",
            "due": _iso(action["due_date"]),
            "status": action["status"],
            "comment": action["comment"] or "",
        },
    )
    with st.form("risks_action_edit_form", enter_to_submit=False):
        st.markdown(f"**Uppdatera åtgärden** (du utgår från version {action_version})")
        _action_fields("risks_action_edit", offered_owners(ctx.owners, action["owner"]), new=False)
        updating = st.form_submit_button("Spara åtgärden", key="risks_action_edit_submit")
    forms.confirmation("risks_action_edit_flash")
    if updating:
        changed = False
        with forms.saving(
            "risks_action_edit_flash",
            lambda: forms.saved_or_unchanged(f"Åtgärden {action['id']} sparades.", changed),
            refused=_stale("risks_action_edit", ACTION_LABELS),
        ):
            changed = service.update_action(
                ctx.conn,
                ctx.user,
                action["id"],
                _action_input("risks_action_edit"),
                version=action_version,
            )
            reload("risks_action_edit")


def add_risk_form(ctx: Editing, by_id: dict[int, Register]) -> None:
    """A new risk in one of the project's registers, with an optional first action."""
    keep_valid("risks_add_register", list(by_id))
    add_register = ui.choose(
        "Register för den nya risken",
        list(by_id),
        format_func=lambda i: f"{by_id[i].name} (skala {by_id[i].scale}×{by_id[i].scale})",
        key="risks_add_register",
    )
    owner_default = ctx.owners.index(ctx.user.name) + 1 if ctx.user.name in ctx.owners else 0
    with st.form("risks_add_form", enter_to_submit=False):
        _risk_fields(
            "risks_add",
            by_id[add_register].scale,
            offered_owners(ctx.owners),
            ctx.categories,
            new=True,
            owner_index=owner_default,
        )
        st.markdown("**Första åtgärd** (valfri)")
        _action_fields("risks_add_action", offered_owners(ctx.owners), new=True, in_risk_form=True)
        added = st.form_submit_button("Lägg till risken", type="primary", key="risks_add_submit")
    forms.confirmation("risks_add_flash")
    if added:
        try:
            problems: list[str] = []
            new_risk = None
            try:
                new_risk = parse_risk({"register_id": add_register, **_risk_values("risks_add")})
            except InvalidInputError as exc:
                problems += exc.messages
            first_actions = []
            if (st.session_state["risks_add_action_description"] or "").strip():
                try:
                    first_actions.append(_action_input("risks_add_action", in_risk_form=True))
                except InvalidInputError as exc:
                    problems += [f"Åtgärd: {m}" for m in exc.messages]
            if problems or new_risk is None:
                raise InvalidInputError(problems)
            new_id = service.create_risk(ctx.conn, ctx.user, new_risk, first_actions)
        except InvalidInputError as exc:
            ui.show_errors(exc)
        except (PermissionDeniedError, NotFoundError) as exc:
            st.error(str(exc))
        else:
            forms.prepare_next(
                {
                    **_empty_risk(offered_owners(ctx.owners)[owner_default]),
                    # The detail view above shows the new risk, even when the filters hide it.
                    "risks_selected": new_id,
                }
            )
            _saved(
                "risks_add_flash",
                f"Risken '{ui.plain(new_risk.title)}' lades till (id {new_id})"
                + (f" med {len(first_actions)} åtgärd" if first_actions else "")
                + " och visas under En risk i detalj.",
            )


# --- registers and categories --------------------------------------------------------------------


def _register_fields(form: str, categories: list[str], *, blank_thresholds: str, new: bool) -> None:
    """The fields of a register form, keyed `<form>_<field>`; the labels say which register."""
    name, category, scale = (
        ("Det nya registrets namn", "Det nya registrets kategori", "Det nya registrets skala")
        if new
        else ("Registrets namn", "Registrets kategori", "Registrets skala")
    )
    r1, r2, r3 = st.columns(3)
    r1.text_input(name, key=f"{form}_name")
    ui.choose(category, [None, *categories], format_func=lambda c: c or "–", key=f"{form}_category", where=r2)
    r3.radio(scale, [4, 5], format_func=lambda v: f"{v}×{v}", key=f"{form}_scale", horizontal=True)
    r1, r2 = st.columns(2)
    r1.number_input(
        f"Gul från riskvärde ({blank_thresholds})",
        min_value=2,
        max_value=25,
        value=None,
        key=f"{form}_yellow",
    )
    r2.number_input(
        f"Röd från riskvärde ({blank_thresholds})", min_value=3, max_value=25, value=None, key=f"{form}_red"
    )
    st.caption("Standard: 4×4 gul från 4 och röd från 9; 5×5 gul från 5 och röd från 12.")


def _register_input(form: str) -> RegisterInput:
    s = st.session_state
    return parse_register(
        {
            "name": s[f"{form}_name"],
            "category": s[f"{form}_category"],
            "scale": s[f"{form}_scale"],
            "yellow_from": s[f"{form}_yellow"],
            "red_from": s[f"{form}_red"],
        }
    )


def new_register_form(ctx: Editing) -> None:
    """A new register for the project."""
    with st.form("risks_register_form", enter_to_submit=False):
        st.markdown("**Nytt riskregister**")
        _register_fields("risks_register", ctx.categories, blank_thresholds="tomt = standard", new=True)
        creating = st.form_submit_button("Skapa registret", key="risks_register_submit")
    forms.confirmation("risks_register_flash")
    if creating:
        register_data: RegisterInput
        with forms.saving(
            "risks_register_flash",
            lambda: f"Registret {ui.plain(register_data.name)} skapades.",
            then={
                "risks_register_name": "",
                "risks_register_category": None,
                "risks_register_yellow": None,
                "risks_register_red": None,
            },
        ):
            register_data = _register_input("risks_register")
            service.create_register(ctx.conn, ctx.user, ctx.project_id, register_data)


def edit_register_form(ctx: Editing, by_id: dict[int, Register]) -> None:
    """Choose one of the project's registers and change its name, category, scale and thresholds."""
    keep_valid("risks_edit_register_id", list(by_id))
    chosen_register = ui.choose(
        "Register att ändra",
        list(by_id),
        format_func=lambda rid: by_id[rid].name,
        key="risks_edit_register_id",
    )
    edited_register = by_id[chosen_register]
    base = _form_base(
        "risks_edit_register",
        edited_register.id,
        edited_register.version,
        {
            "name": edited_register.name,
            "category": edited_register.category if edited_register.category in ctx.categories else None,
            "scale": edited_register.scale,
            "yellow": edited_register.yellow_from,
            "red": edited_register.red_from,
        },
    )
    with st.form("risks_edit_register", enter_to_submit=False):
        st.markdown(
            f"**Ändra registret {ui.plain(edited_register.name)}**: namn, kategori, skala och gränser"
        )
        _register_fields(
            "risks_edit_register", ctx.categories, blank_thresholds="tomt = standard för skalan", new=False
        )
        st.caption(
            "En mindre skala går bara att välja när ingen risk i registret har en nivå över den. "
            "Riskernas nivåer i listan ovan räknas om med de nya gränserna."
        )
        changing = st.form_submit_button("Spara registret", key="risks_edit_register_submit")
    forms.confirmation("risks_edit_register_flash")
    if changing:
        try:
            changed = service.update_register(
                ctx.conn, ctx.user, edited_register.id, _register_input("risks_edit_register"), version=base
            )
        except InvalidInputError as exc:
            ui.show_errors(exc)
        except StaleEditError as exc:
            _show_stale(exc, "risks_edit_register", REGISTER_LABELS)
        except (PermissionDeniedError, NotFoundError) as exc:
            st.error(str(exc))
        else:
            if changed:
                _saved(
                    "risks_edit_register_flash",
                    f"Registret {ui.plain(edited_register.name)} sparades.",
                    "risks_edit_register",
                )
            else:
                st.info("Inget ändrades.")


def new_category_form(ctx: Editing) -> None:
    """A new risk category (the secretariat)."""
    with st.form("risks_category_form", enter_to_submit=False):
        st.markdown(f"**Ny riskkategori** (nu: {ui.plain(', '.join(ctx.categories))})")
        st.text_input("Den nya kategorins namn", key="risks_category_name")
        adding_category = st.form_submit_button("Lägg till kategorin", key="risks_category_submit")
    forms.confirmation("risks_category_flash")
    if adding_category:
        name: str
        with forms.saving(
            "risks_category_flash",
            lambda: f"Kategorin {ui.plain(name)} lades till.",
            then={"risks_category_name": ""},
        ):
            name = service.add_category(ctx.conn, ctx.user, st.session_state["risks_category_name"])
