"""Pure rules: which items each user has to do, and which of them are worth a reminder today.

No I/O: the inputs are read once (see `TodoInputs`) and the unit tests build them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from portfolio.auth import Role, User
from portfolio.todo.model import Kind, ReportDue, ReviewDue, TodoInputs, TodoItem

# A report or review shows up this many days before its deadline.
HORIZON_DAYS = 30
# The first reminder goes out this many days before a deadline; the second once it is missed.
REMIND_BEFORE_DAYS = 7
# A benefit not measured for this long is due for measurement (the register's "stale").
MEASURE_EVERY_DAYS = 365

BEFORE = "före"
MISSED = "försenad"

KIND_ORDER = {kind: n for n, kind in enumerate(Kind)}

PAGE_PROJECT = "app_pages/project.py"
PAGE_RISKS = "app_pages/risks.py"
PAGE_BENEFITS = "app_pages/benefits.py"
PAGE_TERTIAL = "app_pages/tertial.py"
# The Projekt page opens at the part where a status report is written (its "Statusrapporter" tab).
AT_REPORTS = ("avsnitt", "Statusrapporter")


def items_for(user: User, inputs: TodoInputs) -> list[TodoItem]:
    """What `user` has to do, in the order the page shows it: kind, then the nearest deadline."""
    if not user.active:
        return []
    items: list[TodoItem] = []
    if user.role is Role.PROJEKTLEDARE:
        items += report_items(user, inputs)
        items += late_action_items(user.projects, inputs)
        items += risk_review_items(user.projects, inputs)
    if user.role is Role.KOMMUNCHEF and user.party:
        items += review_items(user.party, inputs)
    if user.role is Role.ADMIN:
        items += missing_report_items(inputs)
        items += missing_review_items(inputs)
    if user.role is Role.NAMND:
        items += change_items(inputs)
    if user.role is not Role.NAMND:
        items += benefit_items(user, inputs)
    return sort_items(items)


def sort_items(items: Iterable[TodoItem]) -> list[TodoItem]:
    """Kind first, then the nearest deadline (none last), then the text."""
    return sorted(items, key=lambda i: (KIND_ORDER[i.kind], i.due or date.max, i.text))


def _within_horizon(deadline: date, today: date) -> bool:
    return deadline <= today + timedelta(days=HORIZON_DAYS)


def _period_text(period: str, year: int) -> str:
    return f"{period} {year}"


def report_items(user: User, inputs: TodoInputs) -> list[TodoItem]:
    """A leader's status reports not yet published whose deadline is near or has passed."""
    return [
        TodoItem(
            kind=Kind.REPORT,
            key=f"rapport:{r.project_code}:{r.year}:{r.period}",
            text=f"Statusrapport {_period_text(r.period, r.year)} för {r.project_code} {r.project_name}",
            page=PAGE_PROJECT,
            params=(("projekt", r.project_code), AT_REPORTS),
            due=r.deadline,
            remind=True,
        )
        for r in inputs.reports
        if not r.published
        and (r.project_id in user.projects or (user.id is not None and user.id in r.leader_user_ids))
        and _within_horizon(r.deadline, inputs.today)
    ]


def _overdue(
    frame: pl.DataFrame, projects: frozenset[int], *, done: str, column: str, today: date
) -> pl.DataFrame:
    """The rows of `projects` whose status is not `done` and whose date in `column` has passed."""
    return frame.filter(
        pl.col("project_id").is_in(list(projects))
        & (pl.col("status") != done)
        & pl.col(column).is_not_null()
        & (pl.col(column).str.slice(0, 10) < today.isoformat())
    )


def late_action_items(projects: frozenset[int], inputs: TodoInputs) -> list[TodoItem]:
    """Actions of the projects that are not done and whose due date has passed."""
    late = _overdue(inputs.actions, projects, done="klar", column="due_date", today=inputs.today)
    return [
        TodoItem(
            kind=Kind.ACTION,
            key=f"åtgärd:{a['id']}:{a['due_date'][:10]}",
            text=f"{a['project']}: {a['description']} (risk: {a['risk']})",
            page=PAGE_RISKS,
            params=(("projekt", a["project"]), ("risk", str(a["risk_id"]))),
            due=date.fromisoformat(a["due_date"][:10]),
            remind=True,
        )
        for a in late.iter_rows(named=True)
    ]


def risk_review_items(projects: frozenset[int], inputs: TodoInputs) -> list[TodoItem]:
    """Open risks of the projects whose next review date has passed."""
    due = _overdue(inputs.risks, projects, done="stängd", column="next_review", today=inputs.today)
    return [
        TodoItem(
            kind=Kind.RISK_REVIEW,
            key=f"risk:{r['id']}:{r['next_review'][:10]}",
            text=f"{r['project']}: {r['title']}",
            page=PAGE_RISKS,
            params=(("projekt", r["project"]), ("risk", str(r["id"]))),
            due=date.fromisoformat(r["next_review"][:10]),
            remind=True,
        )
        for r in due.iter_rows(named=True)
    ]


def benefits_due(benefits: pl.DataFrame, today: date) -> pl.DataFrame:
    """Benefits due for measurement: never measured, not measured for a year, or not measured since
    the date their target was to be reached."""
    never = pl.col("latest_date").is_null()
    old = (pl.lit(today) - pl.col("latest_date")).dt.total_days() > MEASURE_EVERY_DAYS
    past_target = (pl.col("target_date") <= pl.lit(today)) & (pl.col("latest_date") < pl.col("target_date"))
    return benefits.filter(never | old.fill_null(False) | past_target.fill_null(False))


def _benefit_reason(row: dict, today: date) -> str:
    latest, target = row["latest_date"], row["target_date"]
    if latest is None:
        return "inte mätt ännu"
    if target is not None and target <= today and latest < target:
        return f"målet skulle nås {target.isoformat()}, senast mätt {latest.isoformat()}"
    return f"senast mätt {latest.isoformat()}"


def benefit_items(user: User, inputs: TodoInputs) -> list[TodoItem]:
    """Benefits the user measures (the project's leader, or the benefit's named owner) that are due."""
    own = pl.col("owner_email").str.to_lowercase() == user.email.casefold()
    led = pl.lit(user.role is Role.PROJEKTLEDARE) & pl.col("project_id").is_in(list(user.projects))
    mine = benefits_due(inputs.benefits, inputs.today).filter(own.fill_null(False) | led)
    return [
        TodoItem(
            kind=Kind.BENEFIT,
            key=f"nytta:{b['id']}",
            text=f"{b['project']}: {b['title']} – {_benefit_reason(b, inputs.today)}",
            page=PAGE_BENEFITS,
            params=(("projekt", b["project"]),),
        )
        for b in mine.iter_rows(named=True)
    ]


def _tertial_params(review: ReviewDue) -> tuple[tuple[str, str], ...]:
    return (("ar", str(review.year)), ("period", review.period))


def review_items(party: str, inputs: TodoInputs) -> list[TodoItem]:
    """The tertial reports a kommunchef's party has not reviewed, near or past their deadline."""
    name = inputs.party_names.get(party, party)
    return [
        TodoItem(
            kind=Kind.REVIEW,
            key=f"granskning:{r.year}:{r.period}:{party}",
            text=f"Granska tertialrapporten {_period_text(r.period, r.year)} för {name}",
            page=PAGE_TERTIAL,
            params=_tertial_params(r),
            due=r.deadline,
            remind=True,
        )
        for r in inputs.reviews
        if party in r.missing_parties and _within_horizon(r.deadline, inputs.today)
    ]


def _before_next_meeting(inputs: TodoInputs) -> date:
    """The day by which what the next meeting needs must be in (today when none is planned)."""
    if inputs.next_meeting is None or inputs.next_meeting < inputs.today:
        return inputs.today
    return inputs.next_meeting


def missing_report_items(inputs: TodoInputs) -> list[TodoItem]:
    """For the admin: unpublished reports due by the next meeting (or already overdue)."""
    by = _before_next_meeting(inputs)
    missing: list[ReportDue] = [r for r in inputs.reports if not r.published and r.deadline <= by]
    return [
        TodoItem(
            kind=Kind.MISSING_REPORTS,
            key=f"saknad-rapport:{r.project_code}:{r.year}:{r.period}",
            text=f"{r.project_code} {r.project_name}: statusrapport {_period_text(r.period, r.year)} saknas",
            page=PAGE_PROJECT,
            params=(("projekt", r.project_code), AT_REPORTS),
            due=r.deadline,
        )
        for r in missing
    ]


def missing_review_items(inputs: TodoInputs) -> list[TodoItem]:
    """For the admin: tertial reviews due by the next meeting that some parties have not recorded."""
    by = _before_next_meeting(inputs)
    return [
        TodoItem(
            kind=Kind.MISSING_REVIEWS,
            key=f"saknad-granskning:{r.year}:{r.period}",
            text=f"Tertialrapport {_period_text(r.period, r.year)}: granskning saknas från "
            + ", ".join(inputs.party_names.get(p, p) for p in sorted(r.missing_parties)),
            page=PAGE_TERTIAL,
            params=_tertial_params(r),
            due=r.deadline,
        )
        for r in inputs.reviews
        if r.missing_parties and r.deadline <= by
    ]


def change_items(inputs: TodoInputs) -> list[TodoItem]:
    """For the nämnd: what changed since the last meeting that was held, newest first."""
    changes = inputs.changes.sort("on", descending=True, maintain_order=True)
    return [
        TodoItem(
            kind=Kind.CHANGE,
            key=f"ändring:{n}",
            text=f"{c['on']}: {c['text']}",
            page=PAGE_PROJECT,
            params=(("projekt", c["project"]),) if c["project"] else (),
        )
        for n, c in enumerate(changes.iter_rows(named=True))
    ]


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to one user about one item: before its deadline, or after it was missed."""

    user_id: int
    email: str
    name: str
    item: TodoItem
    stage: str  # BEFORE or MISSED

    @property
    def key(self) -> str:
        """What the log remembers, so the same reminder is never sent twice."""
        return f"{self.item.key}:{self.stage}"


def stage(item: TodoItem, today: date) -> str | None:
    """BEFORE within a week of the deadline (the day itself included), MISSED after it, else None."""
    left = item.days_left(today)
    if not item.remind or left is None:
        return None
    if left < 0:
        return MISSED
    if left <= REMIND_BEFORE_DAYS:
        return BEFORE
    return None


def reminders(
    user: User, items: Iterable[TodoItem], today: date, sent: set[tuple[int, str]]
) -> list[Reminder]:
    """The reminders `user` should get today that have not been sent before (`sent`: (user id, key))."""
    if user.id is None or not user.active:
        return []
    found: list[Reminder] = []
    for item in items:
        step = stage(item, today)
        if step is None:
            continue
        reminder = Reminder(user_id=user.id, email=user.email, name=user.name, item=item, stage=step)
        if (user.id, reminder.key) not in sent:
            found.append(reminder)
    return found
