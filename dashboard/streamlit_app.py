"""The dashboard's router: page config, login gate, shared sidebar and navigation."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard import config, ui
from dashboard.navigation import ACCESSIBILITY, LOGIN, PAGES, PageSpec, pages_for
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

user = ui.current_user()

# Single sign-on: the session gate (dashboard/web.py) turns the organisation's sign-in into a
# portfolj session before the page loads. Here, without one, ?sso=1 starts a fresh sign-in, and a
# sign-in that opens no session (no such account, or its session has ended) says why.
if user is None and ui.oidc_configured():
    if st.query_params.get("sso") == "1":
        st.login()
    elif st.user.get("is_logged_in"):
        email = str(st.user.get("email") or "")
        known = accounts.user_by_email(ui.db(), email)
        if known is not None and not st.context.headers:
            user = known  # AppTest: no HTTP request, so no cookie for the gate to read
            st.session_state["user_id"] = known.id  # what the pages' require_user reads in AppTest
        elif known is None:
            st.error(
                f"Kontot {ui.plain(email)} finns inte i portfolj eller är avstängt. Kontakta e-strategen."
            )
            st.button("Logga ut", key="oidc_logout", on_click=st.logout)
            st.stop()
        else:
            st.info(
                "Din inloggning har avslutats (utloggad, inaktiv för länge eller avslutad från en"
                " annan enhet)."
            )
            st.button("Logga in igen med organisationens konto", key="oidc_again", on_click=st.login)
            st.stop()


def as_page(spec: PageSpec) -> StreamlitPage:
    return st.Page(spec.path, title=spec.title, url_path=spec.url_path, default=spec.default)


# A password an admin reset must be replaced first: the login page then shows only that form.
if user is None or accounts.must_choose_password(ui.db(), user):
    page = st.navigation([as_page(LOGIN), as_page(ACCESSIBILITY)])
    page.run()
    st.stop()


allowed = pages_for(user.role)
# Every page keeps its address for every role; one the role may not see is hidden from the menu
# and, opened by a link, says so in Swedish instead of Streamlit's English "Page not found".
pages: dict[str, list[StreamlitPage]] = {}
for spec in PAGES:
    page = st.Page(
        spec.path,
        title=spec.title,
        url_path=spec.url_path,
        default=spec.default,
        visibility="visible" if spec in allowed else "hidden",
    )
    pages.setdefault(spec.section, []).append(page)
refused = {spec.url_path: spec for spec in PAGES if spec not in allowed}

with st.sidebar:
    st.markdown(f"**{ui.plain(user.name)}**  \n{user.role.label}")
    if st.button("Logga ut", key="sidebar_logout"):
        ui.sign_out()
        st.session_state["login_message"] = "Du är utloggad."
        if ui.oidc_configured() and st.user.get("is_logged_in"):
            st.logout()
        st.rerun()

# Top navigation: Streamlit's sidebar navigation with sections nests <li> outside <ul>
# (axe: list/listitem), the top bar does not.
# expanded: on a phone the menu moves into the sidebar; there every page is listed, without
# Streamlit's English "View n more" link.
page = st.navigation(pages, position="top", expanded=True)
if page.url_path in refused:
    spec = refused[page.url_path]
    st.title(spec.title)
    st.error(f"Sidan {spec.title} är inte tillgänglig för rollen {user.role.label.lower()}.")
    st.page_link("app_pages/overview.py", label="Till Portföljöversikten")
    st.stop()
page.run()
