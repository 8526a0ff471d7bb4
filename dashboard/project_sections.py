"""Sections of the project page about a project's life: phases, decisions, handover, needs, debits.

The project page calls `render_lifecycle(conn, project_id, user)` once, after its own sections.
Widget keys start with `project_` and do not collide with the page's own.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import charts_governance, forms, ui
from portfolio.auth import Action, User, can
from portfolio.db import Database
from portfolio.governance import service as governance
from portfolio.governance import store as governance_store
from portfolio.governance.logic import centi_to_hours
from portfolio.governance.model import DebitInput, PhaseChangeInput, paragraph_label, parse
from portfolio.money import format_kr, format_number
from portfolio.store import json_list
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import AREAS, ActivityInput
from registers.bruttolista.model import LABELS as ACTIVITY_LABELS
from registers.lifecycle import service as lifecycle
from registers.lifecycle.model import DEVIATION_LABELS, DeviationInput, HandoverMark
from registers.lifecycle.model import LABELS as LIFECYCLE_LABELS

FLASH_KEY = "project_lifecycle_flash"
DELIVERED_TEXT = {True: "✔ Ja", False: "✘ Nej", None: "– Ej bedömd"}


def _hours_text(centi: int) -> str:
    return format_number(centi_to_hours(centi), 0 if centi % 100 == 0 else 2)


def render_lifecycle(conn: Database, project_id: int, user: User) -> None:
    """Phase history, decision timeline, bruttolista links, handover, deviations, needs and debits."""
    project = governance_store.project(conn, project_id)
    if project is None:
        st.error(f"Projektet med id {project_id} finns inte.")
        return
    code = project["code"]
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message)
    st.header("Projektets livscykel")
    decisions = governance.decisions(conn, case_code=code)
    _phases(conn, project, decisions, user)
    _timeline(conn, project, decisions)
    _bruttolista_links(conn, project_id)
    _handover(conn, project_id, user)
    _deviations(conn, project_id, user)
    _needs(conn, project, user)
    _debits(conn, project_id, user)


def _phases(conn: Database, project: dict, decisions: pl.DataFrame, user: User) -> None:
    st.subheader("Faser och beslut")
    history = governance.phase_history(conn, project["id"])
    st.markdown(f"**Nuvarande fas:** {project['phase']}")
    if history.height:
        rows = []
        for r in history.iter_rows(named=True):
            label = paragraph_label(r["number_kind"], r["number"])
            decision = f"{r['meeting_date']} {label or ''}".strip() if r["meeting_date"] else "–"
            rows.append(
                {
                    "Datum": r["changed_on"],
                    "Från fas": r["from_phase"] or "–",
                    "Till fas": r["to_phase"] + (" (oförändrad)" if r["from_phase"] == r["to_phase"] else ""),
                    "Beslut": decision,
                    "Kommentar": r["note"] or "",
                    "Källa": r["source"] or "",
                }
            )
        ui.table(pl.DataFrame(rows), hide_index=True)
    else:
        st.markdown("Ingen fashistorik är registrerad.")
    if not can(user, Action.MANAGE_PROJECTS):
        return
    with st.expander("Registrera fasändring"):
        item_labels = {
            r["item_id"]: f"{r['date']} {paragraph_label(r['number_kind'], r['number']) or ''} {r['title']}"
            for r in decisions.iter_rows(named=True)
        }
        with st.form("project_phase_form", enter_to_submit=False):
            changed_on = ui.date_input("Datum", value=date.today(), key="project_phase_date")
            phase = ui.choose("Ny fas", governance.phases(), key="project_phase_phase")
            item = ui.choose(
                "Beslutet bakom", item_labels, key="project_phase_decision", none="Inget protokollfört beslut"
            )
            note = st.text_input("Kommentar", key="project_phase_note")
            saved = st.form_submit_button("Spara fasändringen", key="project_phase_save")
        if saved:
            with forms.saving(FLASH_KEY, f"{project['code']} är i fasen {phase} från {changed_on}."):
                data = parse(
                    PhaseChangeInput,
                    {
                        "project_id": project["id"],
                        "changed_on": changed_on,
                        "phase": phase,
                        "agenda_item_id": item,
                        "note": note.strip() or None,
                    },
                )
                governance.record_phase_change(conn, user, data)


def _timeline(conn: Database, project: dict, decisions: pl.DataFrame) -> None:
    st.subheader("Beslutstidslinje")
    if decisions.height == 0:
        st.markdown("Nämnden har inga registrerade punkter i ärendet.")
        return
    phases = governance.phase_history(conn, project["id"])
    ui.chart(
        charts_governance.decision_timeline(decisions, phases, f"Nämndens behandling av {project['code']}"),
        key="project_decision_chart",
    )
    rows = []
    for r in decisions.iter_rows(named=True):
        kind = charts_governance.decision_kind(r["decision"], r["proposal"])
        differs = bool(r["decision"] and r["proposal"] and r["decision"].strip() != r["proposal"].strip())
        rows.append(
            {
                "Datum": r["date"],
                "§": paragraph_label(r["number_kind"], r["number"]) or "–",
                "Rubrik": r["title"],
                "Typ": charts_governance.DECISION_KINDS[kind][2],
                "Beslut": governance.decision_text(r["decision"], r["proposal"]) or "–",
                "Skiljer sig från förslaget": "ja" if differs else "",
                "Beslutsunderlag": "; ".join(json_list(r["documents"])),
            }
        )
    ui.dataframe(pl.DataFrame(rows), width="stretch", key="project_decision_table")
    st.caption("Tabellen visar samma punkter som tidslinjen.")


def _bruttolista_links(conn: Database, project_id: int) -> None:
    linked = bruttolista.activities_for_project(conn, project_id)
    if linked.height == 0:
        return
    st.subheader("Bruttolistan")
    for r in linked.iter_rows(named=True):
        how = "Ärendet skapades från" if r["relation"] == "skapat" else "Kopplat till"
        st.markdown(f"{how} verksamhetsplan {r['plan_year']}, rad {r['row']}: {ui.plain(r['activity'])}")


def _heading(title: str, found: pl.DataFrame, user: User) -> bool:
    """Head a section of the project's records when it has rows or the user may add some; whether it shows."""
    if found.height == 0 and not can(user, Action.MANAGE_PROJECTS):
        return False
    st.subheader(title)
    return True


def _handover(conn: Database, project_id: int, user: User) -> None:
    checklist = lifecycle.handover(conn, project_id)
    if not _heading("Överlämning till förvaltning", checklist, user):
        return
    notes = lifecycle.notes(conn, project_id)
    if checklist.height:
        summary = lifecycle.handover_summary(checklist)
        st.markdown(
            f"{len(checklist)} leverabler: {summary['ja']} levererade (✔ Ja), {summary['nej']} inte"
            f" levererade (✘ Nej), {summary['ej bedömd']} ej bedömda."
        )
        ui.dataframe(
            checklist.select(
                pl.col("section").alias("Avsnitt"),
                pl.col("deliverable").alias("Leverabel"),
                pl.Series(
                    "Levererad",
                    [
                        DELIVERED_TEXT[v] + (" (bedömd)" if b == "tolkning" else "")
                        for v, b in checklist.select("delivered", "delivered_basis").iter_rows()
                    ],
                    dtype=pl.String,
                ),
                pl.col("comment").fill_null("").alias("Kommentar"),
                pl.col("reference").fill_null("").alias("Underlag"),
            ),
            width="stretch",
            key="project_handover_table",
        )
    # The stored remark on how the document was read is provenance for the secretariat, not text
    # for readers; they see what "(bedömd)" means.
    if checklist.height and (checklist["delivered_basis"] == "tolkning").any():
        st.caption(
            "(bedömd): dokumentet anger inte ja eller nej för raden; svaret bygger på radens kommentar."
        )
    if "leverabler" in notes:
        ui.source_caption(notes["leverabler"][1])
    if not can(user, Action.MANAGE_PROJECTS) or checklist.height == 0:
        return
    with st.expander("Besvara en rad i checklistan"):
        labels = {r["id"]: f"{r['section']}: {r['deliverable']}" for r in checklist.iter_rows(named=True)}
        item_id = int(ui.choose("Leverabel", labels, key="project_handover_item"))
        row = checklist.filter(pl.col("id") == item_id).row(0, named=True)
        with st.form(f"project_handover_form_{item_id}", enter_to_submit=False):
            choices = [True, False, None]
            answer = st.radio(
                "Levererad",
                choices,
                index=choices.index(row["delivered"]),
                format_func=lambda v: DELIVERED_TEXT[v],
                horizontal=True,
                key=f"project_handover_delivered_{item_id}",
            )
            comment = st.text_area(
                "Kommentar", row["comment"] or "", key=f"project_handover_comment_{item_id}"
            )
            saved = st.form_submit_button("Spara", key="project_handover_save")
        if saved:
            with forms.saving(FLASH_KEY, "Checklistan är sparad."):
                mark = parse(HandoverMark, {"delivered": answer, "comment": comment}, LIFECYCLE_LABELS)
                lifecycle.mark_handover(conn, user, item_id, mark, version=row["version"])


def _deviations(conn: Database, project_id: int, user: User) -> None:
    found = lifecycle.deviations(conn, project_id)
    if not _heading("Avvikelser", found, user):
        return
    notes = lifecycle.notes(conn, project_id)
    if found.height:
        total = int(found["count"].sum())
        parts = ", ".join(
            f"{n} {DEVIATION_LABELS.get(t, t).lower()}" for t, n in found.select("type", "count").iter_rows()
        )
        st.markdown(f"**{total} avvikelser**: {parts}.")
        ui.table(
            found.select(
                pl.col("type").replace_strict(DEVIATION_LABELS, default=pl.col("type")).alias("Typ"),
                pl.col("count").alias("Antal"),
                pl.col("period").fill_null("–").alias("Period"),
                pl.col("text").fill_null("").alias("Beskrivning"),
            ),
            hide_index=True,
        )
    if "avvikelser" in notes:
        st.caption(ui.plain(notes["avvikelser"][0]))
    if not can(user, Action.MANAGE_PROJECTS):
        return
    with st.expander("Registrera avvikelser"), st.form("project_deviation_form", enter_to_submit=False):
        kind = ui.choose("Typ", DEVIATION_LABELS, key="project_deviation_type")
        count = st.number_input("Antal", min_value=0, value=None, step=1, key="project_deviation_count")
        period = st.text_input(
            "Period", key="project_deviation_period", placeholder="t.ex. maj tom oktober 2019"
        )
        text = st.text_area("Beskrivning", key="project_deviation_text")
        saved = st.form_submit_button("Spara avvikelserna", key="project_deviation_save")
    if saved:
        with forms.saving(FLASH_KEY, "Avvikelserna är registrerade."):
            data = parse(
                DeviationInput,
                {"project_id": project_id, "type": kind, "count": count, "period": period, "text": text},
                LIFECYCLE_LABELS,
            )
            lifecycle.add_deviation(conn, user, data)


def _needs(conn: Database, project: dict, user: User) -> None:
    found = lifecycle.needs(conn, project["id"])
    if found.height == 0:
        return
    st.subheader("Identifierade behov för fortsatt arbete")
    ui.table(
        pl.DataFrame(
            [
                {
                    "Behov": r["need"],
                    "Underpunkter": "; ".join(r["details"]),
                    "I bruttolistan": f"{r['plan_year']} rad {r['row']}" if r["activity_id"] else "–",
                }
                for r in found.iter_rows(named=True)
            ]
        ),
        hide_index=True,
    )
    notes = lifecycle.notes(conn, project["id"])
    if "behov" in notes:  # how the document's table was read: provenance only, never shown as text
        ui.source_caption(notes["behov"][1])
    open_needs = found.filter(pl.col("activity_id").is_null())
    if not can(user, Action.MANAGE_BRUTTOLISTA) or open_needs.height == 0:
        return
    with st.expander("Gör ett behov till en aktivitet i bruttolistan"):
        labels: dict[int, str] = {r["id"]: r["need"] for r in open_needs.iter_rows(named=True)}
        need_id = int(ui.choose("Behov", labels, key="project_need_choice"))
        need = open_needs.filter(pl.col("id") == need_id).row(0, named=True)
        with st.form("project_need_form", enter_to_submit=False):
            year = ui.year_input("Verksamhetsplanens år", date.today().year, key="project_need_year")
            areas = ui.choose_many("Område", list(AREAS), key="project_need_areas")
            saved = st.form_submit_button("Lägg till i bruttolistan", key="project_need_save")
        if saved:
            with forms.saving(
                FLASH_KEY, f"Behovet ”{need['need']}” är nu en aktivitet i bruttolistan {year}."
            ):
                defaults = lifecycle.activity_from_need(
                    need["need"], need["details"], project["code"], int(year)
                )
                data = parse(ActivityInput, {**defaults, "areas": areas}, ACTIVITY_LABELS)
                lifecycle.need_to_activity(conn, user, need_id, data)


def _debits(conn: Database, project_id: int, user: User) -> None:
    found = governance.debits(conn, project_id)
    if not _heading("Debiterade resurser enligt prislistan", found, user):
        return
    admin = can(user, Action.MANAGE_PROJECTS)
    if found.height:
        ui.table(
            found.select(
                pl.col("work_date").alias("Datum"),
                pl.col("resource").alias("Resurs"),
                pl.Series(
                    "Timmar", [_hours_text(c) for c in found["hours_centi"].to_list()], dtype=pl.String
                ),
                pl.Series(
                    "Pris per timme", [format_kr(v) for v in found["rate_ore"].to_list()], dtype=pl.String
                ),
                pl.Series("Belopp", [format_kr(v) for v in found["amount_ore"].to_list()], dtype=pl.String),
                pl.col("note").fill_null("").alias("Anteckning"),
            ),
            hide_index=True,
        )
        per_year = found.group_by("year").agg(pl.col("amount_ore").sum()).sort("year")
        st.markdown(
            f"**Utfall från debiterade resurser: {format_kr(int(found['amount_ore'].sum()))}** ("
            + ", ".join(f"{y}: {format_kr(a)}" for y, a in per_year.iter_rows())
            + "), till årets pris i prislistan."
        )
    else:
        st.markdown("Inga extra resurser är debiterade.")
    if not admin:
        return
    resources = governance.price_resources(conn)
    with st.expander("Debitera timmar"), st.form("project_debit_form", enter_to_submit=False):
        work_date = ui.date_input("Datum för arbetet", value=date.today(), key="project_debit_date")
        resource = ui.choose("Resurs", resources, key="project_debit_resource")
        hours = st.text_input("Timmar", key="project_debit_hours", placeholder="t.ex. 7,5")
        note = st.text_input("Anteckning", key="project_debit_note")
        saved = st.form_submit_button("Debitera", key="project_debit_save")
    if saved:
        with forms.saving(FLASH_KEY, f"{hours} timmar {resource} är debiterade."):
            data = parse(
                DebitInput,
                {
                    "project_id": project_id,
                    "work_date": work_date,
                    "resource": resource,
                    "hours": hours.strip() or None,
                    "note": note.strip() or None,
                },
            )
            governance.debit_resource(conn, user, data)
