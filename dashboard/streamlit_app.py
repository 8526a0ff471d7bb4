"""The dashboard's router: page config, the shared sidebar and navigation; pages do the rest."""

from __future__ import annotations

import streamlit as st

from dashboard import config, ui

st.set_page_config(page_title="portfolj – GNS projektportfölj", page_icon="📁", layout="wide")

problems = ui.startup_problems(str(config.db_path()))
if problems:
    st.error(
        "Databasen är skadad och appen kan inte visa den: "
        + "; ".join(problems[:3])
        + ". Återställ en säkerhetskopia med `portfolj restore FIL`."
    )
    st.stop()

pages = {
    "Portföljen": [
        st.Page("app_pages/overview.py", title="Portföljöversikt", url_path="oversikt", default=True),
        st.Page("app_pages/project.py", title="Projekt", url_path="projekt"),
    ],
    "Nämnden": [
        st.Page("app_pages/meetings.py", title="Sammanträden", url_path="sammantraden"),
    ],
}

page = st.navigation(pages)
page.run()
