"""Portföljöversikt: the committee's portfolio at a glance, with a way into every project."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, project_reports, ui
from portfolio.models import Phase, Status
from portfolio.money import format_kr, kronor_json
from portfolio.overview import (
    filter_projects,
    key_figures,
    page_count,
    search_projects,
    top_with_rest,
    with_reported_status,
)
from portfolio.status import RANK

REASONS_SHOWN = 50


def status_reasons(projects: pl.DataFrame) -> None:
    """Each listed project's status and its reason as text: a table cell cuts long reasons off."""
    with_reason = projects.filter(pl.col("status_reason").str.strip_chars() != "")
    if with_reason.height == 0:
        return
    st.markdown("**Skäl till status**, i tabellens ordning:")
    st.markdown(
        "\n".join(
            f"- **{ui.plain(code)} {ui.plain(name)}** – {ui.status_text(status)}: {ui.plain(reason)}"
            for code, name, status, reason in with_reason.head(REASONS_SHOWN)
            .select("code", "name", "status", "status_reason")
            .iter_rows()
        )
    )
    if with_reason.height > REASONS_SHOWN:
        st.caption(
            f"De första {REASONS_SHOWN} av {with_reason.height}; alla finns i tabellen i textform ovan."
        )


st.title("Portföljöversikt")
st.caption("Gemensam nämnd för samverkan (GNS) – alla projekt och ärenden med status och ekonomi.")

all_projects = with_reported_status(ui.projects(), ui.latest_status(), project_reports.period_reports())
names = ui.party_names()

with st.expander("Filter", expanded=True):
    c1, c2, c3, c4 = st.columns(4)
    parties = ui.choose_many(
        "Part",
        list(names),
        format_func=lambda code: names.get(code, code),
        placeholder="Alla parter",
        key="overview_parties",
        where=c1,
    )
    phases = ui.choose_many(
        "Fas", [p.value for p in Phase], placeholder="Alla faser", key="overview_phases", where=c2
    )
    statuses = ui.choose_many(
        "Status",
        [s.value for s in Status],
        format_func=ui.status_text,
        placeholder="Alla statusar",
        key="overview_statuses",
        where=c3,
    )
    years = sorted(
        {int(d[:4]) for d in all_projects["start_date"].drop_nulls().to_list()}
        | {int(d[:4]) for d in all_projects["planned_end_date"].drop_nulls().to_list()}
    )
    year = ui.choose("År", years, key="overview_year", none="Alla år", format_func=lambda y: str(y), where=c4)

shown = filter_projects(all_projects, parties=parties, phases=phases, statuses=statuses, year=year)
figures = key_figures(shown)

st.subheader("Nyckeltal")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Projekt och ärenden", figures.count)
m2.metric("Total budget", format_kr(figures.budget_ore))
m3.metric("Totalt utfall", format_kr(figures.actual_ore))
m4.metric(
    "Avvikelse (budget − utfall)",
    format_kr(figures.deviation_ore),
    help=f"Räknas på de {figures.with_both} projekt som har både budget och utfall.",
)
st.markdown(
    "**Status:** "
    + " · ".join(f"{ui.status_text(s).split(' – ')[0]} {n}" for s, n in figures.by_status.items())
    + "  \n**Fas:** "
    + " · ".join(f"{phase} {n}" for phase, n in figures.by_phase.items())
)

PAGE_ROWS = 50  # a page of the table: what a person reads, and all the browser is sent
CHART_BARS = 15  # the chart's largest projects; the others are summed in one bar


def clamp_page(pages: int) -> None:
    """Keep the chosen table page within the pages there are (a search may leave fewer)."""
    if st.session_state.get("overview_page", 1) > pages:
        st.session_state["overview_page"] = pages


def first_page() -> None:
    """A new search or sort order starts at the table's first page."""
    st.session_state["overview_page"] = 1


@st.fragment
def project_table(shown: pl.DataFrame) -> None:
    """The projects a page at a time, searched and sorted before anything reaches the browser.

    A fragment: searching, sorting and turning pages rerun only this part, not the key figures
    and the chart above it."""
    st.subheader("Projekt och ärenden")
    sort_options = {
        "Kod": ("code", False),
        "Namn": ("name", False),
        "Status (allvarligast först)": ("status_rank", False),
        "Budget (störst först)": ("budget_ore", True),
        "Utfall (störst först)": ("actual_ore", True),
        "Avvikelse (störst underskott först)": ("deviation_ore", False),
    }
    s1, s2 = st.columns([2, 1])
    query = s1.text_input(
        "Sök projekt på kod eller namn",
        key="overview_search",
        placeholder="t.ex. LINK2 eller GNS/8/2018",
        on_change=first_page,
    )
    sort_label = ui.choose(
        "Sortera efter", list(sort_options), on_change=first_page, key="overview_sort", where=s2
    )
    sort_col, descending = sort_options[sort_label]
    # Red first, then yellow, green, and a project without a status last.
    found = search_projects(shown, query).with_columns(
        pl.col("status").replace_strict(RANK, default=3, return_dtype=pl.Int64).alias("status_rank")
    )
    pages = page_count(found.height, PAGE_ROWS)
    page_no = 1
    if pages > 1:
        clamp_page(pages)
        # A chooser, not st.number_input: its buttons are labelled in English ("Decrement").
        page_no = (
            ui.choose(
                "Sida",
                range(1, pages + 1),
                format_func=lambda n: (
                    f"{n} av {pages} (rad {(n - 1) * PAGE_ROWS + 1}–{min(n * PAGE_ROWS, found.height)})"
                ),
                key="overview_page",
            )
            or 1
        )
    # Only the page's rows are sorted out and sent: the browser draws 50 rows, not thousands.
    table = found.sort(sort_col, "code", descending=[descending, False], nulls_last=True).slice(
        (page_no - 1) * PAGE_ROWS, PAGE_ROWS
    )
    first_row = (page_no - 1) * PAGE_ROWS + 1
    if found.height == 0:
        st.info("Inga projekt matchar sökningen och filtren.")
        return
    st.caption(
        f"Visar {first_row}–{first_row + table.height - 1} av {found.height}"
        + (f" som matchar (av {shown.height} efter filtren)" if query.strip() else "")
        + (". Sök eller byt sida för att se fler." if pages > 1 else ".")
    )

    display = ui.kr_column(table, ["budget_ore", "actual_ore", "deviation_ore"]).select(
        pl.col("code").alias("Kod"),
        pl.col("name").alias("Namn"),
        pl.col("phase").alias("Fas"),
        pl.Series("Status", [ui.status_text(s) for s in table["status"].to_list()], dtype=pl.String),
        pl.col("status_reason").alias("Kommentar"),
        # The current period's published report (or how late it is) for a project that must report.
        pl.coalesce(
            "period_report",
            pl.when(pl.col("reported_on").is_null())
            .then(pl.lit("ingen statusrapport"))
            .otherwise(
                pl.format("rapporterad {}", pl.col("reported_on"))
                + pl.when(pl.col("stale")).then(pl.lit(" ⚠ äldre än senaste tertialet")).otherwise(pl.lit(""))
            ),
        ).alias("Rapport"),
        pl.col("trend").fill_null("–").alias("Trend"),
        pl.col("budget_ore").alias("Budget"),
        pl.col("actual_ore").alias("Utfall"),
        pl.col("deviation_ore").alias("Avvikelse"),
    )
    event = ui.dataframe(
        display, width="stretch", on_select="rerun", selection_mode="single-row", key="overview_table"
    )
    # Drawn when opened (a closed expander's content is neither read aloud nor printed, and 50 rows
    # of HTML took the browser a third of the page's time).
    text_table = st.expander(
        "Tabellen i textform (för skärmläsare och utskrift)", key="overview_text_table", on_change="rerun"
    )
    if text_table.open:
        with text_table:
            last_row = first_row + table.height - 1
            st.caption(f"Samma rader som tabellen ovan: {first_row}–{last_row} av {found.height}.")
            ui.table(display, hide_index=True)
    status_reasons(table)
    selected_rows = event.selection.rows if event else []
    if selected_rows:
        ui.open_project(table["code"][selected_rows[0]])

    labels = {c: f"{c} – {n}" for c, n in table.select("code", "name").iter_rows()}
    o1, o2 = st.columns([3, 1], vertical_alignment="bottom")
    # The projects on this page of the table (the search above finds any other).
    chosen = ui.choose(
        "Öppna ett projekt", labels, key="overview_open_choice", prompt="Välj projekt eller ärende", where=o1
    )
    if o2.button("Öppna projektet", key="overview_open", disabled=chosen is None):
        ui.open_project(chosen)


project_table(shown)

with_money = shown.filter(pl.col("budget_ore").is_not_null() | pl.col("actual_ore").is_not_null())
if with_money.height:
    st.subheader("Budget mot utfall")
    # The largest projects and one bar for the others: thousands of bars cannot be read.
    bars = top_with_rest(with_money, CHART_BARS, "Övriga")
    title = "Budget och utfall per projekt (kronor)"
    if bars.height > CHART_BARS:
        title = f"Budget och utfall, de {CHART_BARS} största projekten och övriga (kronor)"
    fig = charts.budget_vs_outcome(
        [n if c is None else f"{c} {n}" for c, n in bars.select("code", "name").iter_rows()],
        [kronor_json(v) for v in bars["budget_ore"].to_list()],
        [kronor_json(v) for v in bars["actual_ore"].to_list()],
        title,
    )
    ui.chart(fig, key="overview_chart")
    with st.expander("Diagrammet som tabell"):
        ui.table(
            ui.kr_column(bars, ["budget_ore", "actual_ore"]).select(
                pl.col("code").fill_null("–").alias("Kod"),
                pl.col("name").alias("Namn"),
                pl.col("budget_ore").alias("Budget"),
                pl.col("actual_ore").alias("Utfall"),
            )
        )
