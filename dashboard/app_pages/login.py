"""Logga in: local accounts, single sign-on when configured, one-click personas in demo mode."""

from __future__ import annotations

import streamlit as st

from dashboard import config, forms, ui
from portfolio import accounts
from portfolio.auth import User
from portfolio.errors import NotFoundError


def choose_new_password(user: User) -> None:
    """The only thing a user whose password an admin reset may do: choose a new one."""
    st.title("Välj ett nytt lösenord")
    st.markdown(
        "E-strategen har återställt ditt lösenord. Välj ett eget lösenord (minst 12 tecken) "
        "innan du fortsätter till portfolj."
    )
    with st.form("login_choose"):
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
                accounts.choose_new_password(ui.db(), user, st.session_state["login_choose_new"])
                saved = True
            if saved:  # any button press reruns the app, which now opens as usual
                st.button("Fortsätt till portfolj", key="login_choose_continue", type="primary")
                st.stop()
    if st.button("Logga ut", key="login_choose_logout"):
        ui.sign_out("Du är utloggad.")
        st.rerun()
    st.stop()


signed_in = ui.current_user()
if signed_in is not None:  # the router sends a signed-in user here only to choose a new password
    choose_new_password(signed_in)

st.title("Logga in till portfolj")
st.markdown("Projektportfölj för Gemensam nämnd för samverkan (GNS).")

message = st.session_state.pop("login_message", None)
if message:
    st.info(message)

if config.demo_mode():
    st.subheader("Demoläge: välj en roll")
    st.markdown(
        "I demoläget loggar du in med ett klick som en av fyra påhittade användare. "
        "Uppgifterna kommer från nämndens egna dokument."
    )
    cols = st.columns(len(accounts.PERSONAS))
    for col, persona in zip(cols, accounts.PERSONAS, strict=True):
        if col.button(persona.label, key=f"login_persona_{persona.key}", width="stretch"):
            try:
                ui.sign_in(accounts.persona_login(ui.db(), persona.key))
            except NotFoundError as exc:
                st.error(str(exc))
            else:
                st.rerun()

if ui.oidc_configured():
    st.subheader("Organisationens inloggning")
    if st.button("Logga in med organisationens konto", key="login_oidc"):
        st.login()

st.subheader("Logga in med e-post och lösenord")
with st.form("login_form"):
    email = st.text_input("E-postadress", key="login_email", autocomplete="username")
    password = st.text_input(
        "Lösenord", type="password", key="login_password", autocomplete="current-password"
    )
    submitted = st.form_submit_button("Logga in", type="primary")
if submitted:
    try:
        user = accounts.authenticate(ui.db(), email, password)
    except accounts.AuthenticationError as exc:
        st.error(str(exc))
    else:
        ui.sign_in(user)
        st.rerun()
