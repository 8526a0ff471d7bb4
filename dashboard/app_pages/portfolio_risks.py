"""Portföljens risker: the flagged risks of every project in one matrix, the top risks, late actions."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import charts_risks, risk_forms, ui
from registers.risks import scoring, service
from registers.risks.model import RiskStatus

ui.require_user()
today = date.today()


@st.cache_data(max_entries=32, show_spinner=False)
def _risks(path: str, revision: int) -> pl.DataFrame:
    return service.risks_with_bands(ui.db())


@st.cache_data(max_entries=32, show_spinner=False)
def _actions(path: str, revision: int, day: date) -> pl.DataFrame:
    return service.actions_with_lateness(ui.db(), day)


st.title("Portföljens risker")
st.markdown(
    "Här ser nämnden de risker som projekten har valt att **visa i portföljen**, samlade i en matris, "
    "de allvarligaste riskerna och alla försenade åtgärder i portföljen."
)

risks = _risks(*ui.db_key())
actions = _actions(*ui.db_key(), today)

c1, c2 = st.columns(2)
view = risk_forms.view_choice(c1, "portfolio_risks_view")
include_closed = c2.checkbox("Ta med stängda risker", key="portfolio_risks_include_closed")
prob_col, cons_col, score_col, band_col = (
    ("probability", "consequence", "score", "band")
    if view == "inherent"
    else ("residual_probability", "residual_consequence", "residual_score", "residual_band")
)
view_label = "ursprunglig risk" if view == "inherent" else "restrisk"

flagged = risks.filter(
    pl.col("show_in_portfolio")
    & (pl.lit(True) if include_closed else pl.col("status") != RiskStatus.STANGD.value)
)

st.header("Samlad riskmatris")
projects_with = flagged["project"].n_unique()
st.markdown(
    f"**{flagged.height}** risker från **{projects_with}** projekt visas i portföljen"
    + ("" if include_closed else " (stängda risker räknas inte)")
    + "."
)
if flagged.height == 0:
    st.info("Inga projekt har markerat risker för portföljen.")
for scale in sorted(flagged["scale"].unique().to_list()):
    subset = flagged.filter(pl.col("scale") == scale)
    counts = scoring.matrix_counts(subset, prob_col, cons_col, scale)
    st.subheader(f"Register med skala {scale}×{scale}")
    # The table goes under the chart: beside it, a 5×5 grid would need a scrollable region,
    # which keyboard users cannot reach (axe: scrollable-region-focusable).
    left = right = st.container()
    left.plotly_chart(
        charts_risks.risk_heatmap(
            counts, prob_col, cons_col, scale, f"Flaggade risker ({view_label}), skala {scale}×{scale}"
        ),
        key=f"portfolio_risks_heatmap_{scale}",
        width="stretch",
    )
    with right:
        st.markdown(f"**Samma siffror som tabell** ({view_label}):")
        ui.table(scoring.matrix_grid(counts, prob_col, cons_col, scale), hide_index=True)
        unassessed = subset.filter(pl.col(score_col).is_null()).height
        st.caption(
            "Cellernas färg följer standardgränserna för skalan; varje risks nivå i listan nedan följer "
            "gränserna i sitt eget register."
            + (f" {unassessed} risker saknar bedömd restrisk." if unassessed else "")
        )
if flagged.height and len(flagged["scale"].unique()) > 1:
    st.caption(
        "4×4- och 5×5-register kan inte läggas i samma rutnät; nivåerna (● Låg, ▲ Medel, ■ Hög) är "
        "jämförbara mellan dem."
    )

st.header("De allvarligaste riskerna")
top = scoring.top_risks(flagged, 10, score_col=score_col, band_col=band_col)
if top.height:
    ui.dataframe(
        top.select(
            pl.col("project").alias("Projekt"),
            pl.col("register").alias("Register"),
            pl.col("title").alias("Risk"),
            scoring.band_text_expr(pl.col(band_col)).alias("Nivå"),
            pl.format("{} av {}", pl.col(score_col), pl.col("scale") * pl.col("scale")).alias("Riskvärde"),
            pl.col("status").alias("Status"),
            pl.col("owner").alias("Ägare"),
            pl.format("{} ({} öppna)", pl.col("actions"), pl.col("open_actions")).alias("Åtgärder"),
        ),
        key="portfolio_risks_top",
    )
    st.caption("Ordnade efter nivå och därefter efter andel av skalans högsta riskvärde.")
else:
    st.markdown("Inga bedömda risker att visa.")
if (flagged["score_source"] == "illustrativ").any():
    st.caption("Poängen för de inlästa LINK2-riskerna är illustrativa: slutrapporten anger inga poäng.")

st.header("Försenade åtgärder i portföljen")
late = actions.filter(pl.col("days_late").is_not_null()).sort("days_late", descending=True)
if late.height:
    what, verb = (
        ("1 åtgärd", "är försenad") if late.height == 1 else (f"{late.height} åtgärder", "är försenade")
    )
    st.warning(f"{what} i {late['project'].n_unique()} projekt {verb}.", icon="⚠️")
    ui.dataframe(ui.actions_table(late, {"project": "Projekt"}), key="portfolio_risks_late")
else:
    st.markdown("Inga åtgärder i portföljen är försenade.")
