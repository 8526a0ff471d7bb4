"""Mitt konto: who is signed in, and changing one's own password."""

from __future__ import annotations

import streamlit as st

from dashboard import forms, ui
from portfolio import accounts, clock, users_store
from portfolio.sessions import service as sessions

user = ui.require_user()
forms.prepare()
st.title("Mitt konto")
conn = ui.db()
account = users_store.user_account(conn, user.email)

st.text(f"Namn: {user.name}\nE-postadress: {user.email}\nRoll: {user.role.label}")

st.subheader("Byt lösenord")
if account is None or not account["has_password"]:
    st.info(accounts.NO_PASSWORD_PERSONA if account and account["demo_persona"] else accounts.NO_PASSWORD)
else:
    with st.form("my_account_password", enter_to_submit=False):
        st.text_input(
            "Nuvarande lösenord", type="password", key="my_account_old", autocomplete="current-password"
        )
        st.text_input(
            "Nytt lösenord (minst 12 tecken)",
            type="password",
            key="my_account_new",
            autocomplete="new-password",
        )
        st.text_input(
            "Upprepa det nya lösenordet", type="password", key="my_account_again", autocomplete="new-password"
        )
        changed = st.form_submit_button("Byt lösenord", type="primary", key="my_account_submit")
    forms.confirmation("my_account_flash")
    if changed:
        if st.session_state["my_account_new"] != st.session_state["my_account_again"]:
            st.error("Inget sparades: det nya lösenordet och upprepningen är inte lika.")
        else:
            with forms.saving(
                "my_account_flash",
                "Ditt lösenord är bytt. Dina andra inloggningar är avslutade;"
                " använd det nya lösenordet nästa gång.",
                then={"my_account_old": "", "my_account_new": "", "my_account_again": ""},
            ):
                accounts.change_own_password(
                    conn,
                    user,
                    st.session_state["my_account_old"],
                    st.session_state["my_account_new"],
                    keep_token=ui.session_token(),
                )


st.subheader("Mina inloggningar")
st.markdown(
    "Varje webbläsare där du är inloggad. Avsluta en inloggning du inte känner igen, eller en på en"
    " dator du inte längre använder."
)
open_sessions = sessions.open_sessions(conn, user, current_token=ui.session_token())
if not open_sessions:
    st.markdown("Inga andra inloggningar är öppna.")
for row in open_sessions:
    left, right = st.columns([4, 1])
    left.text(
        ("Den här webbläsaren – " if row["current"] else "")
        + f"inloggad {clock.local_text(row['created_at'])}"
        + (" med organisationens konto," if row["sso"] else ",")
        + f" senast använd {clock.local_text(row['last_used_at'])}"
        + (f"\n{row['user_agent']}" if row["user_agent"] else "")
    )
    if right.button("Avsluta", key=f"my_account_end_{row['id']}", disabled=bool(row["current"])):
        with forms.saving("my_account_sessions_flash", "Inloggningen är avslutad."):
            sessions.end_session(conn, user, int(row["id"]))
forms.confirmation("my_account_sessions_flash")
