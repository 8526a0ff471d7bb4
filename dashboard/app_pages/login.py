"""Logga in: the way to the login page for a run without a session, and the forced new password."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import streamlit as st

from dashboard import forms, ui
from dashboard.web import LOGIN_PATH
from portfolio import accounts
from portfolio.auth import User


def choose_new_password(user: User) -> None:
    """The only thing a user whose password an admin reset may do: choose a new one."""
    st.title("Välj ett nytt lösenord")
    st.markdown(
        "E-strategen har återställt ditt lösenord. Välj ett eget lösenord (minst 12 tecken) "
        "innan du fortsätter till portfolj."
    )
    with st.form("login_choose", enter_to_submit=False):
        st.text_input("Nytt lösenord", type="password", key="login_choose_new", autocomplete="new-password")
        st.text_input(
            "Upprepa det nya lösenordet",
            type="password",
            key="login_choose_again",
            autocomplete="new-password",
        )
        chosen = st.form_submit_button("Spara det nya lösenordet", type="primary", key="login_choose_submit")
    if chosen:
        if st.session_state["login_choose_new"] != st.session_state["login_choose_again"]:
            st.error("Inget sparades: det nya lösenordet och upprepningen är inte lika.")
        else:
            saved = False
            with forms.saving_here("Ditt nya lösenord är sparat."):
                accounts.choose_new_password(
                    ui.db(), user, st.session_state["login_choose_new"], keep_token=ui.session_token()
                )
                saved = True
            if saved:  # any button press reruns the app, which now opens as usual
                st.button("Fortsätt till portfolj", key="login_choose_continue", type="primary")
                st.stop()
    if st.button("Logga ut", key="login_choose_logout"):
        ui.sign_out()
        st.session_state["login_message"] = "Du är utloggad."
        st.rerun()
    st.stop()


signed_in = ui.current_user()
if signed_in is not None:  # the router sends a signed-in user here only to choose a new password
    choose_new_password(signed_in)

# Logging in happens on the server's own page (/logga-in), which sets the session cookie that
# keeps a reload or a new tab signed in; this page is what a run without a session shows.
st.title("Logga in till portfolj")
st.markdown("Projektportfölj för Gemensam nämnd för samverkan (GNS).")
message = st.session_state.pop("login_message", None)
if message:
    st.info(message)
here = urlsplit(st.context.url or "/")
target = (here.path or "/") + (f"?{here.query}" if here.query else "")
st.link_button("Logga in", f"{LOGIN_PATH}?next={quote(target, safe='')}", type="primary")
