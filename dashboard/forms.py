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


@contextmanager
def saving(
    flash_key: str, done: str | Callable[[], str], *, refused: Refusals | None = None
) -> Iterator[None]:
    """Run the block's parse and write; show why nothing was saved, or flash `done` and rerun.

    The page pops `flash_key` from the session state at its top and shows the message there.
    `done` may be a function, called once the block has saved, when the message names what the
    block parsed or wrote.
    """

    def flash() -> None:
        st.session_state[flash_key] = done() if callable(done) else done
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
