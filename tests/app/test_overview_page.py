"""Portföljöversikt: each project's status reason can be read without opening the text table."""

from __future__ import annotations

from datetime import date

from dashboard import ui
from portfolio import status, users_store
from portfolio import store as core_store
from registers.database import open_database


def markdown_outside_expanders(at) -> list[str]:
    inside = {m.value for e in at.expander for m in e.markdown}
    return [m.value for m in at.markdown if m.value not in inside]


def test_each_status_reason_is_readable_outside_the_text_table(app_as):
    at = app_as("namnd", "app_pages/overview.py")
    table = at.dataframe(key="overview_table").value
    reason = str(table[table["Kod"] == "GNS/8/2018"].iloc[0]["Kommentar"])
    assert reason and reason != "None"
    assert any(
        "GNS/8/2018" in m and ui.plain(reason) in m and "Gul" in m for m in markdown_outside_expanders(at)
    )


def test_a_status_reason_with_markdown_is_shown_as_written(app_as, app_env):
    db = open_database(app_env)
    leader = users_store.find_user(db, "projektledare.link2@gns.example")
    assert leader is not None
    reason = "Se ![x](http://example.invalid/a.png) och <b>detta</b>"
    report = status.parse_report(
        {
            "reported_on": date.today(),
            **{f"{a}_status": "gul" for a in status.ASPECTS},
            **{f"{a}_reason": reason for a in status.ASPECTS},
        }
    )
    status.record(db, leader[0], core_store.project_id_for(db, "GNS/8/2018"), report)
    at = app_as("namnd", "app_pages/overview.py")
    shown = markdown_outside_expanders(at)
    assert not [m for m in shown if reason in m]  # never handed to Markdown as an image or HTML
    assert any(r"Se !\[x\](http\://example.invalid/a.png) och \<b\>detta\</b\>" in m for m in shown)
