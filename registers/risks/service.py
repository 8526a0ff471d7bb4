"""Writes to the risk registers: each checks the acting user's rights, validates, and is audited.

Reads for the pages and the command line are here too, so the faces compose calls and never SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import polars as pl
from pydantic import BaseModel, ValidationError

from portfolio import store as core_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import ImportRejectedError, InvalidInputError, NotFoundError, StaleEditError
from registers.risks import excel, scoring, store
from registers.risks.model import (
    RISK_LABELS,
    ActionInput,
    Register,
    RegisterInput,
    RiskInput,
    RiskStatus,
    current_values_text,
    describe_change,
    field_problems,
    parse_risk,
    risk_values,
    scale_problems,
)

ENTITY_RISK = "risk"
ENTITY_ACTION = "åtgärd"
REASSESS = "ompröva restrisk"
ENTITY_REGISTER = "riskregister"
ENTITY_CATEGORY = "riskkategori"

_Input = TypeVar("_Input", bound=BaseModel)


# --- who may own a risk or an action ------------------------------------------------------------


def known_owners(db: Database, project_id: int) -> dict[str, str]:
    """Owners a risk or action of the project may have: lower-case name or e-mail → the name stored.

    Active portfolj users (by name or e-mail) and the project's leaders and steering group.
    """
    owners: dict[str, str] = {}
    users = core_store.users_frame(db).filter(pl.col("active"))
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
        rid = _audited(db, actor, _RISK, store.insert_risk(db, values), register.project_id)
        for checked in action_values:
            _audited(db, actor, _ACTION, store.insert_action(db, rid, checked), register.project_id)
    return rid


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
        return _save_risk(db, actor, risk_id, values, version=version)


def _save_risk(
    db: Database, actor: User, risk_id: int, values: dict[str, Any], *, version: int, action: str = "ändra"
) -> bool:
    """Inside a write: compare with the stored version, update, audit. False when nothing changed."""
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
        raise InvalidInputError(["Kommentar: är för lång (högst 4000 tecken)"])
    values = {f: current[f] for f in store.RISK_FIELDS}
    values["status"] = RiskStatus.STANGD.value
    if note:
        values["status_note"] = note
    with write(db):
        return _save_risk(db, actor, risk_id, values, version=version, action="stäng")


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
        changed = _save_risk(db, actor, risk_id, values, version=version, action=REASSESS)
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
        return _audited(db, actor, _ACTION, store.insert_action(db, risk_id, values), risk["project_id"])


def update_action(db: Database, actor: User, action_id: int, data: ActionInput, *, version: int) -> bool:
    """Save an action edited from `version` (StaleEditError when it moved on); False when nothing changed."""
    current = store.get_action(db, action_id)
    require(actor, Action.EDIT_RISKS, project_id=current["project_id"])
    values, problems = check_action(db, data, current["project_id"])
    _raise(problems, {"owner": "Ägare"})
    with write(db):
        return _save_action(db, actor, action_id, current["risk_id"], values, version=version)


def _save_action(
    db: Database,
    actor: User,
    action_id: int,
    risk_id: int,
    values: dict[str, Any],
    *,
    version: int,
    action: str = "ändra",
) -> bool:
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


# --- Excel ---------------------------------------------------------------------------------------


def _iso_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def export_register(db: Database, project_id: int, today: date | None = None) -> bytes:
    """A project's risks and actions as an .xlsx in the import format."""
    detail = core_store.project_detail(db, project_id)
    risks = risks_with_bands(db, project_id)
    actions = actions_with_lateness(db, today or date.today(), project_id)
    risk_rows = [
        {
            **r,
            "register": r["register"],
            "band": scoring.band_text(r["band"]),
            "next_review": _iso_date(r["next_review"]),
        }
        for r in risks.iter_rows(named=True)
    ]
    action_rows = [
        {**a, "risk": a["risk"], "due_date": _iso_date(a["due_date"]), "late": a["late_text"] or None}
        for a in actions.iter_rows(named=True)
    ]
    return excel.write_workbook(
        risk_rows,
        action_rows,
        project=detail["code"],
        registers=store.registers_for(db, project_id),
        categories=store.categories(db),
    )


def template(db: Database, project_id: int | None = None) -> bytes:
    """A blank import workbook, listing the project's registers when one is given."""
    if project_id is None:
        return excel.template(categories=store.categories(db))
    detail = core_store.project_detail(db, project_id)
    return excel.template(
        project=detail["code"], registers=store.registers_for(db, project_id), categories=store.categories(db)
    )


@dataclass
class ImportSummary:
    """What an import did."""

    created_risks: int = 0
    updated_risks: int = 0
    unchanged_risks: int = 0
    created_actions: int = 0
    updated_actions: int = 0
    unchanged_actions: int = 0

    def text(self) -> str:
        """One Swedish sentence."""
        return (
            f"Importen är klar: {self.created_risks} nya och {self.updated_risks} ändrade risker "
            f"({self.unchanged_risks} oförändrade), {self.created_actions} nya och "
            f"{self.updated_actions} ändrade åtgärder ({self.unchanged_actions} oförändrade)."
        )


@dataclass
class _PlannedRisk:
    row: int
    risk_id: int | None
    version: int | None
    values: dict[str, Any]
    project_id: int


@dataclass
class _PlannedAction:
    row: int
    action_id: int | None
    version: int | None
    risk_row: int | None  # a new risk's row on the Risker sheet
    risk_id: int | None
    values: dict[str, Any]


def _whole(value: Any, what: str) -> tuple[int | None, str | None]:
    """A cell holding an id or a version: a whole number or empty."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"'{value}' är inget {what}; skriv ett heltal"
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, int):
        return value, None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()), None
    return None, f"'{value}' är inget {what}; skriv ett heltal"


@dataclass(frozen=True)
class _Sheet:
    """What planning an import needs to know of one sheet and the records on it."""

    name: str
    headers: dict[str, str]  # field → column header
    fields: tuple[str, ...]  # the fields a row sets
    noun: str
    definite: str
    entity: str | None  # where the audit log tells who changed a record last; None: not said


_RISKS = _Sheet(
    excel.RISK_SHEET,
    {c.key: c.header for c in excel.RISK_COLUMNS} | {"register_id": "Register"},
    store.RISK_FIELDS,
    "risk",
    "risken",
    ENTITY_RISK,
)
_ACTIONS = _Sheet(
    excel.ACTION_SHEET,
    {c.key: c.header for c in excel.ACTION_COLUMNS},
    store.ACTION_FIELDS,
    "åtgärd",
    "åtgärden",
    None,
)


@dataclass
class _RowCheck:
    """The problems of one row of a sheet, each named by sheet, row and column."""

    sheet: _Sheet
    row: int
    problems: list[str] = field(default_factory=list)

    def at(self, key: str, message: str) -> None:
        self.problems.append(
            f"{excel.where(self.sheet.name, self.row, self.sheet.headers.get(key, key))}: {message}"
        )

    def identify(
        self, db: Database, raw: dict[str, Any], existing: dict[int, dict[str, Any]], seen: dict[int, int]
    ) -> tuple[int | None, int | None, dict[str, Any] | None]:
        """The row's id, version and stored record; a row without an id is a new record."""
        noun, definite = self.sheet.noun, self.sheet.definite
        record_id, problem = _whole(raw.get("id"), "id")
        if problem:
            self.at("id", problem)
        version, version_problem = _whole(raw.get("version"), "versionsnummer")
        if version_problem:
            self.at("version", version_problem)
        stored = existing.get(record_id) if record_id is not None else None
        if record_id is None:
            return None, version, None
        if record_id in seen:
            self.at(
                "id",
                f"id {record_id} finns också på rad {seen[record_id]}; "
                f"varje {noun} får bara finnas på en rad",
            )
        else:
            seen[record_id] = self.row
        if stored is None:
            self.at(
                "id",
                f"{definite} {record_id} finns inte i projektets riskregister; "
                f"lämna Id tomt för en ny {noun}",
            )
        elif version is None and not version_problem:
            self.at(
                "version",
                f"saknas; den behövs för att se att ingen annan har ändrat {definite} sedan exporten",
            )
        elif version is not None and version != stored["version"]:
            who = store.last_change(db, self.sheet.entity, record_id) if self.sheet.entity else None
            by = f" av {who[0]} {who[1].replace('T', ' ')}" if who else ""
            self.at(
                "version",
                f"{definite} har ändrats i portfolj{by} sedan filen exporterades (filen har version "
                f"{version}, portfolj version {stored['version']}); exportera på nytt och gör om ändringen",
            )
        return record_id, version, stored

    def values(self, raw: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
        """The row's values over the stored record's."""
        base = {f: stored[f] for f in self.sheet.fields} if stored else {}
        # On a new row an empty cell means "not given" (the default); on an existing row, "cleared".
        return {
            **base,
            **{k: v for k, v in raw.items() if k in self.sheet.fields and (stored or v is not None)},
        }

    def validated(
        self, model: type[_Input], data: dict[str, Any], *, skip: str | None = None
    ) -> _Input | None:
        """The row's values as `model`, or None with a problem for each field that is wrong."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for key, message in field_problems(exc):
                if key is None:
                    self.problems.append(f"{excel.where(self.sheet.name, self.row)}: {message}")
                elif key != skip:
                    self.at(key, message)
            return None


def _plan_risks(
    db: Database,
    project_id: int,
    rows: excel.SheetRows,
    owners: dict[str, str],
    problems: list[str],
) -> tuple[list[_PlannedRisk], dict[str, list[tuple[int, int | None]]]]:
    """Check every row of the Risker sheet; the planned writes and each title's (row, id)."""
    registers_by_name = {r.name.lower(): r for r in store.registers_for(db, project_id)}
    existing = store.risks_of_project(db, project_id)
    registers_by_id = {r.id: r for r in registers_by_name.values()}
    seen: dict[int, int] = {}
    planned: list[_PlannedRisk] = []
    titles: dict[str, list[tuple[int, int | None]]] = {}
    for row, raw in rows.rows:
        check = _RowCheck(_RISKS, row)
        risk_id, version, stored = check.identify(db, raw, existing, seen)
        data = check.values(raw, stored)
        register_name = raw.get("register") if "register" in rows.present else None
        register = None
        if register_name is None and stored is not None and "register" not in rows.present:
            register = registers_by_id.get(stored["register_id"])
        elif register_name is None:
            check.at(
                "register",
                "saknas; välj ett av projektets register: "
                + ", ".join(r.name for r in registers_by_name.values()),
            )
        else:
            register = registers_by_name.get(str(register_name).lower())
            if register is None:
                names = (
                    ", ".join(r.name for r in registers_by_name.values()) or "(projektet har inga register)"
                )
                check.at(
                    "register", f"registret '{register_name}' finns inte i projektet; välj ett av: {names}"
                )
        data["register_id"] = register.id if register else 0
        parsed = check.validated(RiskInput, data, skip="register_id")
        if parsed is not None and register is not None:
            values, checked = check_risk(db, parsed, register, owners)
            for key, message in checked:
                check.at(key, message)
            if not check.problems:
                planned.append(_PlannedRisk(row, risk_id, version, values, project_id))
                titles.setdefault(values["title"], []).append((row, risk_id))
        problems += check.problems
    return planned, titles


def _plan_actions(
    db: Database,
    project_id: int,
    rows: excel.SheetRows,
    titles: dict[str, list[tuple[int, int | None]]],
    owners: dict[str, str],
    problems: list[str],
) -> list[_PlannedAction]:
    """Check every row of the Åtgärder sheet; the planned writes."""
    existing = store.actions_of_project(db, project_id)
    risk_ids = set(store.risks_of_project(db, project_id))
    seen: dict[int, int] = {}
    planned: list[_PlannedAction] = []
    for row, raw in rows.rows:
        check = _RowCheck(_ACTIONS, row)
        action_id, version, stored = check.identify(db, raw, existing, seen)
        risk_id, problem = _whole(raw.get("risk_id"), "risk-id")
        risk_row = None
        if problem:
            check.at("risk_id", problem)
        elif risk_id is not None:
            if risk_id not in risk_ids:
                check.at("risk_id", f"risken {risk_id} finns inte i projektets riskregister")
        elif raw.get("risk") is not None:
            matches = titles.get(str(raw["risk"]).strip(), [])
            if len(matches) == 1:
                risk_row, risk_id = matches[0]
                risk_row = risk_row if risk_id is None else None
            elif not matches:
                check.at("risk", f"ingen risk på bladet {excel.RISK_SHEET} har titeln '{raw['risk']}'")
            else:
                rows_text = ", ".join(str(r) for r, _ in matches)
                check.at("risk", f"flera risker (rad {rows_text}) har titeln '{raw['risk']}'; ange Risk-id")
        elif stored is not None:
            risk_id = stored["risk_id"]
        else:
            check.at(
                "risk_id", "saknas; ange riskens id, eller för en ny risk dess titel i kolumnen Risk (titel)"
            )
        parsed = check.validated(ActionInput, check.values(raw, stored))
        if parsed is not None:
            values, checked = check_action(db, parsed, project_id, owners)
            for key, message in checked:
                check.at(key, message)
            if not check.problems:
                planned.append(_PlannedAction(row, action_id, version, risk_row, risk_id, values))
        problems += check.problems
    return planned


def import_register(db: Database, actor: User, project_id: int, content: bytes) -> ImportSummary:
    """Import a register workbook: all or nothing, every problem named by sheet, row and column.

    Rows with an id update that risk or action (only where something differs); rows without create one.
    """
    core_store.project_detail(db, project_id)
    require(actor, Action.EDIT_RISKS, project_id=project_id)
    book, problems = excel.read_workbook(content)
    owners = known_owners(db, project_id)
    risks, titles = _plan_risks(db, project_id, book.risks, owners, problems)
    actions = _plan_actions(db, project_id, book.actions, titles, owners, problems)
    if problems:
        raise ImportRejectedError(problems)
    summary = ImportSummary()
    try:
        with write(db):
            new_ids: dict[int, int] = {}
            for item in risks:
                if item.risk_id is None:
                    new_ids[item.row] = _audited(
                        db, actor, _RISK, store.insert_risk(db, item.values), project_id, "skapa via Excel"
                    )
                    summary.created_risks += 1
                elif _save_risk(
                    db, actor, item.risk_id, item.values, version=item.version or 0, action="ändra via Excel"
                ):
                    summary.updated_risks += 1
                else:
                    summary.unchanged_risks += 1
            for act in actions:
                risk_id = act.risk_id if act.risk_row is None else new_ids[act.risk_row]
                assert risk_id is not None
                if act.action_id is None:
                    new_action = store.insert_action(db, risk_id, act.values)
                    _audited(db, actor, _ACTION, new_action, project_id, "skapa via Excel")
                    summary.created_actions += 1
                elif _save_action(
                    db,
                    actor,
                    act.action_id,
                    risk_id,
                    act.values,
                    version=act.version or 0,
                    action="ändra via Excel",
                ):
                    summary.updated_actions += 1
                else:
                    summary.unchanged_actions += 1
    except StaleEditError as exc:
        raise ImportRejectedError([f"Någon sparade samtidigt som importen: {exc}"]) from exc
    return summary
