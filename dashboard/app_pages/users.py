"""Användare: the secretariat creates, lists and disables accounts."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio import accounts, store
from portfolio.auth import Role

user = ui.require_user()
st.title("Användare")
conn = ui.db()
FLASH_KEY = "users_flash"
if message := st.session_state.pop(FLASH_KEY, None):
    st.success(message)

users = store.users_frame(conn)
st.dataframe(
    users.select(
        pl.col("name").alias("Namn"),
        pl.col("email").alias("E-post"),
        pl.col("role").alias("Roll"),
        pl.col("party").alias("Part"),
        pl.col("projects").alias("Projekt"),
        pl.col("active").replace_strict({True: "aktiv", False: "avstängd"}).alias("Läge"),
        pl.col("has_password").replace_strict({True: "ja", False: "nej (demo/SSO)"}).alias("Lösenord"),
    ),
    hide_index=True,
    key="users_table",
)

st.subheader("Nytt konto")
names = ui.party_names()
codes = ui.projects()["code"].to_list()
with st.form("users_new", clear_on_submit=False):
    name = st.text_input("Namn", key="users_name")
    email = st.text_input("E-postadress", key="users_email")
    role = st.selectbox(
        "Roll", [r.value for r in Role], format_func=lambda r: Role(r).label, key="users_role"
    )
    party = st.selectbox(
        "Part (kommunchef)",
        [None, *names],
        format_func=lambda c: "–" if c is None else names[c],
        key="users_party",
    )
    projects = st.multiselect("Projekt (projektledare)", codes, key="users_projects")
    password = st.text_input("Lösenord (minst 12 tecken)", type="password", key="users_password")
    created = st.form_submit_button("Skapa konto", type="primary")
if created:
    with forms.saving(FLASH_KEY, f"Kontot för {email} är skapat."):
        accounts.create_user(
            conn,
            user,
            email=email,
            name=name,
            role=role,
            party=party,
            project_codes=tuple(projects),
            password=password or None,
        )

st.subheader("Stäng av eller aktivera ett konto")
active = users.filter(pl.col("email") != user.email)
target = st.selectbox(
    "Konto", active["email"].to_list(), key="users_target", index=None, placeholder="Välj konto"
)
c1, c2 = st.columns(2)
for col, (label, flag) in zip((c1, c2), (("Stäng av", False), ("Aktivera", True)), strict=True):
    if col.button(label, key=f"users_set_{flag}", disabled=target is None):
        with forms.saving(FLASH_KEY, f"{target} är {'aktiverat' if flag else 'avstängt'}."):
            accounts.set_active(conn, user, target or "", flag)
