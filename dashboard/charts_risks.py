"""Risk matrix heat maps: frames in, plotly figures out; no Streamlit, so they can be tested.

Each cell carries its count, the band's symbol and word, so colour never carries the meaning alone.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import swedish
from registers.risks.scoring import Band

FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14, "color": "#1f2430"}
_BAND_INDEX = {Band.GRON.value: 0, Band.GUL.value: 1, Band.ROD.value: 2}


def _colourscale() -> list[list[object]]:
    # A stepped scale over z = 0, 1, 2 so every cell gets exactly its band's colour.
    colours = [Band.GRON.colour, Band.GUL.colour, Band.ROD.colour]
    scale: list[list[object]] = []
    for index, colour in enumerate(colours):
        scale += [[index / 3, colour], [(index + 1) / 3, colour]]
    return scale


def risk_heatmap(
    counts: pl.DataFrame,
    prob_col: str,
    cons_col: str,
    scale: int,
    title: str,
    *,
    selected: tuple[int | None, int | None] = (None, None),
) -> go.Figure:
    """The scale × scale matrix from ``matrix_counts``: colour by band, the count and band in every cell.

    ``selected`` (probability, consequence) outlines the cell the list is filtered to.
    """
    levels = list(range(1, scale + 1))
    cells = {(r[prob_col], r[cons_col]): r for r in counts.iter_rows(named=True)}
    z = [[_BAND_INDEX[cells[(p, c)]["band"]] for c in levels] for p in levels]
    hover = [
        [
            f"Sannolikhet {p}, konsekvens {c}<br>Riskvärde {cells[(p, c)]['score']} – "
            f"{Band(cells[(p, c)]['band']).symbol} {Band(cells[(p, c)]['band']).label}<br>"
            f"{cells[(p, c)]['count']} risker"
            for c in levels
        ]
        for p in levels
    ]
    fig = go.Figure(
        go.Heatmap(
            x=levels,
            y=levels,
            z=z,
            zmin=0,
            zmax=3,
            colorscale=_colourscale(),
            showscale=False,
            xgap=3,
            ygap=3,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    # All labels in one update: add_annotation per cell re-validates the whole list every time.
    labels = []
    for p in levels:
        for c in levels:
            cell = cells[(p, c)]
            band = Band(cell["band"])
            labels.append(
                {
                    "x": c,
                    "y": p,
                    "text": f"<b>{cell['count']}</b><br>{band.symbol} {band.label}",
                    "showarrow": False,
                    "font": {"color": band.text_colour, "size": 15 if cell["count"] else 12},
                }
            )
    fig.update_layout(annotations=labels)
    sel_p, sel_c = selected
    if sel_p is not None or sel_c is not None:
        x0, x1 = (sel_c - 0.5, sel_c + 0.5) if sel_c is not None else (0.5, scale + 0.5)
        y0, y1 = (sel_p - 0.5, sel_p + 0.5) if sel_p is not None else (0.5, scale + 0.5)
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#1f2430", "width": 4})
    fig.update_xaxes(title="Konsekvens", tickmode="array", tickvals=levels, constrain="domain")
    fig.update_yaxes(title="Sannolikhet", tickmode="array", tickvals=levels, scaleanchor="x")
    fig.update_layout(
        title={"text": title},
        font=FONT,
        height=120 + 80 * scale,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    return swedish(fig)
