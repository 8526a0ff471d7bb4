"""The status trend chart: each dimension's status over the reporting periods; no Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import base_layout, wrap_label

SYMBOLS = {"grön": "circle", "gul": "triangle-up", "röd": "square"}
TICKS = {0: "■ Röd", 1: "▲ Gul", 2: "● Grön"}
# Okabe–Ito colours, one per dimension; the marker's shape carries the status.
DIMENSION_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#1f2430")


def status_trend(long: pl.DataFrame, title: str) -> go.Figure:
    """One line per dimension over the periods; the y axis reads Röd, Gul, Grön."""
    fig = go.Figure()
    for i, dimension in enumerate(long["dimension"].unique(maintain_order=True).to_list()):
        part = long.filter(pl.col("dimension") == dimension)
        statuses = part["status"].to_list()
        fig.add_scatter(
            x=[wrap_label(x, 12) for x in part["label"].to_list()],
            y=part["rank"].to_list(),
            mode="lines+markers",
            name=dimension,
            line={"color": DIMENSION_COLOURS[i % len(DIMENSION_COLOURS)], "width": 2},
            marker={"symbol": [SYMBOLS.get(s or "", "circle-open") for s in statuses], "size": 12},
            customdata=[
                TICKS.get(r, "– Ej rapporterad") if r is not None else "– Ej rapporterad"
                for r in part["rank"].to_list()
            ],
            hovertemplate=f"{dimension} %{{x}}: %{{customdata}}<extra></extra>",
        )
    fig.update_yaxes(tickvals=list(TICKS), ticktext=list(TICKS.values()), range=[-0.4, 2.4])
    fig.update_xaxes(type="category")
    return base_layout(fig, title, x_title="Period", y_title="Status")
