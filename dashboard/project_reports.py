"""The project page's status reports: the current period, the trend per dimension, the history of
published reports with their frozen snapshots, and (for the project's leaders and the admin)
writing, publishing and correcting the period's report.

The project page calls `render(conn, project_id, user)` once. Widget keys start with
`project_report_`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_reporting, ui
from portfolio import clock
from portfolio.auth import Action, User, can
from portfolio.db import Database
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError
from portfolio.models import Status
from portfolio.money import format_kr
from portfolio.reporting import service, trend
from portfolio.reporting import store as reporting_store
from portfolio.reporting.model import DIMENSIONS, NO_SNAPSHOT_TEXT

FLASH_KEY = "project_report_flash"
LOADED_KEY = "project_report_loaded"
SHOWN = {s.value: s.display for s in Status}


def render(conn: Database, project_id: int, user: User) -> None:
    """The section: standing, trend, history, snapshot and the writer."""
    st.header("Statusrapporter")
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message)
    today = clock.today()
    standing = service.project_standing(conn, project_id, today)
    if standing is not None:
        text = service.standing_text(standing)
        if not standing["must_report"] and standing["report_id"] is None:
            text = f"{standing['period']} {standing['year']}: projektet behöver inte rapportera"
        st.markdown(f"**Aktuell period:** {ui.plain(text)}")
    published = reporting_store.published_frame(conn, project_id)
    if published.is_empty():
        st.markdown("Ingen statusrapport är publicerad för projektet.")
    else:
        _trend(published)
        _history(published)
        _snapshot(published)
    if can(user, Action.REPORT_STATUS, project_id=project_id):
        _writer(conn, project_id, user)


def _trend(published: pl.DataFrame) -> None:
    st.subheader("Status per dimension över perioderna")
    long = trend.trend(published)
    if long["label"].n_unique() > 1:
        fig = charts_reporting.status_trend(long, "Status per dimension")
        ui.chart(fig, key="project_report_trend_chart")
    st.caption("Den senaste versionen av varje periods rapport; symbolen bär statusen, inte bara färgen.")
    ui.table(trend.trend_table(long, SHOWN), hide_index=True)


def _with_reason(key: str) -> pl.Expr:
    state = pl.col(f"{key}_status").replace_strict(SHOWN, default="– Ej rapporterad")
    reason = pl.col(f"{key}_reason").fill_null("").str.strip_chars()
    return pl.when(reason != "").then(pl.format("{} – {}", state, reason)).otherwise(state)


def _history(published: pl.DataFrame) -> None:
    st.subheader("Publicerade rapporter")
    st.caption(
        "Varje rapport som den publicerades, nyaste först; en rättelse är en ny version och den"
        " tidigare står kvar."
    )
    history = published.reverse().select(
        pl.format("{} {}", "period", "year").alias("Period"),
        pl.col("report_version").cast(pl.String).alias("Version"),
        pl.col("published_at")
        .map_batches(lambda s: pl.Series([clock.local_text(v) for v in s.to_list()]))
        .alias("Publicerad"),
        pl.col("reported_on").alias("Rapportdatum"),
        *[_with_reason(key).alias(label) for key, label in DIMENSIONS.items()],
        pl.col("next_steps").fill_null("").alias("Nästa steg"),
        pl.col("publisher").fill_null("–").alias("Rapportör"),
        pl.col("correction_reason").fill_null("").alias("Skäl till rättelse"),
    )
    ui.table(history, hide_index=True)


def _report_label(row: dict[str, Any]) -> str:
    published = clock.local_text(row["published_at"])
    return f"{row['period']} {row['year']}, version {row['report_version']} ({published})"


def _snapshot(published: pl.DataFrame) -> None:
    st.subheader("Underlag vid publiceringen")
    rows = {r["id"]: r for r in published.reverse().to_dicts()}
    chosen = st.selectbox(
        "Rapport",
        list(rows),
        index=ui.held_index("project_report_snapshot", list(rows)),
        format_func=lambda rid: _report_label(rows[rid]),
        key="project_report_snapshot",
        placeholder="Välj en rapport",
    )
    if chosen is None:
        return
    raw = rows[chosen]["snapshot"]
    if not raw:
        st.info(NO_SNAPSHOT_TEXT)
        return
    snap = json.loads(raw)
    st.caption(
        f"Fruset {clock.local_text(snap['taken_at'])}: så såg projektet ut när rapporten publicerades,"
        " inte i dag."
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("Budget", format_kr(snap["budget_ore"]))
    c2.metric("Utfall hittills", format_kr(snap["actual_ore"]))
    c3.metric("Prognos", format_kr(snap["forecast_ore"], empty="ingen prognos"))
    risks = pl.DataFrame(
        [
            {
                "Risk": r["title"],
                "Sannolikhet": str(r["probability"]),
                "Konsekvens": str(r["consequence"]),
                "Riskvärde": f"{r['score']} ({r['band']})",
                "Status": r["status"],
            }
            for r in snap["risks"]
        ],
        schema=dict.fromkeys(("Risk", "Sannolikhet", "Konsekvens", "Riskvärde", "Status"), pl.String),
    )
    st.markdown(f"**Öppna risker ({risks.height})**")
    if risks.height:
        ui.table(risks, hide_index=True)
    benefits = pl.DataFrame(
        [
            {
                "Nytta": b["title"],
                "Senaste mätning": b["latest_value"] or "ingen mätning",
                "Mätdatum": b["measured_on"] or "–",
                "Målvärde": b["target_value"] or "–",
            }
            for b in snap["benefits"]
        ],
        schema=dict.fromkeys(("Nytta", "Senaste mätning", "Mätdatum", "Målvärde"), pl.String),
    )
    st.markdown(f"**Nyttor ({benefits.height})**")
    if benefits.height:
        ui.table(benefits, hide_index=True)


# --- writing, publishing, correcting ---------------------------------------------------------


def _writer(conn: Database, project_id: int, user: User) -> None:
    st.subheader("Skriv periodens rapport")
    calendar = service.calendar_frame(conn)
    if calendar.is_empty():
        st.info(
            "Rapportkalendern har inga perioder ännu; e-strategen lägger in dem på sidan Rapportkalender."
        )
        return
    entries = {f"{r['period']} {r['year']}": r for r in calendar.to_dicts()}
    standing = service.project_standing(conn, project_id, clock.today())
    default = f"{standing['period']} {standing['year']}" if standing else next(iter(entries))
    labels = list(entries)
    choice = st.selectbox(
        "Period",
        labels,
        index=ui.held_index(
            "project_report_period", labels, labels.index(default) if default in labels else 0
        ),
        format_func=lambda k: f"{k} (statusrapporter senast {entries[k]['report_deadline']})",
        key="project_report_period",
        placeholder="Välj period",
    )
    if choice is None:
        return
    entry = entries[choice]
    draft = reporting_store.draft_for(conn, project_id, entry["year"], entry["period"])
    if draft is None:
        already = reporting_store.latest_published(conn, project_id, entry["year"], entry["period"])
        st.markdown(
            f"Perioden har redan en publicerad rapport (version {already['report_version']}); en rättelse"
            " blir en ny version med skäl."
            if already
            else "Rapporten börjar som en kopia av projektets senaste publicerade rapport."
        )
        label = "Börja rättelse" if already else f"Börja rapport för {ui.plain(choice)}"
        if st.button(label, key="project_report_start", type="primary"):
            try:
                service.start_draft(conn, user, project_id, entry["year"], entry["period"])
            except (InvalidInputError, PermissionDeniedError) as exc:
                _error(exc)
            else:
                st.session_state[FLASH_KEY] = (
                    f"Utkastet för {ui.plain(choice)} är skapat; fyll i och publicera."
                )
                st.rerun()
        return
    _draft_form(conn, draft, choice, user)


def _load(draft: dict[str, Any]) -> None:
    """Put the stored draft into the form's widgets when it is new or was saved since."""
    stamp = (draft["id"], draft["version"])
    if st.session_state.get(LOADED_KEY) == stamp:
        return
    st.session_state[LOADED_KEY] = stamp
    for key in DIMENSIONS:
        st.session_state[f"project_report_{key}"] = draft[f"{key}_status"]
        st.session_state[f"project_report_{key}_reason"] = draft[f"{key}_reason"] or ""
    st.session_state["project_report_next"] = draft["next_steps"] or ""
    st.session_state["project_report_reason"] = ""


def _draft_form(conn: Database, draft: dict[str, Any], choice: str, user: User) -> None:
    _load(draft)
    correction = draft["corrects_id"] is not None
    st.markdown(
        f"**Utkast för {ui.plain(choice)}**"
        + (" – rättelse av den publicerade rapporten (blir en ny version)" if correction else "")
        + f", senast sparat {clock.local_text(draft['updated_at'])}."
    )
    with st.form("project_report_form", enter_to_submit=False):
        values: dict[str, Any] = {"reported_on": draft["reported_on"]}
        keys = list(DIMENSIONS)
        for row in (keys[:3], keys[3:]):
            cols = st.columns(3)
            for col, key in zip(cols, row, strict=True):
                label = DIMENSIONS[key]
                values[f"{key}_status"] = col.selectbox(
                    label,
                    [s.value for s in Status],
                    format_func=ui.status_text,
                    key=f"project_report_{key}",
                    index=ui.held_index(f"project_report_{key}", [s.value for s in Status], None),
                    placeholder="Välj status",
                )
                values[f"{key}_reason"] = col.text_area(
                    f"Skäl, {label.lower()}", key=f"project_report_{key}_reason", height=90
                )
        values["next_steps"] = st.text_area("Nästa steg", key="project_report_next")
        reason = st.text_input(
            "Skäl till rättelsen" + (" (krävs)" if correction else " (bara vid rättelse)"),
            key="project_report_reason",
        )
        save, publish = st.columns(2)
        saved = save.form_submit_button("Spara utkast")
        published = publish.form_submit_button("Spara och publicera", type="primary")
    if not (saved or published):
        return
    try:
        service.save_draft(conn, user, draft["id"], values, version=draft["version"])
        # The form already shows what was saved: the next run must not reload it over the user's
        # other fields (the reason typed for a correction).
        st.session_state[LOADED_KEY] = (draft["id"], draft["version"] + 1)
    except (InvalidInputError, PermissionDeniedError, StaleEditError, NotFoundError) as exc:
        _error(exc)
        return
    report_id = None
    if published:
        try:
            report_id = service.publish(conn, user, draft["id"], version=draft["version"] + 1, reason=reason)
        except InvalidInputError as exc:
            st.error(
                "Utkastet är sparat men inte publicerat:\n\n" + "\n".join(f"- {m}" for m in exc.messages)
            )
            return
        except (PermissionDeniedError, StaleEditError, NotFoundError) as exc:
            _error(exc)
            return
    if report_id is not None:
        report = reporting_store.published(conn, report_id)
        version = report["report_version"] if report else "?"
        st.session_state[FLASH_KEY] = (
            f"Rapporten för {ui.plain(choice)} är publicerad (version {version}) med fruset underlag."
        )
    else:
        st.session_state[FLASH_KEY] = f"Utkastet för {ui.plain(choice)} är sparat."
    st.rerun()


def _error(exc: Exception) -> None:
    if isinstance(exc, InvalidInputError):
        ui.show_errors(exc)
    else:
        st.error(str(exc))


# --- the overview's report column ----------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _period_reports(path: str, revision: int, today: str) -> pl.DataFrame:
    rows = service.period_status(ui.db(), date.fromisoformat(today))
    return pl.DataFrame(
        [{"project_id": r["project_id"], "period_report": service.standing_text(r)} for r in rows],
        schema={"project_id": pl.Int64, "period_report": pl.String},
    )


def period_reports() -> pl.DataFrame:
    """Per project that must report: the current period's latest published report with its age, or
    'saknas' with how many days late (cached until the next write or the next day)."""
    return _period_reports(*ui.db_key(), clock.today().isoformat())
