"""The login and logout routes, the session gate and the security headers, over HTTP."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from dashboard import sso, web
from portfolio import accounts
from portfolio.auth import SYSTEM
from portfolio.sessions import service as sessions
from registers.database import open_database

PASSWORD = "ett-riktigt-bra-losenord"


async def page(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"sidan {request.url.path}")


@pytest.fixture
def client(seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
    monkeypatch.setenv("PORTFOLJ_DEMO", "1")
    conn = open_database(seeded_path)
    accounts.create_user(
        conn, SYSTEM, email="anna@region.se", name="Anna Andersson", role="nämnd", password=PASSWORD
    )
    conn.close()
    app = Starlette(
        routes=[*web.ROUTES, Route("/{path:path}", page)],
        middleware=[Middleware(web.SecurityHeaders), Middleware(web.SessionGate)],
    )
    return TestClient(app, base_url="http://127.0.0.1:8501", follow_redirects=False)


def csrf(client: TestClient, next_path: str = "/") -> str:
    response = client.get("/logga-in", params={"next": next_path})
    match = re.search(r'name="csrf" value="([^"]+)"', response.text)
    assert match
    return match.group(1)


def log_in(client: TestClient, next_path: str = "/", *, headers: dict[str, str] | None = None, **form: str):
    """Post the login form with a fresh form token (and these request headers)."""
    token = csrf(client, next_path)
    return client.post("/logga-in", data={"csrf": token, "next": next_path, **form}, headers=headers)


def test_a_link_opened_logged_out_goes_to_the_login_and_then_to_the_linked_project(client):
    link = "/projekt?projekt=GNS/8/2018"
    first = client.get(link)
    assert first.status_code == 303
    assert first.headers["location"] == "/logga-in?next=%2Fprojekt%3Fprojekt%3DGNS%2F8%2F2018"
    answer = log_in(client, link, email="anna@region.se", password=PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == link
    assert client.get(link).text == "sidan /projekt"


def test_the_session_cookie_is_httponly_samesite_lax_and_holds_no_user_data(client):
    answer = log_in(client, email="anna@region.se", password=PASSWORD)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("portfolj_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    assert "anna" not in cookie


def test_behind_https_the_cookie_is_secure(client):
    answer = log_in(client, email="anna@region.se", password=PASSWORD, headers={"x-forwarded-proto": "https"})
    assert "Secure" in next(c for c in answer.headers.get_list("set-cookie") if "portfolj_session" in c)


def test_a_wrong_password_says_the_one_message_and_sets_no_session(client):
    answer = log_in(client, email="anna@region.se", password="fel-losenord-123")
    assert answer.status_code == 401
    assert accounts.LOGIN_FAILED.split(".")[0] in answer.text
    assert "portfolj_session" not in client.cookies


def test_a_login_without_the_forms_token_is_refused_as_cross_site(client):
    answer = client.post("/logga-in", data={"email": "anna@region.se", "password": PASSWORD, "csrf": "x"})
    assert answer.status_code == 400
    assert "annan webbplats" in answer.text
    assert "portfolj_session" not in client.cookies


def test_a_login_posted_from_another_site_is_refused(client):
    answer = log_in(
        client, email="anna@region.se", password=PASSWORD, headers={"origin": "https://angripare.example"}
    )
    assert answer.status_code == 400


@pytest.mark.parametrize("target", ["https://angripare.example/", "//angripare.example", "/logga-ut"])
def test_after_login_the_user_never_leaves_the_app(client, target):
    answer = log_in(client, target, email="anna@region.se", password=PASSWORD)
    assert answer.headers["location"] == "/"


def test_demo_personas_log_in_with_one_click_only_in_demo_mode(client, monkeypatch):
    assert "Ledamot i nämnden" in client.get("/logga-in").text
    answer = log_in(client, persona="namnd")
    assert answer.status_code == 303
    monkeypatch.setenv("PORTFOLJ_DEMO", "0")
    other = TestClient(client.app, base_url="http://127.0.0.1:8501", follow_redirects=False)
    assert "Ledamot i nämnden" not in other.get("/logga-in").text
    assert log_in(other, persona="namnd").status_code == 401


def test_logout_ends_the_session_for_every_tab_and_clears_the_cookie(client):
    log_in(client, email="anna@region.se", password=PASSWORD)
    token = client.cookies["portfolj_session"]
    other_tab = TestClient(client.app, base_url="http://127.0.0.1:8501", follow_redirects=False)
    other_tab.cookies.set("portfolj_session", token)
    assert other_tab.get("/oversikt").status_code == 200
    answer = client.post("/logga-ut")
    assert answer.headers["location"] == "/logga-in"
    assert other_tab.get("/oversikt").status_code == 303
    assert "utloggad" in other_tab.get("/logga-in").text


def test_an_unknown_address_gets_a_swedish_page_with_a_way_back(client):
    answer = client.get("/finns-inte")
    assert answer.status_code == 404
    assert "Sidan finns inte" in answer.text and 'href="/"' in answer.text


def test_the_accessibility_statement_is_open_without_login(client):
    assert client.get("/tillganglighet").status_code == 200


def test_every_response_has_the_security_headers_and_metrics_are_hidden(client):
    answer = client.get("/logga-in")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "img-src 'self' data: blob:" in policy
    assert client.get("/_stcore/metrics").status_code == 404


def test_the_login_page_is_swedish_and_labels_its_fields(client):
    text = client.get("/logga-in").text
    assert '<html lang="sv">' in text
    assert (
        '<label for="email">E-postadress</label>' in text and '<label for="password">Lösenord</label>' in text
    )


# --- single sign-on: the organisation's sign-in becomes a portfolj session ---------------------

SSO_SECRET = "hemlig-kaka"
ORIGIN = "http://127.0.0.1:8501"


def sso_cookie(email: str, *, secret: str = SSO_SECRET, origin: str = ORIGIN) -> str:
    """Streamlit's signed identity cookie as its OIDC callback writes it."""
    payload = {"email": email, "origin": origin, "is_logged_in": True, "provider": "default"}
    return create_signed_value(secret, sso.USER_COOKIE, json.dumps(payload)).decode("latin-1")


@pytest.fixture
def sso_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(web.config, "oidc_configured", lambda: True)
    monkeypatch.setattr(sso, "get_cookie_secret", lambda: SSO_SECRET)
    monkeypatch.setattr(sso, "get_origin_from_redirect_uri", lambda: ORIGIN)
    return client


def open_sessions_of(seeded_path: Path, email: str) -> list[dict]:
    conn = open_database(seeded_path, migrate=False)
    user = accounts.user_by_email(conn, email)
    assert user is not None
    return sessions.open_sessions(conn, user)


def test_the_sign_in_is_read_only_from_a_genuine_cookie_of_this_site():
    genuine = sso_cookie("anna@region.se")
    found = sso.sign_in({sso.USER_COOKIE: genuine}, secret=SSO_SECRET, origin=ORIGIN)
    assert found is not None and found.email == "anna@region.se"
    assert sso.sign_in({sso.USER_COOKIE: genuine}, secret="en-annan", origin=ORIGIN) is None
    foreign = sso_cookie("anna@region.se", origin="https://annan.example")
    assert sso.sign_in({sso.USER_COOKIE: foreign}, secret=SSO_SECRET, origin=ORIGIN) is None
    assert sso.sign_in({sso.USER_COOKIE: "anna@region.se"}, secret=SSO_SECRET, origin=ORIGIN) is None
    assert sso.sign_in({}, secret=SSO_SECRET, origin=ORIGIN) is None


def test_a_sign_in_through_the_organisation_opens_a_session_and_keeps_the_link(sso_client, seeded_path):
    sso_client.cookies.set(sso.USER_COOKIE, sso_cookie("anna@region.se"))
    link = "/projekt?projekt=GNS/8/2018"
    first = sso_client.get(link)
    assert first.status_code == 303 and first.headers["location"] == link
    assert any(c.startswith("portfolj_session=") for c in first.headers.get_list("set-cookie"))
    assert sso_client.get(link).text == "sidan /projekt"
    assert len(open_sessions_of(seeded_path, "anna@region.se")) == 1


def test_after_logout_the_same_sign_in_opens_no_new_session(sso_client, seeded_path):
    sso_client.cookies.set(sso.USER_COOKIE, sso_cookie("anna@region.se"))
    sso_client.get("/")
    assert sso_client.post("/logga-ut").status_code == 303
    again = sso_client.get("/")
    # The page itself says the sign-in has ended and offers a new one; no session is opened.
    assert not any(c.startswith("portfolj_session=") for c in again.headers.get_list("set-cookie"))
    assert open_sessions_of(seeded_path, "anna@region.se") == []


def test_a_session_ended_from_another_device_is_not_reopened_by_the_same_sign_in(sso_client, seeded_path):
    sso_client.cookies.set(sso.USER_COOKIE, sso_cookie("anna@region.se"))
    sso_client.get("/")
    conn = open_database(seeded_path, migrate=False)
    (session,) = open_sessions_of(seeded_path, "anna@region.se")
    user = accounts.user_by_email(conn, "anna@region.se")
    assert user is not None
    sessions.end_session(conn, user, session["id"])
    sso_client.cookies.delete(web.COOKIE)
    assert sso_client.get("/").status_code == 200  # through to the page's message, no new session
    assert open_sessions_of(seeded_path, "anna@region.se") == []
    # A fresh sign-in (a new signed cookie) does open one.
    time.sleep(1.1)  # the signature's timestamp has whole seconds
    sso_client.cookies.set(sso.USER_COOKIE, sso_cookie("anna@region.se"))
    assert sso_client.get("/").status_code == 303
    assert len(open_sessions_of(seeded_path, "anna@region.se")) == 1


def test_a_sign_in_without_a_local_account_opens_no_session(sso_client):
    sso_client.cookies.set(sso.USER_COOKIE, sso_cookie("okand@region.se"))
    answer = sso_client.get("/")
    assert answer.status_code == 200 and "portfolj_session" not in answer.headers.get("set-cookie", "")


def test_the_start_pages_own_address_leads_to_the_start_page_not_to_page_not_found(client):
    # Streamlit serves its default page only at "/"; "/att-gora" would show its English
    # "Page not found". The address still works as a link, with its query.
    log_in(client, email="anna@region.se", password=PASSWORD)
    answer = client.get("/att-gora?x=1")
    assert answer.status_code == 303 and answer.headers["location"] == "/?x=1"
    assert client.get("/att-gora").headers["location"] == "/"
