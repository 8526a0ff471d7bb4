from __future__ import annotations

from datetime import date

import pytest

from portfolio import accounts, status, store
from portfolio.errors import InvalidInputError, PermissionDeniedError


def form(**overrides):
    data = {
        "reported_on": date(2019, 6, 3),
        "time_status": "grön",
        "cost_status": "grön",
        "scope_status": "grön",
        "overall_status": "grön",
    }
    return {**data, **overrides}


def test_a_yellow_or_red_status_needs_a_reason():
    with pytest.raises(InvalidInputError, match="Tid, Totalt"):
        status.parse_report(form(time_status="röd", overall_status="gul"))


def test_a_report_dated_in_the_future_is_refused():
    with pytest.raises(InvalidInputError, match="framtiden"):
        status.parse_report(form(reported_on=date(2999, 1, 1)))


def test_only_the_projects_leader_or_admin_may_report(seeded):
    link2 = store.project_id_for(seeded, "GNS/8/2018")
    other = store.project_id_for(seeded, "GNS/03/2019")
    leader = accounts.persona_user(seeded, "projektledare")
    with pytest.raises(PermissionDeniedError):
        status.record(seeded, leader, other, status.parse_report(form()))
    for key in ("namnd", "kommunchef"):
        with pytest.raises(PermissionDeniedError):
            status.record(seeded, accounts.persona_user(seeded, key), link2, status.parse_report(form()))
    status.record(seeded, accounts.persona_user(seeded, "admin"), other, status.parse_report(form()))
    assert store.status_reports_frame(seeded).height == 1


def test_latest_status_shows_trend_and_flags_old_reports(seeded):
    link2 = store.project_id_for(seeded, "GNS/8/2018")
    leader = accounts.persona_user(seeded, "projektledare")
    status.record(seeded, leader, link2, status.parse_report(form(reported_on=date(2019, 2, 8))))
    status.record(
        seeded,
        leader,
        link2,
        status.parse_report(
            form(reported_on=date(2019, 6, 3), overall_status="gul", overall_reason="Sen start")
        ),
    )
    latest = status.latest_per_project(store.status_reports_frame(seeded), today=date(2019, 6, 10)).row(
        0, named=True
    )
    assert latest["report_status"] == "gul"
    assert latest["trend"] == "↓ sämre"
    assert latest["reported_on"] == "2019-06-03"
    assert latest["stale"] is False  # the last tertial closed 2019-04-30
    later = status.latest_per_project(store.status_reports_frame(seeded), today=date(2019, 9, 2))
    assert later["stale"].to_list() == [True]  # T2 closed 2019-08-31, after the report
