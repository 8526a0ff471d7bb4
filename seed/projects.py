"""Projects from projects.yaml, created through the same service functions the app and CLI use."""

from __future__ import annotations

from portfolio import models, parties
from portfolio.auth import User
from portfolio.db import Database
from portfolio.models import Milestone, Project, Split, source_text
from portfolio.projects import service
from portfolio.projects.model import (
    BudgetLineInput,
    MilestoneInput,
    Person,
    ProjectInput,
    ReplanInput,
    Share,
    StatedTotalsInput,
)
from portfolio.projects.store import project_id as existing_project
from seed.inputs import input_from


def _kr(ore: int | None) -> str | None:
    """Öre as the kronor text the input models read (they keep öre again)."""
    return None if ore is None else f"{ore // 100}.{ore % 100:02d}"


def _shares(split: Split | None, region: str) -> tuple[Share, ...]:
    if split is None:
        return ()
    parts = ((region, split.region), (parties.KOMMUNERNA, split.kommunerna))
    return tuple(Share(financier=who, amount=_kr(ore)) for who, ore in parts if ore is not None)


def _rounded(split: Split | None) -> bool:
    return bool(split and split.rounding_difference)


def _people(people: tuple[models.Person, ...]) -> tuple[Person, ...]:
    return tuple(Person(name=p.name, organisation=p.organisation) for p in people)


def _project_input(project: Project) -> ProjectInput:
    return input_from(
        project,
        ProjectInput,
        objects=(project.object,) if project.object else (),
        leaders=_people(project.leaders),
        steering_group=_people(project.steering_group),
        actual_end_date=project.actual_end_date if project.phase.value == "avslutad" else None,
        budget_kr=_kr(project.budget_kr),
        actual_kr=_kr(project.actual_kr),
        source=source_text(project.source) or None,
    )


def _milestone(db: Database, user: User, project_id: int, ms: Milestone) -> None:
    source = source_text(ms.source) or None
    mid = service.add_milestone(
        db, user, project_id, MilestoneInput(name=ms.name, planned_date=ms.planned_date, source=source)
    )
    for change in ms.changes:
        service.replan_milestone(
            db,
            user,
            mid,
            ReplanInput(
                new_date=change.new_date,
                reason=change.reason or "Skälet anges inte i dokumentet",
                changed_on=change.changed_on,
                source=source_text(change.source) or None,
            ),
            version=_version(db, project_id, mid),
        )
    if ms.actual_date:
        service.mark_reached(db, user, mid, ms.actual_date, version=_version(db, project_id, mid))


def _version(db: Database, project_id: int, milestone_id: int) -> int:
    return int(next(m["version"] for m in service.milestones(db, project_id) if m["id"] == milestone_id))


def load_project(db: Database, project: Project, user: User, *, region: str = "RJH") -> bool:
    """Create one seeded project with its budget, stated totals and milestones unless it exists."""
    if existing_project(db, project.code) is not None:
        return False
    project_id = service.create_project(db, user, _project_input(project), history=False)
    for line in project.budget_lines:
        service.set_budget_line(
            db,
            user,
            project_id,
            BudgetLineInput(
                activity=line.activity,
                kind=line.kind,
                budget=_shares(line.budget, region),
                budget_total=_kr(line.budget.total) if line.budget else None,
                outcome=_shares(line.outcome, region),
                outcome_total=_kr(line.outcome.total) if line.outcome else None,
                note=line.note,
                source=source_text(line.source) or None,
                document_rounding=_rounded(line.budget) or _rounded(line.outcome),
            ),
        )
    if project.budget_totals is not None:
        t = project.budget_totals
        service.set_stated_totals(
            db,
            user,
            project_id,
            StatedTotalsInput(
                budget=t.budget,
                outcome=t.outcome,
                extra_kr=_kr(t.tillkommande_kr),
                total_cost_kr=_kr(t.total_cost_kr),
                source=source_text(t.source) or None,
            ),
            version=None,
        )
    for ms in project.milestones:
        _milestone(db, user, project_id, ms)
    return True
