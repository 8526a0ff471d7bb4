"""Rapportkalender: each year's reporting periods with their deadlines, who has reported and who
is late; the e-strateg sets the periods and which projects must report."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio import clock
from portfolio.auth import Action
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError
from portfolio.models import parse
from portfolio.reporting import service
from portfolio.reporting import store as reporting_store
from portfolio.reporting.calendar import REPORT_DAYS_BEFORE_MEETING, REVIEW_DAYS_BEFORE_MEETING, must_report
from portfolio.reporting.model import CalendarInput, days_text

FLASH_KEY = "calendar_flash"
OBLIGATION = {"fas": "Enligt fas (aktiva faser rapporterar)", "ja": "Ja, alltid", "nej": "Nej"}

user = ui.require_user()
forms.prepare()
conn = ui.db()
today = clock.today()
st.title("Rapportkalender")
st.caption(
    "Rapportperioderna och deras sista dagar: statusrapporterna"
    f" {REPORT_DAYS_BEFORE_MEETING} dagar och kommunchefernas granskning"
    f" {REVIEW_DAYS_BEFORE_MEETING} dagar före sammanträdet där periodens rapport redovisas,"
    " om inget annat är angivet."
)
if message := st.session_state.pop(FLASH_KEY, None):
    st.success(message)


def _years() -> list[int]:
    found = service.calendar_frame(conn)["year"].unique().sort(descending=True).to_list()
    return found or [today.year]


def periods_table(year: int) -> None:
    frame = service.calendar_frame(conn, year)
    if frame.is_empty():
        st.markdown(f"Rapportkalendern har inga perioder för {year}.")
        return
    published = reporting_store.published_pairs(conn)
    obliged = [
        p for p in reporting_store.reporting_projects(conn) if must_report(p["phase"], p["must_report"])
    ]
    rows = []
    for r in frame.to_dicts():
        done = sum((p["id"], r["year"], r["period"]) in published for p in obliged)
        reviewed = len(reporting_store.reviewed_parties(conn, r["year"], r["period"]))
        rows.append(
            {
                "Period": r["period"],
                "Omfattar": f"{r['start_date']} – {r['end_date']}",
                "Sammanträde": r["meeting_date"] or "–",
                "Statusrapporter senast": r["report_deadline"],
                "Granskning senast": r["review_deadline"],
                "Publicerade rapporter": f"{done} av {len(obliged)}",
                "Granskat av parter": str(reviewed),
                "Anteckning": r["note"] or "",
            }
        )
    ui.table(pl.DataFrame(rows), hide_index=True)


def due_table() -> None:
    st.subheader("Att rapportera nu")
    due = service.due_reports(conn, today)
    if not due:
        st.markdown("Inga projekt behöver rapportera just nu.")
        return
    missing = [r for r in due if not r.published]
    if missing:
        late = sum(1 for r in missing if r.days_overdue)
        count = "1 rapport saknas" if len(missing) == 1 else f"{len(missing)} rapporter saknas"
        st.markdown(f"**{count}**" + (f", varav {late} efter sista dag." if late else "."))
    else:
        st.markdown("**Ingen rapport saknas.**")
    # Missing (most overdue first) before published; at most one screenful in the browser.
    due = sorted(due, key=lambda r: (r.published, -r.days_overdue, r.project_code))
    shown = due[: ui.PICKER_ROWS]
    if len(due) > len(shown):
        st.caption(
            f"Visar {len(shown)} av {len(due)} projekt, de som saknar rapport först;"
            " hela listan: `portfolj calendar due`."
        )
    rows = [
        {
            "Projekt": f"{r.project_code} – {r.project_name}",
            "Period": f"{r.period} {r.year}",
            "Senast": r.deadline.isoformat(),
            "Läge": "✔ publicerad"
            if r.published
            else (f"✘ saknas, {days_text(r.days_overdue)} sen" if r.days_overdue else "– saknas ännu"),
        }
        for r in shown
    ]
    ui.table(pl.DataFrame(rows), hide_index=True)
    for review in service.review_deadlines(conn, today):
        names = ui.party_names()
        missing_parties = ", ".join(names.get(p, p) for p in review.parties) or "ingen"
        st.markdown(
            f"Granskning av {ui.plain(review.period)} {review.year}, senast {review.deadline}:"
            f" ej granskat av {ui.plain(missing_parties)}."
        )


def period_form(year: int) -> None:
    st.subheader("Lägg till eller ändra en period")
    with st.form("calendar_period_form", enter_to_submit=False):
        c1, c2 = st.columns(2)
        form_year = ui.year_input("År", year, key="calendar_year_in", where=c1)
        period = c2.text_input("Period (T1, T2, helår eller eget namn)", key="calendar_period_name")
        c3, c4 = st.columns(2)
        start = ui.date_input(
            "Första dag (bara för egna perioder)", value=None, key="calendar_start", where=c3
        )
        end = ui.date_input("Sista dag (bara för egna perioder)", value=None, key="calendar_end", where=c4)
        meeting = ui.date_input(
            "Sammanträde där rapporten redovisas (tomt: första sammanträdet efter perioden)",
            value=None,
            key="calendar_meeting",
        )
        c5, c6 = st.columns(2)
        report_deadline = ui.date_input(
            "Sista dag för statusrapporter (tomt: räknas från sammanträdet)",
            value=None,
            key="calendar_report_deadline",
            where=c5,
        )
        review_deadline = ui.date_input(
            "Sista dag för granskningen (tomt: räknas från sammanträdet)",
            value=None,
            key="calendar_review_deadline",
            where=c6,
        )
        note = st.text_input("Anteckning", key="calendar_note")
        submitted = st.form_submit_button("Spara period", type="primary")
    if not submitted:
        return
    data: dict[str, Any] = {
        "year": int(form_year),
        "period": period,
        "start": start,
        "end": end,
        "meeting": meeting,
        "report_deadline": report_deadline,
        "review_deadline": review_deadline,
        "note": note,
    }
    try:
        parsed = parse(CalendarInput, data)
        current = reporting_store.period_row(conn, parsed.year, parsed.period)
        service.set_period(conn, user, parsed, version=current["version"] if current else None)
    except InvalidInputError as exc:
        ui.show_errors(exc)
        return
    except (PermissionDeniedError, StaleEditError, NotFoundError) as exc:
        st.error(str(exc))
        return
    row = reporting_store.period_row(conn, parsed.year, parsed.period)
    assert row is not None
    st.session_state[FLASH_KEY] = (
        f"{ui.plain(parsed.period)} {parsed.year} är {'ändrad' if current else 'tillagd'}:"
        f" statusrapporter senast {row['report_deadline']}, granskning senast {row['review_deadline']}."
    )
    st.rerun()


def derive_button(year: int) -> None:
    if st.button(f"Lägg in T1, T2 och helår {year} från sammanträdesplanen", key="calendar_derive"):
        try:
            added = service.derive_year(conn, user, year)
        except InvalidInputError as exc:
            ui.show_errors(exc)
            return
        except PermissionDeniedError as exc:
            st.error(str(exc))
            return
        st.session_state[FLASH_KEY] = f"{len(added)} perioder lades till för {year}."
        st.rerun()


def obligation_form() -> None:
    st.subheader("Vilka projekt som rapporterar")
    projects = reporting_store.reporting_projects(conn)
    by_id = {p["id"]: p for p in projects}
    st.caption("Projekt i förstudie eller genomförande rapporterar, om inget annat anges för projektet.")
    # A search instead of a box of every project (thousands at the large tier).
    found = ui.project_choices(
        "calendar_obligation_code", ui.projects(), search_key="calendar_obligation_search"
    )
    wanted, current = set(found), st.session_state.get("calendar_obligation_project")
    choices = {
        i: f"{p['code']} – {p['name']} (fas: {p['phase']})"
        for i, p in by_id.items()
        if p["code"] in wanted or i == current
    }
    with st.form("calendar_obligation_form", enter_to_submit=False):
        pid = ui.choose("Projekt", choices, key="calendar_obligation_project", prompt="Välj projekt")
        choice = st.radio(
            "Rapporterar", list(OBLIGATION), format_func=OBLIGATION.get, key="calendar_obligation"
        )
        submitted = st.form_submit_button("Spara")
    if not submitted:
        return
    if pid is None:
        st.error("Välj ett projekt.")
        return
    value = {"fas": None, "ja": True, "nej": False}[choice]
    try:
        service.set_must_report(conn, user, pid, value)
    except (PermissionDeniedError, NotFoundError) as exc:
        st.error(str(exc))
        return
    st.session_state[FLASH_KEY] = f"{ui.plain(by_id[pid]['code'])}: rapporterar {OBLIGATION[choice].lower()}."
    st.rerun()


years = _years()
year = st.selectbox(
    "År", years, index=ui.held_index("calendar_year", years), key="calendar_year", placeholder="Välj år"
)
periods_table(year or years[0])
due_table()
if ui.can(Action.MANAGE_MEETINGS):
    derive_button(year or years[0])
    period_form(year or years[0])
    obligation_form()
