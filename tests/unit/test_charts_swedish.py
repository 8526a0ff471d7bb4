"""Every chart builder leaves out Plotly's English toolbar and drag-to-zoom, and writes numbers and
dates the Swedish way (no "1,5M", no "Oct 2018")."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard import charts, charts_benefits, charts_governance, charts_ledger


def figures():
    statement = pl.DataFrame(
        {"party": ["A", "B"], "item": ["Bas", "Bas"], "amount_ore": [150_000_000, 50_000_000]}
    )
    yield charts.budget_vs_outcome(["LINK2"], [2_810_000.0], [3_489_986.0], "Budget")
    yield charts_ledger.party_amounts(statement, {"A": "Berg", "B": "Bräcke"}, "Fördelning")
    yield charts_benefits.indicator_chart(
        {"indicator": "Andel", "baseline_date": date(2018, 10, 1), "baseline_value": 1,
         "target_date": date(2019, 10, 1), "target_value": 2},
        pl.DataFrame({"measured_on": [date(2019, 3, 1)], "value": [1.5]}),
        date(2019, 6, 1),
    )  # fmt: skip
    yield charts_governance.decision_timeline(
        pl.DataFrame(
            {"date": ["2019-06-03"], "decision": ["Beslut"], "proposal": [None], "number_kind": ["paragraf"],
             "number": [16], "title": ["Direktiv"]}
        ),
        pl.DataFrame(schema={"changed_on": pl.String, "to_phase": pl.String}),
        "Beslut",
    )  # fmt: skip


def test_no_chart_has_a_toolbar_button_or_drag_zoom_and_all_use_swedish_separators():
    for fig in figures():
        assert set(charts.TOOLBAR_BUTTONS) <= set(fig.layout.modebar.remove)
        assert {"zoom", "pan", "toImage", "autoScale", "resetScale"} <= set(fig.layout.modebar.remove)
        assert fig.layout.dragmode is False
        assert fig.layout.separators == ", "


def test_money_axes_are_whole_numbers_and_date_axes_iso():
    budget, allocation, indicator, timeline = figures()
    assert budget.layout.xaxis.tickformat == ",.0f"
    assert allocation.layout.xaxis.tickformat == ",.0f"
    for fig in (indicator, timeline):
        assert fig.layout.xaxis.tickformat == "%Y-%m"
        assert fig.layout.xaxis.hoverformat == "%Y-%m-%d"


def test_long_category_labels_are_wrapped_and_legends_sit_below_the_chart():
    label = "GNS/8/2018 LINK2 – Införande av nytt IT-stöd för samordnad planering (Cosmic Link)"
    wrapped = charts.wrap_label(label)
    assert wrapped.replace("<br>", " ") == label
    assert all(len(line) <= 24 for line in wrapped.split("<br>"))
    for fig in figures():
        assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container"
