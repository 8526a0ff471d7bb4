"""Ändringslogg: who changed what, when; admin sees everything, others what they may see."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import ui
from portfolio import store
from portfolio.audit_view import visible_to

user = ui.require_user()
st.title("Ändringslogg")
st.caption("Varje ändring i portfolj sparas här med tid, användare och värden före och efter.")

log = visible_to(store.audit_frame(ui.db()), user)

c1, c2, c3, c4 = st.columns(4)
users = c1.multiselect("Användare", sorted(log["user"].unique().to_list()), key="audit_users")
entities = c2.multiselect("Typ av post", sorted(log["entity"].unique().to_list()), key="audit_entities")
projects = c3.multiselect(
    "Projekt", sorted(log["project"].drop_nulls().unique().to_list()), key="audit_projects"
)
period = c4.date_input("Datum (från–till)", value=(), key="audit_dates", format="YYYY-MM-DD")

expr = pl.lit(True)
if users:
    expr &= pl.col("user").is_in(users)
if entities:
    expr &= pl.col("entity").is_in(entities)
if projects:
    expr &= pl.col("project").is_in(projects)
if isinstance(period, tuple) and len(period) == 2 and all(isinstance(d, date) for d in period):
    expr &= pl.col("at").str.slice(0, 10).is_between(period[0].isoformat(), period[1].isoformat())
shown = log.filter(expr)

st.markdown(f"**{shown.height}** av {log.height} händelser visas.")
table = shown.select(
    pl.col("at").alias("Tid (UTC)"),
    pl.col("user").alias("Användare"),
    pl.col("action").alias("Händelse"),
    pl.col("entity").alias("Typ"),
    pl.col("entity_id").alias("Id"),
    pl.col("project").alias("Projekt"),
    pl.col("before").alias("Före"),
    pl.col("after").alias("Efter"),
)
st.dataframe(table.head(500), hide_index=True, key="audit_table")
if shown.height > 500:
    st.caption("De 500 senaste visas; exportera till CSV för alla.")
st.download_button(
    "Exportera till CSV",
    data=table.write_csv().encode("utf-8-sig"),
    file_name="andringslogg.csv",
    mime="text/csv",
    key="audit_export",
)
