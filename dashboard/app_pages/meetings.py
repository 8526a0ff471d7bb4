"""Sammanträden: each meeting with its agenda, proposals and decisions."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import meeting_pack, ui
from portfolio import store
from portfolio.governance import service as governance
from portfolio.governance.model import paragraph_label

st.title("Sammanträden")
conn = ui.db()
meetings = store.meetings_frame(conn)
if meetings.height == 0:
    st.info("Inga sammanträden är registrerade.")
    st.stop()

labels = {
    row["id"]: f"{row['date']}"
    + (" (planerat)" if row["planned"] else "")
    + (f" – {row['paragraphs']}" if row["paragraphs"] else "")
    for row in meetings.iter_rows(named=True)
}
held = meetings.filter(~meetings["planned"])
default = held["id"][-1] if held.height else meetings["id"][0]
by_date = dict(meetings.select("date", "id").iter_rows())
ui.from_link("meetings_choice", "datum", list(labels), parse=lambda d: by_date[d])
if st.session_state.get("meetings_choice") not in labels:
    st.session_state["meetings_choice"] = default
meeting_id = ui.choose(
    "Sammanträde",
    list(labels),
    format_func=lambda meeting: labels.get(meeting, str(meeting)),
    key="meetings_choice",
)
meeting = meetings.filter(meetings["id"] == meeting_id).row(0, named=True)
ui.to_link(datum=meeting["date"])
ui.copy_link("/sammantraden", datum=meeting["date"])
st.header(f"Sammanträde {meeting['date']}")
facts = [f"Plats: {ui.plain(meeting['place'])}" if meeting["place"] else None]
if meeting["moved_from"]:
    reason = ui.plain(meeting["moved_reason"]) if meeting["moved_reason"] else "skäl ej angivet"
    facts.append(f"Flyttat från {meeting['moved_from']}: {reason}")
st.markdown("  \n".join(f for f in facts if f) or " ")
ui.source_caption(meeting["source"])

items = governance.decisions(conn).filter(pl.col("meeting_id") == meeting_id)
if items.height == 0:
    st.markdown("Ingen dagordning är registrerad för sammanträdet.")
for row in items.iter_rows(named=True):
    label = paragraph_label(row["number_kind"], row["number"])  # None: the document gives no number
    case = f" ({row['case_code']})" if row["case_code"] else ""
    st.subheader(f"{label + ' ' if label else ''}{ui.plain(row['title'])}{case}")
    if row["summary"]:
        st.markdown(ui.plain(row["summary"]))
    if row["proposal"]:
        st.markdown(f"**Förslag till beslut:** {ui.plain(row['proposal'])}")
    if row["decision"]:
        st.markdown(f"**Beslut:** {ui.plain(row['decision'])}")
        if row["proposal"] and row["proposal"].strip() != row["decision"].strip():
            st.caption("Beslutet skiljer sig från förslaget.")
    docs = store.json_list(row["documents"])
    if docs:
        st.markdown("**Beslutsunderlag:** " + "; ".join(ui.plain(d) for d in docs))
    ui.source_caption(row["source"])

meeting_pack.show(meeting_id)  # kallelse, protokoll, bilagor; the admin's tools

st.header("Sammanträdesplan")
ui.table(
    meetings.select(
        meetings["date"].alias("Datum"),
        meetings["planned"].replace_strict({True: "planerat", False: "genomfört"}).alias("Läge"),
        meetings["moved_from"].alias("Flyttat från"),
        meetings["moved_reason"].alias("Skäl"),
        meetings["items"].alias("Ärenden"),
    ),
    hide_index=True,
)
