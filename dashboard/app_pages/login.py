"""Logga in: local accounts, single sign-on when configured, one-click personas in demo mode."""

from __future__ import annotations

import streamlit as st

from dashboard import config, ui
from portfolio import accounts
from portfolio.errors import NotFoundError

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
