"""Riskregister: a project's risk matrix, the list, edit forms, each risk's history and Excel."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_risks, forms, ui
from portfolio import clock, store, uploads
from portfolio.auth import Action
from portfolio.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StaleEditError,
)
from registers.risks import excel_import, listing, scoring, service
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

user = ui.require_user()
conn = ui.db()
today = date.today()
forms.prepare()


@st.cache_data(max_entries=32, show_spinner=False)
def _risks(path: str, revision: int, project_id: int) -> pl.DataFrame:
    return service.risks_with_bands(ui.db(), project_id)


@st.cache_data(max_entries=32, show_spinner=False)
def _actions(path: str, revision: int, project_id: int, day: date) -> pl.DataFrame:
    return service.actions_with_lateness(ui.db(), day, project_id)


@st.cache_data(max_entries=16, show_spinner=False)
def _export(path: str, revision: int, project_id: int, day: date) -> bytes:
    return excel_import.export_register(ui.db(), project_id, day)


@st.cache_data(max_entries=32, show_spinner=False)
def _history(path: str, revision: int, risk_id: int) -> pl.DataFrame:
    return service.history(ui.db(), risk_id)


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


def _reload(name: str) -> None:
    st.session_state.pop(f"{name}_base", None)


def _saved(flash_key: str, message: str, *reloaded: str) -> None:
    st.session_state[flash_key] = message
    for name in reloaded:
        _reload(name)
    st.rerun()


def _show_stale(exc: StaleEditError, form: str, labels: dict[str, str]) -> None:
    st.error(str(exc))
    if exc.current:
        rows = [(labels.get(k, k), "–" if v is None else str(v)) for k, v in exc.current.items()]
        ui.table(pl.DataFrame(rows, schema=["Fält", "Nu sparat"], orient="row"), hide_index=True)
    st.button("Läs in den nya versionen", key=f"{form}_reload", on_click=_reload, args=(form,))


def _stale(form: str, labels: dict[str, str]) -> forms.Refusals:
    """The refusal for `forms.saving`: a stale edit shows the newer values and a reload button."""
    return {StaleEditError: lambda exc: _show_stale(exc, form, labels)}


def _level_labeller(axis: str, scale: int) -> Callable[[int], str]:
    """A chooser's label for a level on the register's scale: "3 – Stor"."""
    return lambda level: scoring.level_label(axis, level, scale)


def _changed(message: str, changed: bool) -> str:
    return message if changed else "Inget var ändrat; inget sparades."


def _level_options(scale: int) -> list[int]:
    return list(range(1, scale + 1))


def _keep_valid(key: str, options: list[Any]) -> None:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _owner_options(stored: str | None = None) -> list[str]:
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


def _risk_fields(form: str, scale: int, owner_options: list[str], *, new: bool, owner_index: int = 0) -> None:
    """The fields of a risk form, keyed `<form>_<field>`; a new risk starts with no level chosen.

    The new risk's labels say so: no two controls on the page share a label.
    """
    levels = _level_options(scale)
    no_category = "Registrets kategori" if new else "–"
    of = " (ny risk)" if new else ""
    c1, c2 = st.columns(2)
    c1.text_input(f"Titel{of}", key=f"{form}_title")
    c2.selectbox(
        f"Kategori{of}",
        [None, *categories],
        format_func=lambda c: c or no_category,
        key=f"{form}_category",
        placeholder="Välj ett alternativ",
    )
    st.text_area(f"Beskrivning{of}", key=f"{form}_description")
    c1, c2 = st.columns(2)
    c1.text_input(f"Orsak{of}", key=f"{form}_cause")
    c2.text_input(f"Beskrivning av konsekvensen{of}", key=f"{form}_consequence_text")
    for column, (field, label, axis) in zip(st.columns(4), _LEVEL_FIELDS, strict=True):
        residual = field.startswith("residual_")
        options = [None, *levels] if residual else levels
        unchosen = new and not residual
        _keep_valid(f"{form}_{field}", options)
        column.selectbox(
            f"{label}{of}",
            options,
            index=None if unchosen else 0,
            placeholder=f"Välj 1–{scale}",
            format_func=lambda v, axis=axis: scoring.level_label(axis, v, scale),
            key=f"{form}_{field}",
        )
    c1, c2, c3 = st.columns(3)
    c1.selectbox(
        f"Ägare{of}",
        owner_options,
        index=owner_index,
        format_func=_owner_label,
        key=f"{form}_owner",
        placeholder="Välj ett alternativ",
    )
    c2.selectbox(
        f"Status{of}", [s.value for s in RiskStatus], key=f"{form}_status", placeholder="Välj ett alternativ"
    )
    c3.date_input(
        f"Nästa uppföljning{of}",
        value=None if new else "today",
        key=f"{form}_next_review",
        format="YYYY-MM-DD",
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
    c1.selectbox(
        owner, owner_options, format_func=_owner_label, key=f"{form}_owner", placeholder="Välj ett alternativ"
    )
    c2.date_input(due, value=None if new else "today", key=f"{form}_due", format="YYYY-MM-DD")
    c3.selectbox(
        status, [s.value for s in ActionStatus], key=f"{form}_status", placeholder="Välj ett alternativ"
    )
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


def _reassess_form(risk: dict[str, Any], scale: int) -> None:
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
    levels = _level_options(scale)
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
            _keep_valid(f"risks_residual_{field}", levels)
            column.selectbox(
                label,
                levels,
                format_func=_level_labeller(axis, scale),
                key=f"risks_residual_{field}",
                placeholder="Välj ett alternativ",
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
                conn,
                user,
                risk["id"],
                s["risks_residual_probability"],
                s["risks_residual_consequence"],
                version=version,
                note=s["risks_residual_note"],
            )
            _reload("risks_residual")
            _reload("risks_edit")


# --- project -------------------------------------------------------------------------------------

projects = ui.projects()
codes = projects["code"].to_list()
names = dict(projects.select("code", "name").iter_rows())

st.title("Riskregister")
ui.from_link("risks_project", "projekt", codes)
if st.session_state.get("risks_project") not in codes:
    st.session_state["risks_project"] = ui.default_project(codes)
code = st.selectbox(
    "Projekt eller ärende",
    ui.project_choices("risks_project", projects, search_key="risks_project_search"),
    format_func=lambda c: f"{c} – {names[c]}",
    key="risks_project",
    placeholder="Välj ett alternativ",
)
ui.to_link(projekt=code)
pid = store.project_id_for(conn, code)
editable = ui.can(Action.EDIT_RISKS, project_id=pid)
registers = service.registers(conn, pid)
by_id: dict[int, Register] = {r.id: r for r in registers}
owners = service.owner_choices(conn, pid)
categories = service.categories(conn)

if not editable:
    st.caption("Du kan läsa registret. Projektets ledare och e-strategen kan ändra det.")

risks = _risks(*ui.db_key(), pid)
actions = _actions(*ui.db_key(), pid, today)

# A long page: its sections, in order, one click away.
JUMPS = {
    "riskmatris": "Riskmatris",
    "risker": "Risker",
    "atgarder": "Åtgärder",
    "en-risk": "En risk i detalj",
    **({"lagg-till": "Lägg till en risk"} if editable else {}),
    "excel": "Excel",
    "register": "Register och skalor",
}
if registers:
    st.markdown("Gå till: " + " · ".join(f"[{label}](#{anchor})" for anchor, label in JUMPS.items()))

if not registers:
    st.info("Projektet har inga riskregister ännu." + (" Skapa ett längst ned på sidan." if editable else ""))

# --- matrix --------------------------------------------------------------------------------------

if registers:
    st.header("Riskmatris", anchor="riskmatris")
    c1, c2, c3 = st.columns([2, 2, 2])
    view = c1.radio(
        "Risk att visa",
        ["inherent", "residual"],
        format_func=lambda v: (
            "Ursprunglig risk (före åtgärder)" if v == "inherent" else "Restrisk (efter åtgärder)"
        ),
        key="risks_view",
    )
    chosen_registers = c2.multiselect(
        "Visa register",
        [r.id for r in registers],
        format_func=lambda i: by_id[i].name,
        key="risks_filter_register",
        placeholder="Alla register",
        select_all=False,
    )
    statuses = c3.multiselect(
        "Visa status",
        [s.value for s in RiskStatus],
        default=[s.value for s in RiskStatus if s is not RiskStatus.STANGD],
        key="risks_filter_status",
        placeholder="Alla statusar",
        select_all=False,
    )
    prob_col, cons_col, score_col, band_col = columns = listing.view_columns(view)
    view_label = "ursprunglig risk" if view == "inherent" else "restrisk"
    in_scope = listing.in_scope(risks, chosen_registers, statuses)
    max_scale = max(r.scale for r in registers)
    f1, f2, f3 = st.columns([2, 2, 2])
    cell_p = f1.selectbox(
        "Filtrera listan på sannolikhet",
        [None, *_level_options(max_scale)],
        format_func=lambda v: "Alla" if v is None else str(v),
        key="risks_cell_probability",
        placeholder="Välj ett alternativ",
    )
    cell_c = f2.selectbox(
        "… och konsekvens",
        [None, *_level_options(max_scale)],
        format_func=lambda v: "Alla" if v is None else str(v),
        key="risks_cell_consequence",
        placeholder="Välj ett alternativ",
    )
    f3.caption(
        "Välj en cell i matrisen genom att ange sannolikhet och konsekvens; listan nedan visar då bara "
        "riskerna i den cellen. Stängda risker räknas när status stängd är vald."
    )
    for reg in registers:
        if chosen_registers and reg.id not in chosen_registers:
            continue
        subset = in_scope.filter(pl.col("register_id") == reg.id)
        counts = scoring.matrix_counts(subset, prob_col, cons_col, reg.scale, reg.thresholds)
        st.subheader(f"{ui.plain(reg.name)} ({reg.scale}×{reg.scale})")
        # The table goes under the chart: beside it, a 5×5 grid would need a scrollable region,
        # which keyboard users cannot reach (axe: scrollable-region-focusable).
        left = right = st.container()
        left.plotly_chart(
            charts_risks.risk_heatmap(
                counts,
                prob_col,
                cons_col,
                reg.scale,
                f"{html.escape(reg.name)}: {view_label}, antal risker per cell",  # Plotly reads HTML
                selected=(cell_p, cell_c),
            ),
            key=f"risks_heatmap_{reg.id}",
            width="stretch",
        )
        with right:
            st.markdown(f"**Samma siffror som tabell** ({view_label}, antal risker och nivå per cell):")
            st.table(scoring.matrix_grid(counts, prob_col, cons_col, reg.scale), hide_index=True)
            unassessed = subset.filter(pl.col(score_col).is_null()).height
            st.caption(
                f"{int(counts['count'].sum())} risker i matrisen"
                + (f"; {unassessed} utan bedömd restrisk" if unassessed else "")
                + f". Gul från riskvärde {reg.yellow_from}, röd från {reg.red_from}."
            )
    if (risks["score_source"] == "illustrativ").any():
        st.caption(
            "Sannolikhet och konsekvens för de inlästa riskerna är illustrativa: "
            "slutrapporten anger inga poäng."
        )

    # --- list --------------------------------------------------------------------------------------

    st.header("Risker", anchor="risker")
    g1, g2, g3 = st.columns([2, 2, 2])
    bands = g1.multiselect(
        "Nivå",
        [b.value for b in scoring.Band],
        format_func=scoring.band_text,
        key="risks_filter_band",
        placeholder="Alla nivåer",
        select_all=False,
    )
    search = g2.text_input("Sök i titel, beskrivning och ägare", key="risks_filter_text", live="500ms")
    sort_options = {
        "score": "Riskvärde, högst först",
        "residual_score": "Restriskvärde, högst först",
        "next_review": "Nästa uppföljning, tidigast först",
        "title": "Titel A–Ö",
        "id": "Id",
    }
    sort_by = g3.selectbox(
        "Sortera",
        list(listing.SORT_KEYS),
        format_func=lambda k: sort_options[k],
        key="risks_sort",
        placeholder="Välj ett alternativ",
    )
    listed = listing.listed(
        in_scope,
        actions,
        columns,
        probability=cell_p,
        consequence=cell_c,
        bands=bands,
        search=search,
        sort_by=sort_by,
    )
    st.markdown(f"**{listed.height}** av {risks.height} risker visas.")
    st.dataframe(
        listed.select(
            pl.col("id").alias("Id"),
            pl.col("register").alias("Register"),
            pl.col("title").alias("Titel"),
            pl.col("category").alias("Kategori"),
            pl.col("probability").alias("Sannolikhet"),
            pl.col("consequence").alias("Konsekvens"),
            pl.col("score").alias("Riskvärde"),
            scoring.band_text_expr(pl.col("band")).alias("Nivå"),
            pl.col("residual_score").alias("Restriskvärde"),
            scoring.band_text_expr(pl.col("residual_band")).alias("Restnivå"),
            pl.col("owner").alias("Ägare"),
            pl.col("status").alias("Status"),
            pl.col("next_review").alias("Nästa uppföljning"),
            pl.format("{} ({} öppna)", pl.col("actions"), pl.col("open_actions")).alias("Åtgärder"),
            pl.when(pl.col("late").is_not_null())
            .then(pl.format("⚠ {} försenade, upp till {} dagar", pl.col("late"), pl.col("max_late")))
            .otherwise(pl.lit(""))
            .alias("Försenade åtgärder"),
            pl.when(pl.col("show_in_portfolio"))
            .then(pl.lit("ja"))
            .otherwise(pl.lit("nej"))
            .alias("I portföljen"),
        ),
        hide_index=True,
        key="risks_table",
        placeholder="–",
    )

    # --- actions -----------------------------------------------------------------------------------

    st.header("Åtgärder", anchor="atgarder")
    late = listing.late_actions(actions)
    if late.height:
        st.warning(
            ("1 åtgärd är försenad" if late.height == 1 else f"{late.height} åtgärder är försenade")
            + ":\n\n"
            + "\n".join(
                f"- {ui.plain(r['description'])} (risk {r['risk_id']}: {ui.plain(r['risk'])}) – "
                f"**{r['late_text']}**, "
                f"förfallodatum {r['due_date']}"
                for r in late.iter_rows(named=True)
            ),
            icon="⚠️",
        )
    else:
        st.markdown("Inga åtgärder är försenade.")
    st.dataframe(
        ui.actions_table(
            listing.actions_of(actions, listed),
            {"risk_id": "Risk-id"},
            {"comment": "Kommentar"},
        ),
        hide_index=True,
        key="risks_actions_table",
        placeholder="–",
    )

    # --- one risk ---------------------------------------------------------------------------------

    st.header("En risk i detalj", anchor="en-risk")
    titles = dict(risks.select("id", "title").iter_rows())
    # The risk the user created or chose stays shown when the filters above hide it: the view
    # never switches to another risk by itself, so an edit below only changes the risk shown.
    ui.from_link("risks_selected", "risk", titles, parse=int)  # a link (?risk=3) chooses the risk
    kept = st.session_state.get("risks_selected")
    options, hidden = listing.detail_choices(listed["id"].to_list(), list(titles), kept)
    if hidden:
        st.caption(f"Risk {kept} döljs av filtren ovan men visas här eftersom du valde den.")
    _keep_valid("risks_selected", options)
    selected = st.selectbox(
        "Risk",
        options,
        format_func=lambda i: f"{i} – {titles[i]}",
        key="risks_selected",
        placeholder="Inga risker",
    )
    ui.to_link(risk=selected)
    if selected is not None:
        risk = service.risk(conn, int(selected))
        reg = by_id[risk["register_id"]]
        row = risks.filter(pl.col("id") == selected).row(0, named=True)
        st.subheader(ui.plain(risk["title"]))
        facts = [
            ("Register", f"{reg.name} ({reg.scale}×{reg.scale})"),
            ("Kategori", risk["category"] or "–"),
            ("Beskrivning", risk["description"] or "–"),
            ("Orsak", risk["cause"] or "–"),
            ("Konsekvens (beskrivning)", risk["consequence_text"] or "–"),
            (
                "Ursprunglig risk",
                f"sannolikhet {scoring.level_label('sannolikhet', risk['probability'], reg.scale)}, "
                f"konsekvens {scoring.level_label('konsekvens', risk['consequence'], reg.scale)}: "
                f"riskvärde {row['score']}, {scoring.band_text(row['band'])}",
            ),
            (
                "Restrisk",
                "Ej bedömd"
                if risk["residual_probability"] is None
                else f"sannolikhet "
                f"{scoring.level_label('sannolikhet', risk['residual_probability'], reg.scale)}, "
                f"konsekvens {scoring.level_label('konsekvens', risk['residual_consequence'], reg.scale)}: "
                f"riskvärde {row['residual_score']}, {scoring.band_text(row['residual_band'])}",
            ),
            ("Ägare", risk["owner"] or "–"),
            ("Status", risk["status"]),
            ("Nästa uppföljning", risk["next_review"] or "–"),
            ("Visas i portföljen", "ja" if risk["show_in_portfolio"] else "nej"),
            ("Kommentar", risk["status_note"] or "–"),
            ("Version", str(risk["version"])),
        ]
        ui.table(pl.DataFrame(facts, schema=["Uppgift", "Värde"], orient="row"), hide_index=True)
        sources = [
            s
            for s in (risk["source"], f"poäng: {risk['score_source']}" if risk["score_source"] else None)
            if s
        ]
        ui.source_caption("; ".join(sources))

        st.markdown("**Riskens åtgärder**")
        own_actions = actions.filter(pl.col("risk_id") == selected)
        if own_actions.height:
            ui.table(
                own_actions.select(
                    pl.col("id").alias("Id"),
                    pl.col("description").alias("Åtgärd"),
                    pl.col("owner").alias("Ägare"),
                    pl.col("due_date").alias("Förfallodatum"),
                    pl.col("status").alias("Status"),
                    pl.col("late_text").alias("Försenad"),
                    pl.col("comment").alias("Kommentar"),
                ),
                hide_index=True,
            )
        else:
            st.markdown("Risken har inga åtgärder.")

        st.markdown("**Historik** (vem ändrade vad och när, ur ändringsloggen)")
        history = _history(*ui.db_key(), int(selected))
        st.dataframe(
            history.select(
                clock.local_column("at").alias("Tid"),
                pl.col("user").alias("Användare"),
                pl.col("action").alias("Händelse"),
                pl.format("{} {}", pl.col("entity"), pl.col("entity_id")).alias("Post"),
                pl.col("change").alias("Ändring"),
            ),
            hide_index=True,
            key="risks_history",
            placeholder="–",
        )

        if editable and service.residual_review_due(conn, risk["id"]):
            _reassess_form(risk, reg.scale)
        forms.confirmation("risks_residual_flash")  # where the form stood until it was answered

        if editable:
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
                _risk_fields("risks_edit", reg.scale, _owner_options(risk["owner"]), new=False)
                st.text_area("Kommentar", key="risks_edit_status_note")
                edited = st.form_submit_button("Spara ändringen", type="primary", key="risks_edit_submit")
            forms.confirmation("risks_edit_flash")
            if edited:
                changed = False
                with forms.saving(
                    "risks_edit_flash",
                    lambda: _changed(f"Risken {risk['id']} sparades.", changed),
                    refused=_stale("risks_edit", RISK_LABELS),
                ):
                    data = parse_risk(
                        {
                            "register_id": risk["register_id"],
                            **_risk_values("risks_edit"),
                            "status_note": st.session_state["risks_edit_status_note"],
                        }
                    )
                    changed = service.update_risk(conn, user, risk["id"], data, version=version)
                    _reload("risks_edit")

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
                            conn, user, risk["id"], version=version, note=st.session_state["risks_close_note"]
                        )
                        _reload("risks_edit")
            forms.confirmation("risks_close_flash")  # where the close form stood

            with st.form("risks_action_add_form", enter_to_submit=False):
                st.markdown("**Ny åtgärd för risken**")
                _action_fields("risks_action_add", _owner_options(), new=True)
                adding = st.form_submit_button("Lägg till åtgärden", key="risks_action_add_submit")
            forms.confirmation("risks_action_add_flash")
            if adding:
                new_action: int
                with forms.saving(
                    "risks_action_add_flash",
                    f"Åtgärden lades till risken {risk['id']} och är vald nedan.",
                    then=lambda: {**_EMPTY_ACTION, "risks_action_select": new_action},
                ):
                    new_action = service.add_action(conn, user, risk["id"], _action_input("risks_action_add"))

            if own_actions.height:
                action_ids = own_actions["id"].to_list()
                descriptions = dict(own_actions.select("id", "description").iter_rows())
                _keep_valid("risks_action_select", action_ids)
                chosen = st.selectbox(
                    "Åtgärd att uppdatera",
                    action_ids,
                    format_func=lambda i: f"{i} – {descriptions[i]}",
                    key="risks_action_select",
                    placeholder="Välj ett alternativ",
                )
                current = service.action(conn, int(chosen))
                action_version = _form_base(
                    "risks_action_edit",
                    current["id"],
                    current["version"],
                    {
                        "description": current["description"],
                        "owner": current["owner"] or "",
                        "due": _iso(current["due_date"]),
                        "status": current["status"],
                        "comment": current["comment"] or "",
                    },
                )
                with st.form("risks_action_edit_form", enter_to_submit=False):
                    st.markdown(f"**Uppdatera åtgärden** (du utgår från version {action_version})")
                    _action_fields("risks_action_edit", _owner_options(current["owner"]), new=False)
                    updating = st.form_submit_button("Spara åtgärden", key="risks_action_edit_submit")
                forms.confirmation("risks_action_edit_flash")
                if updating:
                    with forms.saving(
                        "risks_action_edit_flash",
                        lambda: _changed(f"Åtgärden {current['id']} sparades.", changed),
                        refused=_stale("risks_action_edit", ACTION_LABELS),
                    ):
                        changed = service.update_action(
                            conn,
                            user,
                            current["id"],
                            _action_input("risks_action_edit"),
                            version=action_version,
                        )
                        _reload("risks_action_edit")

# --- add a risk ----------------------------------------------------------------------------------

if editable and registers:
    st.header("Lägg till en risk", anchor="lagg-till")
    _keep_valid("risks_add_register", list(by_id))
    add_register = st.selectbox(
        "Register för den nya risken",
        list(by_id),
        format_func=lambda i: f"{by_id[i].name} (skala {by_id[i].scale}×{by_id[i].scale})",
        key="risks_add_register",
        placeholder="Välj ett alternativ",
    )
    owner_default = owners.index(user.name) + 1 if user.name in owners else 0
    with st.form("risks_add_form", enter_to_submit=False):
        _risk_fields(
            "risks_add", by_id[add_register].scale, _owner_options(), new=True, owner_index=owner_default
        )
        st.markdown("**Första åtgärd** (valfri)")
        _action_fields("risks_add_action", _owner_options(), new=True, in_risk_form=True)
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
            new_id = service.create_risk(conn, user, new_risk, first_actions)
        except InvalidInputError as exc:
            ui.show_errors(exc)
        except (PermissionDeniedError, NotFoundError) as exc:
            st.error(str(exc))
        else:
            forms.prepare_next(
                {
                    **_empty_risk(_owner_options()[owner_default]),
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

# --- Excel ---------------------------------------------------------------------------------------

st.header("Excel", anchor="excel")
st.markdown(
    "Exportera registret till Excel, ändra i kalkylprogrammet och läs in filen igen. Importen är allt eller "
    "inget: finns ett fel ändras ingenting och varje fel visas med blad, rad och kolumn."
)
x1, x2 = st.columns(2)
safe_code = code.replace("/", "-")
x1.download_button(
    "Ladda ned registret (.xlsx)",
    data=_export(*ui.db_key(), pid, today) if registers else b"",
    file_name=f"riskregister-{safe_code}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="risks_export",
    disabled=not registers,
)
x2.download_button(
    "Ladda ned en tom mall (.xlsx)",
    data=excel_import.template(conn, pid),
    file_name=f"riskregister-mall-{safe_code}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="risks_template",
)
if editable:
    uploaded = st.file_uploader(
        "Läs in en ifylld fil (.xlsx)",
        type=["xlsx"],
        key=forms.uploader_key("risks_import_file"),
        help=uploads.RISK_WORKBOOK.text,
    )
    importing = st.button("Importera filen", key="risks_import_submit", disabled=uploaded is None)
    forms.confirmation("risks_import_flash")
    if importing and uploaded:
        summary: excel_import.ImportSummary
        # An ImportRejectedError (nothing was written) is an InvalidInputError: its errors are listed.
        with forms.saving("risks_import_flash", lambda: summary.text()):
            summary = excel_import.import_register(conn, user, pid, uploaded.getvalue())
            forms.renew_uploader("risks_import_file")
            _reload("risks_edit")
            _reload("risks_action_edit")

# --- registers and categories ------------------------------------------------------------------

st.header("Register och skalor", anchor="register")
if registers:
    st.table(
        pl.DataFrame(
            [
                (
                    r.name,
                    r.category or "–",
                    f"{r.scale}×{r.scale}",
                    f"1–{r.yellow_from - 1}",
                    f"{r.yellow_from}–{r.red_from - 1}",
                    f"{r.red_from}–{r.scale * r.scale}",
                    r.scale_source or "",
                )
                for r in registers
            ],
            schema=["Register", "Kategori", "Skala", "● Låg", "▲ Medel", "■ Hög", "Skalans källa"],
            orient="row",
        ),
        hide_index=True,
    )


def _register_fields(form: str, *, blank_thresholds: str, new: bool) -> None:
    """The fields of a register form, keyed `<form>_<field>`; the labels say which register."""
    name, category, scale = (
        ("Det nya registrets namn", "Det nya registrets kategori", "Det nya registrets skala")
        if new
        else ("Registrets namn", "Registrets kategori", "Registrets skala")
    )
    r1, r2, r3 = st.columns(3)
    r1.text_input(name, key=f"{form}_name")
    r2.selectbox(
        category,
        [None, *categories],
        format_func=lambda c: c or "–",
        key=f"{form}_category",
        placeholder="Välj ett alternativ",
    )
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


if editable:
    with st.form("risks_register_form", enter_to_submit=False):
        st.markdown("**Nytt riskregister**")
        _register_fields("risks_register", blank_thresholds="tomt = standard", new=True)
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
            service.create_register(conn, user, pid, register_data)

if editable and registers:
    by_id = {r.id: r for r in registers}
    _keep_valid("risks_edit_register_id", list(by_id))
    chosen = st.selectbox(
        "Register att ändra",
        list(by_id),
        format_func=lambda rid: by_id[rid].name,
        key="risks_edit_register_id",
        placeholder="Välj ett alternativ",
    )
    edited_register = by_id[chosen]
    base = _form_base(
        "risks_edit_register",
        edited_register.id,
        edited_register.version,
        {
            "name": edited_register.name,
            "category": edited_register.category if edited_register.category in categories else None,
            "scale": edited_register.scale,
            "yellow": edited_register.yellow_from,
            "red": edited_register.red_from,
        },
    )
    with st.form("risks_edit_register", enter_to_submit=False):
        st.markdown(
            f"**Ändra registret {ui.plain(edited_register.name)}**: namn, kategori, skala och gränser"
        )
        _register_fields("risks_edit_register", blank_thresholds="tomt = standard för skalan", new=False)
        st.caption(
            "En mindre skala går bara att välja när ingen risk i registret har en nivå över den. "
            "Riskernas nivåer i listan ovan räknas om med de nya gränserna."
        )
        changing = st.form_submit_button("Spara registret", key="risks_edit_register_submit")
    forms.confirmation("risks_edit_register_flash")
    if changing:
        try:
            changed = service.update_register(
                conn, user, edited_register.id, _register_input("risks_edit_register"), version=base
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
if ui.can(Action.MANAGE_PROJECTS):
    with st.form("risks_category_form", enter_to_submit=False):
        st.markdown(f"**Ny riskkategori** (nu: {ui.plain(', '.join(categories))})")
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
            name = service.add_category(conn, user, st.session_state["risks_category_name"])
