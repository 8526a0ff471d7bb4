"""Writes to the risk registers: each checks the acting user's rights, validates, and is audited.

Reads for the pages and the command line are here too, so the faces compose calls and never SQL.
The Excel export and import live in `excel_import.py`; they compose the writes here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from portfolio import store as core_store
from portfolio import users_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError, NotFoundError, StaleEditError
from registers.risks import scoring, store
from registers.risks.model import (
    RISK_LABELS,
    ActionInput,
    Register,
    RegisterInput,
    RiskInput,
    RiskStatus,
    current_values_text,
    describe_change,
    parse_risk,
    risk_values,
    scale_problems,
)

ENTITY_RISK = "risk"
ENTITY_ACTION = "åtgärd"
REASSESS = "ompröva restrisk"
ENTITY_REGISTER = "riskregister"
ENTITY_CATEGORY = "riskkategori"

# --- who may own a risk or an action ------------------------------------------------------------


def known_owners(db: Database, project_id: int) -> dict[str, str]:
    """Owners a risk or action of the project may have: lower-case name or e-mail → the name stored.

    Active portfolj users (by name or e-mail) and the project's leaders and steering group.
    """
    owners: dict[str, str] = {}
    users = users_store.users_frame(db).filter(pl.col("active"))
    for name, email in users.select("name", "email").iter_rows():
        owners[name.lower()] = name
        owners[email.lower()] = name
    detail = core_store.project_detail(db, project_id)
    for name, _org in [*detail["leaders"], *detail["steering_group"]]:
        owners[name.lower()] = name
    return owners


def owner_choices(db: Database, project_id: int) -> list[str]:
    """The owner names a form offers, sorted."""
    return sorted(set(known_owners(db, project_id).values()), key=str.lower)


def _owner(value: str | None, owners: dict[str, str]) -> tuple[str | None, str | None]:
    """(stored owner, problem)."""
    if value is None:
        return None, None
    found = owners.get(value.strip().lower())
    if found is None:
        return None, (
            f"'{value}' är ingen känd ägare; ange namn eller e-postadress för en användare i portfolj "
            "eller en person i projektets ledning eller styrgrupp"
        )
    return found, None


def _category(value: str | None, known: list[str]) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    lower = {c.lower(): c for c in known}
    found = lower.get(value.strip().lower())
    if found is None:
        return None, f"okänd kategori '{value}'; välj {', '.join(known)} (e-strategen kan lägga till fler)"
    return found, None


def check_risk(
    db: Database, data: RiskInput, register: Register, owners: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The stored values of a risk and (field, problem) pairs for what the database must agree with."""
    problems = scale_problems(data, register)
    values = risk_values(data, register)
    owner, problem = _owner(
        data.owner, owners if owners is not None else known_owners(db, register.project_id)
    )
    if problem:
        problems.append(("owner", problem))
    values["owner"] = owner
    category, problem = _category(values["category"], store.categories(db))
    if problem:
        problems.append(("category", problem))
    values["category"] = category
    return values, problems


def check_action(
    db: Database, data: ActionInput, project_id: int, owners: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The stored values of an action and its problems."""
    values = data.model_dump(mode="json")
    owner, problem = _owner(data.owner, owners if owners is not None else known_owners(db, project_id))
    values["owner"] = owner
    return values, [("owner", problem)] if problem else []


def _raise(problems: Sequence[tuple[str, str]], labels: dict[str, str], where: str = "") -> None:
    if problems:
        prefix = f"{where}: " if where else ""
        raise InvalidInputError([f"{prefix}{labels.get(f, f)}: {m}" for f, m in problems])


# --- categories and registers -------------------------------------------------------------------


def add_category(db: Database, actor: User, name: str) -> str:
    """Add a risk category (the secretariat only); returns the stored name."""
    require(actor, Action.MANAGE_PROJECTS)
    text = (name or "").strip().lower()
    if not text:
        raise InvalidInputError(["Kategori: skriv ett namn"])
    if len(text) > 60:
        raise InvalidInputError(["Kategori: namnet får vara högst 60 tecken"])
    if text in {c.lower() for c in store.categories(db)}:
        raise InvalidInputError([f"Kategorin '{text}' finns redan"])
    with write(db):
        store.insert_category(db, text)
        audit_by(db, actor, "skapa", ENTITY_CATEGORY, text, after={"name": text})
    return text


def _register_dict(register: Register) -> dict[str, Any]:
    return {
        "name": register.name,
        "category": register.category,
        "scale": register.scale,
        "yellow_from": register.yellow_from,
        "red_from": register.red_from,
        "description": register.description,
        "version": register.version,
    }


def create_register(db: Database, actor: User, project_id: int, data: RegisterInput) -> int:
    """Create a risk register in a project (its leaders and admin)."""
    core_store.project_detail(db, project_id)  # NotFoundError for an unknown project
    require(actor, Action.EDIT_RISKS, project_id=project_id)
    category, problem = _category(data.category, store.categories(db))
    problems = [("category", problem)] if problem else []
    if store.find_register(db, project_id, data.name) is not None:
        problems.append(("name", f"projektet har redan ett register som heter {data.name}"))
    _raise(problems, {"name": "Namn", "category": "Kategori"})
    data = data.model_copy(update={"category": category})
    with write(db):
        rid = store.insert_register(db, project_id, data)
        audit_by(
            db,
            actor,
            "skapa",
            ENTITY_REGISTER,
            rid,
            after=_register_dict(store.get_register(db, rid)),
            project_id=project_id,
        )
    return rid


def update_register(
    db: Database, actor: User, register_id: int, data: RegisterInput, *, version: int
) -> bool:
    """Change a register's name, scale or thresholds, edited from `version`; True when something changed."""
    current = store.get_register(db, register_id)
    require(actor, Action.EDIT_RISKS, project_id=current.project_id)
    category, problem = _category(data.category, store.categories(db))
    problems = [("category", problem)] if problem else []
    other = store.find_register(db, current.project_id, data.name)
    if other is not None and other != register_id:
        problems.append(("name", f"projektet har redan ett register som heter {data.name}"))
    if data.scale < current.scale:
        too_big = store.levels_above(db, register_id, data.scale)
        if too_big:
            listed = ", ".join(f"{rid} ({title})" for rid, title in too_big[:5])
            problems.append(
                (
                    "scale",
                    f"{len(too_big)} risker har nivåer över {data.scale}: {listed}; "
                    "ändra dem innan skalan minskas",
                )
            )
    _raise(problems, {"name": "Namn", "category": "Kategori", "scale": "Skala"})
    data = data.model_copy(update={"category": category})
    with write(db):
        stored = store.get_register(db, register_id)
        if stored.version != version:
            raise _stale(
                "Riskregistret",
                stored.name,
                ENTITY_REGISTER,
                register_id,
                db,
                version,
                stored.version,
                _register_dict(stored),
            )
        before = _register_dict(stored)
        after_values = {**before, **data.model_dump(mode="json"), "version": stored.version}
        if after_values == before:
            return False
        if not store.update_register(db, register_id, data, expected_version=version):
            raise NotFoundError(f"Riskregistret med id {register_id} finns inte")
        audit_by(
            db,
            actor,
            "ändra",
            ENTITY_REGISTER,
            register_id,
            before=before,
            after=_register_dict(store.get_register(db, register_id)),
            project_id=current.project_id,
        )
    return True


# --- risks ---------------------------------------------------------------------------------------


def _stale(
    what: str,
    title: str,
    entity: str,
    entity_id: int,
    db: Database,
    expected: int,
    stored: int,
    current: dict[str, Any],
) -> StaleEditError:
    who = store.last_change(db, entity, entity_id)
    by = f" av {who[0]} {who[1].replace('T', ' ')}" if who else ""
    return StaleEditError(
        f"{what} '{title}' har ändrats{by} sedan du öppnade den (du utgick från version {expected}, "
        f"nu version {stored}). Inget av det du ändrade sparades. Nu sparat: "
        f"{current_values_text(current)}. Läs in den nya versionen och gör om din ändring.",
        current=current,
    )


def _public(risk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in risk.items() if k != "project_id"}


@dataclass(frozen=True)
class _Kind:
    """What saving an edit needs to know of a kind of record."""

    what: str  # how a message names it
    title: str  # the field that tells one from another
    entity: str
    get: Callable[[Database, int], dict[str, Any]]


_RISK = _Kind("Risken", "title", ENTITY_RISK, store.get_risk)
_ACTION = _Kind("Åtgärden", "description", ENTITY_ACTION, store.get_action)


def _audited(
    db: Database,
    actor: User,
    kind: _Kind,
    record_id: int,
    project_id: int,
    action: str = "skapa",
    before: dict[str, Any] | None = None,
) -> int:
    """Audit a record just written (inserted, unless `before` is given); returns its id."""
    audit_by(
        db,
        actor,
        action,
        kind.entity,
        record_id,
        before=before,
        after=_public(kind.get(db, record_id)),
        project_id=project_id,
    )
    return record_id


def _save(
    db: Database,
    actor: User,
    kind: _Kind,
    record_id: int,
    *,
    version: int,
    action: str,
    same: Callable[[dict[str, Any]], bool],
    update: Callable[[], bool],
) -> bool:
    """Inside a write: refuse an edit made from an older version, update unless `same`, audit.

    False when nothing changed.
    """
    stored = kind.get(db, record_id)
    require(actor, Action.EDIT_RISKS, project_id=stored["project_id"])

    def stale(current: dict[str, Any]) -> StaleEditError:
        return _stale(
            kind.what,
            stored[kind.title],
            kind.entity,
            record_id,
            db,
            version,
            stored["version"],
            _public(current),
        )

    if stored["version"] != version:
        raise stale(stored)
    if same(stored):
        return False
    if not update():
        raise stale(kind.get(db, record_id))
    _audited(db, actor, kind, record_id, stored["project_id"], action, before=_public(stored))
    return True


def create_risk(db: Database, actor: User, data: RiskInput, actions: Sequence[ActionInput] = ()) -> int:
    """Add a risk (and its first actions) to a register; the project's leaders and admin only."""
    register = store.get_register(db, data.register_id)
    require(actor, Action.EDIT_RISKS, project_id=register.project_id)
    owners = known_owners(db, register.project_id)
    values, problems = check_risk(db, data, register, owners)
    _raise(problems, RISK_LABELS)
    action_values = []
    for number, action in enumerate(actions, start=1):
        checked, action_problems = check_action(db, action, register.project_id, owners)
        _raise(action_problems, {"owner": "Ägare"}, f"Åtgärd {number}")
        action_values.append(checked)
    with write(db):
        rid = insert_checked_risk(db, actor, values, register.project_id)
        for checked in action_values:
            insert_checked_action(db, actor, rid, checked, register.project_id)
    return rid


def insert_checked_risk(
    db: Database, actor: User, values: dict[str, Any], project_id: int, action: str = "skapa"
) -> int:
    """Inside a write: insert a risk's checked values (`check_risk`) and audit it; returns its id."""
    require(actor, Action.EDIT_RISKS, project_id=project_id)
    return _audited(db, actor, _RISK, store.insert_risk(db, values), project_id, action)


def update_risk(db: Database, actor: User, risk_id: int, data: RiskInput, *, version: int) -> bool:
    """Save an edit made from `version`; a newer version in the database refuses it (StaleEditError).

    Returns False when nothing differed from what is stored.
    """
    current = store.get_risk(db, risk_id)
    require(actor, Action.EDIT_RISKS, project_id=current["project_id"])
    register = store.get_register(db, data.register_id)
    if register.project_id != current["project_id"]:
        raise InvalidInputError(["Register: en risk kan bara flyttas till ett register i samma projekt"])
    values, problems = check_risk(db, data, register)
    _raise(problems, RISK_LABELS)
    with write(db):
        return save_checked_risk(db, actor, risk_id, values, version=version)


def save_checked_risk(
    db: Database, actor: User, risk_id: int, values: dict[str, Any], *, version: int, action: str = "ändra"
) -> bool:
    """Inside a write: compare checked values with the stored version, update, audit.

    False when nothing changed.
    """
    return _save(
        db,
        actor,
        _RISK,
        risk_id,
        version=version,
        action=action,
        same=lambda stored: all(stored[f] == values[f] for f in store.RISK_FIELDS),
        update=lambda: store.update_risk(db, risk_id, values, expected_version=version),
    )


def close_risk(db: Database, actor: User, risk_id: int, *, version: int, note: str | None = None) -> bool:
    """Close a risk (status stängd), edited from `version`; the note replaces the status comment if given."""
    current = store.get_risk(db, risk_id)
    require(actor, Action.EDIT_RISKS, project_id=current["project_id"])
    note = (note or "").strip() or None
    if note and len(note) > 4000:
        raise InvalidInputError(["Kommentar: får vara högst 4 000 tecken"])
    values = {f: current[f] for f in store.RISK_FIELDS}
    values["status"] = RiskStatus.STANGD.value
    if note:
        values["status_note"] = note
    with write(db):
        return save_checked_risk(db, actor, risk_id, values, version=version, action="stäng")


def residual_review_due(db: Database, risk_id: int) -> bool:
    """Whether every action of an open risk is done since the risk was last saved (reassess its residual)."""
    risk = store.get_risk(db, risk_id)
    statuses = [
        a["status"]
        for a in store.actions_of_project(db, risk["project_id"]).values()
        if a["risk_id"] == risk_id
    ]
    entities = store.risk_history(db, risk_id)["entity"]
    return scoring.residual_review_due(
        risk["status"], statuses, entities.len() > 0 and entities[-1] == ENTITY_ACTION
    )


def reassess_residual(
    db: Database,
    actor: User,
    risk_id: int,
    probability: int | None,
    consequence: int | None,
    *,
    version: int,
    note: str | None = None,
) -> bool:
    """Record the residual risk reassessed from `version`, also when the levels stay as they were.

    The audit row ("ompröva restrisk") is the record that the reassessment was made. Returns
    whether the stored levels or note changed.
    """
    current = store.get_risk(db, risk_id)
    require(actor, Action.EDIT_RISKS, project_id=current["project_id"])
    data = parse_risk(
        {
            **{f: current[f] for f in store.RISK_FIELDS},
            "residual_probability": probability,
            "residual_consequence": consequence,
            "status_note": (note or "").strip() or current["status_note"],
        }
    )
    values, problems = check_risk(db, data, store.get_register(db, data.register_id))
    _raise(problems, RISK_LABELS)
    with write(db):
        changed = save_checked_risk(db, actor, risk_id, values, version=version, action=REASSESS)
        if not changed:
            _audited(db, actor, _RISK, risk_id, current["project_id"], REASSESS, before=_public(current))
    return changed


# --- actions -------------------------------------------------------------------------------------


def add_action(db: Database, actor: User, risk_id: int, data: ActionInput) -> int:
    """Add an action to a risk; the project's leaders and admin only."""
    risk = store.get_risk(db, risk_id)
    require(actor, Action.EDIT_RISKS, project_id=risk["project_id"])
    values, problems = check_action(db, data, risk["project_id"])
    _raise(problems, {"owner": "Ägare"})
    with write(db):
        return insert_checked_action(db, actor, risk_id, values, risk["project_id"])


def insert_checked_action(
    db: Database, actor: User, risk_id: int, values: dict[str, Any], project_id: int, action: str = "skapa"
) -> int:
    """Inside a write: insert an action's checked values (`check_action`) and audit it; returns its id."""
    require(actor, Action.EDIT_RISKS, project_id=project_id)
    return _audited(db, actor, _ACTION, store.insert_action(db, risk_id, values), project_id, action)


def update_action(db: Database, actor: User, action_id: int, data: ActionInput, *, version: int) -> bool:
    """Save an action edited from `version` (StaleEditError when it moved on); False when nothing changed."""
    current = store.get_action(db, action_id)
    require(actor, Action.EDIT_RISKS, project_id=current["project_id"])
    values, problems = check_action(db, data, current["project_id"])
    _raise(problems, {"owner": "Ägare"})
    with write(db):
        return save_checked_action(db, actor, action_id, current["risk_id"], values, version=version)


def save_checked_action(
    db: Database,
    actor: User,
    action_id: int,
    risk_id: int,
    values: dict[str, Any],
    *,
    version: int,
    action: str = "ändra",
) -> bool:
    """Inside a write: compare checked values with the stored version, update, audit.

    False when nothing changed.
    """
    return _save(
        db,
        actor,
        _ACTION,
        action_id,
        version=version,
        action=action,
        same=lambda stored: (
            stored["risk_id"] == risk_id and all(stored[f] == values[f] for f in store.ACTION_FIELDS)
        ),
        update=lambda: store.update_action(db, action_id, risk_id, values, expected_version=version),
    )


# --- reads for the faces -----------------------------------------------------------------------


def risks_with_bands(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Risks with ``band`` and ``residual_band`` (each by its own register's thresholds)."""
    return store.risks_frame(db, project_id).with_columns(
        band=scoring.band_expr_by(pl.col("score"), pl.col("yellow_from"), pl.col("red_from")),
        residual_band=scoring.band_expr_by(
            pl.col("residual_score"), pl.col("yellow_from"), pl.col("red_from")
        ),
    )


def actions_with_lateness(db: Database, today: date, project_id: int | None = None) -> pl.DataFrame:
    """Actions with ``days_late`` and ``late_text`` ("Försenad, 12 dagar")."""
    return scoring.with_lateness(store.actions_frame(db, project_id), today)


def registers(db: Database, project_id: int) -> list[Register]:
    """A project's registers."""
    return store.registers_for(db, project_id)


def register(db: Database, register_id: int) -> Register:
    """One register."""
    return store.get_register(db, register_id)


def registers_frame(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Registers with their number of risks."""
    return store.registers_frame(db, project_id)


def categories(db: Database) -> list[str]:
    """Every risk category."""
    return store.categories(db)


def risk(db: Database, risk_id: int) -> dict[str, Any]:
    """One risk's stored values."""
    return store.get_risk(db, risk_id)


def action(db: Database, action_id: int) -> dict[str, Any]:
    """One action's stored values."""
    return store.get_action(db, action_id)


def history(db: Database, risk_id: int) -> pl.DataFrame:
    """The audit rows of a risk and its actions, oldest first, with ``change`` in words."""
    rows = store.risk_history(db, risk_id)
    changes = [describe_change(b, a) for b, a in rows.select("before", "after").iter_rows()]
    return rows.with_columns(change=pl.Series("change", changes, dtype=pl.String))
