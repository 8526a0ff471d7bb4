"""Charts of the benefit register and the surveys: frames in, plotly figures out, no Streamlit."""

from __future__ import annotations

from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import BUDGET_COLOUR, EXTRA_COLOUR, OUTCOME_COLOUR, base_layout

# Blue–orange diverging palette (Okabe–Ito ends), readable with colour-vision deficiencies;
# every segment also carries its share as text, so colour is never the only carrier.
NEGATIVE = ("#E69F00", "#F0C27A", "#F7E1BC", "#F3EDE0")  # outermost first
POSITIVE = ("#0072B2", "#5EA3CF", "#A9CDE6", "#E1EEF7")
PATH_COLOUR = "#6B6B6B"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def indicator_chart(benefit: dict[str, Any], measurements: pl.DataFrame, today: date) -> go.Figure:
    """Baseline, the straight target path and every measurement of one indicator."""
    fig = go.Figure()
    unit = benefit.get("unit") or ""
    base_date, base_value = benefit.get("baseline_date"), _float(benefit.get("baseline_value"))
    target_date, target_value = benefit.get("target_date"), _float(benefit.get("target_value"))
    if base_date is not None and target_date is not None:
        end = max(today, target_date)
        fig.add_scatter(
            x=[base_date, target_date, end],
            y=[base_value, target_value, target_value],
            mode="lines",
            name="Planerad väg mot målet",
            line={"color": PATH_COLOUR, "dash": "dash", "width": 2},
            hovertemplate="Plan %{x}: %{y}<extra></extra>",
        )
        for when, value, name, hover, marker in (
            (
                base_date,
                base_value,
                "Nollmätning",
                "Nollmätning",
                {"symbol": "square", "size": 12, "color": BUDGET_COLOUR},
            ),
            (
                target_date,
                target_value,
                "Målvärde",
                "Mål",
                {"symbol": "star", "size": 16, "color": EXTRA_COLOUR},
            ),
        ):
            fig.add_scatter(
                x=[when],
                y=[value],
                mode="markers",
                name=name,
                marker=marker,
                hovertemplate=f"{hover} %{{x}}: %{{y}}<extra></extra>",
            )
    if measurements.height:
        fig.add_scatter(
            x=measurements["measured_on"].to_list(),
            y=[_float(v) for v in measurements["value"].to_list()],
            mode="lines+markers",
            name="Mätningar",
            line={"color": OUTCOME_COLOUR, "width": 2},
            marker={"symbol": "diamond", "size": 11},
            hovertemplate="Mätning %{x}: %{y}<extra></extra>",
        )
    title = benefit.get("indicator") or benefit.get("title") or ""
    fig.update_xaxes(type="date", tickformat="%Y-%m", hoverformat="%Y-%m-%d")  # not "Oct 2018"
    return base_layout(fig, title, y_title=unit)


def payback_chart(table: pl.DataFrame, title: str) -> go.Figure:
    """Cumulative cost against cumulative benefit per year, in kronor."""
    fig = go.Figure()
    years = table["year"].to_list()
    fig.add_scatter(
        x=years,
        y=[v / 100 for v in table["cumulative_cost_ore"].to_list()],
        mode="lines+markers",
        name="Ackumulerad kostnad",
        line={"color": OUTCOME_COLOUR, "width": 3},
        marker={"symbol": "square", "size": 10},
        hovertemplate="%{x}: %{y:,.0f} kr<extra>Kostnad</extra>",
    )
    fig.add_scatter(
        x=years,
        y=[v / 100 for v in table["cumulative_benefit_ore"].to_list()],
        mode="lines+markers",
        name="Ackumulerad nytta",
        line={"color": BUDGET_COLOUR, "width": 3, "dash": "dot"},
        marker={"symbol": "circle", "size": 10},
        hovertemplate="%{x}: %{y:,.0f} kr<extra>Nytta</extra>",
    )
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(tickformat=",.0f")  # 3 500 000, not 3,5M
    return base_layout(fig, title, x_title="år", y_title="kronor")


def group_shares_chart(groups: list[dict[str, Any]], title: str) -> go.Figure:
    """Share of the respondents per group (hidden small groups already merged)."""
    fig = go.Figure()
    fig.add_bar(
        y=[g["name"] for g in groups],
        x=[round(g["share"] * 100, 1) for g in groups],
        orientation="h",
        marker={"color": BUDGET_COLOUR},
        text=[f"{g['share'] * 100:.0f} %" for g in groups],
        textposition="auto",
        hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(250, 50 * len(groups) + 120), showlegend=False)
    return base_layout(fig, title, x_title="andel av de svarande, %")


def diverging_chart(
    layout: pl.DataFrame, points: int, title: str, low_label: str | None, high_label: str | None
) -> go.Figure:
    """One diverging stacked bar per statement: disagreeing answers left, agreeing right."""
    fig = go.Figure()
    statements = layout["statement"].unique(maintain_order=True).to_list()
    labels = [s if len(s) <= 60 else s[:59] + "…" for s in statements]
    for (answer, side, position), part in layout.sort("position", "answer").group_by(
        ["answer", "side", "position"], maintain_order=True
    ):
        shares = dict(zip(part["statement"].to_list(), part["share"].to_list(), strict=True))
        palette = NEGATIVE if side == "negativ" else POSITIVE
        outermost = max(1, (points + 1) // 2)
        colour = palette[min(len(palette) - 1, outermost - int(position))]
        name = f"{answer}"
        if answer == 1 and low_label:
            name += f" – {low_label}"
        if answer == points and high_label:
            name += f" – {high_label}"
        values = [round(100 * shares.get(s, 0.0), 1) for s in statements]
        fig.add_bar(
            y=labels,
            x=values,
            orientation="h",
            name=name,
            legendgroup=str(answer),
            legendrank=int(answer),  # the legend reads 1, 2, … whatever the stacking order
            showlegend=not (side == "positiv" and 2 * int(answer) == points + 1),
            marker={"color": colour, "line": {"color": "white", "width": 1}},
            text=[f"{abs(v):.0f}" if abs(v) >= 4 else "" for v in values],
            textposition="inside",
            customdata=[abs(v) for v in values],
            hovertemplate=f"Svar {answer}: " + "%{customdata:.1f} %<extra>%{y}</extra>",
        )
    fig.update_layout(barmode="relative", height=max(300, 45 * len(statements) + 160))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(ticksuffix=" %", zeroline=True, zerolinecolor="#1f2430", zerolinewidth=2)
    return base_layout(fig, title, x_title="andel svar, % (vänster: instämmer inte, höger: instämmer)")
