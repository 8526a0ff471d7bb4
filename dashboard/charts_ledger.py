"""Chart builders for the ledger pages: frames in, plotly figures out; no Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import BUDGET_COLOUR, OUTCOME_COLOUR, base_layout, hbars

__all__ = ["deviation_by_object", "party_amounts", "statement_bars"]


def _layout(fig: go.Figure, title: str, x_title: str) -> go.Figure:
    """Horizontal bars: grouped, the first line on top, whole thousands on the axis (no "1,5k")."""
    fig.update_layout(barmode="group")
    fig.update_xaxes(zerolinecolor="#555555", tickformat=",.0f")
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, title, x_title=x_title, value_axis="x")


def statement_bars(statement: pl.DataFrame, title: str) -> go.Figure:
    """Actual and budget per line of an income statement (tkr, report sign), sum rows left out."""
    body = statement.filter(pl.col("kind") != "summa").filter(
        (pl.col("actual_ore") != 0) | (pl.col("budget_ore") != 0)
    )
    lines = body["line"].to_list()
    fig = go.Figure()
    for column, name, marker in (
        ("actual_ore", "Ack utfall", {"color": OUTCOME_COLOUR}),
        ("budget_ore", "Ack budget", {"color": BUDGET_COLOUR, "pattern": {"shape": "/"}}),
    ):
        tkr = [v / 100_000 for v in body[column].to_list()]
        hbars(fig, lines, tkr, name, marker, "%{y}: %{x:,.0f} tkr<extra>" + name + "</extra>")
    return _layout(fig, title, "tkr (intäkter positiva, kostnader negativa)")


def deviation_by_object(objects: pl.DataFrame, title: str) -> go.Figure:
    """Budget − actual per object (tkr): positive is better than budget."""
    labels = [f"{o} {n or ''}".strip()[:50] for o, n in objects.select("object", "name").iter_rows()]
    values = [(v or 0) / 100_000 for v in objects["deviation_ore"].to_list()]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=values,
        orientation="h",
        name="Budget − utfall",
        marker={
            "color": [BUDGET_COLOUR if v >= 0 else OUTCOME_COLOUR for v in values],
            "pattern": {"shape": ["" if v >= 0 else "x" for v in values]},
        },
        hovertemplate="%{y}: %{x:+,.0f} tkr<extra></extra>",
    )
    return _layout(fig, title, "tkr (positivt = bättre än budget)")


def party_amounts(statement: pl.DataFrame, names: dict[str, str], title: str) -> go.Figure:
    """What each party pays, stacked per item (kronor)."""
    fig = go.Figure()
    parties = list(dict.fromkeys(statement["party"].to_list()))
    labels = [names.get(p, p) for p in parties]
    patterns = ["", "/", "x", ".", "\\", "+"]
    for i, item in enumerate(dict.fromkeys(statement["item"].to_list())):
        part = statement.filter(pl.col("item") == item)
        amounts = dict(part.select("party", "amount_ore").iter_rows())
        kronor = [amounts.get(p, 0) / 100 for p in parties]
        marker = {"pattern": {"shape": patterns[i % len(patterns)]}}
        hbars(fig, labels, kronor, item, marker, "%{y}: %{x:,.0f} kr<extra>" + item + "</extra>")
    fig.update_layout(barmode="stack")
    out = _layout(fig, title, "kronor")
    out.update_layout(barmode="stack")
    return out
