"""Nytt projekt: the e-strateg registers a project or case with its facts, parties and people.

Money and milestones are added on the project's own page, where the confirmation links to.
"""

from __future__ import annotations

import streamlit as st

from dashboard import forms, project_facts, ui
from portfolio.auth import Action
from portfolio.projects import service as projects
from portfolio.projects.model import ProjectInput

FLASH = "project_new_flash"
COUNTER = "project_new_form"  # a new number gives the form new, empty widgets after a save

user = ui.require_user()
st.title("Nytt projekt")
if not ui.can(Action.MANAGE_PROJECTS):
    st.info("Bara e-strategen och sekretariatet registrerar nya projekt och ärenden.")
    st.stop()

st.markdown(
    "Registrera ett projekt eller ärende. Fyll i det som är känt nu; allt kan ändras senare på"
    " projektets sida, där du också lägger in budget, finansiärer per rad och milstolpar."
)
conn = ui.db()
leader_emails = projects.leader_candidates(conn)
number = st.session_state.setdefault(COUNTER, 0)
with st.form(f"project_new_{number}", enter_to_submit=False):
    values = project_facts.project_fields(
        f"project_new_{number}", None, admin=True, leader_emails=leader_emails
    )
    submitted = st.form_submit_button("Registrera projektet", type="primary")
if submitted:
    with forms.saving(FLASH, lambda: st.session_state.pop("project_new_saved")):
        data = projects.parse(ProjectInput, project_facts.as_input(values))
        projects.create_project(conn, user, data)
        st.session_state["project_new_saved"] = f"{data.code} {data.name} är registrerat."
        st.session_state["project_new_code"] = data.code
        st.session_state[COUNTER] = number + 1
forms.confirmation(FLASH)
if code := st.session_state.get("project_new_code"):
    st.page_link(
        "app_pages/project.py",
        label=f"Öppna {code} för att lägga in budget och milstolpar",
        query_params={"projekt": code},
    )
