"""Saving a submitted form: what refused it on the page, or a flash message after the rerun."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard import ui
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError

BUSINESS_ERRORS = (PermissionDeniedError, NotFoundError, StaleEditError)


@contextmanager
def saving(flash_key: str, done: str) -> Iterator[None]:
    """Run the block's parse and write; show why nothing was saved, or flash `done` and rerun.

    The page pops `flash_key` from the session state at its top and shows the message there.
    """
    try:
        yield
    except InvalidInputError as exc:
        ui.show_errors(exc)
    except BUSINESS_ERRORS as exc:
        st.error(str(exc))
    else:
        st.session_state[flash_key] = done
        st.rerun()
