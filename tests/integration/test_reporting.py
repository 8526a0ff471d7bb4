"""The reporting cycle on the seeded data: the 2019 calendar, who is due, drafts, publishing with
a frozen snapshot, corrections as new versions, and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from portfolio import accounts, store
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from portfolio.reporting import service
from portfolio.reporting import store as reporting_store
from portfolio.reporting.model import CalendarInput
from registers.benefits import service as benefits_service
from registers.benefits.model import MeasurementInput
from registers.risks import service as risks_service
from registers.risks import store as risks_store

FULL = {
    "reported_on": date(2019, 9, 20),
    **{f"{d}_status": "grön" for d in ("time", "cost", "scope", "risk", "benefit", "overall")},
    "next_steps": "Utbildning av användare",
}


def link2(db):
    return store.project_id_for(db, "GNS/8/2018")


def only_link2_reports(db):
    admin = accounts.persona_user(db, "admin")
    for project in reporting_store.reporting_projects(db):
        service.set_must_report(db, admin, project["id"], project["id"] == link2(db))


def publish_full(db, actor, year=2019, period="T2", reason="", **changes):
    draft_id = service.start_draft(db, actor, link2(db), year, period)
    service.save_draft(db, actor, draft_id, {**FULL, **changes}, version=1)
    return service.publish(db, actor, draft_id, version=2, reason=reason)


def test_the_seeded_calendar_holds_2019_with_deadlines_from_the_meeting_plan(seeded):
    rows = service.calendar_frame(seeded, 2019).select(
        "period", "meeting_date", "report_deadline", "review_deadline"
    )
    assert rows.rows() == [
        ("T1", "2019-06-03", "2019-05-24", "2019-05-29"),
        ("T2", "2019-10-11", "2019-10-01", "2019-10-06"),
        ("helår", "2020-02-14", "2020-02-04", "2020-02-09"),
    ]


def test_a_deadline_after_its_meeting_is_refused_and_nothing_is_saved(seeded):
    admin = accounts.persona_user(seeded, "admin")
    with pytest.raises(InvalidInputError, match="efter sammanträdet"):
        service.set_period(
            seeded,
            admin,
            CalendarInput(
                year=2020, period="T1", report_deadline=date(2020, 5, 30), review_deadline=date(2020, 5, 30)
            ),
        )
    assert service.calendar_frame(seeded, 2020).height == 0
    with pytest.raises(PermissionDeniedError):
        service.set_period(
            seeded, accounts.persona_user(seeded, "projektledare"), CalendarInput(year=2020, period="T1")
        )
    service.set_period(seeded, admin, CalendarInput(year=2020, period="T1"))
    assert service.calendar_frame(seeded, 2020)["report_deadline"].to_list() == ["2020-05-19"]


def test_a_missed_deadline_stays_due_until_the_report_is_published(seeded):
    only_link2_reports(seeded)
    rows = service.due_reports(seeded, date(2019, 10, 1))
    assert [(r.period, r.days_overdue, r.published) for r in rows] == [("T1", 130, False)]


def test_due_reports_the_day_before_on_and_after_the_deadline(seeded):
    only_link2_reports(seeded)
    leader = accounts.persona_user(seeded, "projektledare")
    publish_full(seeded, leader, period="T1", reported_on=date(2019, 5, 20))
    days = (date(2019, 9, 30), date(2019, 10, 1), date(2019, 10, 2))
    before, on, after = (service.due_reports(seeded, day) for day in days)
    assert [(r.period, r.deadline, r.days_overdue) for r in before] == [("T2", date(2019, 10, 1), 0)]
    assert [(r.period, r.days_overdue, r.published) for r in on] == [("T2", 0, False)]
    assert [(r.period, r.days_overdue) for r in after] == [("T2", 1)]
    assert on[0].leader_user_ids == (leader.id,)
    publish_full(seeded, leader)
    after = service.due_reports(seeded, date(2019, 10, 2))
    # T2 is published: what is due now is helår's report, not yet late.
    assert [(r.period, r.published, r.days_overdue) for r in after] == [("helår", False, 0)]


def test_review_deadlines_name_the_parties_without_a_review(seeded):
    rows = service.review_deadlines(seeded, date(2019, 10, 6))
    # T1's review was missed (no party has reviewed it) and T2's is due today.
    assert [(r.period, r.deadline) for r in rows] == [("T1", date(2019, 5, 29)), ("T2", date(2019, 10, 6))]
    assert "BRACKE" in rows[1].parties and len(rows[1].parties) == 9
    assert [r.period for r in service.review_deadlines(seeded, date(2019, 10, 7))] == ["T2", "helår"]
    from portfolio.ledger import tertial
    from portfolio.periods import Period

    chef = accounts.persona_user(seeded, "kommunchef")
    tertial.review_report(seeded, chef, year=2019, period=Period.T2, comment="Granskad")
    after = service.review_deadlines(seeded, date(2019, 10, 6))
    assert "BRACKE" not in after[1].parties and len(after[1].parties) == 8


def test_a_published_report_keeps_its_snapshot_when_risks_money_and_benefits_change(seeded):
    from portfolio.projects import service as projects_service
    from portfolio.projects import store as projects_store
    from portfolio.projects.model import StatedTotalsInput
    from registers.benefits.model import BenefitInput, Point

    leader = accounts.persona_user(seeded, "projektledare")
    admin = accounts.persona_user(seeded, "admin")
    pid = link2(seeded)
    benefit_id = benefits_service.create_benefit(
        seeded,
        leader,
        pid,
        BenefitInput(
            title="Färre dagar kvar på sjukhus",
            indicator="Dagar efter utskrivningsklar",
            unit="dagar",
            direction="lägre",
            baseline=Point(date=date(2019, 1, 1), value="5"),
            target=Point(date=date(2020, 1, 1), value="2"),
        ),
    )
    report_id = publish_full(seeded, leader)
    frozen = reporting_store.published(seeded, report_id)
    assert frozen is not None and frozen["snapshot"]["risks"], "LINK2 has open risks in the seed"
    open_risk = frozen["snapshot"]["risks"][0]

    current = risks_store.get_risk(seeded, open_risk["id"])
    risks_service.close_risk(seeded, leader, open_risk["id"], version=current["version"], note="Hanterad")
    stated = projects_store.stated_row(seeded, pid)
    projects_service.set_stated_totals(
        seeded,
        admin,
        pid,
        StatedTotalsInput(total_cost_kr=4_000_000),
        version=stated["version"] if stated else None,
    )
    benefits_service.add_measurement(
        seeded, leader, benefit_id, MeasurementInput(measured_on=date(2019, 12, 1), value="3")
    )

    later = reporting_store.published(seeded, report_id)
    assert later is not None and later["snapshot"] == frozen["snapshot"]
    now = reporting_store.snapshot_facts(seeded, pid)
    assert open_risk["id"] not in {r["id"] for r in now["risks"]}
    assert now["forecast_ore"] == 400_000_000 != frozen["snapshot"]["forecast_ore"]
    measured = {b["id"]: b["latest_value"] for b in now["benefits"]}
    assert measured[benefit_id] == "3"
    assert {b["id"]: b["latest_value"] for b in frozen["snapshot"]["benefits"]}[benefit_id] is None


def test_a_new_period_starts_as_a_copy_of_the_previous_published_report(seeded):
    leader = accounts.persona_user(seeded, "projektledare")
    publish_full(seeded, leader, overall_status="gul", overall_reason="Sen leverans")
    draft_id = service.start_draft(seeded, leader, link2(seeded), 2019, "helår")
    draft = reporting_store.draft(seeded, draft_id)
    assert draft is not None
    assert (draft["overall_status"], draft["overall_reason"], draft["next_steps"]) == (
        "gul",
        "Sen leverans",
        "Utbildning av användare",
    )


def test_a_second_report_of_the_period_is_a_new_version_with_a_reason(seeded):
    leader = accounts.persona_user(seeded, "projektledare")
    first = publish_full(seeded, leader)
    draft_id = service.start_draft(seeded, leader, link2(seeded), 2019, "T2")
    service.save_draft(
        seeded, leader, draft_id, {**FULL, "cost_status": "röd", "cost_reason": "Dyrare licens"}, version=1
    )
    with pytest.raises(InvalidInputError, match="skälet till rättelsen"):
        service.publish(seeded, leader, draft_id, version=2)
    second = service.publish(seeded, leader, draft_id, version=2, reason="Fel kostnadsstatus")
    versions = reporting_store.published_frame(seeded, link2(seeded)).select(
        "id", "report_version", "cost_status", "correction_reason"
    )
    assert versions.rows() == [(first, 1, "grön", ""), (second, 2, "röd", "Fel kostnadsstatus")]


def test_refusals_leave_everything_as_it_was(seeded):
    leader = accounts.persona_user(seeded, "projektledare")
    with pytest.raises(InvalidInputError, match="finns inte i rapportkalendern"):
        service.start_draft(seeded, leader, link2(seeded), 2019, "T3")
    draft_id = service.start_draft(seeded, leader, link2(seeded), 2019, "T2")
    with pytest.raises(InvalidInputError, match="Det finns redan ett utkast"):
        service.start_draft(seeded, leader, link2(seeded), 2019, "T2")
    service.save_draft(seeded, leader, draft_id, {**FULL, "risk_status": None}, version=1)
    with pytest.raises(InvalidInputError, match="Ange status för varje dimension innan du publicerar: Risk"):
        service.publish(seeded, leader, draft_id, version=2)
    assert reporting_store.draft(seeded, draft_id) is not None
    assert reporting_store.published_frame(seeded, link2(seeded)).height == 0
    service.save_draft(seeded, leader, draft_id, FULL, version=2)
    report_id = service.publish(seeded, leader, draft_id, version=3)
    with pytest.raises(NotFoundError, match="publicerad rapport ändras inte"):
        service.save_draft(seeded, leader, draft_id, FULL, version=3)
    with pytest.raises(Exception, match="ändras inte"):
        seeded.execute("UPDATE status_reports SET overall_status = 'röd' WHERE id = ?", [report_id])
    with pytest.raises(PermissionDeniedError):
        service.start_draft(seeded, accounts.persona_user(seeded, "namnd"), link2(seeded), 2019, "helår")


def test_reports_from_before_the_calendar_are_bound_to_their_period_and_published_without_snapshot(tmp_path):
    from portfolio.db import connect, migrate, write
    from registers.database import ALL_MIGRATIONS

    db = connect(tmp_path / "old.db")
    migrate(db, *(m for m in ALL_MIGRATIONS if m.name != "reporting"))
    with write(db, audited=False):  # as a database was before the reporting cycle
        db.execute(
            "INSERT INTO projects (id, code, has_diarienummer, name, kind, phase, status)"
            " VALUES (1, 'GNS/8/2018', 1, 'LINK2', 'projekt', 'genomförande', 'grön')"
        )
        for rid, day in ((1, "2019-02-08"), (2, "2019-06-03"), (3, "2019-06-20"), (4, "2019-11-01")):
            db.execute(
                "INSERT INTO status_reports (id, project_id, reported_on, time_status, time_reason,"
                " cost_status, cost_reason, scope_status, scope_reason, overall_status, overall_reason,"
                " next_steps, created_at) VALUES (?, 1, ?, 'grön', '', 'grön', '', 'grön', '', 'gul',"
                " 'Sen start', '', ?)",
                [rid, day, f"{day}T08:00:00+00:00"],
            )
    assert migrate(db, *ALL_MIGRATIONS) == ["reporting:m001_calendar_and_reports"]
    rows = reporting_store.published_frame(db).select("id", "year", "period", "report_version", "snapshot")
    assert rows.sort("id").rows() == [
        (1, 2019, "T1", 1, None),
        (2, 2019, "T2", 1, None),
        (3, 2019, "T2", 2, None),
        (4, 2019, "helår", 1, None),
    ]
    old = reporting_store.published(db, 3)
    assert old is not None and old["published_at"] == "2019-06-20T08:00:00+00:00"
    with pytest.raises(Exception, match="ändras inte"), write(db, audited=False):
        db.execute("UPDATE status_reports SET overall_status = 'grön' WHERE id = 3")


def test_the_kallelse_shows_the_periods_published_report_with_its_snapshot(seeded, monkeypatch):
    import html

    from portfolio.governance import service as governance
    from registers.meetings import documents

    leader = accounts.persona_user(seeded, "projektledare")
    publish_full(
        seeded,
        leader,
        period="T1",
        reported_on=date(2019, 5, 20),
        overall_status="gul",
        overall_reason="Driftstart flyttad",
    )
    frozen = reporting_store.latest_published(seeded, link2(seeded), 2019, "T1")
    assert frozen is not None
    risk = frozen["snapshot"]["risks"][0]
    current = risks_store.get_risk(seeded, risk["id"])
    risks_service.close_risk(seeded, leader, risk["id"], version=current["version"], note="Hanterad")

    # The document's HTML is what is checked (the PDF is the same HTML, tagged, and slow to make).
    monkeypatch.setattr(documents, "tagged_pdf", lambda page, appended=(): page.encode())
    meeting = governance.meeting_on(seeded, date(2019, 6, 3))
    text = html.unescape(documents.kallelse_pdf(seeded, meeting["id"]).decode())
    assert "Statusrapport för GNS/8/2018, T1 2019 (version 1, 2019-05-20)" in text
    assert "Driftstart flyttad" in text
    assert "Underlag fruset vid publiceringen: Budget" in text
    assert f"Öppen risk: {risk['title']}" in text


def test_two_periods_with_the_same_deadline_are_both_due(seeded):
    only_link2_reports(seeded)
    admin = accounts.persona_user(seeded, "admin")
    service.set_period(
        seeded,
        admin,
        CalendarInput(
            year=2019,
            period="Extra",
            start=date(2019, 5, 1),
            end=date(2019, 8, 31),
            meeting=date(2019, 10, 11),
        ),
    )
    leader = accounts.persona_user(seeded, "projektledare")
    publish_full(seeded, leader, period="T1", reported_on=date(2019, 5, 20))
    first = service.due_reports(seeded, date(2019, 9, 30))[0].period
    publish_full(seeded, leader, period=first)
    second = service.due_reports(seeded, date(2019, 9, 30))[0]
    assert {first, second.period} == {"T2", "Extra"} and not second.published
