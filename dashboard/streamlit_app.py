"""The dashboard's router: page config, login gate, shared sidebar and navigation."""

from __future__ import annotations

import time

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard import config, ui
from dashboard.navigation import ACCESSIBILITY, LOGIN, PageSpec, pages_for
from portfolio import accounts

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


def as_page(spec: PageSpec) -> StreamlitPage:
    return st.Page(spec.path, title=spec.title, url_path=spec.url_path, default=spec.default)


# A password an admin reset must be replaced first: the login page then shows only that form.
if user is None or accounts.must_choose_password(ui.db(), user):
    page = st.navigation([as_page(LOGIN), as_page(ACCESSIBILITY)])
    page.run()
    st.stop()

pages: dict[str, list[StreamlitPage]] = {}
for spec in pages_for(user.role):
    pages.setdefault(spec.section, []).append(as_page(spec))

with st.sidebar:
    st.markdown(f"**{user.name}**  \n{user.role.label}")
    if st.button("Logga ut", key="sidebar_logout"):
        ui.sign_out("Du är utloggad.")
        if ui.oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        st.rerun()

# Top navigation: Streamlit's sidebar navigation with sections nests <li> outside <ul>
# (axe: list/listitem), the top bar does not.
# expanded: on a phone the menu moves into the sidebar; there every page is listed, without
# Streamlit's English "View n more" link.
page = st.navigation(pages, position="top", expanded=True)
page.run()
