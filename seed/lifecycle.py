"""Seed of lifecycle: LINK2's handover checklist, deviations and needs (link2_closure.yaml).

Validate the whole file first, then insert what is missing, one audit row per insert.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.governance import store as governance_store
from portfolio.models import CaseCode, Model, NonEmpty, Source, source_text
from registers.lifecycle import store
from registers.lifecycle.model import DeviationInput, DeviationType, HandoverInput, NeedInput
from seed.governance import PhaseSeed
from seed.inputs import input_from

FILE = "link2_closure.yaml"


class SeedDeliverable(Model):
    section: NonEmpty
    deliverable: NonEmpty
    delivered: bool | None = None
    delivered_basis: Literal["tolkning", "angivet"] | None = None
    comment: str | None = None
    reference: str | None = None
    source: Source


class SeedDeviation(Model):
    type: DeviationType
    count: int
    text: str | None = None
    categories: tuple[NonEmpty, ...] = ()
    source: Source


class SeedDeviations(Model):
    period: str | None = None
    items: tuple[SeedDeviation, ...]
    note: str | None = None
    source: Source | None = None


class SeedNeed(Model):
    need: NonEmpty
    details: tuple[NonEmpty, ...] = ()
    source: Source


class ClosureFile(Model):
    """A project's closure: deliverables checklist, deviations, needs (and its phase history)."""

    project: CaseCode
    deliverables: tuple[SeedDeliverable, ...] = ()
    deliverables_note: str | None = None
    deviations: SeedDeviations | None = None
    needs: tuple[SeedNeed, ...] = ()
    needs_note: str | None = None
    experiences_source: Source | None = None
    phase_history: tuple[PhaseSeed, ...] = ()


def load(data_dir: Path) -> ClosureFile:
    """The whole file, validated; SeedError naming file, record and field otherwise."""
    from seed.loader import validate_one

    return validate_one(data_dir / FILE, ClosureFile)


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing checklist lines, deviations, needs and notes (in the caller's transaction)."""
    from seed.loader import SeedError

    data = load(data_dir)
    project = governance_store.project_by_code(db, data.project)
    if project is None:
        raise SeedError([f"{FILE}: fältet 'project': ärendet {data.project} finns inte i projects.yaml"])
    pid = int(project["id"])
    counts = {"leverabler": 0, "avvikelser": 0, "behov": 0}

    def log(entity: str, entity_id: object, after: object) -> None:
        audit_by(db, user, "skapa", entity, str(entity_id), after=after, project_id=pid)

    for d in data.deliverables:
        if store.handover_item_exists(db, pid, d.section, d.deliverable):
            continue
        item = input_from(d, HandoverInput, project_id=pid)
        item_id = store.insert_handover_item(db, item, basis=d.delivered_basis, source=source_text(d.source))
        log("leverabel", item_id, item.model_dump(mode="json"))
        counts["leverabler"] += 1
    if data.deviations is not None:
        period = data.deviations.period
        for dev in data.deviations.items:
            if store.deviation_exists(db, pid, dev.type, period):
                continue
            row = input_from(dev, DeviationInput, project_id=pid, period=period)
            dev_id = store.insert_deviation(db, row, source=source_text(dev.source))
            log("avvikelse", dev_id, row.model_dump(mode="json"))
            counts["avvikelser"] += 1
    for n in data.needs:
        if store.need_exists(db, pid, n.need):
            continue
        need = NeedInput(project_id=pid, need=n.need, details=n.details)
        need_id = store.insert_need(db, need, source=source_text(n.source))
        log("behov", need_id, need.model_dump(mode="json"))
        counts["behov"] += 1
    notes = {
        "leverabler": (data.deliverables_note, None),
        "avvikelser": (
            data.deviations.note if data.deviations else None,
            source_text(data.deviations.source) if data.deviations and data.deviations.source else None,
        ),
        "behov": (data.needs_note, None),
    }
    for topic, (note, src) in notes.items():
        if note and store.insert_note(db, pid, topic, note, src):
            log("anteckning", f"{data.project} {topic}", {"topic": topic, "note": note})
    return counts
