"""Beslut: search the committee's decisions, upcoming meetings, the meeting plan, and (admin) new entries."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio.auth import Action
from portfolio.governance import service as governance
from portfolio.governance.model import AgendaItemInput, MeetingInput, PriceRateInput, paragraph_label, parse
from portfolio.money import format_kr

user = ui.require_user()
conn = ui.db()
forms.prepare()
# A saved item empties the form for the next one; the meeting and the numbering stay chosen.
EMPTY_ITEM = {
    "decisions_item_number": None,
    "decisions_item_case": "",
    "decisions_item_title": "",
    "decisions_item_summary": "",
    "decisions_item_proposal": "",
    "decisions_item_decision": "",
    "decisions_item_documents": "",
}


def decision_table(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "Datum": r["date"],
                "§": paragraph_label(r["number_kind"], r["number"]) or "–",
                "Ärende": r["case_code"] or "–",
                "Rubrik": r["title"],
                "Beslut": governance.decision_text(r["decision"], r["proposal"])
                or "Information, inget beslut",
            }
            for r in frame.iter_rows(named=True)
        ],
        schema={
            "Datum": pl.String,
            "§": pl.String,
            "Ärende": pl.String,
            "Rubrik": pl.String,
            "Beslut": pl.String,
        },
    )


def plan_table(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("date").alias("Datum"),
        pl.col("planned").replace_strict({True: "planerat", False: "genomfört"}).alias("Läge"),
        pl.col("place").fill_null("–").alias("Plats"),
        pl.col("moved_from").fill_null("–").alias("Flyttat från"),
        pl.col("moved_reason").fill_null("–").alias("Skäl till flytten"),
        pl.col("items").alias("Punkter"),
        pl.col("decisions").alias("Beslut"),
    )


st.title("Beslut")
st.caption("Vad nämnden har beslutat, när den sammanträder härnäst och årets sammanträdesplan.")

# --- search -------------------------------------------------------------------------------------
st.header("Sök bland besluten")
if "decisions_search" not in st.session_state and st.query_params.get("q"):
    st.session_state["decisions_search"] = st.query_params["q"]
query = st.text_input(
    "Vad vill du veta?",
    key="decisions_search",
    live="500ms",
    placeholder="t.ex. vad har nämnden beslutat om serverdrift?",
    help="Söker i rubrik, ärendenummer, beslut, förslag, sammanfattning och beslutsunderlag. "
    "Alla ord måste finnas; delord räknas (serverdrift hittar IT-serverdrift). "
    "Ett datum (2019-06-03, 3 juni 2019) eller en månad (juni 2019) visar sammanträdenas punkter; "
    "§17 eller punkt 3 visar den punkten.",
)
ui.to_link(q=query.strip() or None)
if query.strip():
    found = governance.search_decisions(conn, query)
    asked = ui.plain(query.strip())
    if found.height == 0:
        st.info(f"Inga beslut eller ärenden matchar ”{asked}”.")
    else:
        st.markdown(f"**{found.height} träffar** för ”{asked}”, bäst matchning först.")
        ui.dataframe(decision_table(found), width="stretch", key="decisions_results")
        for r in found.head(10).iter_rows(named=True):
            label = paragraph_label(r["number_kind"], r["number"]) or ""
            with st.expander(f"{r['date']} {label} {ui.plain(r['title'])}".replace("  ", " ")):
                if r["summary"]:
                    st.markdown(ui.plain(r["summary"]))
                if r["proposal"]:
                    st.markdown(f"**Förslag till beslut:** {ui.plain(r['proposal'])}")
                decided = ui.plain(r["decision"]) if r["decision"] else "Beslutet finns inte i handlingarna."
                st.markdown(f"**Beslut:** {decided}")
                if r["decision"] and r["proposal"] and r["decision"].strip() != r["proposal"].strip():
                    st.caption("Beslutet skiljer sig från förslaget.")
                ui.source_caption(r["source"])

# --- upcoming -------------------------------------------------------------------------------------
st.header("Kommande sammanträden")
since = ui.date_input("Från och med", value=date.today(), key="decisions_upcoming_from")
upcoming = governance.upcoming_meetings(conn, since)
if upcoming.height:
    ui.table(plan_table(upcoming), hide_index=True)
else:
    everything = governance.meeting_plan(conn)
    last = str(everything["date"].max()) if everything.height else None
    st.info(
        f"Inga sammanträden är inlagda från {since}."
        + (f" Det senaste i planen är {last}." if last else "")
        + (" Lägg in nästa års sammanträdesplan nedan." if ui.can(Action.MANAGE_MEETINGS) else "")
    )

# --- plan ----------------------------------------------------------------------------------------
st.header("Sammanträdesplan")
years = governance.meeting_years(conn)
if years:
    plan_year = ui.choose("Planens år", years, index=len(years) - 1, key="decisions_plan_year")
    plan = governance.meeting_plan(conn, plan_year)
    ui.table(plan_table(plan), hide_index=True)
    for r in plan.filter(pl.col("moved_from").is_not_null()).iter_rows(named=True):
        st.markdown(
            f"Sammanträdet {r['moved_from']} flyttas till {r['date']}: {ui.plain(r['moved_reason'])}."
        )

# --- per case ------------------------------------------------------------------------------------
st.header("Beslut per ärende")
projects = ui.projects()
cases = {c: f"{c} – {n}" for c, n in projects.select("code", "name").iter_rows()}
case = ui.choose("Ärende", cases, key="decisions_case", prompt="Välj ärende")
if case:
    ui.table(decision_table(governance.decisions(conn, case_code=case)), hide_index=True)

# --- price list ----------------------------------------------------------------------------------
st.header("Prislista för extra resurser")
prices = governance.price_list(conn)
ui.table(
    prices.select(
        pl.col("year").alias("År"),
        pl.col("resource").alias("Resurs"),
        pl.Series("Pris per timme", [format_kr(v) for v in prices["rate_ore"].to_list()], dtype=pl.String),
        pl.col("case_code").fill_null("–").alias("Beslut i ärende"),
    ),
    hide_index=True,
)

# --- admin ---------------------------------------------------------------------------------------
if not ui.can(Action.MANAGE_MEETINGS):
    st.stop()

st.header("Registrera")
tab_item, tab_decision, tab_meeting, tab_move, tab_price = st.tabs(
    [
        "Ny punkt eller beslut",
        "Beslut på befintlig punkt",
        "Nytt sammanträde",
        "Flytta sammanträde",
        "Prislista",
    ]
)
meetings = governance.meeting_plan(conn)
meeting_dates = meetings["date"].to_list()

with tab_item:
    with st.form("decisions_item_form", enter_to_submit=False):
        item_meeting = ui.choose(
            "Sammanträde för den nya punkten",
            meeting_dates,
            index=len(meeting_dates) - 1 if meeting_dates else None,
            key="decisions_item_meeting",
        )
        c1, c2 = st.columns(2)
        kind = c1.radio(
            "Numrering",
            ["paragraf", "punkt"],
            horizontal=True,
            key="decisions_item_kind",
            format_func=lambda k: "§ i protokoll" if k == "paragraf" else "punkt på dagordning",
        )
        number = c2.number_input("Nummer", min_value=1, value=None, step=1, key="decisions_item_number")
        case_code = st.text_input(
            "Ärendenummer",
            key="decisions_item_case",
            placeholder="GNS/8/2018",
            help="Diarienummer som GNS/8/2018; lämna tomt för punkter utan ärende.",
        )
        title = st.text_input("Rubrik", key="decisions_item_title")
        summary = st.text_area("Sammanfattning", key="decisions_item_summary")
        proposal = st.text_area("Förslag till beslut", key="decisions_item_proposal")
        decision = st.text_area("Beslut (tomt om det inte är fattat)", key="decisions_item_decision")
        documents = st.text_area("Beslutsunderlag (ett per rad)", key="decisions_item_documents")
        item_saved = st.form_submit_button("Spara punkten", type="primary", key="decisions_item_save")
    forms.confirmation("decisions_item_flash")
    if item_saved:
        new_item: int
        with forms.saving(
            "decisions_item_flash",
            f"Punkten {paragraph_label(kind, number) or ''} ”{ui.plain(title)}” är sparad "
            f"för {item_meeting}. "
            "Formuläret är tomt för nästa punkt; den sparade punkten är vald under "
            "”Beslut på befintlig punkt”.",
            then=lambda: {
                **EMPTY_ITEM,
                "decisions_edit_meeting": item_meeting,
                "decisions_edit_item": new_item,
            },
        ):
            data = parse(
                AgendaItemInput,
                {
                    "meeting_date": item_meeting,
                    "number_kind": kind,
                    "number": number,
                    "case": case_code.strip(),
                    "title": title,
                    "summary": summary,
                    "proposal": proposal,
                    "decision": decision,
                    "documents": [d.strip() for d in documents.splitlines() if d.strip()],
                },
            )
            new_item = governance.add_agenda_item(conn, user, data)

with tab_decision:
    chosen_date = ui.choose(
        "Sammanträde med punkten",
        meeting_dates,
        index=len(meeting_dates) - 1 if meeting_dates else None,
        key="decisions_edit_meeting",
    )
    items = governance.decisions(conn).filter(pl.col("date") == chosen_date)
    item_labels = {
        r["item_id"]: f"{paragraph_label(r['number_kind'], r['number']) or '–'} {r['title']}"
        for r in items.iter_rows(named=True)
    }
    item_id = ui.choose("Punkt", item_labels, key="decisions_edit_item", prompt="Välj punkt")
    if item_id is not None:
        current = governance.agenda_item(conn, item_id)
        if current["proposal"]:
            st.markdown(f"**Förslag till beslut:** {ui.plain(current['proposal'])}")
        with st.form(f"decisions_edit_form_{item_id}", enter_to_submit=False):
            new_decision = st.text_area(
                "Beslut",
                current["decision"] or current["proposal"] or "",
                key=f"decisions_edit_decision_{item_id}",
            )
            decision_saved = st.form_submit_button("Spara beslutet", key="decisions_edit_save")
        forms.confirmation("decisions_edit_flash")
        if decision_saved:
            with forms.saving("decisions_edit_flash", "Beslutet är sparat."):
                data = parse(
                    AgendaItemInput,
                    {
                        "meeting_date": current["meeting_date"],
                        "number_kind": current["number_kind"],
                        "number": current["number"],
                        "case": current["case_code"],
                        "title": current["title"],
                        "summary": current["summary"],
                        "proposal": current["proposal"],
                        "decision": new_decision,
                        "documents": current["documents"],
                    },
                )
                governance.update_agenda_item(conn, user, item_id, data, based_on=current)

with tab_meeting:
    with st.form("decisions_meeting_form", enter_to_submit=False):
        meeting_date = ui.date_input("Datum", value=None, key="decisions_meeting_date")
        meeting_kind = ui.choose(
            "Typ",
            ["sammanträde", "extra sammanträde"],
            format_func=str.capitalize,
            key="decisions_meeting_kind",
        )
        place = st.text_input("Plats", key="decisions_meeting_place")
        planned = st.checkbox("Planerat (ännu inte hållet)", value=True, key="decisions_meeting_planned")
        meeting_saved = st.form_submit_button("Lägg till sammanträdet", key="decisions_meeting_save")
    forms.confirmation("decisions_meeting_flash")
    if meeting_saved:
        meeting: MeetingInput
        with forms.saving(
            "decisions_meeting_flash",
            f"Sammanträdet {meeting_date} är inlagt i planen.",
            then=lambda: {
                "decisions_meeting_date": None,
                "decisions_meeting_place": "",
                "decisions_plan_year": meeting.date.year,
            },
        ):
            meeting = parse(
                MeetingInput,
                {
                    "date": meeting_date,
                    "kind": meeting_kind,
                    "place": place.strip() or None,
                    "planned": planned,
                },
            )
            governance.create_meeting(conn, user, meeting)

with tab_move:
    ids = dict(zip(meetings["date"].to_list(), meetings["id"].to_list(), strict=True))
    with st.form("decisions_move_form", enter_to_submit=False):
        move_from = ui.choose(
            "Sammanträde att flytta", list(ids), key="decisions_move_meeting", prompt="Välj"
        )
        move_to = ui.date_input("Nytt datum", value=None, key="decisions_move_date")
        reason = st.text_input("Skäl", key="decisions_move_reason", placeholder="t.ex. regionens budgetdag")
        move_saved = st.form_submit_button("Flytta", key="decisions_move_save")
    forms.confirmation("decisions_move_flash")
    if move_saved:
        if move_from is None or move_to is None:
            st.error("Inget sparades: välj sammanträdet och det nya datumet.")
        else:
            with forms.saving(
                "decisions_move_flash",
                f"Sammanträdet {move_from} är flyttat till {move_to}.",
                then={
                    "decisions_move_meeting": None,
                    "decisions_move_date": None,
                    "decisions_move_reason": "",
                    "decisions_plan_year": move_to.year,
                },
            ):
                governance.move_meeting(conn, user, ids[move_from], move_to, reason)

with tab_price:
    if not ui.can(Action.MANAGE_KEYS):
        st.markdown("Din roll får inte ändra prislistan.")
    else:
        with st.form("decisions_rate_form", enter_to_submit=False):
            rate_year = ui.year_input("Prisets år", date.today().year, key="decisions_rate_year")
            rate_resource = st.text_input("Resurs", key="decisions_rate_resource", placeholder="Jurist")
            rate_kr = st.text_input("Pris per timme (kr)", key="decisions_rate_kr", placeholder="645")
            rate_case = st.text_input("Beslut i ärende", key="decisions_rate_case", placeholder="GNS/7/2019")
            rate_saved = st.form_submit_button("Spara priset", key="decisions_rate_save")
        forms.confirmation("decisions_rate_flash")
        if rate_saved:
            with forms.saving(
                "decisions_rate_flash",
                f"Priset för {ui.plain(rate_resource)} {rate_year} är sparat.",
                then={"decisions_rate_resource": "", "decisions_rate_kr": "", "decisions_rate_case": ""},
            ):
                rate = parse(
                    PriceRateInput,
                    {
                        "year": rate_year,
                        "resource": rate_resource,
                        "kr_per_hour": rate_kr.strip() or None,
                        "case": rate_case.strip() or None,
                    },
                )
                governance.set_price_rate(conn, user, rate)
