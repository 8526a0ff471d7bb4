"""Användare: the secretariat creates, edits, disables and unlocks accounts and resets passwords."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio import accounts, clock, users_store
from portfolio.auth import Role
from portfolio.errors import StaleEditError

user = ui.require_user()
forms.prepare()
st.title("Användare")
conn = ui.db()
names = ui.party_names()
codes = ui.projects()["code"].to_list()
ROLES = [r.value for r in Role]
FIELD_LABELS = {"name": "Namn", "role": "Roll", "party": "Part", "projects": "Projekt", "version": "Version"}


def party_label(code: str | None) -> str:
    return "–" if code is None else names.get(code, code)


def accounts_table(users: pl.DataFrame) -> None:
    """Every account; st.dataframe shows names and addresses as written."""
    ui.dataframe(
        users.select(
            pl.col("name").alias("Namn"),
            pl.col("email").alias("E-post"),
            pl.col("role").alias("Roll"),
            pl.col("party").alias("Part"),
            pl.col("projects").alias("Projekt"),
            pl.col("active").replace_strict({True: "aktiv", False: "avstängd"}).alias("Läge"),
            pl.col("has_password").replace_strict({True: "ja", False: "nej (demo/SSO)"}).alias("Lösenord"),
            pl.col("must_change_password")
            .replace_strict({True: "ja", False: "nej"})
            .alias("Måste välja nytt lösenord"),
            pl.Series([clock.local_text(t, empty="") for t in users["locked_until"]], dtype=pl.String).alias(
                "Spärrat till"
            ),
        ),
        key="users_table",
    )


def new_account_form() -> None:
    st.subheader("Nytt konto")
    with st.form("users_new", enter_to_submit=False):
        st.text_input("Namn", key="users_name")
        st.text_input("E-postadress", key="users_email")
        ui.choose("Roll", ROLES, format_func=lambda r: Role(r).label, key="users_role")
        ui.choose("Part (kommunchef)", [None, *names], format_func=party_label, key="users_party")
        ui.choose_many("Projekt (projektledare)", codes, key="users_projects")
        st.text_input("Lösenord (minst 12 tecken)", type="password", key="users_password")
        created = st.form_submit_button("Skapa konto", type="primary", key="users_new_submit")
    forms.confirmation("users_new_flash")
    if created:
        email = st.session_state["users_email"].strip()
        with forms.saving(
            "users_new_flash",
            f"Kontot för {ui.plain(email)} är skapat och valt under Ändra ett konto.",
            then={
                "users_name": "",
                "users_email": "",
                "users_party": None,
                "users_projects": [],
                "users_password": "",
                "users_target": email,
            },
        ):
            accounts.create_user(
                conn,
                user,
                email=email,
                name=st.session_state["users_name"],
                role=st.session_state["users_role"],
                party=st.session_state["users_party"],
                project_codes=tuple(st.session_state["users_projects"]),
                password=st.session_state["users_password"] or None,
            )


def edit_base(account: dict[str, Any]) -> int:
    """The version the edit form was opened at; the fields are filled when another account is chosen."""
    base = st.session_state.get("users_edit_base")
    fields = ("users_edit_name", "users_edit_role", "users_edit_party", "users_edit_projects")
    if base is None or base[0] != account["email"] or any(f not in st.session_state for f in fields):
        st.session_state["users_edit_name"] = account["name"]
        st.session_state["users_edit_role"] = account["role"]
        st.session_state["users_edit_party"] = account["party"]
        st.session_state["users_edit_projects"] = account["projects"]
        base = (account["email"], account["version"])
        st.session_state["users_edit_base"] = base
    return int(base[1])


def reload_edit() -> None:
    st.session_state.pop("users_edit_base", None)


def show_stale(exc: StaleEditError) -> None:
    st.error(ui.plain(str(exc)))
    current = exc.current
    rows = [
        (FIELD_LABELS.get(k, k), ", ".join(v) if isinstance(v, list) else ("–" if v is None else str(v)))
        for k, v in current.items()
    ]
    ui.dataframe(pl.DataFrame(rows, schema=["Fält", "Nu sparat"], orient="row"), key="users_stale")
    st.button("Läs in den nya versionen", key="users_edit_reload", on_click=reload_edit)


def edit_form(account: dict[str, Any]) -> None:
    email = account["email"]
    version = edit_base(account)
    with st.form("users_edit", enter_to_submit=False):
        st.markdown(f"**Namn, roll, part och projekt** (du utgår från version {version})")
        st.text_input("Kontots namn", key="users_edit_name")
        ui.choose("Kontots roll", ROLES, format_func=lambda r: Role(r).label, key="users_edit_role")
        ui.choose(
            "Kontots part (kommunchef, nämnd)",
            [None, *names],
            format_func=party_label,
            key="users_edit_party",
        )
        ui.choose_many("Kontots projekt (projektledare)", codes, key="users_edit_projects")
        saved = st.form_submit_button("Spara ändringarna", type="primary", key="users_edit_submit")
    forms.confirmation("users_edit_flash")
    if saved:
        changed = False
        with forms.saving(
            "users_edit_flash",
            lambda: forms.saved_or_unchanged(f"Kontot {ui.plain(email)} är sparat.", changed),
            refused={StaleEditError: show_stale},
            then={"users_edit_base": None},
        ):
            changed = accounts.edit_user(
                conn,
                user,
                email,
                name=st.session_state["users_edit_name"],
                role=st.session_state["users_edit_role"],
                party=st.session_state["users_edit_party"],
                project_codes=tuple(st.session_state["users_edit_projects"]),
                version=version,
            )


def active_form(account: dict[str, Any]) -> None:
    email = account["email"]
    active = account["active"]
    with st.form("users_active", enter_to_submit=False):
        st.markdown("**Läge:** " + ("aktivt, kan logga in" if active else "avstängt, kan inte logga in"))
        toggled = st.form_submit_button(
            "Stäng av kontot" if active else "Aktivera kontot", key="users_active_submit"
        )
    forms.confirmation("users_active_flash")
    if toggled:
        with forms.saving(
            "users_active_flash", f"Kontot {ui.plain(email)} är {'avstängt' if active else 'aktiverat'}."
        ):
            accounts.set_active(conn, user, email, not active)


def reset_form(account: dict[str, Any]) -> None:
    email = account["email"]
    with st.form("users_reset", enter_to_submit=False):
        st.markdown(
            "**Återställ lösenordet.** Användaren måste välja ett nytt vid nästa inloggning. "
            "Utan tillfälligt lösenord kan kontot inte logga in med lösenord förrän du sätter ett."
        )
        st.text_input(
            "Tillfälligt lösenord (minst 12 tecken, eller tomt)", type="password", key="users_reset_password"
        )
        reset = st.form_submit_button("Återställ lösenordet", key="users_reset_submit")
    forms.confirmation("users_reset_flash")
    if reset:
        password = st.session_state["users_reset_password"] or None
        done = (
            "har fått ett tillfälligt lösenord; användaren väljer ett nytt vid nästa inloggning."
            if password
            else "har nu inget lösenord och kan inte logga in med lösenord förrän du sätter ett."
        )
        with forms.saving(
            "users_reset_flash",
            f"Kontot {ui.plain(email)} {done}",
            then={"users_reset_password": ""},
        ):
            accounts.reset_password(conn, user, email, password)


def unlock_form(account: dict[str, Any]) -> None:
    email = account["email"]
    with st.form("users_unlock", enter_to_submit=False):
        locked = account["locked_until"]
        st.markdown(
            f"**Misslyckade inloggningar:** {account['failed_logins']}. "
            + (f"Spärrat till {clock.local_text(locked)}." if locked else "Kontot är inte spärrat.")
        )
        unlocked = st.form_submit_button("Lås upp kontot", key="users_unlock_submit")
    forms.confirmation("users_unlock_flash")
    if unlocked:
        with forms.saving("users_unlock_flash", f"Kontot {ui.plain(email)} är upplåst."):
            accounts.unlock(conn, user, email)


users = users_store.users_frame(conn)
people = dict(users.select("email", "name").iter_rows())
accounts_table(users)
new_account_form()

st.subheader("Ändra ett konto")
account_labels = {e: f"{people[e]} ({e})" for e in users["email"].to_list()}
target = ui.choose("Konto att ändra", account_labels, key="users_target", prompt="Välj konto")
chosen = users_store.user_account(conn, target) if target else None
if chosen is not None:
    edit_form(chosen)
    if chosen["id"] == user.id:
        st.caption("Ditt eget konto kan du inte stänga av; det gör en annan administratör.")
    else:
        active_form(chosen)
    reset_form(chosen)
    unlock_form(chosen)
