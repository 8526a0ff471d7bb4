"""Nyttoregister: each project's effect goals and benefits, their measurements and nyttokalkyl,
and the whole portfolio's benefits with those not measured for a year flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_benefits, forms, ui
from dashboard.navigation import BENEFITS_TAB_PARAM, BENEFITS_TABS
from portfolio import store as core_store
from portfolio.errors import StaleEditError
from portfolio.money import format_kr
from registers.benefits import logic as benefit_logic
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.logic import BenefitStatus
from registers.benefits.model import DIRECTIONS, KINDS, BenefitInput, number_text

user = ui.require_user()
conn = ui.db()
today = date.today()
forms.prepare()
STATUS_HELP = ", ".join(f"{s.symbol} {s.value}" for s in BenefitStatus)


@st.cache_data(max_entries=16, show_spinner=False)
def _register(path: str, revision: int, day: date) -> pl.DataFrame:
    return benefits.register(ui.db(), today=day)


def point_text(day: date | None, value: str | None, unit: str | None) -> str:
    if day is None or value is None:
        return "–"
    return f"{number_text(value)}{f' {unit}' if unit else ''} ({day.isoformat()})"


def stale_text(stale: bool) -> str:
    return "⚠ Ej mätt senaste året" if stale else "✓ Mätt senaste året"


def register_table(frame: pl.DataFrame, *, with_project: bool) -> pl.DataFrame:
    rows = [
        {
            **({"Projekt": r["project"]} if with_project else {}),
            "Typ": r["kind"],
            "Titel": r["title"],
            "Indikator": r["indicator"] or "–",
            "Riktning": DIRECTIONS.get(r["direction"] or "", "–"),
            "Nollmätning": point_text(r["baseline_date"], r["baseline_value"], r["unit"]),
            "Målvärde": point_text(r["target_date"], r["target_value"], r["unit"]),
            "Senaste mätning": point_text(r["latest_date"], r["latest_value"], r["unit"]),
            "Status": r["status_text"],
            "Uppföljning": stale_text(r["stale"]),
            "Nyttoägare": r["owner"] or "–",
        }
        for r in frame.iter_rows(named=True)
    ]
    columns = [
        *(["Projekt"] if with_project else []),
        "Typ",
        "Titel",
        "Indikator",
        "Riktning",
        "Nollmätning",
        "Målvärde",
        "Senaste mätning",
        "Status",
        "Uppföljning",
        "Nyttoägare",
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String))


EMPTY_BENEFIT: dict[str, Any] = {
    "benefits_new_title": "",
    "benefits_new_indicator": "",
    "benefits_new_unit": "",
    "benefits_new_direction": None,
    "benefits_new_baseline_date": None,
    "benefits_new_baseline_value": "",
    "benefits_new_target_date": None,
    "benefits_new_target_value": "",
    "benefits_new_owner": "",
    "benefits_new_owner_email": "",
    "benefits_new_parties": [],
}
EMPTY_MEASUREMENT = {
    "benefits_measure_value": "",
    "benefits_measure_comment": "",
    "benefits_measure_source": "",
}
PLAN_LABELS = {
    "indicator": "Indikator",
    "unit": "Enhet",
    "direction": "Riktning",
    "baseline_date": "Nollmätning, datum",
    "baseline_value": "Nollmätning, värde",
    "target_date": "Målvärde, datum",
    "target_value": "Målvärde, värde",
}


def _plan_date(where: Any, label: str, key: str, **kwargs: Any) -> date | None:
    """A baseline or target date: ISO format, between the years 2000 and 2100."""
    chosen: date | None = ui.date_input(
        label, min_value=date(2000, 1, 1), max_value=date(2100, 12, 31), key=key, **kwargs, where=where
    )
    return chosen


def _plan_fields(row: dict[str, Any]) -> None:
    """A benefit without baseline and target gets them, and its indicator, in the measurement's form."""
    st.markdown(
        f"**{ui.plain(row['title'])} saknar nollmätning och målvärde.** Ange dem här, så sparas de "
        "tillsammans med mätningen."
    )
    key = f"benefits_measure_plan_{row['id']}"
    c1, c2, c3 = st.columns(3)
    c1.text_input(
        f"{PLAN_LABELS['indicator']} att mäta", value=row["indicator"] or "", key=f"{key}_indicator"
    )
    c2.text_input(f"{PLAN_LABELS['unit']} för mätningen", value=row["unit"] or "", key=f"{key}_unit")
    ui.choose(
        f"{PLAN_LABELS['direction']} för mätningen",
        DIRECTIONS,
        index=[None, *DIRECTIONS].index(row["direction"]),
        key=f"{key}_direction",
        none="– välj",
        where=c3,
    )
    c1, c2, c3, c4 = st.columns(4)
    for column, field in zip((c1, c2, c3, c4), list(PLAN_LABELS)[3:], strict=True):
        label = f"{PLAN_LABELS[field]} (anges nu)"
        if field.endswith("_date"):
            _plan_date(column, label, f"{key}_{field}", value=None)
        else:
            column.text_input(label, key=f"{key}_{field}")


def measure_benefit_form(measurable: pl.DataFrame, project_id: int) -> None:
    """A measurement of the chosen benefit; one without a plan gets its baseline and target too."""
    rows = {r["id"]: r for r in measurable.iter_rows(named=True)}
    benefit_id = ui.choose(
        "Nytta eller effektmål att mäta",
        list(rows),
        format_func=lambda i: (
            rows[i]["title"] + ("" if rows[i]["baseline_date"] else " (saknar nollmätning)")
        ),
        key="benefits_measure_benefit",
    )
    row = rows[benefit_id]
    needs_plan = row["baseline_date"] is None
    with st.form("benefits_measure_form", enter_to_submit=False):
        if needs_plan:
            _plan_fields(row)
        c1, c2 = st.columns(2)
        measured_on = ui.date_input(
            "Mätdatum",
            value=today,
            min_value=date(2000, 1, 1),
            max_value=today,
            key="benefits_measure_date",
            where=c1,
        )
        value = c2.text_input("Uppmätt värde (decimalkomma går bra)", key="benefits_measure_value")
        comment = st.text_input("Kommentar till mätningen", key="benefits_measure_comment")
        source = st.text_input("Källa (t.ex. rapport från Beslutsstödet)", key="benefits_measure_source")
        submitted = st.form_submit_button(
            "Spara nollmätning, målvärde och mätning" if needs_plan else "Spara mätning",
            type="primary",
            key="benefits_measure_submit",
        )
    forms.confirmation("benefits_measure_flash")
    if not submitted:
        return

    def measured() -> str:
        after = benefits.register(conn, project_id, today=today).filter(pl.col("id") == benefit_id)
        saved = "Nollmätning, målvärde och mätning är sparade" if needs_plan else "Mätningen är sparad"
        return f"{saved}. Status nu: {after['status_text'][0]}."

    with forms.saving("benefits_measure_flash", measured, then=EMPTY_MEASUREMENT):
        measurement = benefits.parse_measurement(
            {"measured_on": measured_on, "value": value, "comment": comment, "source": source}
        )
        if needs_plan:
            key = f"benefits_measure_plan_{benefit_id}"
            plan = {field: st.session_state[f"{key}_{field}"] for field in PLAN_LABELS}
            version = int(benefits_store.get_benefit(conn, benefit_id)["version"])
            benefits.measure_with_plan(conn, user, benefit_id, plan, measurement, version=version)
            st.session_state.pop("benefits_edit_base", None)  # the edit form shows the new plan
        else:
            benefits.add_measurement(conn, user, benefit_id, measurement)


def benefit_details(
    row: dict[str, Any], measurements: pl.DataFrame, observations: pl.DataFrame, party_names: dict[str, str]
) -> None:
    """One benefit in full: owner, parties, indicator, signals, and its measurements as chart and table."""
    owner = ui.plain(row["owner"]) if row["owner"] else "ej utsedd"
    st.markdown(
        f"**Status:** {row['status_text']} · **Nyttoägare:** {owner}"
        + (
            " · **Parter:** " + ", ".join(party_names.get(p, p) for p in row["parties"].split(","))
            if row["parties"]
            else ""
        )
    )
    if row["indicator"]:
        st.markdown(
            f"**Indikator:** {ui.plain(row['indicator'])} "
            f"({ui.plain(row['unit']) if row['unit'] else 'ingen enhet'}, "
            f"{DIRECTIONS.get(row['direction'] or '', 'riktning ej angiven')})"
        )
    if row["definition_source"]:
        st.caption(f"Indikator, enhet och riktning: {ui.plain(row['definition_source'])}")
    if row["doc_status"]:
        st.markdown(f"*Rapporten:* {ui.plain(row['doc_status'])}")
    if row["note"]:
        st.caption(ui.plain(row["note"]))
    for obs in observations.filter(pl.col("benefit_id") == row["id"]).iter_rows(named=True):
        st.markdown(f"**Signal:** {ui.plain(obs['text'])}")
        ui.source_caption(obs["source"])
    mine = measurements.filter(pl.col("benefit_id") == row["id"])
    if row["baseline_date"] is None:
        st.markdown(
            "Nollmätning och målvärde är inte angivna ännu; status kan inte bedömas förrän "
            "de finns. Projektledaren kan ange dem tillsammans med den första mätningen."
        )
    else:
        ui.chart(charts_benefits.indicator_chart(row, mine, today), key=f"benefits_chart_{row['id']}")
        points = [
            ("Nollmätning", row["baseline_date"], row["baseline_value"], "", ""),
            ("Målvärde", row["target_date"], row["target_value"], "", ""),
            *[
                ("Mätning", m["measured_on"], m["value"], m["comment"] or "", m["source"] or "")
                for m in mine.iter_rows(named=True)
            ],
        ]
        ui.table(
            pl.DataFrame(
                [(kind, d.isoformat(), number_text(v), c, s) for kind, d, v, c, s in points],
                schema=["Typ", "Datum", f"Värde ({row['unit'] or '–'})", "Kommentar", "Källa"],
                orient="row",
            ),
            hide_index=True,
        )
        st.caption("Tabellen visar samma värden som diagrammet.")
    ui.source_caption(row["source"])


def project_benefits(
    project_rows: pl.DataFrame, project_id: int, project_name: str, party_names: dict[str, str]
) -> None:
    """The project's benefits: counts per status, the table, and each benefit opened in an expander."""
    st.header(f"Nyttor och effektmål – {project_name}")
    follow_up = benefits_store.follow_up(conn, project_id)
    if follow_up:
        st.info(follow_up[0])
        ui.source_caption(follow_up[1])
    if project_rows.is_empty():
        st.markdown("Projektet har inga registrerade nyttor eller effektmål.")
    else:
        counts = dict(project_rows.group_by("status").len().iter_rows())
        cols = st.columns(len(BenefitStatus))
        for col, status in zip(cols, BenefitStatus, strict=True):
            col.metric(f"{status.symbol} {status.value.capitalize()}", counts.get(status.value, 0))
        ui.dataframe(register_table(project_rows, with_project=False), width="stretch", key="benefits_table")
        measurements = benefits_store.measurements_frame(conn, project_id=project_id)
        observations = benefits_store.observations_frame(conn, project_id)
        for row in project_rows.iter_rows(named=True):
            with st.expander(f"{row['status_text']} · {row['kind']}: {ui.plain(row['title'])}"):
                benefit_details(row, measurements, observations, party_names)


def measurement_section(project_rows: pl.DataFrame, project_id: int) -> None:
    """The measurement form for the benefits this user may measure (and plan, if allowed)."""
    # The owner, the project's leaders and admin may add measurements; the domain decides.
    measurable = benefits.measurable_benefits(user, project_rows)
    may_plan = benefits.can_edit(user, project_id)
    if not may_plan:
        measurable = measurable.filter(pl.col("baseline_date").is_not_null())
    if measurable.height:
        st.subheader("Lägg till mätning")
        measure_benefit_form(measurable, project_id)
    elif benefits.measurable_benefits(user, project_rows).height:
        st.info(
            "Ingen av nyttorna du får mäta har nollmätning och målvärde ännu. En projektledare "
            "eller e-strategen anger dem under ”Ändra nytta” eller med den första mätningen."
        )


def load_edit_form(edit_id: int | None) -> None:
    """Fill the edit form from the database when another benefit is chosen (or after a save)."""
    base = st.session_state.get("benefits_edit_base")
    if base is None or base[0] != edit_id:
        # Not on every run: the version the user started from is the one checked on save.
        row = benefits_store.get_benefit(conn, int(edit_id or 0))
        st.session_state["benefits_edit_base"] = (edit_id, row["version"])
        defaults: dict[str, Any] = {
            "kind": row["kind"],
            "title": row["title"],
            "indicator": row["indicator"] or "",
            "unit": row["unit"] or "",
            "direction": row["direction"],
            "baseline_date": date.fromisoformat(row["baseline_date"]) if row["baseline_date"] else None,
            "baseline_value": number_text(row["baseline_value"]) if row["baseline_value"] else "",
            "target_date": date.fromisoformat(row["target_date"]) if row["target_date"] else None,
            "target_value": number_text(row["target_value"]) if row["target_value"] else "",
            "owner": row["owner"] or "",
            "owner_email": row["owner_email"] or "",
            "parties": list(row["parties"]),
            "note": row["note"] or "",
        }
        for key, value in defaults.items():
            st.session_state[f"benefits_edit_{key}"] = value


def show_newer(exc: StaleEditError) -> None:
    """Someone saved the benefit first: their values, and a button to load them."""
    st.error(str(exc))
    newer = exc.current
    ui.table(
        pl.DataFrame(
            [
                ("Titel", newer.get("title")),
                ("Indikator", newer.get("indicator")),
                (
                    "Nollmätning",
                    f"{newer.get('baseline_value')} ({newer.get('baseline_date')})",
                ),
                ("Målvärde", f"{newer.get('target_value')} ({newer.get('target_date')})"),
                ("Nyttoägare", newer.get("owner")),
                ("Version", newer.get("version")),
            ],
            schema=["Fält", "Nyare värde i registret"],
            orient="row",
        ),
        hide_index=True,
    )
    st.button(
        "Läs in de nya värdena",
        key="benefits_edit_reload",
        on_click=lambda: st.session_state.pop("benefits_edit_base", None),
    )


def edit_benefit_form(project_rows: pl.DataFrame, project_id: int, party_names: dict[str, str]) -> None:
    """Change a benefit of the project; a stale edit shows the newer values instead of overwriting them."""
    st.subheader("Ändra nytta")
    titles = dict(project_rows.select("id", "title").iter_rows())
    edit_id = ui.choose("Nytta att ändra", titles, key="benefits_edit_benefit")
    load_edit_form(edit_id)
    with st.form("benefits_edit_form", enter_to_submit=False):
        c1, c2 = st.columns(2)
        ui.choose("Typ", list(KINDS), key="benefits_edit_kind", where=c1)
        c2.text_input("Titel", key="benefits_edit_title")
        c1.text_input("Indikator", key="benefits_edit_indicator")
        c2.text_input("Enhet", key="benefits_edit_unit")
        ui.choose("Riktning", DIRECTIONS, key="benefits_edit_direction", none="– ej angiven")
        c1, c2, c3, c4 = st.columns(4)
        _plan_date(c1, "Nollmätning, datum", "benefits_edit_baseline_date")
        c2.text_input("Nollmätning, värde", key="benefits_edit_baseline_value")
        _plan_date(c3, "Målvärde, datum", "benefits_edit_target_date")
        c4.text_input("Målvärde, värde", key="benefits_edit_target_value")
        c1, c2 = st.columns(2)
        c1.text_input("Nyttoägare (namn)", key="benefits_edit_owner")
        c2.text_input(
            "Nyttoägarens e-post (ett konto med den adressen får lägga till mätningar)",
            key="benefits_edit_owner_email",
        )
        ui.choose_many("Parter som nyttan gäller", party_names, key="benefits_edit_parties")
        st.text_area("Anteckning", key="benefits_edit_note")
        saved = st.form_submit_button("Spara ändringen", type="primary", key="benefits_edit_submit")
    forms.confirmation("benefits_edit_flash")
    if saved:
        form_values: dict[str, Any] = {
            key: st.session_state[f"benefits_edit_{key}"]
            for key in ("kind", "title", *benefits.PLAN_FIELDS, "owner", "owner_email", "note")
        }
        form_values["parties"] = tuple(st.session_state["benefits_edit_parties"])

        with forms.saving("benefits_edit_flash", "Nyttan är sparad.", refused={StaleEditError: show_newer}):
            edited = benefits.parse_benefit(form_values)
            benefits.update_benefit(
                conn,
                user,
                int(edit_id or 0),
                edited,
                version=int(st.session_state["benefits_edit_base"][1]),
            )
            st.session_state.pop("benefits_edit_base", None)


def new_benefit_form(project_id: int, party_names: dict[str, str]) -> None:
    """Add a benefit or effect goal to the project; it is then chosen in the edit form."""
    st.subheader("Ny nytta eller nytt effektmål")
    with st.form("benefits_new_form", enter_to_submit=False):
        c1, c2 = st.columns(2)
        new_kind = ui.choose("Typ (ny nytta)", list(KINDS), key="benefits_new_kind", where=c1)
        new_title = c2.text_input("Titel (ny nytta)", key="benefits_new_title")
        new_indicator = c1.text_input("Indikator (ny nytta)", key="benefits_new_indicator")
        new_unit = c2.text_input("Enhet (ny nytta)", key="benefits_new_unit")
        new_direction = ui.choose(
            "Riktning (ny nytta)", DIRECTIONS, key="benefits_new_direction", none="– ej angiven"
        )
        c1, c2, c3, c4 = st.columns(4)
        new_baseline_date = _plan_date(
            c1, "Nollmätning, datum (ny nytta)", "benefits_new_baseline_date", value=None
        )
        new_baseline_value = c2.text_input("Nollmätning, värde (ny nytta)", key="benefits_new_baseline_value")
        new_target_date = _plan_date(c3, "Målvärde, datum (ny nytta)", "benefits_new_target_date", value=None)
        new_target_value = c4.text_input("Målvärde, värde (ny nytta)", key="benefits_new_target_value")
        c1, c2 = st.columns(2)
        new_owner = c1.text_input("Nyttoägare (namn, ny nytta)", key="benefits_new_owner")
        new_owner_email = c2.text_input("Nyttoägarens e-post (ny nytta)", key="benefits_new_owner_email")
        new_parties = ui.choose_many(
            "Parter som den nya nyttan gäller", party_names, key="benefits_new_parties"
        )
        created = st.form_submit_button("Lägg till", key="benefits_new_submit")
    forms.confirmation("benefits_new_flash")
    if created:
        new_id: int
        new_benefit: BenefitInput
        with forms.saving(
            "benefits_new_flash",
            lambda: (
                f"'{ui.plain(new_benefit.title)}' är tillagd i nyttoregistret och vald under "
                "”Ändra nytta” ovan."
            ),
            then=lambda: {**EMPTY_BENEFIT, "benefits_edit_benefit": new_id},
        ):
            new_benefit = benefits.parse_benefit(
                {
                    "kind": new_kind,
                    "title": new_title,
                    "indicator": new_indicator,
                    "unit": new_unit,
                    "direction": new_direction,
                    "baseline_date": new_baseline_date,
                    "baseline_value": new_baseline_value,
                    "target_date": new_target_date,
                    "target_value": new_target_value,
                    "owner": new_owner,
                    "owner_email": new_owner_email,
                    "parties": tuple(new_parties),
                }
            )
            new_id = benefits.create_benefit(conn, user, project_id, new_benefit)


def project_tab(
    project_rows: pl.DataFrame, project_id: int, project_name: str, party_names: dict[str, str]
) -> None:
    """One project's benefits, then the forms this user may use: measure, change, add."""
    project_benefits(project_rows, project_id, project_name, party_names)
    measurement_section(project_rows, project_id)
    if benefits.can_edit(user, project_id):
        if project_rows.height:
            edit_benefit_form(project_rows, project_id, party_names)
        new_benefit_form(project_id, party_names)


def per_party(calc: benefits.Calculation, party_names: dict[str, str]) -> None:
    """The calculation per party, and each party's cost per year."""
    st.subheader("Per part")
    if calc.per_party.height:
        ui.table(
            ui.kr_column(calc.per_party, ["cost_ore", "benefit_ore", "net_ore"]).select(
                pl.col("party").replace(party_names).alias("Part"),
                pl.col("cost_ore").alias("Kostnad"),
                pl.col("benefit_ore").alias("Nytta"),
                pl.col("net_ore").alias("Netto"),
                pl.col("payback_year").cast(pl.String).fill_null("–").alias("Återbetalningsår"),
            ),
            hide_index=True,
        )
        by_year = calc.costs.with_columns(pl.col("party").replace(party_names)).pivot(
            on="year", index="party", values="ore", sort_columns=True
        )
        st.markdown("**Kostnad per part och år**")
        ui.table(
            ui.kr_column(by_year, [c for c in by_year.columns if c != "party"]).rename({"party": "Part"}),
            hide_index=True,
        )


def benefit_values(project_id: int, party_names: dict[str, str]) -> None:
    """The benefits' values in kronor that the calculation counts."""
    value_rows = benefits_store.values_frame(conn, project_id)
    st.subheader("Nyttornas värde i kronor")
    if value_rows.height:
        ui.table(
            ui.kr_column(value_rows, ["value_ore", "rate_ore"]).select(
                pl.col("title").alias("Nytta"),
                pl.col("year").cast(pl.String).alias("År"),
                pl.col("party_code").replace(party_names).fill_null("Delas lika").alias("Part"),
                pl.col("hours").fill_null("–").alias("Timmar"),
                pl.col("rate_ore").alias("Timkostnad"),
                pl.col("value_ore").alias("Värde"),
                pl.col("comment").alias("Kommentar"),
            ),
            hide_index=True,
        )
    else:
        st.markdown("Inga nyttor har något värde i kronor ännu.")


def value_form(project_rows: pl.DataFrame, project_id: int, party_names: dict[str, str]) -> None:
    """Give a benefit a value in kronor, or in saved hours at an hourly cost."""
    titles = dict(project_rows.select("id", "title").iter_rows())
    with st.form("benefits_value_form", enter_to_submit=False):
        st.markdown(
            "Ange antingen ett belopp i kronor eller sparade timmar; timmarna värderas med "
            "timkostnaden (450 kr om inget annat anges). Utan part delas värdet lika på nyttans "
            "parter, eller på projektets parter om nyttan inte anger några."
        )
        value_benefit = ui.choose("Nytta", titles, key="benefits_value_benefit")
        c1, c2, c3, c4 = st.columns(4)
        value_year = ui.year_input("År", today.year, key="benefits_value_year", where=c1)
        value_amount = c2.text_input("Belopp, kr", key="benefits_value_amount")
        value_hours = c3.text_input("eller sparade timmar", key="benefits_value_hours")
        value_rate = c4.text_input("Timkostnad, kr", value="450", key="benefits_value_rate")
        value_party = ui.choose(
            "Part som värdet gäller", party_names, key="benefits_value_party", none="Delas lika"
        )
        value_comment = st.text_input("Kommentar till värdet", key="benefits_value_comment")
        value_saved = st.form_submit_button("Spara värdet", key="benefits_value_submit")
    forms.confirmation("benefits_value_flash")
    if value_saved:
        with forms.saving(
            "benefits_value_flash",
            "Värdet är sparat och kalkylen uppdaterad.",
            then={"benefits_value_amount": "", "benefits_value_hours": "", "benefits_value_comment": ""},
        ):
            value_data = benefits.parse_value(
                {
                    "year": int(value_year),
                    "amount": value_amount,
                    "hours": value_hours,
                    "rate": value_rate or "450",
                    "party": value_party,
                    "comment": value_comment,
                }
            )
            benefits.add_value(conn, user, int(value_benefit or 0), value_data)


def calculation_tab(
    project_rows: pl.DataFrame, project_id: int, project_name: str, party_names: dict[str, str]
) -> None:
    """The nyttokalkyl: cost against benefit over the years, payback and present value, per party."""
    st.header(f"Nyttokalkyl – {project_name}")
    rate_pct = st.number_input(
        "Kalkylränta (%)", min_value=0.0, max_value=20.0, value=3.5, step=0.5, key="benefits_calc_rate"
    )
    calc = benefits.calculation(conn, project_id, rate=Decimal(str(rate_pct)) / 100, today=today)
    total_cost = int(calc.table["cost_ore"].sum()) if calc.table.height else 0
    total_benefit = int(calc.table["benefit_ore"].sum()) if calc.table.height else 0
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Kostnad", format_kr(total_cost))
    m2.metric("Nytta i kronor", format_kr(total_benefit))
    m3.metric("Återbetalningsår", str(calc.payback_year) if calc.payback_year else "Ej inom kalkylen")
    m4.metric(
        f"Nuvärde ({number_text(str(Decimal(str(rate_pct))))} %"
        + (f", basår {calc.base_year})" if calc.base_year else ")"),
        format_kr(calc.npv_ore),
    )
    for note in calc.notes:
        st.caption(note)
    if calc.table.height:
        ui.chart(
            charts_benefits.payback_chart(calc.table, "Ackumulerad kostnad och nytta"),
            key="benefits_calc_chart",
        )
        ui.table(
            ui.kr_column(
                calc.table,
                [
                    "cost_ore",
                    "benefit_ore",
                    "cumulative_cost_ore",
                    "cumulative_benefit_ore",
                    "cumulative_net_ore",
                ],
            ).select(
                pl.col("year").cast(pl.String).alias("År"),
                pl.col("cost_ore").alias("Kostnad"),
                pl.col("benefit_ore").alias("Nytta"),
                pl.col("cumulative_cost_ore").alias("Ackumulerad kostnad"),
                pl.col("cumulative_benefit_ore").alias("Ackumulerad nytta"),
                pl.col("cumulative_net_ore").alias("Netto ackumulerat"),
            ),
            hide_index=True,
        )
        st.caption("Tabellen visar samma siffror som diagrammet.")
    per_party(calc, party_names)
    benefit_values(project_id, party_names)
    if benefits.can_edit(user, project_id) and project_rows.height:
        value_form(project_rows, project_id, party_names)


def portfolio_tab(register: pl.DataFrame, party_names: dict[str, str]) -> None:
    """Every benefit in the portfolio, filtered, with those not measured for a year counted."""
    st.header("Alla nyttor i portföljen")
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    chosen_projects = ui.choose_many(
        "Visa projekt",
        sorted(set(register["project"].to_list())),
        placeholder="Alla projekt",
        key="benefits_filter_projects",
        where=c1,
    )
    chosen_parties = ui.choose_many(
        "Visa part", party_names, placeholder="Alla parter", key="benefits_filter_parties", where=c2
    )
    chosen_statuses = ui.choose_many(
        "Visa status",
        [s.value for s in BenefitStatus],
        format_func=lambda s: f"{BenefitStatus(s).symbol} {s}",
        placeholder="Alla statusar",
        key="benefits_filter_statuses",
        where=c3,
    )
    stale_only = c4.checkbox("Bara ej mätta senaste året", key="benefits_filter_stale")
    shown = benefit_logic.filter_register(
        register,
        projects=chosen_projects,
        parties=chosen_parties,
        statuses=chosen_statuses,
        stale_only=stale_only,
    )
    stale_count = int(shown["stale"].sum()) if shown.height else 0
    p1, p2 = st.columns(2)
    p1.metric("Nyttor och effektmål", shown.height)
    p2.metric("⚠ Ej mätta senaste året", stale_count)
    if stale_count:
        st.warning(
            f"{stale_count} av {shown.height} har inte mätts under det senaste året (eller aldrig). "
            "Nyttoägaren eller projektledaren behöver lägga till en mätning."
        )
    ui.dataframe(register_table(shown, with_project=True), width="stretch", key="benefits_portfolio_table")
    st.caption(
        "Partfiltret visar nyttor som gäller parten, och för nyttor utan angivna parter de projekt "
        "parten finansierar."
    )


def main() -> None:
    """Choose a project; its benefits, its calculation, and the whole portfolio in three tabs."""
    st.title("Nyttoregister")
    st.caption(
        "Effektmål och nyttor följs upp även efter att projektet är avslutat. Status räknas från den "
        "senaste mätningen mot en rak linje från nollmätningen till målvärdet och visas med symbol och "
        f"ord: {STATUS_HELP}."
    )
    register = _register(*ui.db_key(), today)
    projects = ui.projects()
    names = dict(projects.select("code", "name").iter_rows())
    party_names = ui.party_names()

    code = ui.choose_project("benefits_project", "Projekt", projects)
    project_id = core_store.project_id_for(conn, code)
    project_rows = register.filter(pl.col("project_id") == project_id)

    # Each tab has its address (?flik=Nyttokalkyl). A reader's page draws only the open tab (the
    # whole portfolio's table and every benefit's chart made it slow at 2 000 projects); whoever may
    # measure or change a benefit gets the other tabs drawn without their charts and tables, so
    # unsaved form fields survive a tab switch.
    ui.draw_tabs(
        st.tabs(BENEFITS_TABS, key=BENEFITS_TAB_PARAM, bind="query-params"),
        [
            partial(project_tab, project_rows, project_id, names[code], party_names),
            partial(calculation_tab, project_rows, project_id, names[code], party_names),
            partial(portfolio_tab, register, party_names),
        ],
        every=benefits.can_edit(user, project_id)
        or benefits.measurable_benefits(user, project_rows).height > 0,
    )


main()
