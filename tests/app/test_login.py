"""Login, logout, demo personas, idle timeout, single sign-on and a damaged database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from portfolio import accounts, users_store
from portfolio.auth import SYSTEM
from registers.database import open_database
from tests.app.conftest import APP, texts
from tests.personas import add_anna


@pytest.fixture
def anna(app_env):
    conn = open_database(app_env)
    add_anna(conn)
    conn.close()


def login_page() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def signed_in_as(conn_path, email: str) -> AppTest:
    conn = open_database(conn_path)
    found = users_store.find_user(conn, email)
    conn.close()
    assert found is not None
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = found[0].id
    return at.run()


def test_a_visitor_sees_only_the_way_to_the_login_and_the_accessibility_statement(app_env):
    at = login_page()
    assert not at.exception
    assert [t.value for t in at.title] == ["Logga in till portfolj"]
    assert "Portföljöversikt" not in texts(at)
    link = at.get("link_button")[0]
    assert link.proto.label == "Logga in" and link.proto.url.startswith("/logga-in?next=")


def test_logout_ends_the_session_and_returns_to_the_login_page(anna, app_env):
    at = signed_in_as(app_env, "anna@region.se")
    assert "Anna Andersson" in at.sidebar.markdown[0].value
    at.button(key="sidebar_logout").click().run()
    assert [t.value for t in at.title] == ["Logga in till portfolj"]
    assert "Du är utloggad." in texts(at)


def test_a_disabled_user_is_signed_out_at_the_next_click(anna, app_env):
    at = signed_in_as(app_env, "anna@region.se")
    conn = open_database(app_env)
    accounts.set_active(conn, SYSTEM, "anna@region.se", False)
    conn.close()
    at.run()
    assert [t.value for t in at.title] == ["Logga in till portfolj"]


def test_without_demo_mode_there_is_no_demo_banner(app_env):
    assert not login_page().warning


def test_demo_mode_shows_its_banner_in_the_app(app_env, monkeypatch):
    monkeypatch.setenv("PORTFOLJ_DEMO", "1")
    assert "Demoläge" in login_page().warning[0].value


def sso_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "hemlig",
        "client_id": "portfolj",
        "client_secret": "hemlig",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    return at


def test_an_sso_identity_is_mapped_to_its_local_account_on_every_run(anna):
    at = sso_app()
    at.user = {"is_logged_in": True, "email": "anna@region.se", "name": "Anna"}
    at.run()
    assert "Att göra" in [t.value for t in at.title]
    assert "Anna Andersson" in at.sidebar.markdown[0].value


def test_sso_identity_without_a_local_account_is_refused(app_env):
    at = sso_app()
    at.user = {"is_logged_in": True, "email": "okand@region.se"}
    at.run()
    assert "finns inte i portfolj" in at.error[0].value


def test_a_damaged_database_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    broken = tmp_path / "trasig.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    monkeypatch.setenv("PORTFOLJ_DB", str(broken))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Databasen är skadad" in at.error[0].value
    assert broken.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_a_page_the_role_may_not_see_says_so_in_swedish_with_a_way_back(app_as, role):
    at = app_as(role, "app_pages/users.py")
    assert not at.exception
    assert "är inte tillgänglig för rollen" in at.error[0].value
    assert at.get("page_link")[0].proto.label == "Till Portföljöversikten"


def test_a_database_with_an_older_schema_is_refused_in_swedish_without_a_traceback(app_env):
    import sqlite3

    conn = sqlite3.connect(str(app_env))
    conn.execute("DELETE FROM _migrations WHERE rowid = (SELECT max(rowid) FROM _migrations)")
    conn.commit()
    conn.close()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = 1  # a signed-in user's next page run reads the database
    at.run()
    assert not at.exception
    assert any("portfolj seed" in e.value for e in at.error)
