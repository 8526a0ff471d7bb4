"""A project's risk register to and from Excel: the export, the blank template and the import.

`excel.py` knows the workbook (its sheets, columns, reading and writing cells); this module knows
the database: it plans every row of an import against what is stored, names each problem by sheet,
row and column, and writes all or nothing through the writes in `service.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from portfolio import store as core_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, write
from portfolio.errors import ImportRejectedError, StaleEditError
from registers.risks import excel, scoring, store
from registers.risks.model import ActionInput, RiskInput, field_problems
from registers.risks.service import (
    ENTITY_RISK,
    actions_with_lateness,
    check_action,
    check_risk,
    insert_checked_action,
    insert_checked_risk,
    known_owners,
    risks_with_bands,
    save_checked_action,
    save_checked_risk,
)

_Input = TypeVar("_Input", bound=BaseModel)


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
                    new_ids[item.row] = insert_checked_risk(
                        db, actor, item.values, project_id, "skapa via Excel"
                    )
                    summary.created_risks += 1
                elif save_checked_risk(
                    db, actor, item.risk_id, item.values, version=item.version or 0, action="ändra via Excel"
                ):
                    summary.updated_risks += 1
                else:
                    summary.unchanged_risks += 1
            for act in actions:
                risk_id = act.risk_id if act.risk_row is None else new_ids[act.risk_row]
                assert risk_id is not None
                if act.action_id is None:
                    insert_checked_action(db, actor, risk_id, act.values, project_id, "skapa via Excel")
                    summary.created_actions += 1
                elif save_checked_action(
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
