"""Shared helpers of the pages: the database per thread, cached reads, Swedish display."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import polars as pl
import streamlit as st

from dashboard import config
from portfolio import db as core_db
from portfolio import store
from portfolio.db import Database
from portfolio.errors import InvalidInputError
from portfolio.models import Status
from portfolio.money import format_kr
from registers.schema import open_database

_local = threading.local()


def db() -> Database:
    """This thread's connection to the configured database (connections never cross threads)."""
    path = str(config.db_path())
    if getattr(_local, "path", None) != path:
        _local.db = open_database(path)
        _local.path = path
    return _local.db


def db_key() -> tuple[str, int]:
    """(path, revision): the cache key that changes with every committed write."""
    conn = db()
    return str(config.db_path()), core_db.revision(conn)


@st.cache_resource(show_spinner=False)
def startup_problems(path: str) -> list[str]:
    """Integrity check once per server process and database (the result, not the connection)."""
    return core_db.integrity_problems(open_database(path))


@st.cache_data(max_entries=32, show_spinner=False)
def _projects(path: str, revision: int) -> pl.DataFrame:
    return store.projects_frame(db())


def projects() -> pl.DataFrame:
    """Every project and case (cached until the next write)."""
    return _projects(*db_key())


@st.cache_data(max_entries=32, show_spinner=False)
def _parties(path: str, revision: int) -> pl.DataFrame:
    return store.parties_frame(db())


def parties() -> pl.DataFrame:
    """The nine parties (cached until the next write)."""
    return _parties(*db_key())


def party_names() -> dict[str, str]:
    """Party code → name."""
    return dict(parties().select("code", "name").iter_rows())


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


def show_errors(error: InvalidInputError) -> None:
    """Every validation message as one error box; nothing was saved."""
    st.error("Inget sparades:\n\n" + "\n".join(f"- {m}" for m in error.messages))


def source_caption(text: str | None) -> None:
    """Where a figure comes from, under it."""
    if text:
        st.caption(f"Källa: {text}")
