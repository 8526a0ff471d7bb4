"""Användare: the e-strateg creates, edits, disables, unlocks accounts and resets passwords."""

from __future__ import annotations

import re

import pytest

from portfolio import accounts, users_store
from portfolio.auth import SYSTEM
from registers.database import open_database
from tests.app.conftest import texts

PAGE = "app_pages/users.py"
LEDAMOT = "ledamot@gns.example"


def create(at, email: str, password: str, name: str = "Ny Handläggare") -> None:
    at.text_input(key="users_name").input(name)
    at.text_input(key="users_email").input(email)
    at.selectbox(key="users_role").set_value("nämnd")
    at.text_input(key="users_password").input(password)
    at.button(key="users_new_submit").click().run()


def choose(at, email: str):
    return at.selectbox(key="users_target").set_value(email).run()


def account(app_env, email: str) -> dict:
    found = users_store.user_account(open_database(app_env), email)
    assert found is not None
    return found


def successes(at) -> list[str]:
    """The confirmations as the user reads them (Markdown's backslash escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", s.value) for s in at.success]


def test_the_e_strateg_creates_an_account_and_is_told_so_after_the_page_reloads(app_as, app_env):
    at = app_as("admin", PAGE)
    create(at, "ny@gns.example", "ett-langt-losenord")
    assert not at.exception
    assert "Kontot för ny@gns.example är skapat och valt under Ändra ett konto." in successes(at)
    assert "ny@gns.example" in at.dataframe[0].value["E-post"].to_list()
    assert at.text_input(key="users_email").value == ""  # the form is empty for the next account
    assert at.selectbox(key="users_target").value == "ny@gns.example"
    assert account(app_env, "ny@gns.example")["name"] == "Ny Handläggare"


def test_a_short_password_is_refused_and_no_account_made(app_as, app_env):
    at = app_as("admin", PAGE)
    create(at, "kort@gns.example", "kort")
    assert not at.success
    assert "12" in texts(at)  # the message names the shortest length allowed
    assert users_store.find_user(open_database(app_env), "kort@gns.example") is None


def test_a_name_is_shown_as_written_not_as_markdown(app_as):
    at = app_as("admin", PAGE)
    create(at, "md@gns.example", "ett-langt-losenord", name="**Fet** [länk](http://x.se)")
    assert "**Fet** [länk](http://x.se)" in at.dataframe[0].value["Namn"].to_list()
    assert at.text_input(key="users_edit_name").value == "**Fet** [länk](http://x.se)"


def test_the_e_strateg_edits_role_and_party_and_stays_on_the_account(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    assert at.text_input(key="users_edit_name").value == "Demo Ledamot"
    at.text_input(key="users_edit_name").input("Karin Ledamot")
    at.selectbox(key="users_edit_role").set_value("kommunchef")
    at.selectbox(key="users_edit_party").set_value("RAGUNDA")
    at.button(key="users_edit_submit").click().run()
    assert not at.exception
    assert f"Kontot {LEDAMOT} är sparat." in successes(at)
    saved = account(app_env, LEDAMOT)
    assert (saved["name"], saved["role"], saved["party"], saved["version"]) == (
        "Karin Ledamot",
        "kommunchef",
        "RAGUNDA",
        2,
    )
    assert at.selectbox(key="users_target").value == LEDAMOT
    assert at.text_input(key="users_edit_name").value == "Karin Ledamot"
    assert "du utgår från version 2" in texts(at)


def test_an_edit_that_breaks_a_role_rule_shows_why_and_saves_nothing(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    at.selectbox(key="users_edit_role").set_value("kommunchef")
    at.button(key="users_edit_submit").click().run()
    assert "måste knytas till en part" in texts(at)
    assert not at.success
    assert account(app_env, LEDAMOT)["role"] == "nämnd"


def test_a_stale_edit_is_refused_and_shows_what_the_other_admin_saved(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    conn = open_database(app_env)
    accounts.edit_user(
        conn,
        SYSTEM,
        LEDAMOT,
        name="Sparad av någon annan",
        role="nämnd",
        party=None,
        project_codes=(),
        version=1,
    )
    at.text_input(key="users_edit_name").input("Min ändring")
    at.button(key="users_edit_submit").click().run()
    assert "har ändrats av någon annan" in texts(at)
    [stale] = [d.value for d in at.dataframe if "Fält" in d.value.columns]
    assert stale.loc[stale["Fält"] == "Namn", "Nu sparat"].item() == "Sparad av någon annan"
    assert account(app_env, LEDAMOT)["name"] == "Sparad av någon annan"
    at.button(key="users_edit_reload").click().run()
    assert at.text_input(key="users_edit_name").value == "Sparad av någon annan"


def test_the_e_strateg_disables_and_enables_an_account_and_sees_it_marked(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    at.button(key="users_active_submit").click().run()
    assert f"Kontot {LEDAMOT} är avstängt." in successes(at)
    table = at.dataframe[0].value
    assert table.loc[table["E-post"] == LEDAMOT, "Läge"].item() == "avstängd"
    assert at.button(key="users_active_submit").label == "Aktivera kontot"
    at.button(key="users_active_submit").click().run()
    assert f"Kontot {LEDAMOT} är aktiverat." in successes(at)
    assert account(app_env, LEDAMOT)["active"]


def test_the_e_strateg_cannot_disable_their_own_account(app_as):
    at = choose(app_as("admin", PAGE), "e-strateg@gns.example")
    with pytest.raises(KeyError):
        at.button(key="users_active_submit")
    assert "Ditt eget konto kan du inte stänga av" in texts(at)


def test_a_password_reset_is_confirmed_under_its_button_and_forces_a_new_password(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    at.text_input(key="users_reset_password").input("tillfalligt-losenord")
    at.button(key="users_reset_submit").click().run()
    assert successes(at) == [
        f"Kontot {LEDAMOT} har fått ett tillfälligt lösenord; användaren väljer ett nytt vid nästa"
        " inloggning."
    ]
    assert at.text_input(key="users_reset_password").value == ""
    assert account(app_env, LEDAMOT)["must_change_password"]
    assert accounts.authenticate(open_database(app_env), LEDAMOT, "tillfalligt-losenord")


def test_a_reset_without_a_password_says_the_account_has_none(app_as, app_env):
    at = choose(app_as("admin", PAGE), LEDAMOT)
    at.button(key="users_reset_submit").click().run()
    assert "har nu inget lösenord" in successes(at)[0]
    assert not account(app_env, LEDAMOT)["has_password"]


def test_a_locked_account_is_shown_and_unlocked(app_as, app_env):
    conn = open_database(app_env)
    accounts.reset_password(conn, SYSTEM, LEDAMOT, "tillfalligt-losenord")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(conn, LEDAMOT, "fel-losenord-123")
    at = choose(app_as("admin", PAGE), LEDAMOT)
    assert "Spärrat till" in texts(at)
    at.button(key="users_unlock_submit").click().run()
    assert f"Kontot {LEDAMOT} är upplåst." in successes(at)
    assert "Kontot är inte spärrat." in texts(at)
    assert account(app_env, LEDAMOT)["locked_until"] is None
