"""Single sign-on (OIDC) through Streamlit's built-in login, turned into a portfolj session.

Streamlit's callback (`/oauth2callback`) leaves the identity in its own signed cookie
(`_streamlit_user`, split into chunks when large). The session gate (`dashboard/web.py`) reads that
cookie with Streamlit's own secret and checks, and opens a portfolj session from it, so a sign-in
through the organisation is listed under Mitt konto, ends at logout, after the idle time or from
another device like any other session, and the same sign-in cannot quietly open a new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from streamlit.auth_util import get_cookie_with_chunks, get_origin_from_redirect_uri
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

USER_COOKIE = "_streamlit_user"


@dataclass(frozen=True)
class SignIn:
    """Who the identity provider signed in, and the signed cookie that says so."""

    email: str
    cookie: str


def sign_in(
    cookies: Mapping[str, str], *, secret: str | None = None, origin: str | None = None
) -> SignIn | None:
    """The identity in Streamlit's signed cookie, or None when it is absent, forged, expired or foreign.

    `secret` and `origin` default to what Streamlit itself uses (`[auth]` in secrets.toml).
    """
    raw = cookies.get(USER_COOKIE)
    if not raw:
        return None
    key = secret if secret is not None else get_cookie_secret()
    expected = origin if origin is not None else get_origin_from_redirect_uri()
    if not key or not expected:
        return None

    def single(name: str) -> bytes | None:
        value = cookies.get(name)
        # Cookies travel as ISO-8859-1; Streamlit signs each chunk under its own name.
        return None if value is None else decode_signed_value(key, name, value.encode("latin-1"))

    try:
        decoded = get_cookie_with_chunks(single, USER_COOKIE)
        payload = json.loads(decoded.decode("utf-8")) if decoded else None
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("origin") != expected or not payload.get("is_logged_in"):
        return None
    email = payload.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    return SignIn(email=email.strip(), cookie=raw)
