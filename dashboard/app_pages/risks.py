"""Riskregister: a project's risk matrix, the list, edit forms, each risk's history and Excel.

The page reads top-down (`_main` at the end): choose the project, then its matrix, the lists of
risks and actions, one risk in detail, adding a risk, Excel, and the registers. The forms that
save live in `dashboard/risk_forms.py`; which risks the list shows is `registers/risks/listing.py`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_risks, forms, risk_forms, ui
from portfolio import clock, store, uploads
from portfolio.auth import Action, User
from portfolio.db import Database
from registers.risks import excel_import, listing, scoring, service
from registers.risks.model import Register, RiskStatus


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


@dataclass(frozen=True)
class _Project:
    """The project the page shows, what the user may do with it, and its registers, risks and actions."""

    conn: Database
    user: User
    today: date
    code: str
    pid: int
    editable: bool
    registers: list[Register]
    by_id: dict[int, Register]
    owners: list[str]
    categories: list[str]
    risks: pl.DataFrame
    actions: pl.DataFrame

    @property
    def editing(self) -> risk_forms.Editing:
        return risk_forms.Editing(self.conn, self.user, self.pid, self.owners, self.categories)


@dataclass(frozen=True)
class _Selection:
    """What the matrix section chose: the risks in scope, the view's columns and a cell (None: any)."""

    scope: pl.DataFrame
    columns: listing.ViewColumns
    probability: int | None
    consequence: int | None


# --- project -------------------------------------------------------------------------------------


def _choose_project(user: User, conn: Database, today: date) -> _Project:
    """The title, the project chooser and what the user may do; the chosen project's data."""
    projects = ui.projects()

    st.title("Riskregister")
    code = ui.choose_project("risks_project", "Projekt eller ärende", projects)
    pid = store.project_id_for(conn, code)
    editable = ui.can(Action.EDIT_RISKS, project_id=pid)
    registers = service.registers(conn, pid)
    owners = service.owner_choices(conn, pid)
    categories = service.categories(conn)

    if not editable:
        st.caption("Du kan läsa registret. Projektets ledare och e-strategen kan ändra det.")

    return _Project(
        conn=conn,
        user=user,
        today=today,
        code=code,
        pid=pid,
        editable=editable,
        registers=registers,
        by_id={r.id: r for r in registers},
        owners=owners,
        categories=categories,
        risks=_risks(*ui.db_key(), pid),
        actions=_actions(*ui.db_key(), pid, today),
    )


def _jump_links(page: _Project) -> None:
    """A long page: its sections, in order, one click away; or that the project has no register."""
    jumps = {
        "riskmatris": "Riskmatris",
        "risker": "Risker",
        "atgarder": "Åtgärder",
        "en-risk": "En risk i detalj",
        **({"lagg-till": "Lägg till en risk"} if page.editable else {}),
        "excel": "Excel",
        "register": "Register och skalor",
    }
    if page.registers:
        st.markdown("Gå till: " + " · ".join(f"[{label}](#{anchor})" for anchor, label in jumps.items()))

    if not page.registers:
        st.info(
            "Projektet har inga riskregister ännu."
            + (" Skapa ett längst ned på sidan." if page.editable else "")
        )


# --- matrix --------------------------------------------------------------------------------------


def _matrix(page: _Project) -> _Selection:
    """The view and filters, then one heat map (with its table twin) per shown register."""
    registers, by_id, risks = page.registers, page.by_id, page.risks
    st.header("Riskmatris", anchor="riskmatris")
    c1, c2, c3 = st.columns([2, 2, 2])
    view = risk_forms.view_choice(c1, "risks_view")
    chosen_registers = ui.choose_many(
        "Visa register",
        [r.id for r in registers],
        format_func=lambda i: by_id[i].name,
        placeholder="Alla register",
        key="risks_filter_register",
        where=c2,
    )
    statuses = ui.choose_many(
        "Visa status",
        [s.value for s in RiskStatus],
        default=[s.value for s in RiskStatus if s is not RiskStatus.STANGD],
        placeholder="Alla statusar",
        key="risks_filter_status",
        where=c3,
    )
    columns = listing.view_columns(view)
    view_label = "ursprunglig risk" if view == "inherent" else "restrisk"
    in_scope = listing.in_scope(risks, chosen_registers, statuses)
    max_scale = max(r.scale for r in registers)
    f1, f2, f3 = st.columns([2, 2, 2])
    cell_p = ui.choose(
        "Filtrera listan på sannolikhet",
        risk_forms.level_options(max_scale),
        key="risks_cell_probability",
        none="Alla",
        where=f1,
    )
    cell_c = ui.choose(
        "… och konsekvens",
        risk_forms.level_options(max_scale),
        key="risks_cell_consequence",
        none="Alla",
        where=f2,
    )
    f3.caption(
        "Välj en cell i matrisen genom att ange sannolikhet och konsekvens; listan nedan visar då bara "
        "riskerna i den cellen. Stängda risker räknas när status stängd är vald."
    )
    for reg in registers:
        if chosen_registers and reg.id not in chosen_registers:
            continue
        subset = in_scope.filter(pl.col("register_id") == reg.id)
        counts = scoring.matrix_counts(
            subset, columns.probability, columns.consequence, reg.scale, reg.thresholds
        )
        st.subheader(f"{ui.plain(reg.name)} ({reg.scale}×{reg.scale})")
        # The table goes under the chart: beside it, a 5×5 grid would need a scrollable region,
        # which keyboard users cannot reach (axe: scrollable-region-focusable).
        left = right = st.container()
        left.plotly_chart(
            charts_risks.risk_heatmap(
                counts,
                columns.probability,
                columns.consequence,
                reg.scale,
                f"{html.escape(reg.name)}: {view_label}, antal risker per cell",  # Plotly reads HTML
                selected=(cell_p, cell_c),
            ),
            key=f"risks_heatmap_{reg.id}",
            width="stretch",
        )
        with right:
            st.markdown(f"**Samma siffror som tabell** ({view_label}, antal risker och nivå per cell):")
            ui.table(
                scoring.matrix_grid(counts, columns.probability, columns.consequence, reg.scale),
                hide_index=True,
            )
            unassessed = subset.filter(pl.col(columns.score).is_null()).height
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
    return _Selection(in_scope, columns, cell_p, cell_c)


# --- list ----------------------------------------------------------------------------------------

_SORT_LABELS = {
    "score": "Riskvärde, högst först",
    "residual_score": "Restriskvärde, högst först",
    "next_review": "Nästa uppföljning, tidigast först",
    "title": "Titel A–Ö",
    "id": "Id",
}


def _risk_list(page: _Project, selection: _Selection) -> pl.DataFrame:
    """Band, search and sort, then the table of the risks shown; returns them."""
    st.header("Risker", anchor="risker")
    g1, g2, g3 = st.columns([2, 2, 2])
    bands = ui.choose_many(
        "Nivå",
        [b.value for b in scoring.Band],
        format_func=scoring.band_text,
        placeholder="Alla nivåer",
        key="risks_filter_band",
        where=g1,
    )
    search = g2.text_input("Sök i titel, beskrivning och ägare", key="risks_filter_text", live="500ms")
    sort_by = ui.choose(
        "Sortera", list(listing.SORT_KEYS), format_func=lambda k: _SORT_LABELS[k], key="risks_sort", where=g3
    )
    listed = listing.listed(
        selection.scope,
        page.actions,
        selection.columns,
        probability=selection.probability,
        consequence=selection.consequence,
        bands=bands,
        search=search,
        sort_by=sort_by,
    )
    st.markdown(f"**{listed.height}** av {page.risks.height} risker visas.")
    ui.dataframe(
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
        key="risks_table",
    )
    return listed


# --- actions -------------------------------------------------------------------------------------


def _action_list(page: _Project, listed: pl.DataFrame) -> None:
    """The late actions of the project, then the actions of the risks listed."""
    st.header("Åtgärder", anchor="atgarder")
    late = listing.late_actions(page.actions)
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
    ui.dataframe(
        ui.actions_table(
            listing.actions_of(page.actions, listed),
            {"risk_id": "Risk-id"},
            {"comment": "Kommentar"},
        ),
        key="risks_actions_table",
    )


# --- one risk ------------------------------------------------------------------------------------


def _choose_risk(page: _Project, listed: pl.DataFrame) -> int | None:
    """The risk to show in detail: one of those listed, or the one chosen before."""
    st.header("En risk i detalj", anchor="en-risk")
    titles = dict(page.risks.select("id", "title").iter_rows())
    # The risk the user created or chose stays shown when the filters above hide it: the view
    # never switches to another risk by itself, so an edit below only changes the risk shown.
    ui.from_link("risks_selected", "risk", titles, parse=int)  # a link (?risk=3) chooses the risk
    kept = st.session_state.get("risks_selected")
    options, hidden = listing.detail_choices(listed["id"].to_list(), list(titles), kept)
    if hidden:
        st.caption(f"Risk {kept} döljs av filtren ovan men visas här eftersom du valde den.")
    risk_forms.keep_valid("risks_selected", options)
    selected = st.selectbox(
        "Risk",
        options,
        index=ui.held_index("risks_selected", options),
        format_func=lambda i: f"{i} – {titles[i]}",
        key="risks_selected",
        placeholder="Inga risker",
    )
    ui.to_link(risk=selected)
    return None if selected is None else int(selected)


def _risk_facts(page: _Project, risk: dict[str, Any], reg: Register) -> None:
    """The risk's fields, its levels in words and its source."""
    row = page.risks.filter(pl.col("id") == risk["id"]).row(0, named=True)
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
        s for s in (risk["source"], f"poäng: {risk['score_source']}" if risk["score_source"] else None) if s
    ]
    ui.source_caption("; ".join(sources))


def _own_actions(page: _Project, risk_id: int) -> pl.DataFrame:
    """The table of the risk's actions; returns them."""
    st.markdown("**Riskens åtgärder**")
    own_actions = page.actions.filter(pl.col("risk_id") == risk_id)
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
    return own_actions


def _risk_history(risk_id: int) -> None:
    """Who changed what and when, from the audit log."""
    st.markdown("**Historik** (vem ändrade vad och när, ur ändringsloggen)")
    history = _history(*ui.db_key(), risk_id)
    ui.dataframe(
        history.select(
            clock.local_column("at").alias("Tid"),
            pl.col("user").alias("Användare"),
            pl.col("action").alias("Händelse"),
            pl.format("{} {}", pl.col("entity"), pl.col("entity_id")).alias("Post"),
            pl.col("change").alias("Ändring"),
        ),
        key="risks_history",
    )


def _risk_detail(page: _Project, listed: pl.DataFrame) -> None:
    """One risk: its facts, actions and history, then (for its editors) the forms that change it."""
    selected = _choose_risk(page, listed)
    if selected is None:
        return
    risk = service.risk(page.conn, selected)
    reg = page.by_id[risk["register_id"]]
    _risk_facts(page, risk, reg)
    own_actions = _own_actions(page, selected)
    _risk_history(selected)

    editing = page.editing
    if page.editable and service.residual_review_due(page.conn, risk["id"]):
        risk_forms.reassess_form(editing, risk, reg.scale)
    forms.confirmation("risks_residual_flash")  # where the form stood until it was answered

    if page.editable:
        version = risk_forms.edit_risk_form(editing, risk, reg)
        risk_forms.close_risk_form(editing, risk, version)
        risk_forms.add_action_form(editing, risk)
        risk_forms.edit_action_form(editing, own_actions)


# --- add a risk ----------------------------------------------------------------------------------


def _add_risk(page: _Project) -> None:
    st.header("Lägg till en risk", anchor="lagg-till")
    risk_forms.add_risk_form(page.editing, page.by_id)


# --- Excel ---------------------------------------------------------------------------------------


def _excel(page: _Project) -> None:
    """Download the register or a blank template; the editors import a filled-in file."""
    st.header("Excel", anchor="excel")
    st.markdown(
        "Exportera registret till Excel, ändra i kalkylprogrammet och läs in filen igen. Importen är allt "
        "eller inget: finns ett fel ändras ingenting och varje fel visas med blad, rad och kolumn."
    )
    x1, x2 = st.columns(2)
    safe_code = page.code.replace("/", "-")
    x1.download_button(
        "Ladda ned registret (.xlsx)",
        data=_export(*ui.db_key(), page.pid, page.today) if page.registers else b"",
        file_name=f"riskregister-{safe_code}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="risks_export",
        disabled=not page.registers,
        on_click="ignore",  # a download changes nothing: no rerun
    )
    x2.download_button(
        "Ladda ned en tom mall (.xlsx)",
        data=excel_import.template(page.conn, page.pid),
        file_name=f"riskregister-mall-{safe_code}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="risks_template",
        on_click="ignore",  # a download changes nothing: no rerun
    )
    if not page.editable:
        return
    uploaded = forms.uploader(
        "Läs in en ifylld fil (.xlsx)", ["xlsx"], "risks_import_file", uploads.RISK_WORKBOOK
    )
    importing = st.button("Importera filen", key="risks_import_submit", disabled=uploaded is None)
    forms.confirmation("risks_import_flash")
    if importing and uploaded:
        summary: excel_import.ImportSummary
        # An ImportRejectedError (nothing was written) is an InvalidInputError: its errors are listed.
        with forms.saving("risks_import_flash", lambda: summary.text()):
            summary = excel_import.import_register(page.conn, page.user, page.pid, uploaded.getvalue())
            forms.renew_uploader("risks_import_file")
            risk_forms.reload("risks_edit")
            risk_forms.reload("risks_action_edit")


# --- registers and categories --------------------------------------------------------------------


def _registers(page: _Project) -> None:
    """The project's registers and their scales; the forms that add and change registers and categories."""
    st.header("Register och skalor", anchor="register")
    if page.registers:
        ui.table(
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
                    for r in page.registers
                ],
                schema=["Register", "Kategori", "Skala", "● Låg", "▲ Medel", "■ Hög", "Skalans källa"],
                orient="row",
            ),
            hide_index=True,
        )
    if page.editable:
        risk_forms.new_register_form(page.editing)
    if page.editable and page.registers:
        risk_forms.edit_register_form(page.editing, page.by_id)
    if ui.can(Action.MANAGE_PROJECTS):
        risk_forms.new_category_form(page.editing)


# --- the page ------------------------------------------------------------------------------------


def _main() -> None:
    user = ui.require_user()
    conn = ui.db()
    today = date.today()
    forms.prepare()

    page = _choose_project(user, conn, today)
    _jump_links(page)
    if page.registers:
        selection = _matrix(page)
        listed = _risk_list(page, selection)
        _action_list(page, listed)
        _risk_detail(page, listed)
    if page.editable and page.registers:
        _add_risk(page)
    _excel(page)
    _registers(page)


_main()
