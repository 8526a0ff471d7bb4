"""Signed in through the organisation (OIDC): the sign-in becomes a portfolj session that keeps the
link, is listed under Mitt konto, and once ended is not reopened by the same sign-in.

No identity provider runs here: the test writes Streamlit's signed identity cookie itself, exactly
as Streamlit's callback (`/oauth2callback`) does after a provider's answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from dashboard import sso
from tests.browser.conftest import KEYBOARD_USER, Served, running_server, wait_idle

SECRET = "en-hemlighet-bara-for-testet"


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("sso")
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{SECRET}"\n'
        'client_id = "portfolj"\n'
        'client_secret = "hemlig"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with running_server(folder, cwd=folder) as url:
        yield url


def signed_in_context(browser, url: str):
    payload = {"email": KEYBOARD_USER, "origin": url, "is_logged_in": True, "provider": "default"}
    value = create_signed_value(SECRET, sso.USER_COOKIE, json.dumps(payload)).decode("latin-1")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    context.add_cookies([{"name": sso.USER_COOKIE, "value": value, "url": url}])
    return context


def test_an_organisation_sign_in_keeps_the_link_is_listed_and_ends_for_good(sso_server, browser):
    context = signed_in_context(browser, sso_server)
    page = context.new_page()
    page.goto(f"{sso_server}/projekt?projekt=GNS%2F8%2F2018")
    page.get_by_role("heading", name="LINK2").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert "portfolj_session" in {c["name"] for c in context.cookies()}

    page.goto(f"{sso_server}/mitt-konto")
    page.get_by_text("Den här webbläsaren – inloggad").first.wait_for(timeout=20_000)
    assert page.get_by_text("med organisationens konto").first.is_visible()

    # Ended from another device (here the e-strateg's command line): the same sign-in opens nothing.
    subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "user", "disable", KEYBOARD_USER, "--db", str(sso_server.db)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "user", "enable", KEYBOARD_USER, "--db", str(sso_server.db)],
        check=True,
        capture_output=True,
    )
    page.reload()
    page.get_by_text("Din inloggning har avslutats").wait_for(timeout=20_000)
    page.get_by_role("button", name="Logga in igen med organisationens konto").wait_for(timeout=20_000)
    assert page.get_by_role("heading", name="LINK2").count() == 0
    context.close()
