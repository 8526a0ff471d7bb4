"""Saving a submitted form: what refused it on the page, or a flash message after the rerun."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import streamlit as st

from dashboard import ui
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError

BUSINESS_ERRORS = (PermissionDeniedError, NotFoundError, StaleEditError)

# Errors a page shows its own way, checked in order before the usual ones: {StaleEditError: show_newer}.
Refusals = Mapping[type[Exception], Callable[[Any], object]]
# Widget values for the run after a save: {widget key: value}, or a function that builds them.
NextValues = Mapping[str, Any] | Callable[[], Mapping[str, Any]]

_NEXT_VALUES = "forms_next_values"


def prepare() -> None:
    """Give widgets the values a save left for this run; call at the top of a page, before any widget.

    A widget's value set through the session state before it is drawn is also sent to the browser;
    a key merely deleted would leave the browser showing (and sending back) the old text.
    """
    for key, value in st.session_state.pop(_NEXT_VALUES, {}).items():
        st.session_state[key] = value


def prepare_next(values: Mapping[str, Any]) -> None:
    """Widget values for the next run, given by `prepare` (for a page that saves and reruns itself)."""
    st.session_state[_NEXT_VALUES] = {**st.session_state.get(_NEXT_VALUES, {}), **values}


def confirmation(flash_key: str) -> None:
    """The message a save left under `flash_key`, shown here: under the button that was pressed."""
    if message := st.session_state.pop(flash_key, None):
        st.success(message)


@contextmanager
def saving(
    flash_key: str,
    done: str | Callable[[], str],
    *,
    refused: Refusals | None = None,
    then: NextValues | None = None,
) -> Iterator[None]:
    """Run the block's parse and write; show why nothing was saved, or flash `done` and rerun.

    The page shows the message with `confirmation(flash_key)` under the form's button.
    `done` may be a function, called once the block has saved, when the message names what the
    block parsed or wrote. `then` gives widgets their values for the next run (see `prepare`):
    the form's fields emptied, the record just saved chosen; nothing changes when saving fails.
    """

    def flash() -> None:
        st.session_state[flash_key] = done() if callable(done) else done
        if then is not None:
            prepare_next(then() if callable(then) else then)
        st.rerun()

    with _saving(flash, refused or {}):
        yield


@contextmanager
def saving_here(done: str) -> Iterator[None]:
    """As `saving`, but `done` is shown where the form is, without a rerun."""

    def show() -> None:
        st.success(done)

    with _saving(show, {}):
        yield


@contextmanager
def _saving(then: Callable[[], None], refused: Refusals) -> Iterator[None]:
    try:
        yield
    except tuple(refused) as exc:
        next(show for kind, show in refused.items() if isinstance(exc, kind))(exc)
    except InvalidInputError as exc:
        ui.show_errors(exc)
    except BUSINESS_ERRORS as exc:
        st.error(str(exc))
    else:
        then()
