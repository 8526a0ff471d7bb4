"""Mitt konto (one's own password) and the new password a reset forces at the next login."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from portfolio import accounts, users_store
from portfolio.auth import SYSTEM
from registers.database import open_database
from tests.app.conftest import APP, texts
from tests.present import present

PAGE = "app_pages/my_account.py"
PASSWORD = "ett-riktigt-bra-losenord"
TEMPORARY = "tillfalligt-losenord"
NEW = "mitt-eget-nya-losenord"


@pytest.fixture
def anna(app_env):
    conn = open_database(app_env)
    accounts.create_user(
        conn, SYSTEM, email="anna@region.se", name="Anna Andersson", role="nämnd", password=PASSWORD
    )
    conn.close()


def reset(app_env, password: str | None = TEMPORARY) -> None:
    conn = open_database(app_env)
    accounts.reset_password(conn, SYSTEM, "anna@region.se", password)
    conn.close()


def log_in(email: str, password: str) -> AppTest:
    """What the login route does (tests/integration/test_web_sessions.py), then the app's first run."""
    conn = open_database(os.environ["PORTFOLJ_DB"])
    user = accounts.authenticate(conn, email, password)
    conn.close()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user.id
    return at.run()


def choose(at: AppTest, new: str, again: str | None = None) -> AppTest:
    at.text_input(key="login_choose_new").input(new)
    at.text_input(key="login_choose_again").input(new if again is None else again)
    return at.button(key="login_choose_submit").click().run()


def logs_in(app_env, password: str) -> bool:
    try:
        accounts.authenticate(open_database(app_env), "anna@region.se", password)
    except accounts.AuthenticationError:
        return False
    return True


def test_after_a_reset_the_login_shows_only_the_new_password_form(anna, app_env):
    reset(app_env)
    at = log_in("anna@region.se", TEMPORARY)
    assert not at.exception
    assert [t.value for t in at.title] == ["Välj ett nytt lösenord"]
    assert "Portföljöversikt" not in texts(at)
    assert not at.sidebar.button  # no navigation, no other page
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/overview.py").run()


def test_the_new_password_is_saved_and_the_app_opens(anna, app_env):
    reset(app_env)
    at = choose(log_in("anna@region.se", TEMPORARY), NEW)
    assert [s.value for s in at.success] == ["Ditt nya lösenord är sparat."]
    at.button(key="login_choose_continue").click().run()
    assert "Att göra" in [t.value for t in at.title]
    assert not present(users_store.user_account(open_database(app_env), "anna@region.se"))[
        "must_change_password"
    ]
    assert logs_in(app_env, NEW)
    assert not logs_in(app_env, TEMPORARY)


@pytest.mark.parametrize(
    "new, again, message",
    [(NEW, NEW + "x", "inte lika"), ("kort", None, "minst 12 tecken")],
    ids=["different", "short"],
)
def test_a_refused_new_password_keeps_the_form_and_saves_nothing(anna, app_env, new, again, message):
    reset(app_env)
    at = choose(log_in("anna@region.se", TEMPORARY), new, again)
    assert message in texts(at)
    assert [t.value for t in at.title] == ["Välj ett nytt lösenord"]
    assert present(users_store.user_account(open_database(app_env), "anna@region.se"))["must_change_password"]


def test_a_reset_during_a_session_asks_for_a_new_password_at_the_next_click(anna, app_env):
    at = log_in("anna@region.se", PASSWORD)
    assert "Att göra" in [t.value for t in at.title]
    reset(app_env)
    at.run()
    assert [t.value for t in at.title] == ["Välj ett nytt lösenord"]


def test_a_user_changes_their_own_password_under_mitt_konto(anna, app_env):
    at = log_in("anna@region.se", PASSWORD).switch_page(PAGE).run()
    assert "Anna Andersson" in at.text[0].value
    at.text_input(key="my_account_old").input(PASSWORD)
    at.text_input(key="my_account_new").input(NEW)
    at.text_input(key="my_account_again").input(NEW)
    at.button(key="my_account_submit").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Ditt lösenord är bytt. Dina andra inloggningar är avslutade; använd det nya lösenordet nästa gång."
    ]
    assert at.text_input(key="my_account_old").value == ""
    assert logs_in(app_env, NEW)


def test_a_wrong_current_password_is_refused_under_mitt_konto(anna, app_env):
    at = log_in("anna@region.se", PASSWORD).switch_page(PAGE).run()
    at.text_input(key="my_account_old").input("fel-losenord-123")
    at.text_input(key="my_account_new").input(NEW)
    at.text_input(key="my_account_again").input(NEW)
    at.button(key="my_account_submit").click().run()
    assert "nuvarande lösenordet stämmer inte" in texts(at)
    assert not at.success
    assert logs_in(app_env, PASSWORD)


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare", "admin"])
def test_a_demo_persona_is_told_it_has_no_password(app_as, role):
    at = app_as(role, PAGE)
    assert not at.exception
    assert "Demopersoner har inget lösenord" in texts(at)
    with pytest.raises(KeyError):
        at.button(key="my_account_submit")
