"""Chart builders: frames in, plotly figures out; no Streamlit, so they can be tested."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

# Okabe–Ito colours (distinguishable with colour-vision deficiencies); bars also differ by pattern.
BUDGET_COLOUR = "#0072B2"
OUTCOME_COLOUR = "#D55E00"
EXTRA_COLOUR = "#CC79A7"
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#1f2430"}
# The legend below the chart, at the bottom of the figure: it never covers bars, ticks or the axis
# title, also on a 390 px phone where the ticks are tilted; the figure grows to make room for it.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}
# Plotly's toolbar speaks English only (Zoom, Pan, Autoscale …, in tooltips and aria-labels) and its
# zoom by dragging traps a finger on a phone: every figure leaves both out. A chart's figures are
# also in the table or text next to it.
TOOLBAR_BUTTONS = [
    "zoom", "pan", "select", "lasso", "zoomIn", "zoomOut", "autoScale", "resetScale",
    "toImage", "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines",
    "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "resetScale2d", "toggleHover", "resetViews", "sendDataToCloud", "resetViewMapbox",
]  # fmt: skip


def swedish(fig: go.Figure) -> go.Figure:
    """No English toolbar, no drag-to-zoom, Swedish number separators (`1 500 000`, `0,5`)."""
    fig.update_layout(separators=", ", dragmode=False, modebar={"remove": TOOLBAR_BUTTONS})
    return fig


def base_layout(
    fig: go.Figure, title: str, *, x_title: str = "", y_title: str = "", value_axis: str = "y"
) -> go.Figure:
    """Every chart's frame: title, font, Swedish numbers, the legend below, grid lines along `value_axis`."""
    fig.update_layout(
        title={"text": title},
        font=FONT,
        separators=", ",  # decimal comma and a space between thousands, as Swedish text
        legend=LEGEND_BELOW,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis_title=x_title,
        yaxis_title=y_title,
        plot_bgcolor="white",
    )
    grid = fig.update_xaxes if value_axis == "x" else fig.update_yaxes
    grid(gridcolor="#d9d9d9")
    return swedish(fig)


def wrap_label(text: str, width: int = 24) -> str:
    """A long category label on lines of about `width` characters (`<br>`), so it is read whole on a
    phone instead of being cut at the chart's left edge."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def hbars(
    fig: go.Figure, labels: list[str], values: list[Any], name: str, marker: dict[str, Any], hover: str
) -> None:
    """One series of horizontal bars, one bar per label; the layout groups or stacks the series."""
    fig.add_bar(y=labels, x=values, name=name, orientation="h", marker=marker, hovertemplate=hover)


def budget_vs_outcome(
    labels: list[str], budget_kr: list[float | None], outcome_kr: list[float | None], title: str
) -> go.Figure:
    """Grouped horizontal bars of budget and outcome per label (kronor)."""
    fig = go.Figure()
    labels = [wrap_label(label) for label in labels]
    for values, name, marker in (
        (budget_kr, "Budget", {"color": BUDGET_COLOUR}),
        (outcome_kr, "Utfall", {"color": OUTCOME_COLOUR, "pattern": {"shape": "/"}}),
    ):
        hbars(fig, labels, values, name, marker, "%{y}<br>" + name + ": %{x:,.0f} kr<extra></extra>")
    fig.update_layout(barmode="group", height=max(300, 60 * len(labels) + 120))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",.0f")  # 1 500 000 kronor, not 1,5M
    return base_layout(fig, title, x_title="kronor")


def milestone_timeline(milestones: pl.DataFrame, title: str) -> go.Figure:
    """Planned dates (every postponement) and actual dates of each milestone on a time axis."""
    fig = go.Figure()
    styles = {
        "ursprunglig plan": ("circle-open", BUDGET_COLOUR, "Ursprunglig plan"),
        "ändrad plan": ("triangle-right", EXTRA_COLOUR, "Ändrad plan"),
        "utfall": ("diamond", OUTCOME_COLOUR, "Utfall"),
    }
    for kind, (symbol, colour, name) in styles.items():
        part = milestones.filter(pl.col("kind") == kind)
        if part.height == 0:
            continue
        fig.add_scatter(
            x=part["date"].to_list(),
            y=part["milestone"].to_list(),
            mode="markers",
            name=name,
            marker={"symbol": symbol, "size": 14, "color": colour, "line": {"width": 2}},
            hovertemplate="%{y}: %{x}<extra>" + name + "</extra>",
        )
    for name in milestones["milestone"].unique(maintain_order=True).to_list():
        dates = milestones.filter(pl.col("milestone") == name)["date"].sort().to_list()
        fig.add_scatter(
            x=[dates[0], dates[-1]],
            y=[name, name],
            mode="lines",
            line={"color": "#7f7f7f", "width": 1, "dash": "dot"},
            showlegend=False,
            hoverinfo="skip",
        )
    fig.update_layout(height=max(250, 70 * milestones["milestone"].n_unique() + 120))
    # ISO dates on the axis: Plotly's own ticks are English ("Mar 14") and show clock times
    # when every milestone falls on one day.
    days = [date.fromisoformat(d) for d in milestones["date"].drop_nulls().to_list()]
    padding = max(timedelta(days=15), (max(days) - min(days)) / 20) if days else timedelta(days=15)
    fig.update_xaxes(
        type="date",
        tickformat="%Y-%m-%d",
        range=[(min(days) - padding).isoformat(), (max(days) + padding).isoformat()] if days else None,
    )
    return base_layout(fig, title, x_title="datum")
