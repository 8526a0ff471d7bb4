"""The login and logout routes, the session gate and the security headers, over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from dashboard import web
from portfolio import accounts
from portfolio.auth import SYSTEM
from registers.schema import open_database

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


def log_in(client: TestClient, next_path: str = "/", **form: str):
    return client.post("/logga-in", data={"csrf": csrf(client, next_path), "next": next_path, **form})


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
    token = csrf(client)
    answer = client.post(
        "/logga-in",
        data={"csrf": token, "next": "/", "email": "anna@region.se", "password": PASSWORD},
        headers={"x-forwarded-proto": "https"},
    )
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
    token = csrf(client)
    answer = client.post(
        "/logga-in",
        data={"csrf": token, "next": "/", "email": "anna@region.se", "password": PASSWORD},
        headers={"origin": "https://angripare.example"},
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
