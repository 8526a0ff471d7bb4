"""Seed of governance: the phase history the documents support (link2_closure.yaml, `phase_history`).

Validate the whole section first, then insert what is missing, one audit row per insert.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.governance import store
from portfolio.governance.model import NumberKind, paragraph_label
from portfolio.models import CaseCode, Model, Phase, Source, source_text, validation_messages

FILE = "link2_closure.yaml"


class DecisionRef(Model):
    """An agenda item in meetings.yaml: its meeting's date and § (or, unnumbered, its case)."""

    date: dt.date
    number: int | None = None
    number_kind: NumberKind = "paragraf"
    case: CaseCode | None = None


class PhaseSeed(Model):
    """One entry of a project's phase history."""

    changed_on: dt.date
    phase: Phase
    decision: DecisionRef | None = None
    note: str | None = None
    source: Source


class PhaseHistoryFile(Model):
    """The part of a project file that governance reads."""

    project: CaseCode
    phase_history: tuple[PhaseSeed, ...] = ()


def load(data_dir: Path) -> PhaseHistoryFile:
    """The phase history section, validated; SeedError naming file, record and field otherwise."""
    from seed.loader import SeedError, read_yaml

    raw = read_yaml(data_dir / FILE)
    if not isinstance(raw, dict):
        raise SeedError([f"{FILE}: filen ska innehålla en post med fälten project och phase_history"])
    section = {"project": raw.get("project"), "phase_history": raw.get("phase_history") or ()}
    try:
        history = PhaseHistoryFile.model_validate(section)
    except ValidationError as exc:
        raise SeedError(validation_messages(exc, FILE)) from exc
    dates = [p.changed_on for p in history.phase_history]
    if dates != sorted(dates):
        raise SeedError([f"{FILE}: phase_history ska stå i datumordning"])
    return history


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing phase changes (inside the caller's transaction); counts per kind."""
    from seed.loader import SeedError

    history = load(data_dir)
    project = store.project_by_code(db, history.project)
    if project is None:
        raise SeedError([f"{FILE}: fältet 'project': ärendet {history.project} finns inte i projects.yaml"])
    resolved: list[tuple[PhaseSeed, int | None]] = []
    problems = []
    for index, entry in enumerate(history.phase_history):
        item_id = None
        if entry.decision is not None:
            ref = entry.decision
            item_id = store.find_agenda_item(
                db, ref.date, case=ref.case or history.project, number_kind=ref.number_kind, number=ref.number
            )
            if item_id is None:
                label = (
                    paragraph_label(ref.number_kind, ref.number) or f"(ärende {ref.case or history.project})"
                )
                problems.append(
                    f"{FILE}, phase_history post {index + 1} ({entry.changed_on}): fältet 'decision':"
                    f" sammanträdet {ref.date} {label} finns inte i meetings.yaml"
                )
        resolved.append((entry, item_id))
    if problems:
        raise SeedError(problems)

    inserted = 0
    previous: str | None = None
    for entry, item_id in resolved:
        if not store.phase_change_exists(db, project["id"], entry.changed_on, entry.phase.value):
            change_id = store.insert_phase_change(
                db,
                project_id=project["id"],
                changed_on=entry.changed_on,
                from_phase=previous,
                to_phase=entry.phase.value,
                agenda_item_id=item_id,
                note=entry.note,
                source=source_text(entry.source) or None,
            )
            after: dict[str, Any] = {**entry.model_dump(mode="json"), "agenda_item_id": item_id}
            audit_by(db, user, "skapa", "fasändring", change_id, after=after, project_id=project["id"])
            inserted += 1
        previous = entry.phase.value
    return {"fasändringar": inserted}
