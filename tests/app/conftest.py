"""AppTest fixtures: the real app on a private seeded database, signed in as a persona."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.navigation import BENEFITS_TAB_PARAM, BENEFITS_TABS, PROJECT_SECTION_PARAM, PROJECT_SECTIONS
from portfolio import users_store
from registers.database import open_database

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py")
PERSONA_EMAILS = {
    "namnd": "ledamot@gns.example",
    "kommunchef": "kommunchef.bracke@gns.example",
    "projektledare": "projektledare.link2@gns.example",
    "admin": "e-strateg@gns.example",
}
ROLES = tuple(PERSONA_EMAILS)


@pytest.fixture
def app_env(seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the private seeded database."""
    monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
    monkeypatch.setenv("PORTFOLJ_DEMO", "0")
    return seeded_path


@pytest.fixture
def app_as(app_env: Path) -> Callable[..., AppTest]:
    """`app_as("projektledare", page="app_pages/risks.py")`: the app signed in, on that page."""

    def make(role: str, page: str | None = None) -> AppTest:
        conn = open_database(app_env)
        found = users_store.find_user(conn, PERSONA_EMAILS[role])
        conn.close()
        assert found is not None, f"personan {role} saknas i grunddatan"
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["user_id"] = found[0].id
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make


def rendered(source: str) -> str:
    """Markdown source as the reader sees it: a backslash-escaped punctuation mark is the mark itself."""
    return _ESCAPED.sub(r"\1", source)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def open_section(at: AppTest, section: str) -> AppTest:
    """The page with its tab `section` open, as a click on the tab opens it (the Projekt page's
    parts and the Nyttoregister's tabs: only the open one is drawn)."""
    key = PROJECT_SECTION_PARAM if section in PROJECT_SECTIONS else BENEFITS_TAB_PARAM
    assert section in PROJECT_SECTIONS + BENEFITS_TABS, section
    at.session_state[key] = section
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the user reads on the page, as one string (user text escaped for Markdown as shown)."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for table in [*at.table, *at.dataframe]:
        parts.append(table.value.to_csv())
    return rendered("\n".join(parts))


def texts_of_a_clean_run(at: AppTest) -> str:
    """What the page shows (`texts`), once it is asserted that its script raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return texts(at)


WIDGET_KINDS = (
    "button",
    "checkbox",
    "color_picker",
    "date_input",
    "multiselect",
    "number_input",
    "radio",
    "select_slider",
    "selectbox",
    "slider",
    "text_area",
    "text_input",
    "time_input",
    "toggle",
)


def fill(at: AppTest, **values: Any) -> None:
    """Set each widget, found by its key whatever its kind, to its value; None leaves a widget as it is."""
    widgets = {w.key: w for kind in WIDGET_KINDS for w in getattr(at, kind) if w.key}
    for key, value in values.items():
        if value is not None:
            widgets[key].set_value(value)


def frame_with(at: AppTest, column: str) -> Any:
    """The first table on the page with this column (a plain st.dataframe has no key in AppTest)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"ingen tabell med kolumnen {column}")


def duplicate_labels(at: AppTest) -> list[str]:
    """The labels that more than one control on the page carries (a screen reader cannot tell them apart)."""
    labels = [str(w.label) for kind in WIDGET_KINDS for w in getattr(at, kind)]
    labels += [str(w.proto.label) for kind in ("download_button", "file_uploader") for w in at.get(kind)]
    return sorted({label for label in labels if labels.count(label) > 1})


def _in_order(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for index in sorted(children):
        yield from _in_order(children[index])


def shown_under(at: AppTest, button_key: str) -> str | None:
    """The confirmation shown right under the button with this key (the next element), or None."""
    elements = list(_in_order(at._tree))
    (position,) = [i for i, e in enumerate(elements) if getattr(e, "key", None) == button_key]
    following = elements[position + 1] if position + 1 < len(elements) else None
    return str(following.value) if following is not None and following.type == "success" else None
