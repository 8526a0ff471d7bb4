"""The dashboard's router: page config, login gate, shared sidebar and navigation."""

from __future__ import annotations

import time

import streamlit as st

from dashboard import config, ui
from portfolio import accounts
from portfolio.auth import Role

st.set_page_config(page_title="portfolj – GNS projektportfölj", page_icon="📁", layout="wide")

problems = ui.startup_problems(str(config.db_path()))
if problems:
    st.error(
        "Databasen är skadad och appen kan inte visa den: "
        + "; ".join(problems[:3])
        + ". Återställ en säkerhetskopia med `portfolj restore FIL`."
    )
    st.stop()

if config.demo_mode():
    st.warning("**Demoläge** – inloggning med ett klick; visa inte riktiga uppgifter här.", icon="ℹ️")

# Idle timeout: a session untouched for too long is signed out before anything is shown.
idle_limit = config.idle_timeout_minutes() * 60
last = st.session_state.get("last_activity")
if st.session_state.get("user_id") is not None and last is not None and time.time() - last > idle_limit:
    ui.sign_out(f"Du har loggats ut efter {config.idle_timeout_minutes()} minuters inaktivitet.")
st.session_state["last_activity"] = time.time()

user = ui.current_user()

# Single sign-on: an identity from the OIDC provider is mapped to a local account and its role.
if user is None and ui.oidc_configured() and st.user.get("is_logged_in"):
    email = str(st.user.get("email") or "")
    mapped = accounts.user_by_email(ui.db(), email)
    if mapped is None:
        st.error(f"Kontot {email} finns inte i portfolj eller är avstängt. Kontakta e-strategen.")
        st.button("Logga ut", key="oidc_logout", on_click=st.logout)
        st.stop()
    ui.sign_in(mapped)
    user = mapped

accessibility = st.Page(
    "app_pages/accessibility.py", title="Tillgänglighetsredogörelse", url_path="tillganglighet"
)

if user is None:
    page = st.navigation(
        [st.Page("app_pages/login.py", title="Logga in", url_path="logga-in", default=True), accessibility]
    )
    page.run()
    st.stop()

pages = {
    "Portföljen": [
        st.Page("app_pages/overview.py", title="Portföljöversikt", url_path="oversikt", default=True),
        st.Page("app_pages/project.py", title="Projekt", url_path="projekt"),
        st.Page("app_pages/risks.py", title="Riskregister", url_path="riskregister"),
        st.Page("app_pages/portfolio_risks.py", title="Portföljens risker", url_path="portfoljens-risker"),
        st.Page("app_pages/benefits.py", title="Nyttoregister", url_path="nyttoregister"),
        st.Page("app_pages/surveys.py", title="Enkäter", url_path="enkater"),
    ],
    "Ekonomi": [
        st.Page("app_pages/tertial.py", title="Tertialrapport", url_path="tertialrapport"),
        st.Page("app_pages/allocation.py", title="Kostnadsfördelning", url_path="kostnadsfordelning"),
    ],
    "Nämnden": [
        st.Page("app_pages/meetings.py", title="Sammanträden", url_path="sammantraden"),
        st.Page("app_pages/decisions.py", title="Beslut", url_path="beslut"),
        st.Page("app_pages/bruttolista.py", title="Bruttolista", url_path="bruttolista"),
    ],
    "Uppföljning": [
        st.Page("app_pages/audit.py", title="Ändringslogg", url_path="andringslogg"),
    ],
}
if user.role is Role.ADMIN:
    pages["Ekonomi"].append(
        st.Page("app_pages/ledger_import.py", title="Import av redovisning", url_path="import")
    )
    pages["Administration"] = [st.Page("app_pages/users.py", title="Användare", url_path="anvandare")]
pages["Om tjänsten"] = [accessibility]

with st.sidebar:
    st.markdown(f"**{user.name}**  \n{user.role.label}")
    if st.button("Logga ut", key="sidebar_logout"):
        ui.sign_out("Du är utloggad.")
        if ui.oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        st.rerun()

# Top navigation: Streamlit's sidebar navigation with sections nests <li> outside <ul>
# (axe: list/listitem), the top bar does not.
page = st.navigation(pages, position="top")
page.run()
