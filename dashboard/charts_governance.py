"""Chart builders for the bruttolista and decisions: frames in, plotly figures out; no Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import base_layout, hbars
from registers.bruttolista.logic import NO_STATUS
from registers.bruttolista.model import ActivityStatus

# Okabe–Ito colours; each status also has its own bar pattern and its symbol in the legend,
# so the chart reads without colour.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "ej påbörjad": ("#999999", ""),
    "pågår": ("#E69F00", "/"),
    "genomförd": ("#009E73", "x"),
    "ej aktuell": ("#56B4E9", "."),
    "bordlagd": ("#CC79A7", "-"),
    NO_STATUS: ("#FFFFFF", "+"),
}


def status_label(status: str) -> str:
    """Legend text: symbol and word."""
    if status == NO_STATUS:
        return "– Ingen uppföljning"
    return ActivityStatus(status).display


def status_by_area(counts: pl.DataFrame, title: str) -> go.Figure:
    """Stacked horizontal bars: per area, how many activities have each status."""
    fig = go.Figure()
    areas = counts["area"].unique(maintain_order=True).to_list()
    used_areas = (
        counts.group_by("area", maintain_order=True).agg(pl.col("count").sum()).filter(pl.col("count") > 0)
    )["area"].to_list()
    areas = [a for a in areas if a in used_areas]
    for status in counts["status"].unique(maintain_order=True).to_list():
        part = counts.filter((pl.col("status") == status) & pl.col("area").is_in(areas))
        if part["count"].sum() == 0:
            continue
        colour, pattern = STATUS_STYLE.get(status, ("#7f7f7f", ""))
        label = status_label(status)
        marker = {"color": colour, "line": {"color": "#1f2430", "width": 1}, "pattern": {"shape": pattern}}
        hover = "%{y}<br>" + label + ": %{x}<extra></extra>"
        hbars(fig, part["area"].to_list(), part["count"].to_list(), label, marker, hover)
    fig.update_layout(barmode="stack", height=max(280, 45 * len(areas) + 140))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=areas)
    fig.update_xaxes(dtick=1)
    return base_layout(
        fig,
        title,
        x_title="antal aktiviteter (en aktivitet räknas i vart och ett av sina områden)",
        value_axis="x",
    )


DECISION_KINDS = {
    "beslut": ("circle", "#0072B2", "Beslut"),
    "förslag": ("circle-open", "#D55E00", "Endast förslag (beslutet saknas i handlingarna)"),
    "information": ("square-open", "#7f7f7f", "Information, inget beslut"),
}


def decision_kind(decision: str | None, proposal: str | None) -> str:
    """beslut, förslag or information: what the documents hold for an item."""
    if decision:
        return "beslut"
    return "förslag" if proposal else "information"


def decision_timeline(decisions: pl.DataFrame, phases: pl.DataFrame, title: str) -> go.Figure:
    """Each agenda item of a case on a time axis (marker by kind), with the phase changes as lines."""
    fig = go.Figure()
    kinds = [decision_kind(d, p) for d, p in decisions.select("decision", "proposal").iter_rows()]
    frame = decisions.with_columns(pl.Series("kind", kinds, dtype=pl.String))
    for kind, (symbol, colour, name) in DECISION_KINDS.items():
        part = frame.filter(pl.col("kind") == kind)
        if part.height == 0:
            continue
        labels = [
            (f"§{n}" if k == "paragraf" else f"p. {n}") if n is not None else "–"
            for k, n in part.select("number_kind", "number").iter_rows()
        ]
        fig.add_scatter(
            x=part["date"].to_list(),
            y=[name] * part.height,
            mode="markers+text",
            text=labels,
            textposition="top center",
            name=name,
            marker={"symbol": symbol, "size": 16, "color": colour, "line": {"width": 2, "color": colour}},
            customdata=part["title"].to_list(),
            hovertemplate="%{x} %{text}<br>%{customdata}<extra>" + name + "</extra>",
        )
    for row in phases.iter_rows(named=True):
        fig.add_vline(x=row["changed_on"], line={"color": "#009E73", "dash": "dash", "width": 1})
        fig.add_annotation(
            x=row["changed_on"],
            y=1.0,
            yref="paper",
            text=f"fas: {row['to_phase']}",
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font={"size": 11},
        )
    fig.update_layout(height=320, showlegend=True)
    fig.update_xaxes(type="date", tickformat="%Y-%m", hoverformat="%Y-%m-%d")  # not "Oct 2018"
    return base_layout(fig, title, x_title="datum", value_axis="x")
