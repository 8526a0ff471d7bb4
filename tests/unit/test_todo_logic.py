"""Att göra's rules per role, and which reminders are due, on inputs built by hand."""

from __future__ import annotations

from datetime import date

import polars as pl

from portfolio.auth import Role, User
from portfolio.todo import logic
from portfolio.todo.model import (
    ACTIONS_SCHEMA,
    BENEFITS_SCHEMA,
    CHANGES_SCHEMA,
    RISKS_SCHEMA,
    Kind,
    ReportDue,
    ReviewDue,
    TodoInputs,
)
from tests.present import present

TODAY = date(2020, 5, 20)
LEADER = User(
    id=3, email="pl@gns.example", name="Pia Ledare", role=Role.PROJEKTLEDARE, projects=frozenset({1})
)
OTHER_LEADER = User(
    id=5, email="ol@gns.example", name="Olle", role=Role.PROJEKTLEDARE, projects=frozenset({2})
)
CHEF = User(id=2, email="kc@bracke.se", name="Karin Chef", role=Role.KOMMUNCHEF, party="BRACKE")
ADMIN = User(id=4, email="es@gns.example", name="Eva Strateg", role=Role.ADMIN)
NAMND = User(id=1, email="l@gns.example", name="Lars Ledamot", role=Role.NAMND)


def inputs(**overrides: object) -> TodoInputs:
    values: dict[str, object] = {
        "today": TODAY,
        "actions": pl.DataFrame(
            [
                (1, 10, "Fax", 1, "GNS/8/2018", "Sluta faxa", "2020-05-01", "pågår"),
                (2, 10, "Fax", 1, "GNS/8/2018", "Klar redan", "2020-05-01", "klar"),
                (3, 11, "Tid", 1, "GNS/8/2018", "Inte än", "2020-06-01", "planerad"),
                (4, 12, "Annat", 2, "GNS/11/2018", "Annat projekt", "2020-05-01", "planerad"),
            ],
            schema=ACTIONS_SCHEMA,
            orient="row",
        ),
        "risks": pl.DataFrame(
            [
                (10, 1, "GNS/8/2018", "Fax", "öppen", "2020-05-10"),
                (11, 1, "GNS/8/2018", "Tid", "stängd", "2020-05-10"),
                (12, 1, "GNS/8/2018", "Senare", "hanteras", "2020-06-10"),
            ],
            schema=RISKS_SCHEMA,
            orient="row",
        ),
        "benefits": pl.DataFrame(
            [
                (1, 1, "GNS/8/2018", "Aldrig mätt", None, None, None),
                (2, 1, "GNS/8/2018", "Mätt nyss", None, date(2020, 4, 1), date(2021, 1, 1)),
                (3, 1, "GNS/8/2018", "Mätt för länge sedan", None, date(2019, 1, 1), None),
                (4, 2, "GNS/11/2018", "Chefens nytta", "KC@bracke.se", date(2020, 1, 1), date(2020, 3, 1)),
            ],
            schema=BENEFITS_SCHEMA,
            orient="row",
        ),
        "reports": (
            ReportDue(1, "GNS/8/2018", "LINK2", "T1", 2020, date(2020, 5, 15), False, (3,)),
            ReportDue(2, "GNS/11/2018", "DSO", "T1", 2020, date(2020, 5, 15), True, (5,)),
            ReportDue(5, "GNS/03/2019", "IT-drift", "T1", 2020, date(2020, 5, 25), False, (5,)),
        ),
        "reviews": (ReviewDue("T1", 2020, date(2020, 5, 25), ("BRACKE", "ARE")),),
        "party_names": {"BRACKE": "Bräcke kommun", "ARE": "Åre kommun"},
        "next_meeting": date(2020, 5, 29),
        "since": date(2020, 3, 27),
        "changes": pl.DataFrame(
            [("2020-04-30", "GNS/8/2018", "Statusrapport för GNS/8/2018 – Gul")],
            schema=CHANGES_SCHEMA,
            orient="row",
        ),
    }
    values.update(overrides)
    return TodoInputs(**values)  # type: ignore[arg-type]


def texts(items: list) -> list[str]:
    return [i.text for i in items]


def test_a_project_leader_sees_their_overdue_report_late_action_passed_review_and_benefits_to_measure():
    items = logic.items_for(LEADER, inputs())
    assert [i.kind for i in items] == [
        Kind.REPORT,
        Kind.ACTION,
        Kind.RISK_REVIEW,
        Kind.BENEFIT,
        Kind.BENEFIT,
    ]
    report, action, risk, *benefits = items
    assert report.text == "Statusrapport T1 2020 för GNS/8/2018 LINK2"
    assert report.when_text(TODAY) == "försenad 5 dagar (senast 2020-05-15)"
    assert (report.page, report.params) == (
        "app_pages/project.py",
        (("projekt", "GNS/8/2018"), ("avsnitt", "Statusrapporter")),  # the tab where it is written
    )
    assert action.text == "GNS/8/2018: Sluta faxa (risk: Fax)"
    assert action.params == (("projekt", "GNS/8/2018"), ("risk", "10"))
    assert risk.text == "GNS/8/2018: Fax"
    assert texts(benefits) == [
        "GNS/8/2018: Aldrig mätt – inte mätt ännu",
        "GNS/8/2018: Mätt för länge sedan – senast mätt 2019-01-01",
    ]


def test_a_leader_sees_nothing_of_another_leaders_project():
    items = logic.items_for(OTHER_LEADER, inputs())
    assert "GNS/8/2018" not in " ".join(texts(items))
    assert [i.kind for i in items] == [Kind.REPORT, Kind.ACTION, Kind.BENEFIT]
    assert items[0].when_text(TODAY) == "senast 2020-05-25 (om 5 dagar)"  # the published DSO report is gone


def test_a_kommunchef_sees_the_review_pending_for_their_party_and_the_benefit_they_own():
    items = logic.items_for(CHEF, inputs())
    assert texts(items) == [
        "Granska tertialrapporten T1 2020 för Bräcke kommun",
        "GNS/11/2018: Chefens nytta – målet skulle nås 2020-03-01, senast mätt 2020-01-01",
    ]
    assert items[0].params == (("ar", "2020"), ("period", "T1"))
    reviewed = inputs(reviews=(ReviewDue("T1", 2020, date(2020, 5, 25), ("ARE",)),))
    assert [i.kind for i in logic.items_for(CHEF, reviewed)] == [Kind.BENEFIT]


def test_the_admin_sees_reports_and_reviews_missing_before_the_next_meeting():
    items = logic.items_for(ADMIN, inputs())
    assert texts(items) == [
        "GNS/8/2018 LINK2: statusrapport T1 2020 saknas",
        "GNS/03/2019 IT-drift: statusrapport T1 2020 saknas",
        "Tertialrapport T1 2020: granskning saknas från Åre kommun, Bräcke kommun",
    ]
    # With the next meeting before the IT-drift deadline, only what is due by then is missing.
    early = logic.items_for(ADMIN, inputs(next_meeting=date(2020, 5, 21)))
    assert texts(early) == ["GNS/8/2018 LINK2: statusrapport T1 2020 saknas"]


def test_the_namnd_sees_what_changed_since_the_last_meeting_and_no_tasks():
    items = logic.items_for(NAMND, inputs())
    assert [(i.kind, i.text) for i in items] == [
        (Kind.CHANGE, "2020-04-30: Statusrapport för GNS/8/2018 – Gul")
    ]


def test_a_disabled_account_has_nothing_to_do():
    assert logic.items_for(LEADER.model_copy(update={"active": False}), inputs()) == []


def test_reminders_go_a_week_before_a_deadline_and_once_it_is_missed_and_only_once():
    items = logic.items_for(LEADER, inputs())
    due = logic.reminders(LEADER, items, TODAY, set())
    assert [(r.item.kind, r.stage) for r in due] == [
        (Kind.REPORT, logic.MISSED),
        (Kind.ACTION, logic.MISSED),
        (Kind.RISK_REVIEW, logic.MISSED),
    ]
    assert due[0].key == "rapport:GNS/8/2018:2020:T1:försenad"
    sent = {(present(LEADER.id), r.key) for r in due}
    assert logic.reminders(LEADER, items, TODAY, sent) == []
    # Eight days before the deadline nothing is due; seven days before, the first reminder.
    other = logic.items_for(OTHER_LEADER, inputs(today=date(2020, 5, 17)))
    assert [r.stage for r in logic.reminders(OTHER_LEADER, other, date(2020, 5, 17), set())][:1] == [
        logic.MISSED
    ]
    report = next(i for i in other if i.kind is Kind.REPORT)
    assert logic.stage(report, date(2020, 5, 17)) is None
    assert logic.stage(report, date(2020, 5, 18)) == logic.BEFORE
    assert logic.stage(report, date(2020, 5, 25)) == logic.BEFORE
    assert logic.stage(report, date(2020, 5, 26)) == logic.MISSED


def test_a_benefit_and_a_change_never_become_a_reminder():
    items = logic.items_for(CHEF, inputs()) + logic.items_for(NAMND, inputs())
    assert [r.item.kind for r in logic.reminders(CHEF, items, TODAY, set())] == [Kind.REVIEW]


def test_a_report_items_link_names_a_tab_the_project_page_has():
    """The core cannot import the dashboard; a renamed tab would silently open Översikt instead."""
    from dashboard.navigation import PROJECT_SECTION_PARAM, PROJECT_SECTIONS
    from portfolio.todo.logic import AT_REPORTS

    assert AT_REPORTS == (PROJECT_SECTION_PARAM, "Statusrapporter")
    assert AT_REPORTS[1] in PROJECT_SECTIONS
