"""Bruttolista: the operational plan's proposed activities, what came of them, and the way to a case."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_governance, forms, ui
from portfolio.auth import Action
from portfolio.governance import service as governance
from portfolio.governance.model import NewCaseInput, paragraph_label, parse
from portfolio.models import CaseKind, Phase
from registers.bruttolista import logic
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import (
    AREAS,
    LABELS,
    ActivityInput,
    ActivityStatus,
    OutcomeInput,
    status_display,
)
from registers.lifecycle import service as lifecycle

user = ui.require_user()
conn = ui.db()
forms.prepare()


@st.cache_data(max_entries=16, show_spinner=False)
def _activities(path: str, revision: int) -> pl.DataFrame:
    return bruttolista.activities(ui.db())


def promoted_notice() -> None:
    """After a promotion: where the new case is, and a button to open it."""
    promoted = st.session_state.get("bruttolista_promoted")
    if promoted:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.info(
            f"Ärendet {promoted} finns nu i portföljöversikten och pekar tillbaka på aktiviteten. Öppna det"
            " för att komplettera budget, finansiärer, projektledare och milstolpar under Ändra projektets"
            " uppgifter."
        )
        if c2.button("Öppna ärendet", key="bruttolista_open_promoted"):
            st.session_state.pop("bruttolista_promoted", None)
            ui.open_project(promoted)


def filters(years: list[int]) -> tuple[int | None, list[str], list[str], str]:
    """The filter and grouping choices: plan year, areas, statuses, and how to group."""
    with st.expander("Filter och gruppering", expanded=True):
        f1, f2, f3, f4 = st.columns(4)
        year = ui.choose(
            "Verksamhetsplan",
            years,
            index=len(years) if years else 0,
            key="bruttolista_year",
            none="Alla år",
            format_func=lambda y: f"Verksamhetsplan {y}",
            where=f1,
        )
        areas = ui.choose_many(
            "Visa område", list(AREAS), placeholder="Alla områden", key="bruttolista_areas", where=f2
        )
        statuses = ui.choose_many(
            "Visa status",
            [s.value for s in ActivityStatus],
            format_func=status_display,
            placeholder="Alla statusar",
            key="bruttolista_statuses",
            where=f3,
        )
        grouping = f4.radio(
            "Gruppera efter",
            ["Ingen", "Område", "Status", "År"],
            horizontal=True,
            key="bruttolista_group",
        )
    return year, areas, statuses, grouping


def plan_descriptions(plans: pl.DataFrame, year: int | None) -> None:
    """The chosen year's operational plan: its title, purpose and case."""
    for plan in plans.filter(pl.col("year") == year).iter_rows(named=True) if year else []:
        st.subheader(ui.plain(plan["title"] or plan["plan"]))
        if plan["purpose"]:
            st.markdown(ui.plain(plan["purpose"]))
        details = [
            f"Ärende {plan['case_code']}" if plan["case_code"] else None,
            ui.plain(plan["status_note"]),
        ]
        st.caption(" · ".join(d for d in details if d))
        ui.source_caption(plan["source"])


def status_metrics(shown: pl.DataFrame) -> None:
    """How many activities are shown, and how many in each status."""
    st.subheader(f"{shown.height} aktiviteter")
    by_status = shown.group_by("status").agg(pl.len().alias("n"))
    counts = dict(by_status.iter_rows())
    metric_cols = st.columns(len(ActivityStatus))
    for col, status in zip(metric_cols, ActivityStatus, strict=True):
        col.metric(status.display, counts.get(status.value, 0))


def table_of(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("plan_year").alias("År"),
        pl.col("row").alias("Rad"),
        pl.col("activity").alias("Aktivitet"),
        pl.col("areas").list.join(", ").alias("Område"),
        pl.Series("Status", [status_display(s) for s in frame["status"].to_list()], dtype=pl.String),
        pl.col("outcome").alias("Utfall"),
        pl.col("linked_cases").list.join(", ").alias("Kopplade ärenden"),
    )


def listing(frame: pl.DataFrame, key: str) -> None:
    """A table of activities; choosing a row opens that activity below."""
    event = ui.dataframe(
        table_of(frame), width="stretch", on_select="rerun", selection_mode="single-row", key=key
    )
    rows = event.selection.rows if event else []
    chosen = int(frame["id"][rows[0]]) if rows else None
    # Only a new click moves the choice; the selectbox below stays free to change.
    if chosen is not None and st.session_state.get(f"{key}_applied") != chosen:
        st.session_state["bruttolista_choice"] = chosen
    st.session_state[f"{key}_applied"] = chosen


def activity_tables(shown: pl.DataFrame, grouping: str) -> None:
    """The activities in one table, or one table per group."""
    if grouping == "Ingen":
        listing(shown, "bruttolista_table")
    else:
        group_col = {"Område": "area", "Status": "status", "År": "plan_year"}[grouping]
        for index, (group, n) in enumerate(logic.group_counts(shown, group_col).iter_rows()):
            if group_col == "area":
                part = shown.filter(pl.col("areas").list.contains(group))
                heading = group
            elif group_col == "status":
                part = shown.filter(pl.col("status").fill_null(logic.NO_STATUS) == group)
                heading = charts_governance.status_label(group)
            else:
                part = shown.filter(pl.col("plan_year").cast(pl.String) == group)
                heading = f"Verksamhetsplan {group}"
            st.markdown(f"**{heading}** ({n})")
            listing(part, f"bruttolista_table_{index}")
    st.caption("Välj en rad för att se aktiviteten nedan.")


def status_chart(shown: pl.DataFrame) -> None:
    """The shown activities' status per area, as a chart and as a table."""
    st.subheader("Status per område")
    status_counts = logic.status_by_area(shown)
    if shown.height:
        ui.chart(
            charts_governance.status_by_area(status_counts, "Aktiviteternas status per område"),
            key="bruttolista_chart",
        )
        wide = logic.status_by_area_table(status_counts)
        st.markdown("**Diagrammet som tabell** (en aktivitet räknas i vart och ett av sina områden)")
        ui.table(
            wide.rename(
                {"area": "Område", "summa": "Summa"}
                | {c: charts_governance.status_label(c) for c in wide.columns if c not in ("area", "summa")}
            ),
            hide_index=True,
        )
    else:
        st.markdown("Inga aktiviteter matchar filtret.")


def choose_activity(all_activities: pl.DataFrame) -> tuple[int, dict[str, Any]]:
    """The activity chosen below the tables (a row chosen in them moves the choice); stops if none."""
    st.header("Aktivitet")
    options = all_activities["id"].to_list()
    labels = {
        r["id"]: f"{r['plan_year']} rad {r['row']}: {r['activity'][:90]}"
        for r in all_activities.select("id", "plan_year", "row", "activity").iter_rows(named=True)
    }
    if not options:
        st.stop()
    chosen_id = ui.choose(
        "Välj aktivitet", options, format_func=lambda i: labels[i], key="bruttolista_choice"
    )
    activity_id = int(chosen_id if chosen_id is not None else options[0])
    act = all_activities.filter(pl.col("id") == activity_id).row(0, named=True)
    return activity_id, act


def activity_details(act: dict[str, Any], activity_id: int) -> None:
    """One activity: status, areas, outcomes over the years, origin, and its cases with their decisions."""
    st.markdown(f"**{ui.plain(act['activity'])}**")
    st.markdown(
        f"**Status:** {status_display(act['status'])}"
        + (f" ({act['outcome_year']})" if act["outcome_year"] else "")
        + f"  \n**Område:** {', '.join(act['areas'])}"
        + f"  \n**Potentiellt utfall:** {ui.plain(act['potential_outcome']) or '–'}"
        + f"  \n**Resurser:** {ui.plain(', '.join(act['resources'])) or '–'}"
    )
    history = bruttolista.outcomes(conn, activity_id)
    for row in history.iter_rows(named=True):
        st.markdown(
            f"**Utfall {row['year']}** ({status_display(row['status'])}): {ui.plain(row['outcome']) or '–'}"
        )
    if act["note"]:
        st.caption(ui.plain(act["note"]))
    origin = lifecycle.need_for_activity(conn, activity_id)
    if origin:
        st.markdown(f"**Ursprung:** behovet ”{ui.plain(origin['need'])}” i {origin['code']}.")
    if act["linked_cases"]:
        st.markdown("**Kopplade ärenden**")
        for code in act["linked_cases"]:
            relation = " (skapat från aktiviteten)" if code == act["created_case"] else ""
            c1, c2 = st.columns([4, 1], vertical_alignment="center")
            c1.markdown(f"{code}{relation}")
            if c2.button("Öppna", key=f"bruttolista_open_{code}"):
                ui.open_project(code)
            decided = governance.decisions(conn, case_code=code)
            for d in decided.iter_rows(named=True):
                label = paragraph_label(d["number_kind"], d["number"])
                number = f" {label}" if label else ""
                text = governance.decision_text(d["decision"], d["proposal"]) or "information, inget beslut"
                c1.caption(f"{d['date']}{number} {ui.plain(d['title'])}: {ui.plain(text)}")
    else:
        st.markdown("Aktiviteten är inte kopplad till något ärende.")
    ui.source_caption(act["source"])


def promote_form(act: dict[str, Any], activity_id: int) -> None:
    """Make the activity a new case in the portfolio (once)."""
    forms.confirmation("bruttolista_promote_flash")  # where the form stood: it is gone once used
    if act["created_case"]:
        st.markdown(f"Aktiviteten har redan blivit ärendet **{act['created_case']}**.")
    else:
        st.markdown(
            "Skapar ett nytt ärende, en förstudie eller ett projekt i portföljen. Ärendet och aktiviteten "
            "pekar på varandra."
        )
        names = ui.party_names()
        with st.form("bruttolista_promote_form", enter_to_submit=False):
            code = st.text_input(
                "Diarienummer",
                key="bruttolista_promote_code",
                placeholder="GNS/5/2020",
                help="Till exempel GNS/5/2020",
            )
            name = st.text_input(
                "Namn (tomt = aktivitetens text)", key="bruttolista_promote_name", max_chars=200
            )
            kind = ui.choose(
                "Typ", [k.value for k in CaseKind], format_func=str.capitalize, key="bruttolista_promote_kind"
            )
            phase = ui.choose(
                "Fas",
                [p.value for p in Phase][:3],
                format_func=str.capitalize,
                key="bruttolista_promote_phase",
            )
            owner = ui.choose("Ägande part", names, key="bruttolista_promote_owner", none="–")
            submitted = st.form_submit_button(
                "Skapa ärendet", type="primary", key="bruttolista_promote_submit"
            )
        if submitted:
            case: NewCaseInput
            with forms.saving(
                "bruttolista_promote_flash",
                lambda: f"Aktiviteten är nu ärendet {case.code}.",
                then={"bruttolista_promote_code": "", "bruttolista_promote_name": ""},
            ):
                case = parse(
                    NewCaseInput,
                    {
                        "code": code.strip(),
                        "name": name.strip() or act["activity"][:200],
                        "kind": kind,
                        "phase": phase,
                        "owner_party": owner,
                    },
                )
                bruttolista.promote(conn, user, activity_id, case)
                st.session_state["bruttolista_promoted"] = case.code


def edit_form(activity_id: int) -> None:
    """Change the activity's text, areas, potential outcome, resources and note."""
    current = bruttolista.activity(conn, activity_id)
    with st.form(f"bruttolista_edit_form_{activity_id}", enter_to_submit=False):
        text = st.text_area("Aktivitet", current["activity"], key=f"bruttolista_edit_activity_{activity_id}")
        edit_areas = ui.choose_many(
            "Område", list(AREAS), default=current["areas"], key=f"bruttolista_edit_areas_{activity_id}"
        )
        potential = st.text_area(
            "Potentiellt utfall",
            current["potential_outcome"] or "",
            key=f"bruttolista_edit_potential_{activity_id}",
        )
        resources = st.text_area(
            "Resurser (en per rad)",
            "\n".join(current["resources"]),
            key=f"bruttolista_edit_resources_{activity_id}",
        )
        note = st.text_input("Anteckning", current["note"] or "", key=f"bruttolista_edit_note_{activity_id}")
        saved = st.form_submit_button("Spara ändringen", key="bruttolista_edit_save")
    forms.confirmation("bruttolista_edit_flash")
    if saved:
        with forms.saving("bruttolista_edit_flash", "Aktiviteten är sparad."):
            data = parse(
                ActivityInput,
                {
                    "plan_year": current["plan_year"],
                    "activity": text,
                    "areas": edit_areas,
                    "potential_outcome": potential,
                    "resources": [r.strip() for r in resources.splitlines() if r.strip()],
                    "note": note,
                },
                LABELS,
            )
            bruttolista.update_activity(conn, user, activity_id, data, version=current["version"])


def outcome_form(act: dict[str, Any], activity_id: int) -> None:
    """Record a year's outcome and status."""
    with st.form("bruttolista_outcome_form", enter_to_submit=False):
        out_year = ui.year_input(
            "År", act["outcome_year"] or act["plan_year"], key="bruttolista_outcome_year"
        )
        out_status = ui.choose(
            "Utfallets status",
            [s.value for s in ActivityStatus],
            format_func=status_display,
            key="bruttolista_outcome_status",
        )
        out_text = st.text_area("Utfall", key="bruttolista_outcome_text")
        out_saved = st.form_submit_button("Spara utfallet", key="bruttolista_outcome_save")
    forms.confirmation("bruttolista_outcome_flash")
    if out_saved:
        with forms.saving(
            "bruttolista_outcome_flash",
            f"Utfallet för {out_year} är sparat.",
            then={"bruttolista_outcome_text": ""},
        ):
            outcome = parse(
                OutcomeInput, {"year": out_year, "status": out_status, "outcome": out_text}, LABELS
            )
            bruttolista.set_outcome(conn, user, activity_id, outcome)


def link_form(act: dict[str, Any], activity_id: int) -> None:
    """Link the activity to an existing case."""
    linkable = [c for c in ui.projects()["code"].to_list() if c not in act["linked_cases"]]
    link_code = ui.choose("Ärende", linkable, key="bruttolista_link_case", prompt="Välj ärende")
    linking = st.button("Koppla", key="bruttolista_link_save", disabled=link_code is None)
    forms.confirmation("bruttolista_link_flash")
    if linking:
        with forms.saving(
            "bruttolista_link_flash",
            f"Aktiviteten är kopplad till {link_code}.",
            then={"bruttolista_link_case": None},
        ):
            bruttolista.link_case(conn, user, activity_id, link_code or "")


def new_activity_form(years: list[int]) -> None:
    """Add an activity to a year's bruttolista."""
    with st.form("bruttolista_new_form", enter_to_submit=False):
        new_year = ui.year_input("Verksamhetsplanens år", max(years or [2019]), key="bruttolista_new_year")
        new_text = st.text_area("Den nya aktiviteten", key="bruttolista_new_activity")
        new_areas = ui.choose_many("Den nya aktivitetens område", list(AREAS), key="bruttolista_new_areas")
        new_potential = st.text_area(
            "Den nya aktivitetens potentiella utfall", key="bruttolista_new_potential"
        )
        new_resources = st.text_area(
            "Den nya aktivitetens resurser (en per rad)", key="bruttolista_new_resources"
        )
        new_saved = st.form_submit_button("Lägg till aktiviteten", key="bruttolista_new_save")
    forms.confirmation("bruttolista_new_flash")
    if new_saved:
        new_activity: int
        with forms.saving(
            "bruttolista_new_flash",
            "Aktiviteten är tillagd i bruttolistan och vald under Aktivitet ovan.",
            then=lambda: {
                "bruttolista_new_activity": "",
                "bruttolista_new_areas": [],
                "bruttolista_new_potential": "",
                "bruttolista_new_resources": "",
                "bruttolista_choice": new_activity,
            },
        ):
            data = parse(
                ActivityInput,
                {
                    "plan_year": new_year,
                    "activity": new_text,
                    "areas": new_areas,
                    "potential_outcome": new_potential,
                    "resources": [r.strip() for r in new_resources.splitlines() if r.strip()],
                },
                LABELS,
            )
            new_activity = bruttolista.create_activity(
                conn, user, data, outcome=OutcomeInput(year=data.plan_year, status=ActivityStatus.EJ_PABORJAD)
            )


def admin_tabs(act: dict[str, Any], activity_id: int, years: list[int]) -> None:
    """What those who manage the bruttolista may change, one tab per task."""
    st.header("Redigera bruttolistan")
    tab_promote, tab_edit, tab_outcome, tab_link, tab_new = st.tabs(
        ["Gör till ärende", "Ändra aktivitet", "Utfall och status", "Koppla ärende", "Ny aktivitet"]
    )
    with tab_promote:
        promote_form(act, activity_id)
    with tab_edit:
        edit_form(activity_id)
    with tab_outcome:
        outcome_form(act, activity_id)
    with tab_link:
        link_form(act, activity_id)
    with tab_new:
        new_activity_form(years)


def main() -> None:
    """Filter and list the activities, show the chosen one, and let managers edit."""
    st.title("Bruttolista")
    st.caption(
        "Verksamhetsplanens föreslagna aktiviteter, vad som blev av dem och vilka ärenden de ledde till. "
        "Status visas med symbol och ord: " + ", ".join(s.display for s in ActivityStatus) + "."
    )
    promoted_notice()

    all_activities = _activities(*ui.db_key())
    if all_activities.height == 0:
        st.info("Bruttolistan är tom. Kör `portfolj seed` för att läsa in Verksamhetsplan 2019.")
    years = sorted(set(all_activities["plan_year"].to_list()))
    plans = bruttolista.plans(conn)

    year, areas, statuses, grouping = filters(years)
    shown = logic.filter_activities(
        all_activities, years=[year] if year else [], areas=areas, statuses=statuses
    )
    plan_descriptions(plans, year)
    status_metrics(shown)
    activity_tables(shown, grouping)
    status_chart(shown)

    activity_id, act = choose_activity(all_activities)
    activity_details(act, activity_id)
    if ui.can(Action.MANAGE_BRUTTOLISTA):
        admin_tabs(act, activity_id, years)


main()
