"""Writes and reads of the bruttolista: activities, yearly outcomes, links and promotion to a case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, found_or_raise, write
from portfolio.errors import InvalidInputError, StaleEditError
from portfolio.governance import service as governance
from portfolio.governance import store as governance_store
from portfolio.governance.model import NewCaseInput
from registers.bruttolista import store
from registers.bruttolista.model import ActivityInput, OutcomeInput

_ENTITY = "bruttolista-aktivitet"  # what the audit log calls an activity


def _case_ids(db: Database, codes: Iterable[str]) -> dict[str, int]:
    ids, unknown = {}, []
    for code in codes:
        found = governance_store.project_by_code(db, code)
        if found is None:
            unknown.append(code)
        else:
            ids[code] = int(found["id"])
    if unknown:
        raise InvalidInputError([f"Ärendet {code} finns inte i portföljen" for code in unknown])
    return ids


def _activity(db: Database, activity_id: int) -> dict[str, Any]:
    return found_or_raise(
        store.activity(db, activity_id), f"Aktiviteten med id {activity_id} finns inte i bruttolistan"
    )


def create_activity(
    db: Database,
    actor: User,
    data: ActivityInput,
    *,
    outcome: OutcomeInput | None = None,
    linked_cases: Iterable[str] = (),
) -> int:
    """Add an activity at the end of its year's list, with its first outcome and linked cases."""
    require(actor, Action.MANAGE_BRUTTOLISTA)
    case_ids = _case_ids(db, linked_cases)
    with write(db):
        row = store.next_row(db, data.plan_year)
        activity_id = store.insert_activity(db, data, row=row)
        if outcome is not None:
            store.upsert_outcome(db, activity_id, outcome)
        for project_id in case_ids.values():
            store.insert_link(db, activity_id, project_id, relation="kopplat")
        audit_by(
            db,
            actor,
            "skapa",
            _ENTITY,
            activity_id,
            after={
                **data.model_dump(mode="json"),
                "row": row,
                "outcome": outcome.model_dump(mode="json") if outcome else None,
                "linked_cases": sorted(case_ids),
            },
        )
    return activity_id


def update_activity(
    db: Database, actor: User, activity_id: int, data: ActivityInput, *, version: int
) -> None:
    """Save an edit made from `version`; a newer version in the database refuses it."""
    require(actor, Action.MANAGE_BRUTTOLISTA)
    current = _activity(db, activity_id)
    with write(db):
        if not store.update_activity(db, activity_id, data, expected_version=version):
            raise StaleEditError(
                "Aktiviteten har ändrats av någon annan sedan du öppnade den; läs in sidan igen.",
                current=current,
            )
        audit_by(db, actor, "ändra", _ENTITY, activity_id, before=current, after=data.model_dump(mode="json"))


def set_outcome(db: Database, actor: User, activity_id: int, data: OutcomeInput) -> None:
    """Record what came of an activity in a year and its status."""
    require(actor, Action.MANAGE_BRUTTOLISTA)
    _activity(db, activity_id)
    before = store.outcome(db, activity_id, data.year)
    with write(db):
        store.upsert_outcome(db, activity_id, data)
        store.touch_activity(db, activity_id)
        audit_by(db, actor, "utfall", _ENTITY, activity_id, before=before, after=data.model_dump(mode="json"))


def link_case(db: Database, actor: User, activity_id: int, code: str) -> None:
    """Link an activity to an existing case, project or pre-study."""
    require(actor, Action.MANAGE_BRUTTOLISTA)
    _activity(db, activity_id)
    project_id = _case_ids(db, [code])[code]
    if store.link(db, activity_id, project_id) is not None:
        raise InvalidInputError([f"Aktiviteten är redan kopplad till {code}"])
    with write(db):
        store.insert_link(db, activity_id, project_id, relation="kopplat")
        store.touch_activity(db, activity_id)
        audit_by(db, actor, "koppla", _ENTITY, activity_id, after={"case": code}, project_id=project_id)


def promote(db: Database, actor: User, activity_id: int, case: NewCaseInput) -> int:
    """Make an activity a new case in the portfolio; the case and the activity point at each other.

    Returns the new case's project id. An activity becomes a case once.
    """
    require(actor, Action.MANAGE_BRUTTOLISTA)
    require(actor, Action.MANAGE_PROJECTS)
    current = _activity(db, activity_id)
    already = store.created_case(db, activity_id)
    if already is not None:
        raise InvalidInputError([f"Aktiviteten har redan blivit ärendet {already}"])
    origin = f"Skapat från bruttolistan, verksamhetsplan {current['plan_year']} rad {current['row']}."
    with write(db):
        project_id = governance.create_case(
            db,
            actor,
            case.model_copy(
                update={
                    "purpose": case.purpose or current["activity"],
                    "source": case.source or f"Bruttolista {current['plan_year']}, rad {current['row']}",
                }
            ),
            origin=origin,
        )
        store.insert_link(db, activity_id, project_id, relation="skapat")
        store.touch_activity(db, activity_id)
        audit_by(
            db,
            actor,
            "befordra",
            _ENTITY,
            activity_id,
            before=current,
            after={"case": case.code, "project_id": project_id},
            project_id=project_id,
        )
    return project_id


# --- reading -------------------------------------------------------------------------------------


def activities(db: Database, *, year: int | None = None) -> pl.DataFrame:
    """Activities with latest status, outcome and linked cases (lists), for a plan year or all."""
    return store.activities_frame(db, year=year)


def activity(db: Database, activity_id: int) -> dict[str, Any]:
    """One activity's own fields with its version; NotFoundError otherwise."""
    return _activity(db, activity_id)


def outcomes(db: Database, activity_id: int | None = None) -> pl.DataFrame:
    """Every yearly outcome of an activity (or all)."""
    return store.outcomes_frame(db, activity_id)


def plans(db: Database) -> pl.DataFrame:
    """The plans' headings per year."""
    return store.plans_frame(db)


def plan_years(db: Database) -> list[int]:
    """Years that have activities."""
    return store.plan_years(db)


def activities_for_project(db: Database, project_id: int) -> pl.DataFrame:
    """Activities linked to a case (the other direction of the link)."""
    return store.activities_for_project(db, project_id)


def cli_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Activities as rows of id, activity, areas, status, outcome, linked_cases."""
    return frame.select("id", "activity", "areas", "status", "outcome", "linked_cases").to_dicts()
