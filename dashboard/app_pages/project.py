"""Projekt: one project's facts, money, milestones and the committee's decisions on it."""

from __future__ import annotations

from functools import partial
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts, forms, project_budget, project_facts, project_reports, project_schedule, ui
from dashboard.navigation import PROJECT_SECTION_PARAM, PROJECT_SECTIONS
from dashboard.project_sections import render_lifecycle
from portfolio import store
from portfolio.auth import Action
from portfolio.money import format_kr, kronor_json
from portfolio.overview import budget_totals, rounding_differences, stated_vs_summed
from portfolio.projects import service as projects

user = ui.require_user()
forms.prepare()
portfolio = ui.projects()
codes = portfolio["code"].to_list()
names = dict(portfolio.select("code", "name").iter_rows())

# A link (?projekt=KOD) or the overview chooses the project; after that the selectbox does.
wanted = st.query_params.get("projekt")
if "project_select" not in st.session_state and wanted is not None and wanted not in codes:
    st.warning(f"Det finns inget projekt eller ärende med koden {ui.plain(wanted)}; välj ett nedan.")
ui.follow_link("project_select", "projekt", codes)
if st.session_state.get("project_select") not in codes:
    st.session_state["project_select"] = ui.default_project(codes)
code = ui.choose(
    "Projekt eller ärende",
    ui.project_choices("project_select", portfolio, search_key="project_search"),
    format_func=lambda c: f"{c} – {names[c]}",
    on_change=ui.chosen_by_user,
    args=("project_select",),
    key="project_select",
)
ui.link_choice("app_pages/project.py", "project_select", projekt=code)

conn = ui.db()
pid = store.project_id_for(conn, code)
p = store.project_detail(conn, pid)
party_names = ui.party_names()

st.title(ui.plain(p["name"]))
st.caption(f"{code} · {p['kind'].capitalize()} · fas: {p['phase']}")
link = st.container()
st.markdown(
    f"**Status:** {ui.status_text(p['status'])}"
    + (f" — {ui.plain(p['status_reason'])}" if p["status_reason"] else "")
)


def draw_overview(p: dict[str, Any], pid: int) -> None:
    """Översikt: facts, leadership and (for its editors) the form that changes them."""
    facts, people = st.columns(2)
    with facts:
        st.subheader("Fakta")
        if p["purpose"]:
            st.markdown(f"**Syfte:** {ui.plain(p['purpose'])}")
        if p.get("goals"):
            st.markdown(f"**Mål:** {ui.plain(p['goals'])}")
        rows = [
            ("Ägande part", party_names.get(p["owner_party"] or "", p["owner_party"] or "–")),
            (
                "Finansierande parter",
                ", ".join(party_names.get(c, c) for c in p["financing_parties"]) or "–",
            ),
            ("Objekt i redovisningen", ", ".join(projects.project(conn, pid)["objects"]) or "–"),
            ("Start", p["start_date"] or "–"),
            ("Planerat slut", p["planned_end_date"] or "–"),
            ("Faktiskt slut", p["actual_end_date"] or "–"),
        ]
        ui.table(pl.DataFrame(rows, schema=["Uppgift", "Värde"], orient="row"), hide_header=True)
        if p["notes"]:
            st.markdown(ui.plain(p["notes"]))
    with people:
        st.subheader("Projektledning")
        if p["leaders"]:
            st.markdown(
                "\n".join(f"- {ui.plain(n)}" + (f" ({ui.plain(o)})" if o else "") for n, o in p["leaders"])
            )
        else:
            st.markdown("Ingen projektledare angiven.")
        if p["steering_group"]:
            st.markdown("**Styrgrupp**")
            st.markdown(
                "\n".join(
                    f"- {ui.plain(n)}" + (f" ({ui.plain(o)})" if o else "") for n, o in p["steering_group"]
                )
            )
    ui.source_caption(p["source"])

    if ui.can(Action.EDIT_PROJECT, project_id=pid):
        project_facts.render_editor(conn, pid, user)


def draw_budget(p: dict[str, Any], pid: int) -> None:
    """Budget och utfall: the lines, their split, the totals and the chart; the budget's forms."""
    st.header("Budget och utfall")
    lines = store.budget_lines_frame(conn, pid)
    if lines.height:
        totals = budget_totals(lines)
        lines = rounding_differences(lines)
        money_cols = [*store.AMOUNT_COLUMNS, "rounding_ore"]
        shown = ui.kr_column(lines, money_cols).select(
            pl.col("activity").alias("Aktivitet"),
            pl.col("kind").replace({"budget": "budgetrad", "tillkommande": "utanför budget"}).alias("Typ"),
            pl.col("budget_total_ore").alias("Budget totalt"),
            pl.col("budget_region_ore").alias("Budget Region"),
            pl.col("budget_kommunerna_ore").alias("Budget kommunerna"),
            pl.col("outcome_total_ore").alias("Utfall totalt"),
            pl.col("outcome_region_ore").alias("Utfall Region"),
            pl.col("outcome_kommunerna_ore").alias("Utfall kommunerna"),
            pl.col("rounding_ore").alias("Avrundningsdifferens"),
        )
        ui.table(shown, hide_index=True)
        project_budget.render_shares(conn, pid)
        stated = store.stated_totals(conn, pid) or {}

        def stated_or(key: str, summed: int | None) -> int | None:
            return stated[key] if stated.get(key) is not None else summed

        t1, t2, t3, t4 = st.columns(4)
        t1.metric("Budget", format_kr(stated_or("budget_total_ore", totals["budget_total"])))
        t2.metric(
            "Utfall på budgetraderna",
            format_kr(stated_or("outcome_total_ore", totals["outcome_budget_lines"])),
        )
        t3.metric("Tillkommande kostnader", format_kr(stated_or("extra_ore", totals["outcome_extra"]) or 0))
        t4.metric("Projektets totala kostnad", format_kr(stated_or("total_cost_ore", totals["outcome_all"])))
        st.markdown(
            f"Budgeten fördelas med {format_kr(totals['budget_region'])} på Regionen och "
            f"{format_kr(totals['budget_kommunerna'])} på kommunerna; utfallet på budgetraderna med "
            f"{format_kr(totals['outcome_region'])} på Regionen och "
            f"{format_kr(totals['outcome_kommunerna'])} på kommunerna."
        )
        gaps = stated_vs_summed(totals, stated)
        if gaps:
            st.warning(
                "Rapportens egna summor stämmer inte med raderna. Dokumentets summor visas ovan; "
                "skillnaderna är:\n\n"
                + "\n".join(
                    f"- {g.label}: dokumentet anger {format_kr(g.stated_ore)}, raderna ger "
                    f"{format_kr(g.summed_ore)} (differens {format_kr(g.difference_ore)})"
                    for g in gaps
                )
            )
            ui.source_caption(stated.get("source"))
        diffs = lines.filter(pl.col("rounding_ore").fill_null(0) != 0)
        if diffs.height:
            st.info(
                "Rapportens siffror är avrundade: "
                + "; ".join(
                    f"{a}: totalt {format_kr(t)} men Region + kommunerna = {format_kr(t - d)}"
                    f" (differens {format_kr(d)})"
                    for a, t, d in diffs.select("activity", "outcome_total_ore", "rounding_ore").iter_rows()
                )
                + ". Dokumentets siffror visas oförändrade."
            )
        fig = charts.budget_vs_outcome(
            lines["activity"].to_list(),
            [kronor_json(v) for v in lines["budget_total_ore"].to_list()],
            [kronor_json(v) for v in lines["outcome_total_ore"].to_list()],
            "Budget och utfall per aktivitet (kronor)",
        )
        ui.chart(fig, key="project_budget_chart")
        st.caption("Diagrammet visar samma siffror som tabellen ovan.")
    elif p["budget_ore"] is not None or p["actual_ore"] is not None:
        b1, b2 = st.columns(2)
        b1.metric("Budget / kostnadstak", format_kr(p["budget_ore"]))
        b2.metric("Utfall", format_kr(p["actual_ore"]))
    else:
        st.markdown("Inga belopp finns registrerade för det här ärendet.")
    project_budget.render_history(conn, code)
    project_budget.render_editor(conn, projects.project(conn, pid), user)


def draw_schedule(pid: int) -> None:
    """Tidplan: the milestones as a chart and a table; the schedule's forms."""
    st.header("Tidplan")
    milestones = store.milestones_frame(conn, pid)
    if milestones.height:
        ui.chart(
            charts.milestone_timeline(milestones, "Planerade och faktiska datum"), key="project_timeline"
        )
        ui.table(
            milestones.select(
                pl.col("milestone").alias("Milstolpe"),
                pl.col("kind").alias("Typ"),
                pl.col("date").alias("Datum"),
                pl.col("changed_on").alias("Ändrat"),
                pl.col("reason").alias("Skäl"),
            ),
            hide_index=True,
        )
    else:
        st.markdown("Inga milstolpar är registrerade.")
    project_schedule.render_editor(conn, pid, user)


# The page's parts as tabs, each with its own address (?avsnitt=Tidplan) to share. A reader's page
# draws only the open tab (the whole page took a browser over 1 s to draw at 2 000 projects); for
# whoever may change something here the other tabs are drawn without their charts and tables, so
# that what they have typed in a form and not yet saved is still there when they come back.
tabs = st.tabs(PROJECT_SECTIONS, key=PROJECT_SECTION_PARAM, bind="query-params")
with link:
    shown_part = None if tabs[0].open else st.session_state.get(PROJECT_SECTION_PARAM)
    ui.copy_link("/projekt", projekt=code, avsnitt=shown_part)
ui.draw_tabs(
    tabs,
    [
        partial(draw_overview, p, pid),
        partial(project_reports.render, conn, pid, user),
        partial(draw_budget, p, pid),
        partial(draw_schedule, pid),
        partial(render_lifecycle, conn, pid, user),
    ],
    every=ui.can(Action.EDIT_PROJECT, project_id=pid)
    or ui.can(Action.REPORT_STATUS, project_id=pid)
    or ui.can(Action.MANAGE_PROJECTS)
    or ui.can(Action.MANAGE_BRUTTOLISTA),
)
