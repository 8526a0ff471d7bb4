"""Att göra: what is the signed-in user's to do, each item a link to the page where it is done."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import todo_data, ui
from portfolio import clock
from portfolio.auth import Role
from portfolio.errors import InvalidInputError
from portfolio.reminders import settings
from portfolio.todo import logic
from portfolio.todo import service as todo
from portfolio.todo.model import Kind, TodoInputs, TodoItem

INTRO = {
    Role.PROJEKTLEDARE: "Statusrapporter, försenade åtgärder, risker att följa upp och nyttor att mäta"
    " i dina projekt.",
    Role.KOMMUNCHEF: "Tertialrapporter som din part ännu inte har granskat, och nyttor du är ägare till.",
    Role.ADMIN: "Projekt som inte har rapporterat före nästa sammanträde och granskningar som saknas.",
    Role.NAMND: "Det som har hänt i portföljen sedan nämndens förra sammanträde.",
}


@st.cache_data(max_entries=8, show_spinner=False)
def _inputs(path: str, revision: int, today: str) -> TodoInputs:
    return todo_data.inputs(ui.db(), clock.parse(f"{today}T12:00:00").date())


def item_link(item: TodoItem, today: date) -> None:
    """One item as a link to where it is done, its deadline after it (user text shown as written)."""
    when = item.when_text(today)
    label = ui.plain(item.text) + (f" – {when}" if when else "")
    st.page_link(item.page, label=label, query_params=dict(item.params) or None)


user = ui.require_user()
st.title("Att göra")
today = clock.today()
inputs = _inputs(*ui.db_key(), today.isoformat())
st.caption(f"{INTRO[user.role]} Läget {today.isoformat()}.")

items = logic.items_for(user, inputs)

if user.role is Role.NAMND:
    since = inputs.since.isoformat() if inputs.since else None
    st.subheader(f"Ändrat sedan sammanträdet {since}" if since else "Ändrat i portföljen")
    if since:
        st.page_link("app_pages/meetings.py", label=f"Sammanträdet {since}", query_params={"datum": since})
    changes = [i for i in items if i.kind is Kind.CHANGE]
    if not changes:
        st.info("Inget har ändrats sedan dess.")
    for item in changes:
        item_link(item, today)
    items = [i for i in items if i.kind is not Kind.CHANGE]

if not items and user.role is not Role.NAMND:
    st.success("Du har inget att göra just nu.")

for kind in Kind:
    mine = [i for i in items if i.kind is kind]
    if not mine:
        continue
    st.subheader(f"{kind.value} ({len(mine)})")
    for item in mine[: ui.PICKER_ROWS]:
        item_link(item, today)
    if len(mine) > ui.PICKER_ROWS:
        # One screenful of links; the rest are one command away (and in the e-mail reminders).
        st.caption(
            f"Visar {ui.PICKER_ROWS} av {len(mine)}; hela listan: `portfolj todo --user {user.email}`."
        )

if user.role is not Role.NAMND:
    st.subheader("Påminnelser med e-post")
    try:
        configured = settings.load() is not None
    except InvalidInputError as exc:
        configured = False
        st.warning("E-postinställningarna är felaktiga: " + "; ".join(exc.messages))
    if configured:
        st.caption(
            "Du får en påminnelse med e-post en vecka före en tidsgräns och när den har passerats,"
            " en gång för varje sak."
        )
    else:
        st.caption(
            "E-postpåminnelser är inte inställda på den här servern: det som väntar på dig syns bara här."
        )
    # The admin sees every reminder sent; the others their own.
    everyone = user.role is Role.ADMIN
    sent = todo.sent_log(ui.db(), None if everyone else user.id)
    if sent.height:
        st.markdown("**Senast skickade påminnelser**" + (" (alla användare)" if everyone else ""))
        columns = [clock.local_column("sent_at").alias("Skickad")]
        if everyone:
            columns.append(pl.col("email").alias("Till"))
        ui.table(sent.head(20).select(*columns, pl.col("subject").alias("Ämne")))
