"""The HTTP side of the app: login and logout that set and clear the session cookie, the gate that
sends a visitor without a session to the login (and back to the linked page), Swedish pages for
unknown addresses, and the security headers on every response.

Streamlit's own pages run over a websocket and cannot set cookies; these Starlette routes and
middleware run in the same server (`dashboard/server.py`, an `st.App`).
"""

from __future__ import annotations

import hmac
import html
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import config, sso
from dashboard.navigation import ACCESSIBILITY, PAGES
from portfolio import accounts
from portfolio.auth import User
from portfolio.errors import NotFoundError, PortfoljError
from portfolio.sessions import service as sessions
from registers.database import open_database

COOKIE = sessions.COOKIE
CSRF_COOKIE = "portfolj_csrf"
LOGIN_PATH = "/logga-in"
LOGOUT_PATH = "/logga-ut"
# Paths of the app's pages; anything else that looks like a page gets a Swedish "not found".
PAGE_PATHS = frozenset({"/", *(f"/{p.url_path}" for p in PAGES)})
PUBLIC_PAGE_PATHS = frozenset({f"/{ACCESSIBILITY.url_path}"})
# Streamlit serves the default page only at "/" (its own address shows "Page not found").
START_PAGE_PATHS = frozenset(f"/{p.url_path}" for p in PAGES if p.default)
# Streamlit's own single-segment routes (the OIDC callback) pass through untouched.
STREAMLIT_PATHS = frozenset({"/oauth2callback"})

SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline';"
        b" script-src 'self' 'unsafe-inline' 'unsafe-eval'; font-src 'self' data:;"
        b" connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
]


def policy() -> sessions.Policy:
    """The configured session lifetimes (PORTFOLJ_IDLE_MINUTES, PORTFOLJ_SESSION_HOURS)."""
    return sessions.Policy(
        idle=timedelta(minutes=config.idle_timeout_minutes()),
        lifetime=timedelta(hours=config.session_hours()),
    )


def _db() -> Any:
    return open_database(config.db_path(), migrate=False)


def user_for_token(token: str | None) -> User | None:
    """The signed-in user behind a session token, or None (opens its own connection)."""
    if not token:
        return None
    db = _db()
    try:
        return sessions.resolve(db, token, policy())
    finally:
        db.close()


def session_from_sign_in(cookies: dict[str, str], user_agent: str | None) -> str | None:
    """A new session token from the organisation's sign-in in these cookies, or None."""
    identity = sso.sign_in(cookies)
    if identity is None:
        return None
    db = _db()
    try:
        return sessions.start_from_sso(db, identity.email, identity.cookie, user_agent=user_agent)
    finally:
        db.close()


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this app only (never another site, never the login)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in (LOGIN_PATH, LOGOUT_PATH):
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(policy().lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def _clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))


# --- the login page --------------------------------------------------------------------------

PAGE_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#10131a;background:#fafafa;margin:0}
main{max-width:34rem;margin:3rem auto;padding:0 1rem}
h1{font-size:1.8rem}label{display:block;margin:1rem 0 .3rem;font-weight:600}
input{font:inherit;width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #555;border-radius:.4rem}
button{font:inherit;padding:.6rem 1.2rem;margin:1rem .5rem 0 0;border-radius:.4rem;border:1px solid #7a1f2b;
background:#7a1f2b;color:#fff;cursor:pointer}
button.persona{background:#fff;color:#10131a;border-color:#555}
button:focus,input:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:2px}
.alert{border-left:4px solid #b91c1c;background:#fef2f2;padding:.8rem;margin:1rem 0}
.info{border-left:4px solid #1d4ed8;background:#eff6ff;padding:.8rem;margin:1rem 0}
.demo{border-left:4px solid #a16207;background:#fefce8;padding:.8rem;margin:1rem 0}
"""


def _page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – portfolj</title><style>{PAGE_STYLE}</style></head>
<body><main>{body}</main></body></html>""",
        status_code=status,
    )


def _login_page(
    request: Request, *, next_path: str, csrf: str, error: str | None = None, info: str | None = None
) -> HTMLResponse:
    esc = html.escape
    parts = [
        "<h1>Logga in till portfolj</h1>",
        "<p>Projektportfölj för Gemensam nämnd för samverkan (GNS).</p>",
    ]
    if info:
        parts.append(f'<p class="info" role="status">{esc(info)}</p>')
    if error:
        parts.append(f'<p class="alert" role="alert">{esc(error)}</p>')
    hidden = (
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'<input type="hidden" name="next" value="{esc(next_path)}">'
    )
    if config.demo_mode():
        buttons = "".join(
            f'<button class="persona" type="submit" name="persona" value="{esc(p.key)}">'
            f"{esc(p.label)}</button>"
            for p in accounts.PERSONAS
        )
        parts.append(
            '<section aria-labelledby="demo"><h2 id="demo">Demoläge: välj en roll</h2>'
            '<p class="demo">Demoläge – inloggning med ett klick; visa inte riktiga uppgifter här.</p>'
            f'<form method="post" action="{LOGIN_PATH}">{hidden}{buttons}</form></section>'
        )
    parts.append(
        '<section aria-labelledby="local"><h2 id="local">Logga in med e-post och lösenord</h2>'
        f'<form method="post" action="{LOGIN_PATH}">{hidden}'
        '<label for="email">E-postadress</label>'
        '<input id="email" name="email" type="email" autocomplete="username" required>'
        '<label for="password">Lösenord</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Logga in</button></form></section>'
    )
    if config.oidc_configured():
        parts.append(
            '<section aria-labelledby="sso"><h2 id="sso">Organisationens inloggning</h2>'
            '<p><a href="/?sso=1">Logga in med organisationens konto</a></p></section>'
        )
    parts.append(f'<p><a href="/{ACCESSIBILITY.url_path}">Tillgänglighetsredogörelse</a></p>')
    return _page("Logga in", "".join(parts))


async def login_form(request: Request) -> Response:
    """GET /logga-in: the form, with a fresh token against cross-site request forgery."""
    csrf = secrets.token_urlsafe(24)
    info = None
    token = request.cookies.get(COOKIE)
    if token:
        reason = await run_in_threadpool(_ended_reason, token)
        if reason == "inaktiv för länge":
            info = f"Du har loggats ut efter {config.idle_timeout_minutes():g} minuters inaktivitet."
        elif reason:
            info = f"Du är utloggad ({reason}). Logga in igen."
    response = _login_page(
        request, next_path=safe_next(request.query_params.get("next")), csrf=csrf, info=info
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, path=LOGIN_PATH, httponly=True, samesite="strict", secure=_secure(request)
    )
    if token:
        _clear_session_cookie(response, request)
    return response


def _ended_reason(token: str) -> str | None:
    db = _db()
    try:
        return sessions.ended_reason(db, token)
    finally:
        db.close()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def login_submit(request: Request) -> Response:
    """POST /logga-in: check the form's CSRF token and the credentials, then set the cookie."""
    form = await request.form()
    next_path = safe_next(str(form.get("next") or "/"))
    csrf_cookie = request.cookies.get(CSRF_COOKIE, "")
    csrf_form = str(form.get("csrf") or "")
    fresh = secrets.token_urlsafe(24)

    def again(error: str, status: int) -> Response:
        response = _login_page(request, next_path=next_path, csrf=fresh, error=error)
        response.status_code = status
        response.set_cookie(
            CSRF_COOKIE, fresh, path=LOGIN_PATH, httponly=True, samesite="strict", secure=_secure(request)
        )
        return response

    if not csrf_cookie or not hmac.compare_digest(csrf_cookie, csrf_form) or not _same_origin(request):
        return again("Formuläret hade gått ut eller kom från en annan webbplats. Försök igen.", 400)
    persona = str(form.get("persona") or "")
    try:
        token = await run_in_threadpool(
            _log_in,
            persona,
            str(form.get("email") or ""),
            str(form.get("password") or ""),
            request.headers.get("user-agent"),
        )
    except accounts.AuthenticationError as exc:
        return again(str(exc), 401)
    except PortfoljError as exc:
        return again(str(exc), 400)
    response = RedirectResponse(next_path, status_code=303)
    _set_session_cookie(response, request, token)
    response.delete_cookie(CSRF_COOKIE, path=LOGIN_PATH)
    return response


def _log_in(persona: str, email: str, password: str, user_agent: str | None) -> str:
    db = _db()
    try:
        if persona:
            if not config.demo_mode():
                raise accounts.AuthenticationError(accounts.LOGIN_FAILED)
            try:
                user = accounts.persona_login(db, persona)
            except NotFoundError as exc:
                raise accounts.AuthenticationError(str(exc)) from exc
        else:
            user = accounts.authenticate(db, email, password)
        return sessions.start(db, user, user_agent=user_agent)
    finally:
        db.close()


async def logout(request: Request) -> Response:
    """POST /logga-ut: the session ends everywhere its cookie is used, and the cookie is cleared."""
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(_end, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    _clear_session_cookie(response, request)
    return response


def _end(token: str) -> None:
    db = _db()
    try:
        sessions.end_token(db, token)
    finally:
        db.close()


ROUTES = [
    Route(LOGIN_PATH, login_form, methods=["GET", "HEAD"]),
    Route(LOGIN_PATH, login_submit, methods=["POST"]),
    Route(LOGOUT_PATH, logout, methods=["POST"]),
]


# --- middleware ------------------------------------------------------------------------------


def not_found_page() -> HTMLResponse:
    """A Swedish page for an address that is not one of the app's pages."""
    return _page(
        "Sidan finns inte",
        "<h1>Sidan finns inte</h1><p>Adressen leder inte till någon sida i portfolj. Kontrollera länken"
        ' eller gå till <a href="/">Portföljöversikten</a>.</p>',
        status=404,
    )


class SecurityHeaders:
    """Adds the security headers to every HTTP response and hides Streamlit's metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/_stcore/metrics"):
            await not_found_page()(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in SECURITY_HEADERS if k not in names),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is treated as no cookies at all
        return {}
    return {k: m.value for k, m in jar.items()}


def _is_page_like(path: str) -> bool:
    segment = path.strip("/")
    return path == "/" or (bool(segment) and "/" not in segment and "." not in segment)


class SessionGate:
    """Page requests without a live session go to the login, which then returns to the same link.

    Only the HTML of a page is guarded here; what a page shows is decided again on every run
    from the same cookie (`dashboard/ui.py`), so an ended session ends at the next click.
    """

    def __init__(
        self, app: ASGIApp, check: Callable[[str | None], Awaitable[User | None]] | None = None
    ) -> None:
        self.app = app
        self.check = check or (lambda token: run_in_threadpool(user_for_token, token))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or not _is_page_like(path):
            await self.app(scope, receive, send)
            return
        bare = path.rstrip("/") or "/"
        if bare in STREAMLIT_PATHS or bare in (LOGIN_PATH, LOGOUT_PATH):
            await self.app(scope, receive, send)
            return
        if bare not in PAGE_PATHS:
            await not_found_page()(scope, receive, send)
            return
        if bare in PUBLIC_PAGE_PATHS:
            await self.app(scope, receive, send)
            return
        if bare in START_PAGE_PATHS:
            query = scope.get("query_string", b"").decode("latin-1")
            await RedirectResponse("/" + (f"?{query}" if query else ""), status_code=303)(
                scope, receive, send
            )
            return
        cookies = _cookies(scope)
        user = await self.check(cookies.get(COOKIE))
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        if user is None and config.oidc_configured() and "sso=1" not in query.split("&"):
            # Signed in through the organisation: the sign-in becomes a portfolj session, once.
            request = Request(scope)
            token = await run_in_threadpool(session_from_sign_in, cookies, request.headers.get("user-agent"))
            if token:
                response = RedirectResponse(target, status_code=303)
                _set_session_cookie(response, request, token)
                await response(scope, receive, send)
                return
        if user is None and self._single_sign_on(scope):
            # The page starts a sign-in (?sso=1) or says why this one opens no session.
            await self.app(scope, receive, send)
            return
        if user is None:
            await RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _single_sign_on(scope: Scope) -> bool:
        """With OIDC configured, the start of a sign-in (?sso=1), or a sign-in that opened no session,
        goes through to the page, which starts the sign-in or says why it opened none."""
        if not config.oidc_configured():
            return False
        query = scope.get("query_string", b"").decode("latin-1")
        return "sso=1" in query.split("&") or any(k.startswith("_streamlit_user") for k in _cookies(scope))
