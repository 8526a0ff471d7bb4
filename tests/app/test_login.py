"""Login, logout, demo personas, idle timeout, single sign-on and a damaged database."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from portfolio import accounts
from portfolio.auth import SYSTEM
from registers.schema import open_database
from tests.app.conftest import APP, texts

PASSWORD = "ett-riktigt-bra-losenord"


@pytest.fixture
def anna(app_env):
    conn = open_database(app_env)
    accounts.create_user(
        conn,
        SYSTEM,
        email="anna@region.se",
        name="Anna Andersson",
        role="projektledare",
        project_codes=("GNS/8/2018",),
        password=PASSWORD,
    )
    conn.close()


def login_page() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def log_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(password)
    return at.button(key="FormSubmitter:login_form-Logga in").click().run()


def test_a_visitor_sees_only_the_login_and_the_accessibility_statement(app_env):
    at = login_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["Logga in till portfolj"]
    assert "Portföljöversikt" not in texts(at)


def test_a_created_user_logs_in_and_sees_the_portfolio(anna):
    at = log_in(login_page(), "anna@region.se", PASSWORD)
    assert not at.exception
    assert "Portföljöversikt" in [t.value for t in at.title]
    assert "Anna Andersson" in at.sidebar.markdown[0].value


@pytest.mark.parametrize(
    "email, password", [("anna@region.se", "fel-losenord-123"), ("ingen@x.se", PASSWORD)]
)
def test_a_failed_login_says_the_same_thing_whoever_tried(anna, email, password):
    at = log_in(login_page(), email, password)
    assert [e.value for e in at.error] == [accounts.LOGIN_FAILED]
    assert "Portföljöversikt" not in [t.value for t in at.title]


def test_logout_returns_to_the_login_page(anna):
    at = log_in(login_page(), "anna@region.se", PASSWORD)
    at.button(key="sidebar_logout").click().run()
    assert [t.value for t in at.title] == ["Logga in till portfolj"]
    assert "Du är utloggad." in texts(at)


def test_an_idle_session_is_signed_out(anna):
    at = log_in(login_page(), "anna@region.se", PASSWORD)
    at.session_state["last_activity"] = time.time() - 31 * 60
    at.run()
    assert [t.value for t in at.title] == ["Logga in till portfolj"]
    assert "30 minuters inaktivitet" in texts(at)


def test_a_disabled_user_is_signed_out_at_the_next_click(anna, app_env):
    at = log_in(login_page(), "anna@region.se", PASSWORD)
    conn = open_database(app_env)
    accounts.set_active(conn, SYSTEM, "anna@region.se", False)
    conn.close()
    at.run()
    assert [t.value for t in at.title] == ["Logga in till portfolj"]


def test_without_demo_mode_there_are_no_personas(app_env):
    at = login_page()
    assert not [b for b in at.button if b.key and b.key.startswith("login_persona_")]
    assert not at.warning


def test_demo_mode_offers_one_click_personas_under_a_banner(app_env, monkeypatch):
    monkeypatch.setenv("PORTFOLJ_DEMO", "1")
    at = login_page()
    assert "Demoläge" in at.warning[0].value
    labels = [b.label for b in at.button if b.key and b.key.startswith("login_persona_")]
    assert labels == ["Ledamot i nämnden", "Kommunchef Bräcke", "Projektledare LINK2", "E-strateg"]
    at.button(key="login_persona_kommunchef").click().run()
    assert "Demo Kommunchef Bräcke" in at.sidebar.markdown[0].value


def test_sso_is_offered_when_configured_and_maps_the_identity_to_a_local_account(anna):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "hemlig",
        "client_id": "portfolj",
        "client_secret": "hemlig",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": False}
    at.run()
    assert at.button(key="login_oidc").label == "Logga in med organisationens konto"
    at.user = {"is_logged_in": True, "email": "anna@region.se", "name": "Anna"}
    at.run()
    assert "Portföljöversikt" in [t.value for t in at.title]
    assert "Anna Andersson" in at.sidebar.markdown[0].value


def test_sso_identity_without_a_local_account_is_refused(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "okand@region.se"}
    at.run()
    assert "finns inte i portfolj" in at.error[0].value


def test_without_sso_configuration_there_is_no_sso_button(app_env):
    at = login_page()
    with pytest.raises(KeyError):
        at.button(key="login_oidc")


def test_a_damaged_database_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    broken = tmp_path / "trasig.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    monkeypatch.setenv("PORTFOLJ_DB", str(broken))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Databasen är skadad" in at.error[0].value
    assert broken.read_bytes().startswith(b"SQLite format 3")
