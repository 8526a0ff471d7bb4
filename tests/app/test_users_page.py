"""Användare: the e-strateg creates and disables accounts and sees that it happened."""

from __future__ import annotations

from portfolio import store
from registers.schema import open_database
from tests.app.conftest import texts

PAGE = "app_pages/users.py"


def create(at, email: str, password: str) -> None:
    at.text_input(key="users_name").input("Ny Handläggare")
    at.text_input(key="users_email").input(email)
    at.selectbox(key="users_role").set_value("nämnd")
    at.text_input(key="users_password").input(password)
    at.button(key="FormSubmitter:users_new-Skapa konto").click().run()


def test_the_e_strateg_creates_an_account_and_is_told_so_after_the_page_reloads(app_as, app_env):
    at = app_as("admin", PAGE)
    create(at, "ny@gns.example", "ett-langt-losenord")
    assert "Kontot för ny@gns.example är skapat." in [s.value for s in at.success]
    assert "ny@gns.example" in at.dataframe[0].value["E-post"].to_list()
    assert store.find_user(open_database(app_env), "ny@gns.example") is not None


def test_a_short_password_is_refused_and_no_account_made(app_as, app_env):
    at = app_as("admin", PAGE)
    create(at, "kort@gns.example", "kort")
    assert not at.success
    assert "12" in texts(at)  # the message names the shortest length allowed
    assert store.find_user(open_database(app_env), "kort@gns.example") is None


def test_the_e_strateg_disables_an_account_and_sees_it_marked(app_as):
    at = app_as("admin", PAGE)
    at.selectbox(key="users_target").set_value("ledamot@gns.example").run()
    at.button(key="users_set_False").click().run()
    assert "ledamot@gns.example är avstängt." in [s.value for s in at.success]
    table = at.dataframe[0].value
    assert table.loc[table["E-post"] == "ledamot@gns.example", "Läge"].item() == "avstängd"
