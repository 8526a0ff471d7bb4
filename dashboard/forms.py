"""Saving a submitted form: what refused it on the page, or a flash message after the rerun."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import streamlit as st

from dashboard import ui
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    from portfolio.uploads import UploadLimit

BUSINESS_ERRORS = (PermissionDeniedError, NotFoundError, StaleEditError)

# Errors a page shows its own way, checked in order before the usual ones: {StaleEditError: show_newer}.
Refusals = Mapping[type[Exception], Callable[[Any], object]]
# Widget values for the run after a save: {widget key: value}, or a function that builds them.
NextValues = Mapping[str, Any] | Callable[[], Mapping[str, Any]]

_NEXT_VALUES = "forms_next_values"
_UPLOADS = "forms_upload_generation_"


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


def uploader_key(key: str) -> str:
    """The key to give a file uploader now: `key`, renewed by `renew_uploader` after a save.

    A browser keeps the chosen file until the uploader's key changes, and nothing else empties it.
    """
    generation = st.session_state.get(f"{_UPLOADS}{key}", 0)
    return f"{key}_{generation}" if generation else key


def uploader(label: str, kinds: list[str], key: str, limit: UploadLimit) -> UploadedFile | None:
    """A file uploader of `kinds` that `renew_uploader(key)` empties; its help states `limit`."""
    return st.file_uploader(label, type=kinds, key=uploader_key(key), help=limit.text)


def renew_uploader(key: str) -> None:
    """Empty the file uploader of `key` on the next run (its file was imported)."""
    st.session_state[f"{_UPLOADS}{key}"] = st.session_state.get(f"{_UPLOADS}{key}", 0) + 1


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


def saved_or_unchanged(message: str, changed: bool) -> str:
    """The confirmation of an edit: `message`, or that nothing was saved because nothing changed."""
    return message if changed else "Inget var ändrat; inget sparades."


def drawn_version(name: str, current: int, probe: str) -> int:
    """The version of a record a form's widgets were drawn from, while they still live in this session.

    A form keyed by version keeps the user's typing when someone else saves the record meanwhile,
    so the save is refused as stale instead of the click being lost on a form with new keys. A form
    drawn afresh (first visit, or after `rebase`) starts from `current`. `probe` is one field's
    key suffix: the form's widget `f"{name}_{version}_{probe}"` shows whether it is still drawn.
    """
    stored = st.session_state.get(f"{name}_base")
    if stored is not None and f"{name}_{stored}_{probe}" in st.session_state:
        return int(stored)
    st.session_state[f"{name}_base"] = current
    return current


def rebase(name: str, version: int) -> None:
    """Draw the form `name` from `version` next time: after a save, or to load what another person saved."""
    st.session_state[f"{name}_base"] = version
