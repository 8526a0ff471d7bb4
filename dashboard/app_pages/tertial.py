"""Tertialrapport: the income statement with the annual report's columns, deviations per object
and project, full-year forecast, fastställ, the municipal CEOs' review, and xlsx/PDF downloads."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts_ledger, forms, party_view, ui
from portfolio import clock
from portfolio.auth import Action
from portfolio.ledger import exports, mapping_store, tertial
from portfolio.ledger.tertial import Scope, TertialReport
from portfolio.money import format_kr, format_number, format_tkr, to_ore, to_tkr
from portfolio.periods import Period

user = ui.require_user()
conn = ui.db()
FLASH_KEY = "tertial_flash"


@st.cache_data(max_entries=8, show_spinner=False)
def _years(path: str, revision: int) -> list[int]:
    return tertial.report_years(ui.db())


@st.cache_data(max_entries=8, show_spinner=False)
def _scopes(path: str, revision: int) -> list[str]:
    links = mapping_store.object_projects(ui.db())
    objects = sorted(set(links["object"].drop_nulls().to_list()))
    projects = sorted(set(links["project_code"].drop_nulls().to_list()))
    return ["nämnden", *(f"objekt {o}" for o in objects), *(f"projekt {p}" for p in projects)]


@st.cache_data(max_entries=32, show_spinner=False)
def _report(path: str, revision: int, year: int, period: str, scope: str) -> TertialReport:
    return tertial.load_report(ui.db(), year, Period(period), Scope.parse(scope))


@st.cache_data(max_entries=8, show_spinner=False)
def _xlsx(path: str, revision: int, year: int, period: str, scope: str) -> bytes:
    return exports.report_xlsx(_report(path, revision, year, period, scope), ui.party_names())


@st.cache_data(max_entries=8, show_spinner=False)
def _pdf(path: str, revision: int, year: int, period: str, scope: str) -> bytes:
    return exports.report_pdf(_report(path, revision, year, period, scope), ui.party_names())


def _tkr(ore: int | None) -> str:
    return "–" if ore is None else format_number(to_tkr(ore))


st.title("Tertialrapport")
st.caption(
    "Utfall mot budget per tertial: T1 (jan–apr), T2 (jan–aug, delårsrapport med helårsprognos)"
    " och helår (årsbokslut). Belopp ackumulerade från januari; intäkter positiva, kostnader negativa."
)

years = _years(*ui.db_key())
if not years:
    st.info("Det finns ännu inga siffror: importera en huvudbok under Import av redovisning.")
    st.stop()
ui.from_link("tertial_year", "ar", years, parse=int)
ui.from_link("tertial_period", "period", [p.value for p in Period])
if st.session_state.get("tertial_year") not in years:
    st.session_state["tertial_year"] = 2019 if 2019 in years else years[-1]
scopes = _scopes(*ui.db_key())
if st.session_state.get("tertial_scope") not in scopes:
    st.session_state["tertial_scope"] = "nämnden"

c1, c2, c3 = st.columns(3)
year = ui.choose("År", years, key="tertial_year", where=c1)
period = Period(
    ui.choose(
        "Period",
        [p.value for p in Period],
        format_func=lambda v: Period(v).label,
        key="tertial_period",
        where=c2,
    )
)
scope_key = ui.choose(
    "Urval", scopes, format_func=lambda s: Scope.parse(s).label, key="tertial_scope", where=c3
)
ui.to_link(ar=year, period=period.value)
report = _report(*ui.db_key(), year, period.value, scope_key)

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

st.header(report.title)
st.info(report.source_text)
names = ui.party_names()
reviewed = set(report.reviews["party"].to_list()) if report.reviews.height else set()
m1, m2, m3 = st.columns(3)
m1.metric(
    "Utfall mot budget",
    format_tkr(report.result_ore, signed=True) if report.result_ore is not None else "saknas",
    help="Ack utfall − ack budget för verksamhetens nettokostnader; negativt är sämre än budget.",
)
m2.metric("Granskad av", f"{len(reviewed)} av {len(names)} parter")
m3.metric("Fastställd", "ja" if report.snapshot else "nej")
if report.result_ore is not None:
    ui.source_caption(report.result_source)

if report.unmapped:
    st.warning(
        "Konton utan rad i kontomappningen redovisas som 'Ej mappade konton': "
        + ", ".join(report.unmapped)
        + ". Komplettera mappningen under Import av redovisning."
    )

# --- income statement ------------------------------------------------------------------------

st.subheader("Resultaträkning")
if report.statement.is_empty():
    st.caption(
        "Ingen resultaträkning finns för perioden: dokumenten redovisar bara resultatet mot budget."
        if report.source == "rapporterad"
        else "Ingen resultaträkning finns för perioden."
    )
else:
    in_kr = st.toggle("Visa i kronor i stället för tkr", key="tertial_in_kr")
    fmt = format_kr if in_kr else _tkr
    statement = report.statement
    ui.dataframe(
        pl.DataFrame(
            {
                "Rad": statement["line"],
                "Ack utfall": [fmt(v) for v in statement["actual_ore"].to_list()],
                "Ack budget": [fmt(v) for v in statement["budget_ore"].to_list()],
                "Budget − utfall": [fmt(v) for v in statement["diff_budget_ore"].to_list()],
                "Ack utfall fg år": [fmt(v) for v in statement["previous_year_ore"].to_list()],
                "Utfall − fg år": [fmt(v) for v in statement["diff_previous_year_ore"].to_list()],
            }
        ),
        width="stretch",
        key="tertial_statement",
    )
    st.caption(
        ("Belopp i kronor." if in_kr else "Belopp i tkr, avrundade var för sig som i årsredovisningen.")
        + " 'Budget − utfall' är avvikelsen mot budget: positiv är bättre än budget."
    )
    ui.chart(
        charts_ledger.statement_bars(statement, "Ack utfall och ack budget per rad"),
        key="tertial_statement_chart",
    )

# --- objects and projects ------------------------------------------------------------------

st.subheader("Avvikelser per objekt och projekt")
objects = report.objects
if objects.is_empty():
    st.caption("Inga objekt har utfall eller budget för perioden.")
else:
    ui.dataframe(
        pl.DataFrame(
            {
                "Objekt": objects["object"],
                "Namn": objects["name"].fill_null(""),
                "Projekt": objects["project_code"].fill_null(""),
                "Ack budget": [format_kr(v) for v in objects["budget_ore"].to_list()],
                "Ack utfall": [format_kr(v) for v in objects["actual_ore"].to_list()],
                "Budget − utfall": [format_tkr(v, signed=True) for v in objects["deviation_ore"].to_list()],
                "Helårsprognos": [format_kr(v) for v in objects["forecast_ore"].to_list()],
                "Prognosens grund": objects["forecast_source"].fill_null("–"),
                "Kommentar": [
                    c or (t or "")
                    for c, t in zip(objects["comment"].to_list(), objects["text"].to_list(), strict=True)
                ],
                "Kommentar krävs": [
                    "⚠ saknas" if missing else ("ja" if required else "nej")
                    for required, missing in zip(
                        objects["comment_required"].to_list(),
                        objects["comment_missing"].to_list(),
                        strict=True,
                    )
                ],
            }
        ),
        width="stretch",
        key="tertial_objects",
    )
    st.caption(
        f"En kommentar krävs när avvikelsen är minst {format_tkr(report.threshold_ore)} åt något håll."
        " Helårsprognos i huvudbokens tecken (kostnad positiv): helårsbudget + avvikelse hittills,"
        " om ingen egen prognos är inmatad."
    )
    by_project = (
        objects.filter(pl.col("project_code").is_not_null())
        .group_by("project_code")
        .agg(
            pl.col("object").sort().str.join(", ").alias("objects"),
            pl.col("budget_ore").sum(),
            pl.col("actual_ore").sum(),
            pl.col("deviation_ore").sum(),
        )
        .sort("project_code")
    )
    from_ledger = report.source == "huvudbok"
    if by_project.height:
        st.markdown("**Per projekt**")
        ui.dataframe(
            pl.DataFrame(
                {
                    "Projekt": by_project["project_code"],
                    "Objekt": by_project["objects"],
                    "Ack budget": [
                        format_kr(v) if from_ledger else "–" for v in by_project["budget_ore"].to_list()
                    ],
                    "Ack utfall": [
                        format_kr(v) if from_ledger else "–" for v in by_project["actual_ore"].to_list()
                    ],
                    "Budget − utfall": [
                        format_tkr(v, signed=True) for v in by_project["deviation_ore"].to_list()
                    ],
                }
            ),
            width="stretch",
            key="tertial_projects",
        )
    ui.chart(
        charts_ledger.deviation_by_object(objects, "Budget − utfall per objekt"), key="tertial_objects_chart"
    )

if not report.reported_results.is_empty() and report.source == "huvudbok":
    with st.expander("Vad protokollen rapporterade för perioden"):
        for row in report.reported_results.iter_rows(named=True):
            st.markdown(
                f"- {row['scope']}: {format_tkr(row['result_ore'], signed=True)} – {row['text'] or ''}"
            )
            ui.source_caption(row["source"])

if ui.can(Action.FREEZE_REPORT) and not objects.is_empty():
    with st.form("tertial_note_form", enter_to_submit=False):
        st.markdown("**Kommentar och helårsprognos för ett objekt**")
        labels = {o: f"{o} {n or ''}" for o, n in objects.select("object", "name").iter_rows()}
        obj = ui.choose("Objekt", labels, key="tertial_note_object")
        comment = st.text_area("Kommentar till avvikelsen", key="tertial_note_comment")
        forecast_text = st.text_input(
            "Egen helårsprognos, kr (tomt = budget + avvikelse hittills)", key="tertial_note_forecast"
        )
        if st.form_submit_button("Spara kommentaren", key="tertial_note_submit"):
            with forms.saving(
                FLASH_KEY,
                f"Kommentaren för objekt {obj} är sparad.",
                refused={ValueError: lambda exc: st.error(f"Prognosen kan inte läsas: {exc}")},
            ):
                forecast = to_ore(forecast_text) if forecast_text.strip() else None
                tertial.save_note(
                    conn,
                    user,
                    year=year,
                    period=period,
                    obj=str(obj),
                    comment=comment,
                    forecast_ore=forecast,
                    version=None,
                )

# --- frozen snapshot ------------------------------------------------------------------------

st.subheader("Fastställd rapport")
if report.snapshot:
    st.success(
        f"Fastställd {clock.local_text(report.snapshot['frozen_at'])} "
        f"av {ui.plain(report.snapshot['user_email'])}"
        + (f": {ui.plain(report.snapshot['note'])}" if report.snapshot.get("note") else ".")
    )
    frozen_result = report.snapshot["payload"].get("result_ore")
    diff = report.snapshot_diff
    changed = (
        diff is not None
        and diff.filter((pl.col("change_actual_ore") != 0) | (pl.col("change_budget_ore") != 0)).height
    )
    if changed and diff is not None:
        st.warning("Siffrorna har ändrats sedan rapporten fastställdes (t.ex. efter en ny import):")
        ui.dataframe(
            pl.DataFrame(
                {
                    "Rad": diff["line"],
                    "Fastställt utfall": [format_kr(v) for v in diff["frozen_actual_ore"].to_list()],
                    "Utfall nu": [format_kr(v) for v in diff["actual_ore"].to_list()],
                    "Skillnad utfall": [format_kr(v) for v in diff["change_actual_ore"].to_list()],
                    "Skillnad budget": [format_kr(v) for v in diff["change_budget_ore"].to_list()],
                }
            ),
            key="tertial_snapshot_diff",
        )
    elif frozen_result != report.result_ore:
        st.warning(
            f"Resultatet mot budget var {format_tkr(frozen_result, signed=True)} när rapporten fastställdes,"
            f" nu {format_tkr(report.result_ore, signed=True)}."
        )
    else:
        st.caption("Siffrorna är desamma som när rapporten fastställdes.")
else:
    st.caption("Rapporten är inte fastställd.")

if ui.can(Action.FREEZE_REPORT):
    with st.form("tertial_freeze_form", enter_to_submit=False):
        note = st.text_input("Anteckning (t.ex. paragraf i protokollet)", key="tertial_freeze_note")
        if st.form_submit_button("Fastställ rapporten", key="tertial_freeze_submit"):
            with forms.saving(
                FLASH_KEY, "Rapporten är fastställd; senare importer ändrar inte den fastställda versionen."
            ):
                tertial.freeze_report(conn, user, report, note)
    with st.form("tertial_threshold_form", enter_to_submit=False):
        threshold = st.number_input(
            "Kommentar krävs från avvikelse (tkr)",
            min_value=0,
            value=to_tkr(report.threshold_ore),
            step=10,
            key="tertial_threshold",
        )
        if st.form_submit_button("Spara gränsen", key="tertial_threshold_submit"):
            with forms.saving(FLASH_KEY, f"Gränsen är {int(threshold)} tkr."):
                tertial.set_deviation_threshold(conn, user, int(threshold) * 100_000)

# --- each party's own view ------------------------------------------------------------------

st.subheader("Partens egen vy")
party_view.section(user, year=year, period=period, key_prefix="tertial")

# --- review -----------------------------------------------------------------------------------

st.subheader("Granskning")
ui.dataframe(
    pl.DataFrame(
        [
            (
                name,
                "✓ granskad" if code in reviewed else "– ej granskad",
                *next(
                    (
                        (
                            r["user_name"] or r["user_email"],
                            clock.local_text(r["reviewed_at"]),
                            r["comment"] or "",
                        )
                        for r in report.reviews.iter_rows(named=True)
                        if r["party"] == code
                    ),
                    ("", "", ""),
                ),
                party_view.review_basis(year, period, code) if code in reviewed else "",
            )
            for code, name in names.items()
        ],
        schema=["Part", "Status", "Granskad av", "Tidpunkt", "Kommentar", "Avser partsvyn"],
        orient="row",
    ),
    width="stretch",
    key="tertial_reviews",
)
if user.party and ui.can(Action.REVIEW_TERTIAL, party=user.party):
    party_name = names.get(user.party, user.party)
    with st.form("tertial_review_form", enter_to_submit=False):
        st.markdown(f"**Granska {period.label.lower()} {year} för {party_name}**")
        st.caption(
            f"Granskningen avser {party_name}s egen vy för {period.value} {year} (ovan):"
            " dess siffror sparas med granskningen."
        )
        review_comment = st.text_area("Kommentar (valfri)", key="tertial_review_comment")
        if st.form_submit_button("Markera som granskad", type="primary", key="tertial_review_submit"):
            with forms.saving(FLASH_KEY, f"Rapporten är markerad som granskad för {party_name}."):
                tertial.review_report(conn, user, year=year, period=period, comment=review_comment)
else:
    st.caption("Kommuncheferna markerar rapporten som granskad för sin egen part.")

# --- downloads ------------------------------------------------------------------------------

st.subheader("Ladda ned")
d1, d2 = st.columns(2)
file_stem = f"tertialrapport-{year}-{period.value}"
d1.download_button(
    "Excel (.xlsx)",
    data=_xlsx(*ui.db_key(), year, period.value, scope_key),
    file_name=f"{file_stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="tertial_download_xlsx",
    on_click="ignore",  # a download changes nothing: no rerun
)
d2.download_button(
    "PDF (A4, utskick till nämnden)",
    data=_pdf(*ui.db_key(), year, period.value, scope_key),
    file_name=f"{file_stem}.pdf",
    mime="application/pdf",
    key="tertial_download_pdf",
    on_click="ignore",  # a download changes nothing: no rerun
)
