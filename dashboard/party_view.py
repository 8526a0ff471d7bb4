"""The section 'Partens egen vy' on Tertialrapport and Kostnadsfördelning.

One party at a time (a municipal CEO's own party first): what it pays this year per item and
key, budgeted and actual, its share of each deviation, the review that refers to the view, and
the view as xlsx and PDF.
"""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from dashboard import ui
from portfolio import clock
from portfolio.auth import User
from portfolio.errors import InvalidInputError
from portfolio.ledger import party_exports, party_service, party_store, tertial_store
from portfolio.ledger.party_service import PartyView
from portfolio.money import format_kr, format_whole_kr
from portfolio.periods import Period

COLUMNS = ("Post", "Nyckel", "Budgeterad andel", "Faktisk andel", "Avvikelse (budget − utfall)", "Grund")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(max_entries=32, show_spinner=False)
def _view(path: str, revision: int, party: str, year: int, period: str) -> PartyView:
    return party_service.load_view(ui.db(), party, year, Period(period))


@st.cache_data(max_entries=8, show_spinner=False)
def _xlsx(path: str, revision: int, party: str, year: int, period: str) -> bytes:
    return party_exports.party_xlsx(_view(path, revision, party, year, period))


@st.cache_data(max_entries=8, show_spinner=False)
def _pdf(path: str, revision: int, party: str, year: int, period: str) -> bytes:
    return party_exports.party_pdf(_view(path, revision, party, year, period))


def default_party(user: User, parties: list[str]) -> str:
    """The user's own party when they belong to one, else the first party (the region)."""
    return user.party if user.party in parties else parties[0]


def rows_table(view: PartyView) -> pl.DataFrame:
    """The view as the page shows it: one row per item, whole kronor, basis as written."""
    return pl.DataFrame(
        [
            (
                r["item"],
                r["key"],
                format_whole_kr(r["budget_ore"]),
                format_whole_kr(r["actual_ore"]),
                format_whole_kr(r["deviation_ore"]),
                r["actual_basis"] or "",
            )
            for r in view.rows.iter_rows(named=True)
        ]
        + [
            (
                "Summa",
                "",
                format_whole_kr(view.totals.budget_ore),
                format_whole_kr(view.totals.actual_ore),
                format_whole_kr(view.totals.deviation_ore),
                "",
            )
        ],
        schema=list(COLUMNS),
        orient="row",
    )


def review_basis(year: int, period: Period, party: str) -> str:
    """The figures of the view a party's review refers to, in a few words ('' when none were stored)."""
    stored = party_store.review_view(ui.db(), year, period.value, party)
    if stored is None or "fingerprint" not in stored:
        return ""
    return (
        f"budgeterad {format_whole_kr(stored['budget_ore'])}, faktisk {format_whole_kr(stored['actual_ore'])}"
    )


def _review_note(view: PartyView) -> None:
    stored = party_store.review_view(ui.db(), view.year, view.period.value, view.party)
    if stored is None:
        earlier = tertial_store.get_review(ui.db(), view.year, view.period.value, view.party)
        if earlier is not None:
            st.caption(
                f"Granskningen {clock.local_text(earlier['reviewed_at'])} gjordes innan granskningarna"
                " sparade vilken vy de avser; en ny granskning knyts till vyn."
            )
        else:
            st.caption(
                f"Ingen granskning av {view.period.value} {view.year} är knuten till den här vyn ännu."
            )
        return
    when = clock.local_text(stored["recorded_at"])
    if "fingerprint" not in stored:
        missing = ui.plain(stored.get("saknas"))
        st.caption(f"Granskningen {when} gjordes när vyn inte kunde räknas fram: {missing}")
        return
    st.caption(
        f"Granskningen {when} avser den här vyn: budgeterad andel {format_kr(stored['budget_ore'])},"
        f" faktisk andel {format_kr(stored['actual_ore'])} (kontrollsumma {stored['fingerprint']})."
    )
    if stored["fingerprint"] != view.totals.fingerprint:
        st.warning(
            "Siffrorna i vyn har ändrats sedan granskningen: nu budgeterad andel"
            f" {format_kr(view.totals.budget_ore)} och faktisk andel {format_kr(view.totals.actual_ore)}."
        )


def section(user: User, *, year: int, period: Period, key_prefix: str) -> PartyView | None:
    """Draw the party chooser and the chosen party's view; returns the view (None when it fails)."""
    names = ui.party_names()
    parties = list(names)
    if not parties:
        st.caption("Det finns inga parter.")
        return None
    key = f"{key_prefix}_party"
    if st.session_state.get(key) not in parties:
        st.session_state[key] = default_party(user, parties)
    party = ui.choose(
        "Part",
        parties,
        format_func=lambda p: names.get(p, p),
        help="Din egen part visas först; alla parter kan se varje parts andel av nämndens kostnader.",
        key=key,
    )
    party_name = names.get(party, party)
    st.subheader(f"Vad betalar {ui.plain(party_name)}?")
    try:
        view = _view(*ui.db_key(), party, year, period.value)
    except InvalidInputError as exc:
        ui.show_errors(exc)
        return None
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Budgeterad andel {year}", format_whole_kr(view.totals.budget_ore))
    m2.metric(f"Faktisk andel ({period.value})", format_whole_kr(view.totals.actual_ore))
    m3.metric(
        "Avvikelse (budget − utfall)",
        format_whole_kr(view.totals.deviation_ore),
        help="Partens andel av avvikelserna; negativ betyder att parten betalar mer än budgeterat.",
    )
    ui.dataframe(rows_table(view), width="stretch", key=f"{key_prefix}_party_rows")
    st.caption(
        "Varje post fördelas med sin nyckel två gånger, budgeten och utfallet, i öre med"
        " största-rest-metoden; beloppen visas i hela kronor (exakta i Excel och PDF)."
        " LINK2: kommunernas andel av utfallet fördelas efter befolkning, inte bara budgeten."
    )
    for note in view.rounding_notes:
        st.caption(ui.plain(note))
    _review_note(view)
    # The files are made when a button is pressed, not on every run of the page.
    d1, d2 = st.columns(2)
    stem = f"partsvy-{party.lower()}-{year}-{period.value}"
    d1.download_button(
        "Partsvyn som Excel (.xlsx)",
        data=partial(_xlsx, *ui.db_key(), party, year, period.value),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key_prefix}_party_xlsx",
        on_click="ignore",  # a download changes nothing: no rerun
    )
    d2.download_button(
        "Partsvyn som PDF",
        data=partial(_pdf, *ui.db_key(), party, year, period.value),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key=f"{key_prefix}_party_pdf",
        on_click="ignore",  # a download changes nothing: no rerun
    )
    return view
