"""Seed of risks: validate the data file, then insert what is missing.

LINK2's two registers and eight risks with their actions come from the final report; the scores
(and the scales) are illustrative, and each record says so in its source columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from portfolio import store as core_store
from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.errors import NotFoundError
from portfolio.models import CaseCode, Model, NonEmpty, Source, source_text, validation_messages
from registers.risks import store
from registers.risks.model import (
    BUILTIN_CATEGORIES,
    ActionInput,
    RegisterInput,
    RiskInput,
    field_problems,
)
from seed.inputs import input_from

FILE = "risks.yaml"
Level = Annotated[int, Field(ge=1, le=5)]


class SeedAction(Model):
    description: NonEmpty
    owner: str | None = None
    status: str = "planerad"
    due_date: Any = None
    comment: str | None = None
    status_source: Source | None = None
    source: Source | None = None


class SeedRisk(Model):
    title: NonEmpty
    description: str | None = None
    cause: str | None = None
    consequence_text: str | None = None
    category: str | None = None
    action: SeedAction | None = None
    actions: tuple[SeedAction, ...] = ()
    probability: Level
    consequence: Level
    residual_probability: Level | None = None
    residual_consequence: Level | None = None
    owner: str | None = None
    status: str = "öppen"
    next_review: Any = None
    show_in_portfolio: bool = False
    score_source: Source
    status_note: str | None = None
    source: Source

    @property
    def all_actions(self) -> tuple[SeedAction, ...]:
        return ((self.action,) if self.action else ()) + self.actions


class SeedRegister(Model):
    name: NonEmpty = Field(alias="register")  # "register" would shadow ABCMeta.register
    project: CaseCode
    category: str | None = None
    scale: int = 4
    yellow_from: int | None = None
    red_from: int | None = None
    scale_source: Source | None = None
    description: str | None = None
    risks: tuple[SeedRisk, ...] = ()
    source: Source

    @model_validator(mode="after")
    def _levels_fit_the_scale(self) -> SeedRegister:
        for number, risk in enumerate(self.risks, start=1):
            for name in ("probability", "consequence", "residual_probability", "residual_consequence"):
                value = getattr(risk, name)
                if value is not None and value > self.scale:
                    raise ValueError(
                        f"risk {number} ({risk.title}): {name} {value} ligger utanför registrets skala "
                        f"1–{self.scale}"
                    )
        return self


def _load(data_dir: Path) -> list[SeedRegister]:
    from seed.loader import SeedError, read_yaml  # the loader imports this module

    raw = read_yaml(data_dir / FILE)
    if not isinstance(raw, list):
        raise SeedError([f"{FILE}: filen ska innehålla en lista av register"])
    registers: list[SeedRegister] = []
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        name = item.get("register") if isinstance(item, dict) else None
        where = f"{FILE}, register {index}" + (f" ({name})" if name else "")
        try:
            registers.append(SeedRegister.model_validate(item))
        except ValidationError as exc:
            problems += validation_messages(exc, where)
    if problems:
        raise SeedError(problems)
    return registers


def _check(
    register: SeedRegister, where: str
) -> tuple[RegisterInput, list[tuple[RiskInput, SeedRisk]], list[str]]:
    """The register and its risks as the app's own input models, so the seed obeys the same rules."""
    problems: list[str] = []
    category = register.category or (
        register.name.lower() if register.name.lower() in BUILTIN_CATEGORIES else None
    )
    try:
        reg = input_from(register, RegisterInput, category=category)
    except ValidationError as exc:
        problems += [f"{where}: {f or 'register'}: {m}" for f, m in field_problems(exc)]
        reg = RegisterInput(name=register.name)
    risks: list[tuple[RiskInput, SeedRisk]] = []
    for number, risk in enumerate(register.risks, start=1):
        risk_where = f"{where}, risk {number} ({risk.title})"
        try:
            parsed = RiskInput(
                register_id=0,
                **risk.model_dump(
                    exclude={"action", "actions", "score_source", "source"},
                ),
            )
            for action in risk.all_actions:
                ActionInput.model_validate(
                    action.model_dump(exclude={"status_source", "source"}),
                )
        except ValidationError as exc:
            problems += [f"{risk_where}: fältet '{f or ''}': {m}" for f, m in field_problems(exc)]
            continue
        risks.append((parsed, risk))
    return reg, risks, problems


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing seed records (inside the caller's transaction); counts per kind."""
    from seed.loader import SeedError

    registers = _load(data_dir)
    checked = []
    problems: list[str] = []
    for index, register in enumerate(registers, start=1):
        where = f"{FILE}, register {index} ({register.name})"
        try:
            project_id = core_store.project_id_for(db, register.project)
        except NotFoundError:
            problems.append(
                f"{where}: fältet 'project': projektet {register.project} finns inte i projects.yaml"
            )
            continue
        reg, risks, found = _check(register, where)
        problems += found
        checked.append((project_id, register, reg, risks))
    if problems:
        raise SeedError(problems)
    counts = {"riskregister": 0, "risker": 0, "åtgärder": 0}
    for project_id, register, reg, risks in checked:
        _insert(db, user, project_id, register, reg, risks, counts)
    return counts


def _insert(
    db: Database,
    user: User,
    project_id: int,
    register: SeedRegister,
    reg: RegisterInput,
    risks: list[tuple[RiskInput, SeedRisk]],
    counts: dict[str, int],
) -> None:
    register_id = store.find_register(db, project_id, reg.name)
    if register_id is None:
        register_id = store.insert_register(
            db,
            project_id,
            reg,
            scale_source=source_text(register.scale_source) or None,
            source=source_text(register.source) or None,
        )
        audit_by(
            db,
            user,
            "skapa",
            "riskregister",
            register_id,
            after={**reg.model_dump(mode="json"), "scale_source": source_text(register.scale_source)},
            project_id=project_id,
        )
        counts["riskregister"] += 1
    saved = store.get_register(db, register_id)
    for parsed, seeded in risks:
        risk_id = store.find_risk(db, register_id, parsed.title)
        if risk_id is None:
            values = parsed.model_dump(mode="json")
            values["register_id"] = register_id
            values["category"] = (parsed.category or "").lower() or saved.category
            risk_id = store.insert_risk(
                db,
                values,
                score_source=source_text(seeded.score_source),
                source=source_text(seeded.source),
            )
            _audit_created(db, user, "risk", risk_id, store.get_risk(db, risk_id), project_id)
            counts["risker"] += 1
        for action in seeded.all_actions:
            if store.find_action(db, risk_id, action.description) is not None:
                continue
            data = ActionInput.model_validate(action.model_dump(exclude={"status_source", "source"}))
            action_id = store.insert_action(
                db,
                risk_id,
                data.model_dump(mode="json"),
                status_source=source_text(action.status_source) or None,
                source=source_text(action.source or seeded.source) or None,
            )
            _audit_created(db, user, "åtgärd", action_id, store.get_action(db, action_id), project_id)
            counts["åtgärder"] += 1


def _audit_created(
    db: Database, user: User, entity: str, entity_id: int, stored: dict[str, Any], project_id: int
) -> None:
    """Audit a seeded risk or action as the store holds it; its project goes in the audit row's own column."""
    after = {k: v for k, v in stored.items() if k != "project_id"}
    audit_by(db, user, "skapa", entity, entity_id, after=after, project_id=project_id)
