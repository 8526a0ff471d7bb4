"""The end of a project's life: handover checklist, deviations by type, needs for continued work."""

from __future__ import annotations

from typing import Any

import polars as pl

from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, found_or_raise, write
from portfolio.errors import InvalidInputError, StaleEditError
from portfolio.governance import store as governance_store
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import ActivityInput, ActivityStatus, OutcomeInput
from registers.lifecycle import store
from registers.lifecycle.model import DeviationInput, HandoverInput, HandoverMark, NeedInput


def _project(db: Database, project_id: int) -> dict[str, Any]:
    return found_or_raise(
        governance_store.project(db, project_id), f"Projektet med id {project_id} finns inte"
    )


def _audit_created(
    db: Database, actor: User, entity: str, entity_id: int, data: HandoverInput | DeviationInput | NeedInput
) -> None:
    """Audit a record just made from `data`, under its project."""
    audit_by(
        db, actor, "skapa", entity, entity_id, after=data.model_dump(mode="json"), project_id=data.project_id
    )


def add_handover_item(db: Database, actor: User, data: HandoverInput) -> int:
    """Add a deliverable to a project's handover checklist."""
    require(actor, Action.MANAGE_PROJECTS)
    _project(db, data.project_id)
    if store.handover_item_exists(db, data.project_id, data.section, data.deliverable):
        raise InvalidInputError([f"Leverabeln ”{data.deliverable}” finns redan under {data.section}"])
    with write(db):
        item_id = store.insert_handover_item(
            db, data, basis="angivet" if data.delivered is not None else None
        )
        _audit_created(db, actor, "leverabel", item_id, data)
    return item_id


def mark_handover(db: Database, actor: User, item_id: int, mark: HandoverMark, *, version: int) -> None:
    """Answer a checklist line (ja/nej, comment); refused if it changed since `version`."""
    require(actor, Action.MANAGE_PROJECTS)
    current = found_or_raise(store.handover_item(db, item_id), f"Leverabeln med id {item_id} finns inte")
    with write(db):
        if not store.mark_handover_item(db, item_id, mark, expected_version=version):
            raise StaleEditError(
                "Leverabeln har ändrats av någon annan sedan du öppnade den; läs in sidan igen.",
                current=current,
            )
        audit_by(
            db,
            actor,
            "ändra",
            "leverabel",
            item_id,
            before=current,
            after=mark.model_dump(mode="json"),
            project_id=current["project_id"],
        )


def add_deviation(db: Database, actor: User, data: DeviationInput) -> int:
    """Record how many deviations of a type a project had in a period."""
    require(actor, Action.MANAGE_PROJECTS)
    _project(db, data.project_id)
    if store.deviation_exists(db, data.project_id, data.type, data.period):
        period = f" för perioden {data.period}" if data.period else " utan period"
        raise InvalidInputError([f"Avvikelser av typen {data.type}{period} är redan registrerade"])
    with write(db):
        deviation_id = store.insert_deviation(db, data)
        _audit_created(db, actor, "avvikelse", deviation_id, data)
    return deviation_id


def add_need(db: Database, actor: User, data: NeedInput) -> int:
    """Add a need identified for continued work."""
    require(actor, Action.MANAGE_PROJECTS)
    _project(db, data.project_id)
    if store.need_exists(db, data.project_id, data.need):
        raise InvalidInputError([f"Behovet ”{data.need}” finns redan i listan"])
    with write(db):
        need_id = store.insert_need(db, data)
        _audit_created(db, actor, "behov", need_id, data)
    return need_id


def need_to_activity(
    db: Database,
    actor: User,
    need_id: int,
    activity: ActivityInput,
    *,
    status: ActivityStatus = ActivityStatus.EJ_PABORJAD,
) -> int:
    """Make a need a bruttolista activity linked to the need's project; both point at each other."""
    require(actor, Action.MANAGE_BRUTTOLISTA)
    found = found_or_raise(store.need(db, need_id), f"Behovet med id {need_id} finns inte")
    if found["activity_id"] is not None:
        raise InvalidInputError([f"Behovet ”{found['need']}” är redan en aktivitet i bruttolistan"])
    project = _project(db, found["project_id"])
    with write(db):
        activity_id = bruttolista.create_activity(
            db,
            actor,
            activity,
            outcome=OutcomeInput(year=activity.plan_year, status=status),
            linked_cases=[project["code"]],
        )
        if not store.set_need_activity(db, need_id, activity_id):
            raise InvalidInputError([f"Behovet ”{found['need']}” är redan en aktivitet i bruttolistan"])
        audit_by(
            db,
            actor,
            "till bruttolistan",
            "behov",
            need_id,
            before={"activity_id": None},
            after={"activity_id": activity_id},
            project_id=found["project_id"],
        )
    return activity_id


def activity_from_need(
    need_text: str, details: list[str], project_code: str, plan_year: int
) -> dict[str, Any]:
    """Default fields of an activity made from a need (the form lets the admin change them)."""
    text = need_text + (f": {', '.join(details)}" if details else "")
    return {
        "plan_year": plan_year,
        "activity": text,
        "potential_outcome": None,
        "resources": (),
        "note": f"Behov identifierat för fortsatt arbete i {project_code}.",
    }


# --- reading ----------------------------------------------------------------------------------


def handover(db: Database, project_id: int) -> pl.DataFrame:
    """A project's handover checklist."""
    return store.handover_frame(db, project_id)


def deviations(db: Database, project_id: int) -> pl.DataFrame:
    """A project's deviations by type."""
    return store.deviations_frame(db, project_id)


def needs(db: Database, project_id: int) -> pl.DataFrame:
    """A project's needs for continued work, with any activity made from each."""
    return store.needs_frame(db, project_id)


def notes(db: Database, project_id: int) -> dict[str, tuple[str, str | None]]:
    """The documents' remarks on the handover, deviations and needs of a project."""
    return store.notes(db, project_id)


def need_for_activity(db: Database, activity_id: int) -> dict[str, Any] | None:
    """The need an activity came from (id, need, project code), or None."""
    return store.need_for_activity(db, activity_id)


def handover_summary(checklist: pl.DataFrame) -> dict[str, int]:
    """How many lines are delivered, not delivered and not yet judged."""
    delivered = checklist["delivered"]
    return {
        "ja": int(delivered.eq(True).sum() or 0),
        "nej": int(delivered.eq(False).sum() or 0),
        "ej bedömd": int(delivered.is_null().sum()),
    }
