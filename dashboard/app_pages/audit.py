"""Ändringslogg: who changed what, when; admin sees everything, others what they may see."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import ui
from portfolio import audit_store, clock
from portfolio.audit_view import csv_export, readable_change, visible_to

SHOWN = 500

user = ui.require_user()
st.title("Ändringslogg")
st.caption("Varje ändring i portfolj sparas här med tid, användare och värden före och efter.")
conn = ui.db()
facets = audit_store.audit_facets(conn)

c1, c2, c3, c4 = st.columns(4)
users = ui.choose_many("Användare", facets["users"], placeholder="Alla", key="audit_users", where=c1)
entities = ui.choose_many(
    "Typ av post", facets["entities"], placeholder="Alla", key="audit_entities", where=c2
)
projects = ui.choose_many("Projekt", facets["projects"], placeholder="Alla", key="audit_projects", where=c3)
period = ui.date_input("Datum (från–till)", value=[], key="audit_dates", where=c4)
dates = [d.isoformat() for d in period] if isinstance(period, tuple) else []
if len(dates) == 1:
    dates.append(dates[0])
query = visible_to(
    audit_store.AuditQuery(
        users=tuple(users),
        entities=tuple(entities),
        projects=tuple(projects),
        date_from=dates[0] if dates else None,
        date_to=dates[1] if dates else None,
    ),
    user,
)
total = audit_store.audit_count(conn, query)
shown = audit_store.audit_frame(conn, audit_store.AuditQuery(**{**query.__dict__, "limit": SHOWN}))


def as_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The log under Swedish headings, times in Swedish local time; before/after as stored (JSON)."""
    return frame.select(
        clock.local_column("at").alias("Tid"),
        pl.col("user").alias("Användare"),
        pl.col("action").alias("Händelse"),
        pl.col("entity").alias("Typ"),
        pl.col("entity_id").alias("Id"),
        pl.col("project").alias("Projekt"),
        pl.col("before").alias("Före"),
        pl.col("after").alias("Efter"),
    )


def readable(table: pl.DataFrame) -> pl.DataFrame:
    """For the screen: before/after as `fält: värde` pairs and empty cells blank, never JSON or None.

    A table cell shows one line, so the pairs are separated by semicolons there."""
    lines = {
        column: pl.Series(
            column, [readable_change(v).replace("\n", "; ") for v in table[column].to_list()], dtype=pl.String
        )
        for column in ("Före", "Efter")
    }
    return table.with_columns(*lines.values()).with_columns(pl.col(pl.String).fill_null(""))


st.markdown(
    f"**{total}** händelser matchar filtret" + (f"; de {SHOWN} senaste visas." if total > SHOWN else ".")
)
st.caption("Tider i svensk tid. Exporten innehåller värdena före och efter som de lagrats (JSON).")
ui.dataframe(
    readable(as_table(shown)),
    key="audit_table",
    column_config={
        "Före": st.column_config.TextColumn(width="large"),
        "Efter": st.column_config.TextColumn(width="large"),
    },
)


def export() -> bytes:
    # Built when the button is clicked, on the whole filtered log, not just the rows shown.
    return csv_export(as_table(audit_store.audit_frame(ui.db(), query)))


st.download_button(
    "Exportera till CSV",
    data=export,
    file_name=f"andringslogg-{clock.today().isoformat()}.csv",
    mime="text/csv",
    key="audit_export",
    on_click="ignore",  # a download changes nothing: no rerun
)
