"""The reporting calendar's rules: deadlines from the meeting plan, what is refused, overdue days."""

from __future__ import annotations

from datetime import date

from portfolio.reporting import calendar
from portfolio.reporting.calendar import CalendarEntry


def entry(**changes: object) -> CalendarEntry:
    values: dict[str, object] = {
        "year": 2019,
        "period": "T1",
        "start": date(2019, 1, 1),
        "end": date(2019, 4, 30),
        "report_deadline": date(2019, 5, 24),
        "review_deadline": date(2019, 5, 29),
        "meeting": date(2019, 6, 3),
    }
    values.update(changes)
    return CalendarEntry(**values)  # type: ignore[arg-type]


def test_the_report_is_presented_at_the_first_meeting_after_the_period():
    meetings = [date(2019, 4, 5), date(2019, 6, 3), date(2019, 10, 11), date(2020, 2, 14)]
    assert calendar.presenting_meeting(date(2019, 4, 30), meetings) == date(2019, 6, 3)
    assert calendar.presenting_meeting(date(2019, 8, 31), meetings) == date(2019, 10, 11)
    assert calendar.presenting_meeting(date(2019, 12, 31), meetings) == date(2020, 2, 14)
    assert calendar.presenting_meeting(date(2020, 4, 30), meetings) is None


def test_default_deadlines_are_ten_and_five_days_before_the_meeting():
    assert calendar.default_deadlines(date(2019, 6, 3)) == (date(2019, 5, 24), date(2019, 5, 29))


def test_a_deadline_on_the_meeting_day_stands_and_the_day_after_is_refused():
    assert calendar.deadline_problems(entry(review_deadline=date(2019, 6, 3))) == []
    problems = calendar.deadline_problems(entry(review_deadline=date(2019, 6, 4)))
    assert problems == [
        "Sista dag för kommunchefernas granskning (2019-06-04) ligger efter sammanträdet där rapporten"
        " redovisas (2019-06-03)."
    ]


def test_a_deadline_outside_the_year_is_refused():
    problems = calendar.deadline_problems(entry(report_deadline=date(2018, 12, 31), meeting=None))
    assert "utanför rapportåret 2019" in problems[0]
    assert calendar.deadline_problems(entry(report_deadline=date(2019, 1, 1), meeting=None)) == []


def test_helar_may_have_its_deadlines_in_the_next_spring_but_not_later():
    full_year = {"period": "helår", "end": date(2019, 12, 31), "meeting": None}
    ok = entry(**full_year, report_deadline=date(2020, 2, 4), review_deadline=date(2020, 6, 30))
    assert calendar.deadline_problems(ok) == []
    late = entry(**full_year, report_deadline=date(2020, 2, 4), review_deadline=date(2020, 7, 1))
    assert "mellan 2019-01-01 och 2020-06-30" in calendar.deadline_problems(late)[0]
    t2_late = entry(period="T2", end=date(2019, 8, 31), meeting=None, review_deadline=date(2020, 1, 2))
    assert "mellan 2019-01-01 och 2019-12-31" in calendar.deadline_problems(t2_late)[0]


def test_the_review_cannot_end_before_the_reports_are_due():
    problems = calendar.deadline_problems(entry(review_deadline=date(2019, 5, 23)))
    assert problems == [
        "Granskningen (2019-05-23) kan inte sluta före sista dag för statusrapporterna (2019-05-24)."
    ]


def test_overdue_days_the_day_before_on_and_after_the_deadline():
    deadline = date(2019, 5, 24)
    assert calendar.days_overdue(deadline, date(2019, 5, 23), published=False) == 0
    assert calendar.days_overdue(deadline, date(2019, 5, 24), published=False) == 0
    assert calendar.days_overdue(deadline, date(2019, 5, 25), published=False) == 1
    assert calendar.days_overdue(deadline, date(2019, 6, 3), published=False) == 10
    assert calendar.days_overdue(deadline, date(2019, 6, 3), published=True) == 0


def test_next_and_missed_deadlines_at_the_boundary():
    deadlines = [date(2019, 5, 24), date(2019, 10, 1)]
    assert calendar.next_due(deadlines, date(2019, 5, 24)) == date(2019, 5, 24)
    assert calendar.last_missed(deadlines, date(2019, 5, 24)) is None
    assert calendar.next_due(deadlines, date(2019, 5, 25)) == date(2019, 10, 1)
    assert calendar.last_missed(deadlines, date(2019, 5, 25)) == date(2019, 5, 24)
    assert calendar.next_due(deadlines, date(2019, 10, 2)) is None


def test_old_reports_fall_in_the_period_of_their_month():
    assert calendar.period_of_day(date(2019, 4, 30)) == (2019, "T1")
    assert calendar.period_of_day(date(2019, 5, 1)) == (2019, "T2")
    assert calendar.period_of_day(date(2019, 9, 1)) == (2019, "helår")


def test_active_phases_report_unless_the_project_says_otherwise():
    assert calendar.must_report("genomförande", None)
    assert calendar.must_report("förstudie", None)
    assert not calendar.must_report("avslutad", None)
    assert calendar.must_report("avslutad", True)
    assert not calendar.must_report("genomförande", False)
