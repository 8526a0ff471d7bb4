"""Shared helpers of the pages: the database per thread, cached reads, Swedish display."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard import config, web
from portfolio import db as core_db
from portfolio import status, store, users_store
from portfolio.auth import Action, User
from portfolio.auth import can as auth_can
from portfolio.db import Database
from portfolio.errors import DatabaseDamagedError, InvalidInputError, NotFoundError
from portfolio.models import Status
from portfolio.money import format_kr
from portfolio.overview import search_projects
from portfolio.sessions import service as sessions
from registers.database import open_database

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from pandas.io.formats.style import Styler

_local = threading.local()


def db() -> Database:
    """This thread's connection to the configured database (connections never cross threads)."""
    path = str(config.db_path())
    if getattr(_local, "path", None) != path:
        # Page runs only read the schema version: migrations run when `portfolj serve` starts.
        try:
            _local.db = open_database(path, migrate=False)
        except DatabaseDamagedError as exc:  # replaced under the running server, or never upgraded
            st.error(str(exc))
            st.stop()
        _local.path = path
    return _local.db


def db_key() -> tuple[str, int]:
    """(path, revision): the cache key that changes with every committed write."""
    conn = db()
    return str(config.db_path()), core_db.revision(conn)


@st.cache_resource(show_spinner=False)
def startup_problems(path: str) -> list[str]:
    """Integrity check once per server process and database (the result, not the connection).

    Skipped when `portfolj serve` has just made the same full check of this file: the first
    person to log in would otherwise wait for it twice (about 2 s on the large tier)."""
    if config.checked_at_start(path):
        return []
    return core_db.integrity_problems_at(path)


@st.cache_data(max_entries=32, show_spinner=False)
def _projects(path: str, revision: int) -> pl.DataFrame:
    return store.projects_frame(db())


def projects() -> pl.DataFrame:
    """Every project and case (cached until the next write)."""
    return _projects(*db_key())


@st.cache_data(max_entries=32, show_spinner=False)
def _latest_status(path: str, revision: int) -> pl.DataFrame:
    return status.latest_per_project(store.status_reports_frame(db()))


def latest_status() -> pl.DataFrame:
    """Each project's latest status report with trend and age (cached until the next write)."""
    return _latest_status(*db_key())


@st.cache_data(max_entries=32, show_spinner=False)
def _parties(path: str, revision: int) -> pl.DataFrame:
    return store.parties_frame(db())


def parties() -> pl.DataFrame:
    """The nine parties (cached until the next write)."""
    return _parties(*db_key())


@st.cache_data(max_entries=32, show_spinner=False)
def _party_names(path: str, revision: int) -> dict[str, str]:
    return dict(_parties(path, revision).select("code", "name").iter_rows())


def party_names() -> dict[str, str]:
    """Party code → name (cached: pages look names up once per row of a table)."""
    return _party_names(*db_key())


def status_text(status: str | None) -> str:
    """A status as symbol + word, so that colour is never the only carrier."""
    if not status:
        return "– Ej rapporterad"
    return Status(status).display


def kr_column(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Replace öre columns by Swedish kronor text for display."""
    out = frame
    for col in columns:
        texts = [format_kr(v) for v in frame[col].to_list()]
        out = out.with_columns(pl.Series(col, texts, dtype=pl.String))
    return out


LATE_STYLE = "background-color: #B42318; color: #FFFFFF; font-weight: bold"
STYLED_ROWS_MAX = 1_000


ACTION_COLUMNS = {
    "risk": "Risk",
    "description": "Åtgärd",
    "owner": "Ägare",
    "due_date": "Förfallodatum",
    "status": "Status",
    "late_text": "Försenad",
}


def actions_table(
    actions: pl.DataFrame, first: dict[str, str], last: dict[str, str] | None = None
) -> pl.DataFrame | Styler:
    """Risk actions under Swedish headings, with `first` and `last` columns around the usual ones."""
    columns = {**first, **ACTION_COLUMNS, **(last or {})}
    return late_table(actions.select(pl.col(c).alias(label) for c, label in columns.items()))


def late_table(frame: pl.DataFrame, column: str = "Försenad") -> pl.DataFrame | Styler:
    """A table for st.dataframe with the late cells of `column` in white on red.

    The cell's text ("Försenad, 12 dagar") carries the meaning; the colour only draws the eye.
    A pandas Styler costs about 0.15 ms per row, so a longer table is shown without it.
    """
    if frame.height > STYLED_ROWS_MAX:
        return frame
    # An empty cell arrives from pandas as NaN, which is truthy: test for text.
    return frame.to_pandas().style.map(
        lambda v: LATE_STYLE if isinstance(v, str) and v else "", subset=[column]
    )


# What Markdown, GitHub's autolinks and Streamlit's extensions (:red[…], :emoji:, $math$) act on
# anywhere in a line, and what they act on at a line's start (headings, quotes, lists, rules).
# CommonMark shows a backslash-escaped punctuation character as the character itself.
# (pattern, replacement as Python's re writes it, as polars writes it), applied in this order.
_MARKUP = (
    (r"([\\`*_\[\]<>|~$:&@])", r"\\\1", r"\${1}"),
    (r"(?m)^([ \t]*)([#>+\-=])", r"\1\\\2", r"${1}\${2}"),
    (r"(?m)^([ \t]*)(\d+)([.)])", r"\1\2\\\3", r"${1}${2}\${3}"),
    (r"(?i)\b(www)\.", r"\1\\.", r"${1}\."),
)
_MARKUP_RE = tuple((re.compile(pattern), replacement) for pattern, replacement, _ in _MARKUP)


def plain(text: object) -> str:
    """User text for st.markdown, captions, messages and labels: shown as written, never rendered.

    Links, images and HTML come out as their characters, so nothing is fetched or clicked by accident.
    """
    if text is None:
        return ""
    escaped = str(text)
    for pattern, replacement in _MARKUP_RE:
        escaped = pattern.sub(replacement, escaped)
    return escaped


def plain_expr(column: pl.Expr) -> pl.Expr:
    """`plain` for a text column."""
    for pattern, _, replacement in _MARKUP:
        column = column.str.replace_all(pattern, replacement)
    return column


# Set while a tab that is not open is drawn (`tab_part`): its charts and tables wait.
_OUT_OF_SIGHT: ContextVar[bool] = ContextVar("out_of_sight", default=False)


@contextmanager
def tab_part(tab: Any) -> Iterator[None]:
    """Draw into `tab`: all of it when it is open; when it is not, only what can hold what a person
    has typed (forms and fields, which a tab that is not drawn would lose), while its charts and
    tables wait until it is opened (opening a tab runs the page again)."""
    token = _OUT_OF_SIGHT.set(not tab.open)
    try:
        with tab:
            yield
    finally:
        _OUT_OF_SIGHT.reset(token)


def draw_tabs(tabs: Sequence[Any], drawers: Sequence[Callable[[], None]], *, every: bool) -> None:
    """Each tab of `st.tabs(..., bind="query-params")` drawn by its function: only the open one,
    or with `every` (whoever may change something in them) all of them, the others inside
    `tab_part` (their forms without their charts and tables)."""
    for tab, draw in zip(tabs, drawers, strict=True):
        if every or tab.open:
            with tab_part(tab):
                draw()


def table(frame: pl.DataFrame, **kwargs: Any) -> None:
    """st.table with every text cell shown as written: st.table renders Markdown in its cells.

    Without the index column: a Polars frame has none, and asking Streamlit to find that out
    costs a conversion of the whole frame to pandas."""
    if _OUT_OF_SIGHT.get():
        return
    kwargs.setdefault("hide_index", True)
    st.table(frame.with_columns(plain_expr(pl.col(pl.String))), **kwargs)


def chart(figure: go.Figure, *, key: str) -> None:
    """A plotly figure as the pages show one: across the page's width."""
    if _OUT_OF_SIGHT.get():
        return
    st.plotly_chart(figure, width="stretch", key=key)


def dataframe(frame: pl.DataFrame | Styler, *, key: str, **kwargs: Any) -> Any:
    """st.dataframe as the pages show one: without the index column, an empty cell as –."""
    if _OUT_OF_SIGHT.get():
        return None
    return st.dataframe(frame, hide_index=True, key=key, placeholder="–", **kwargs)


# --- choosers: one placeholder, one way to offer "none" -----------------------------------------


def _shown(options: Iterable[Any], format_func: Callable[[Any], str] | None) -> Callable[[Any], str]:
    if format_func is not None:
        return format_func
    return options.__getitem__ if isinstance(options, Mapping) else str


def choose(
    label: str,
    options: Iterable[Any],
    *,
    key: str,
    none: str | None = None,
    prompt: str | None = None,
    format_func: Callable[[Any], str] | None = None,
    where: Any = st,
    **kwargs: Any,
) -> Any:
    """A select box in `where` (a column; the page by default) with the Swedish placeholder.

    `options` is a list, or a mapping value → text shown. With `none`, a first option None
    (no choice) is shown as that text. With `prompt`, the box starts with nothing chosen (it
    returns None) and shows that text until the user chooses. The box declares the value it
    holds as its default (`held_index`), so a browser that draws it afresh shows that value,
    not the first option.
    """
    shown = _shown(options, format_func)
    values = [None, *options] if none is not None else list(options)
    default = None if prompt is not None else kwargs.get("index", 0)
    kwargs["index"] = held_index(key, values, default)
    return where.selectbox(
        label,
        values,
        format_func=lambda v: none if v is None and none is not None else shown(v),
        key=key,
        placeholder=prompt or "Välj ett alternativ",
        **kwargs,
    )


def held_index(key: str, values: Sequence[Any], default: int | None = 0) -> int | None:
    """The `index` for a keyed select box: the position of the value it holds, else `default`.

    Streamlit sends a keyed box's value to the browser only in the run that sets it. A browser
    that draws the box afresh without it (seen under load) shows the declared default and sends
    that back on the next run: with the first option as default, the Riskregister once switched
    from LINK2 to the first project under a form being filled in. Declaring the held value as
    the default makes that fallback the value the user already has.
    """
    held = st.session_state.get(key)
    if held is not None and held in values:
        return list(values).index(held)
    return default


def choose_many(
    label: str,
    options: Iterable[Any],
    *,
    key: str,
    format_func: Callable[[Any], str] | None = None,
    where: Any = st,
    placeholder: str = "Välj ett eller flera",
    **kwargs: Any,
) -> list[Any]:
    """A multiselect in `where` without "select all"; `options` is a list or a mapping value → text.

    Like `choose`, it declares what it holds as its default, so a browser that draws it afresh
    keeps the user's choices."""
    values = list(options)
    held = st.session_state.get(key)
    if isinstance(held, list):
        kwargs["default"] = [v for v in held if v in values]
    chosen: list[Any] = where.multiselect(
        label,
        values,
        format_func=_shown(options, format_func),
        key=key,
        placeholder=placeholder,
        select_all=False,
        **kwargs,
    )
    return chosen


def date_input(label: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """A date field in `where` (a column; the page by default), written ÅÅÅÅ-MM-DD as every date
    on the pages is."""
    return where.date_input(label, format="YYYY-MM-DD", key=key, **kwargs)


def year_input(label: str, value: int, *, key: str, where: Any = st) -> int:
    """A year between 2000 and 2100, in `where` (a column; the page by default)."""
    year: int = where.number_input(label, min_value=2000, max_value=2100, value=value, step=1, key=key)
    return year


def show_errors(error: InvalidInputError) -> None:
    """Every validation message as one error box; nothing was saved."""
    st.error("Inget sparades:\n\n" + "\n".join(f"- {m}" for m in error.messages))


def source_caption(text: str | None) -> None:
    """Where a figure comes from, under it (as written: a source may come from a user or a file)."""
    if text:
        st.caption(f"Källa: {plain(text)}")


# --- the signed-in user -------------------------------------------------------------------


def session_token() -> str | None:
    """This browser's login session token, from the HttpOnly cookie the login route set."""
    token = st.context.cookies.get(sessions.COOKIE)
    return token if isinstance(token, str) and token else None  # AppTest answers with a stand-in object


def current_user() -> User | None:
    """The signed-in, still active user of this browser session, read afresh on every run.

    In the browser it is the server-side session behind the cookie, so a reload or a new tab
    stays signed in and an ended session (logout elsewhere, idle, disabled) ends at the next click.
    A run with no HTTP request behind it (AppTest) may name its user in the session state.
    """
    token = session_token()
    if token:
        return sessions.resolve(db(), token, web.policy())
    if st.context.headers:
        return None
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    try:
        user = users_store.get_user(db(), int(user_id))
    except NotFoundError:
        return None
    return user if user.active else None


def require_user() -> User:
    """The signed-in user; pages behind the login can rely on it."""
    user = current_user()
    if user is None:
        st.error("Du är inte inloggad.")
        st.stop()
    assert user is not None
    return user


def sign_out() -> None:
    """End this browser's session on the server (everywhere its cookie is used) and forget the run's state."""
    user = current_user()
    sessions.end_token(db(), session_token(), user)
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def can(action: Action, *, project_id: int | None = None, party: str | None = None) -> bool:
    """Whether the signed-in user may do `action` (to show or hide a form; the domain decides)."""
    user = current_user()
    return user is not None and auth_can(user, action, project_id=project_id, party=party)


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` configures Streamlit's built-in OIDC login."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def default_project(codes: list[str]) -> str:
    """The project a page opens on when none was chosen: the portfolio's largest, LINK2."""
    return "GNS/8/2018" if "GNS/8/2018" in codes else codes[0]


PICKER_ROWS = 50


def project_choices(key: str, projects: pl.DataFrame, *, search_key: str) -> list[str]:
    """The options of a project chooser: the matches of a search box above it (at most 50) and the
    project already chosen. A box of thousands of options is slow to send and to draw, and nobody
    scrolls it; typing a few letters of a code or name finds any project."""
    query = st.text_input(
        "Sök projekt på kod eller namn",
        key=search_key,
        placeholder="t.ex. LINK2 eller GNS/8/2018",
    )
    found = search_projects(projects, query)
    codes = found["code"].head(PICKER_ROWS).to_list()
    current = st.session_state.get(key)
    if current is not None and current not in codes:
        codes = [current, *codes]
    if found.height > PICKER_ROWS:
        st.caption(f"Listan nedan visar {PICKER_ROWS} av {found.height} projekt; sök för att hitta andra.")
    elif query.strip() and found.height == 0:
        st.caption("Inget projekt matchar sökningen; listan visar det valda projektet.")
    return codes


def choose_project(key: str, label: str, projects: pl.DataFrame) -> str:
    """A register page's project: from its link (?projekt=…), else the default; chosen among the
    search's matches as `code – name`, and put back in the address."""
    codes = projects["code"].to_list()
    names = dict(projects.select("code", "name").iter_rows())
    from_link(key, "projekt", codes)
    if st.session_state.get(key) not in codes:
        st.session_state[key] = default_project(codes)
    code: str = choose(
        label,
        project_choices(key, projects, search_key=f"{key}_search"),
        format_func=lambda c: f"{c} – {names[c]}",
        key=key,
    )
    to_link(projekt=code)
    return code


def open_project(code: str | None) -> None:
    """Go to the project page with `code` chosen."""
    if code:
        st.session_state["project_select"] = code
        st.switch_page("app_pages/project.py")


# --- links: what a page shows is in its address -----------------------------------------------


def from_link(key: str, param: str, options: Iterable[Any], *, parse: Any = str) -> None:
    """Before a widget: choose what the address's `?param=` names when the widget is drawn afresh.

    Afresh means a link opened, a reload or a page switch; after that the user's choice wins and
    `to_link` writes it back, so a copied address shows what the user sees.
    """
    wanted = st.query_params.get(param)
    if key in st.session_state or wanted is None:
        return
    try:
        value = parse(wanted)
    except (TypeError, ValueError, KeyError):
        return
    if value in list(options):
        st.session_state[key] = value


def follow_link(key: str, param: str, options: Iterable[Any], *, parse: Any = str) -> None:
    """`from_link`, and also when the address changed under the page (the browser's back button)."""
    if st.session_state.pop(f"_chosen_{key}", False):
        return
    wanted = st.query_params.get(param)
    try:
        value = None if wanted is None else parse(wanted)
    except (TypeError, ValueError, KeyError):
        return
    if value in list(options) and st.session_state.get(key) != value:
        st.session_state[key] = value
        st.session_state[f"_chosen_{key}"] = False


def chosen_by_user(key: str) -> None:
    """on_change of a widget whose choice is a new address: the next run makes it a history entry."""
    st.session_state[f"_chosen_{key}"] = True


def link_choice(page: str, key: str, **params: Any) -> None:
    """After the widget: a choice the user made opens the page anew at its address, so it becomes a
    step the browser's back button returns from; otherwise the address is only kept up to date."""
    if st.session_state.get(f"_chosen_{key}"):
        st.switch_page(page, query_params={k: str(v) for k, v in params.items() if v is not None})
    to_link(**params)


def to_link(**params: Any) -> None:
    """Write the page's choices into its address (`?projekt=…&risk=…`); None removes one."""
    for name, value in params.items():
        if value is None:
            st.query_params.pop(name, None)
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def copy_link(path: str, **params: Any) -> None:
    """The page's address with its choices under "Länk till sidan", with Streamlit's copy button."""
    query = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in params.items() if v is not None)
    here = urlsplit(st.context.url or "")
    origin = f"{here.scheme}://{here.netloc}" if here.scheme and here.netloc else ""
    st.caption(
        "Länk till sidan – kopiera med knappen till höger och klistra in i ett mejl eller en kallelse:"
    )
    st.code(f"{origin}{path}?{query}" if query else f"{origin}{path}", language=None, wrap_lines=True)
