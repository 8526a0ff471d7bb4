"""Keeping the portfolio: create and edit projects, their budget lines and milestones.

Every write takes the acting user, checks the permission, carries the version the user's
edit was based on (a newer version refuses it with `StaleEditError`) and appends to the audit
log in the same transaction. The e-strateg (admin) changes everything; a project's leaders
change its facts and milestones, never its money or who leads it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from portfolio import clock, models, parties
from portfolio.audit_store import AuditQuery, audit_frame
from portfolio.audit_view import readable_change
from portfolio.auth import Action, Role, User, can, require
from portfolio.db import Database, audit_by, found_or_raise, write
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError
from portfolio.governance import store as governance_store
from portfolio.governance.model import paragraph_label
from portfolio.models import CaseKind, Phase, Split, Status
from portfolio.money import format_kr
from portfolio.projects import store
from portfolio.projects.model import (
    ADMIN_ONLY_FIELDS,
    LABELS,
    BudgetLineInput,
    MilestoneInput,
    Person,
    ProjectInput,
    ReplanInput,
    Share,
    StatedTotalsInput,
)

M = TypeVar("M", bound=BaseModel)


__all__ = [
    "add_milestone",
    "budget_lines",
    "close_project",
    "create_project",
    "edit_milestone",
    "mark_reached",
    "milestones",
    "parse",
    "project",
    "project_input",
    "remove_budget_line",
    "remove_milestone",
    "replan_milestone",
    "set_budget_line",
    "set_stated_totals",
    "update_project",
]


def parse(model: type[M], data: dict[str, Any]) -> M:
    """`portfolio.models.parse`, naming fields by the project forms' labels."""
    return models.parse(model, data, LABELS)


# --- reading --------------------------------------------------------------------------------


def _project_or_raise(db: Database, project_id: int) -> dict[str, Any]:
    return found_or_raise(store.project_row(db, project_id), f"Projektet med id {project_id} finns inte")


def project_id_for(db: Database, code: str) -> int:
    """The id of the project or case with this code; NotFoundError naming it otherwise."""
    return found_or_raise(
        store.project_id(db, code.strip()), f"Det finns inget projekt eller ärende med koden {code}"
    )


def project(db: Database, project_id: int) -> dict[str, Any]:
    """A project's columns with its parties, objects, people and leader accounts."""
    row = _project_or_raise(db, project_id)
    people = store.people_of(db, project_id)
    return {
        **row,
        "financing_parties": store.parties_of(db, project_id),
        "objects": store.objects_of(db, project_id),
        "leaders": [p for p in people if p["role"] == "projektledare"],
        "steering_group": [p for p in people if p["role"] == "styrgrupp"],
        "leader_accounts": store.leader_accounts_of(db, project_id),
    }


def leader_candidates(db: Database) -> list[str]:
    """The e-mail addresses of active accounts with the role projektledare, for a leader's field."""
    return store.leader_candidates(db)


def project_input(db: Database, project_id: int) -> ProjectInput:
    """The project as it is now, as the input an edit starts from."""
    p = project(db, project_id)
    return ProjectInput(
        code=p["code"],
        name=p["name"],
        kind=CaseKind(p["kind"]),
        purpose=p["purpose"],
        goals=p["goals"],
        phase=Phase(p["phase"]),
        status=Status(p["status"]),
        status_reason=p["status_reason"],
        owner_party=p["owner_party"],
        financing_parties=tuple(p["financing_parties"]),
        objects=tuple(p["objects"]),
        leaders=tuple(Person(name=x["name"], organisation=x["organisation"]) for x in p["leaders"]),
        leader_accounts=tuple(a["email"] for a in p["leader_accounts"]),
        steering_group=tuple(
            Person(name=x["name"], organisation=x["organisation"]) for x in p["steering_group"]
        ),
        start_date=_date(p["start_date"]),
        planned_end_date=_date(p["planned_end_date"]),
        actual_end_date=_date(p["actual_end_date"]),
        budget_kr=None if p["budget_ore"] is None else _kronor(p["budget_ore"]),
        actual_kr=None if p["actual_ore"] is None else _kronor(p["actual_ore"]),
        notes=p["notes"],
        source=p["source"],
    )


def _kronor(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def budget_lines(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's budget lines, each with id, version and its shares per side and financier."""
    shares: dict[int, dict[str, dict[str, int]]] = {}
    for s in store.shares_of(db, project_id):
        shares.setdefault(s["line_id"], {"budget": {}, "outcome": {}})[s["side"]][s["financier"]] = s[
            "amount_ore"
        ]
    return [
        {**line, "shares": shares.get(line["id"], {"budget": {}, "outcome": {}})}
        for line in store.lines_of(db, project_id)
    ]


def budget_line_input(line: dict[str, Any]) -> BudgetLineInput:
    """A stored line (from `budget_lines`) as the input an edit starts from."""
    return BudgetLineInput(
        activity=line["activity"],
        kind=line["kind"],
        budget=tuple(Share(financier=f, amount=_kronor(a)) for f, a in line["shares"]["budget"].items()),
        budget_total=None if line["budget_total_ore"] is None else _kronor(line["budget_total_ore"]),
        outcome=tuple(Share(financier=f, amount=_kronor(a)) for f, a in line["shares"]["outcome"].items()),
        outcome_total=None if line["outcome_total_ore"] is None else _kronor(line["outcome_total_ore"]),
        note=line["note"],
        source=line["source"],
        document_rounding=bool(line["document_rounding"]),
    )


def milestones(db: Database, project_id: int) -> list[dict[str, Any]]:
    """The project's milestones with their current planned date, version and number of re-plans."""
    return store.milestones_of(db, project_id)


def budget_history(db: Database, code: str, *, limit: int = 50) -> list[dict[str, str]]:
    """The project's budget changes, newest first: when (Swedish time), who, what, before, after."""
    log = audit_frame(db, AuditQuery(projects=(code,), entities=("budgetrad", "budgetsummor"), limit=limit))
    return [
        {
            "Tid": clock.local_text(r["at"]),
            "Vem": r["user"],
            "Ändring": r["action"],
            "Vad": r["entity_id"] or "",
            "Före": readable_change(r["before"]),
            "Efter": readable_change(r["after"]),
        }
        for r in log.iter_rows(named=True)
    ]


def stated_totals(db: Database, project_id: int) -> dict[str, Any] | None:
    """The totals the project's report states (with version), or None."""
    return store.stated_row(db, project_id)


# --- decisions a change refers to ------------------------------------------------------------

_DECISION_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:§\s*(\d+)|punkt\s*(\d+))\s*$", re.IGNORECASE)


def decision_item(db: Database, text: str | None) -> tuple[int, str] | None:
    """The agenda item a text such as `2019-06-03 §17` names, with its label; None for no text."""
    if text is None or not text.strip():
        return None
    match = _DECISION_RE.match(text)
    if match is None:
        raise InvalidInputError(
            [
                f"Beslutet '{text}' känns inte igen: skriv sammanträdets datum och paragraf,"
                " t.ex. 2019-06-03 §17"
            ]
        )
    day = date.fromisoformat(match.group(1))
    number = int(match.group(2) or match.group(3))
    kind = "paragraf" if match.group(2) else "punkt"
    item_id = governance_store.find_agenda_item(db, day, case=None, number_kind=kind, number=number)
    if item_id is None:
        raise InvalidInputError(
            [f"Det finns inget beslut {day} {paragraph_label(kind, number)} i sammanträdena"]
        )
    return item_id, f"{day} {paragraph_label(kind, number)}"


# --- projects ---------------------------------------------------------------------------------


def _resolved(db: Database, data: ProjectInput, *, project_id: int | None) -> tuple[ProjectInput, list[int]]:
    """Party names as codes; objects free; leader accounts found. InvalidInputError lists every problem."""
    problems: list[str] = []

    def party(text: str) -> str:
        try:
            return parties.resolve_party(db, text)
        except InvalidInputError as exc:
            problems.extend(exc.messages)
            return text

    owner = party(data.owner_party) if data.owner_party else None
    financing = tuple(dict.fromkeys(party(p) for p in data.financing_parties))
    taken = {
        o: code for o, (pid, code) in store.object_owners(db, list(data.objects)).items() if pid != project_id
    }
    problems += [f"Objekt i redovisningen: objektet {o} hör redan till {code}" for o, code in taken.items()]
    accounts = store.accounts_by_email(db, list(data.leader_accounts))
    user_ids: list[int] = []
    for email in data.leader_accounts:
        account = accounts.get(email.casefold())
        if account is None:
            problems.append(f"Projektledarkonton: det finns inget konto med e-postadressen {email}")
        elif account["role"] != Role.PROJEKTLEDARE.value:
            problems.append(
                f"Projektledarkonton: {email} har rollen {account['role']}; bara konton med rollen"
                " projektledare kan leda ett projekt (ändra rollen under Användare)"
            )
        else:
            user_ids.append(int(account["id"]))
    other = store.project_id(db, data.code)
    if other is not None and other != project_id:
        problems.append(f"Det finns redan ett projekt eller ärende med koden {data.code}")
    if problems:
        raise InvalidInputError(problems)
    return data.model_copy(update={"owner_party": owner, "financing_parties": financing}), user_ids


def _columns(data: ProjectInput) -> dict[str, Any]:
    return {
        "code": data.code,
        "has_diarienummer": data.has_diarienummer,
        "name": data.name,
        "kind": data.kind.value,
        "purpose": data.purpose,
        "goals": data.goals,
        "phase": data.phase.value,
        "status": data.status.value,
        "status_reason": data.status_reason,
        "owner_party": data.owner_party,
        "object": data.objects[0] if data.objects else None,
        "start_date": _iso(data.start_date),
        "planned_end_date": _iso(data.planned_end_date),
        "actual_end_date": _iso(data.actual_end_date),
        "budget_ore": data.budget_kr,
        "actual_ore": data.actual_kr,
        "notes": data.notes,
        "source": data.source,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _write_people(db: Database, project_id: int, data: ProjectInput, user_ids: list[int] | None) -> None:
    store.replace_parties(db, project_id, data.financing_parties)
    store.replace_objects(db, project_id, data.objects)
    store.replace_people(
        db,
        project_id,
        [("projektledare", p.name, p.organisation) for p in data.leaders]
        + [("styrgrupp", p.name, p.organisation) for p in data.steering_group],
        roles=("projektledare", "styrgrupp"),
    )
    if user_ids is not None:
        store.replace_leader_accounts(db, project_id, user_ids)


def create_project(
    db: Database,
    actor: User,
    data: ProjectInput,
    *,
    opened_on: date | None = None,
    origin: str | None = None,
    history: bool = True,
) -> int:
    """Register a new project or case with its facts, parties, objects and people; returns its id.

    With `history` the phase history starts on `opened_on` (today by default); the seed,
    which loads the documents' own phase history, passes False.
    """
    require(actor, Action.MANAGE_PROJECTS)
    data, user_ids = _resolved(db, data, project_id=None)
    with write(db):
        project_id = store.insert_project(db, _columns(data))
        _write_people(db, project_id, data, user_ids)
        if history:
            governance_store.insert_phase_change(
                db,
                project_id=project_id,
                changed_on=opened_on or data.start_date or clock.today(),
                from_phase=None,
                to_phase=data.phase.value,
                agenda_item_id=None,
                note=origin or "Registrerat i portfolj",
                source=data.source,
            )
        audit_by(
            db,
            actor,
            "skapa",
            "projekt",
            data.code,
            after={**data.model_dump(mode="json"), **({"origin": origin} if origin else {})},
            project_id=project_id,
        )
    return project_id


def update_project(
    db: Database,
    actor: User,
    project_id: int,
    data: ProjectInput,
    *,
    version: int,
    decision: str | None = None,
) -> None:
    """Save an edit of a project made from `version`; a project leader may not touch ADMIN_ONLY_FIELDS."""
    before = project_input(db, project_id)
    current = _project_or_raise(db, project_id)
    if not can(actor, Action.MANAGE_PROJECTS):
        require(actor, Action.EDIT_PROJECT, project_id=project_id)
        changed = [
            LABELS[f] for f in ADMIN_ONLY_FIELDS if _norm(getattr(data, f)) != _norm(getattr(before, f))
        ]
        if changed:
            raise PermissionDeniedError(
                "Som projektledare får du ändra projektets uppgifter och tidplan, men inte: "
                + ", ".join(changed)
                + ". Be e-strategen om den ändringen."
            )
    data, user_ids = _resolved(db, data, project_id=project_id)
    item = decision_item(db, decision)
    with write(db):
        if not store.update_project(db, project_id, _columns(data), expected_version=version):
            raise StaleEditError(
                "Projektet har ändrats av någon annan sedan du öppnade det; ingenting sparades."
                " Så här ser det ut nu:",
                current=project_input(db, project_id).model_dump(mode="json"),
            )
        _write_people(db, project_id, data, user_ids if can(actor, Action.MANAGE_PROJECTS) else None)
        if data.phase.value != current["phase"]:
            governance_store.insert_phase_change(
                db,
                project_id=project_id,
                changed_on=data.actual_end_date
                if data.phase is Phase.AVSLUTAD and data.actual_end_date
                else clock.today(),
                from_phase=current["phase"],
                to_phase=data.phase.value,
                agenda_item_id=item[0] if item else None,
                note="Ändrad i projektregistret",
                source=None,
            )
        audit_by(
            db,
            actor,
            "ändra",
            "projekt",
            data.code,
            before=_changed_only(before.model_dump(mode="json"), data.model_dump(mode="json"), keep="before"),
            after={
                **_changed_only(before.model_dump(mode="json"), data.model_dump(mode="json"), keep="after"),
                **({"beslut": item[1]} if item else {}),
            },
            project_id=project_id,
        )


def _norm(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(sorted(_norm(v) if not isinstance(v, Person) else v.text() for v in value))
    if isinstance(value, str):
        return value.casefold()
    return value


def _changed_only(before: dict[str, Any], after: dict[str, Any], *, keep: str) -> dict[str, Any]:
    source = before if keep == "before" else after
    return {k: source[k] for k in after if before.get(k) != after.get(k)}


def close_project(
    db: Database,
    actor: User,
    project_id: int,
    *,
    actual_end: date,
    version: int,
    decision: str | None = None,
) -> None:
    """Close a project: phase avslutad and its actual end date (admin)."""
    require(actor, Action.MANAGE_PROJECTS)
    current = project_input(db, project_id)
    if current.phase is Phase.AVSLUTAD:
        raise InvalidInputError(
            [f"{current.code} är redan avslutat ({current.actual_end_date or 'utan slutdatum'})"]
        )
    data = parse(
        ProjectInput,
        {**current.model_dump(), "phase": Phase.AVSLUTAD, "actual_end_date": actual_end},
    )
    update_project(db, actor, project_id, data, version=version, decision=decision)


# --- budget -------------------------------------------------------------------------------------


def _budget_columns(db: Database, data: BudgetLineInput) -> tuple[dict[str, Any], list[tuple]]:
    """The line's stored columns (region and municipalities summed from the shares) and its shares."""
    kinds = store.party_kinds(db)
    problems: list[str] = []
    values: dict[str, Any] = {
        "activity": data.activity,
        "kind": data.kind,
        "note": data.note,
        "source": data.source,
        "document_rounding": data.document_rounding,
    }
    shares: list[tuple] = []
    side: Literal["budget", "outcome"]
    for side in ("budget", "outcome"):
        region: int | None = None
        kommunerna: int | None = None
        for share in data.budget if side == "budget" else data.outcome:
            financier = share.financier
            if financier == parties.KOMMUNERNA or kinds.get(financier) == "kommun":
                kommunerna = (kommunerna or 0) + share.amount
            elif kinds.get(financier) == "region":
                region = (region or 0) + share.amount
            else:
                problems.append(f"Finansiär: okänd part '{financier}'")
                continue
            shares.append((side, financier, share.amount))
        values[f"{side}_total_ore"] = data.total(side)
        values[f"{side}_region_ore"] = region
        values[f"{side}_kommunerna_ore"] = kommunerna
    if problems:
        raise InvalidInputError(problems)
    return values, shares


def resolve_shares(db: Database, shares: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """(financier as typed, amount as typed) pairs with the financier as a party code or KOMMUNERNA.

    The amounts are left as given; the line's model checks them.
    """
    problems: list[str] = []
    resolved: list[dict[str, Any]] = []
    for name, amount in shares:
        try:
            resolved.append({"financier": parties.resolve_financier(db, name), "amount": amount})
        except InvalidInputError as exc:
            problems += exc.messages
    if problems:
        raise InvalidInputError(problems)
    return resolved


def _line_summary(line: BudgetLineInput | dict[str, Any] | None) -> dict[str, Any] | None:
    if line is None:
        return None
    if isinstance(line, dict):
        line = budget_line_input(line)
    return {
        "aktivitet": line.activity,
        "typ": line.kind,
        "budget": {s.financier: format_kr(s.amount) for s in line.budget},
        "budget totalt": format_kr(line.total("budget")),
        "utfall": {s.financier: format_kr(s.amount) for s in line.outcome},
        "utfall totalt": format_kr(line.total("outcome")),
        "anteckning": line.note,
    }


def _stale_line(db: Database, project_id: int, line_id: int) -> StaleEditError:
    now = next((ln for ln in budget_lines(db, project_id) if ln["id"] == line_id), None)
    return StaleEditError(
        "Budgetraden har ändrats eller tagits bort av någon annan sedan du öppnade den; ingenting"
        " sparades. Så här ser den ut nu:",
        current=_line_summary(now) or {"raden": "borttagen"},
    )


def set_budget_line(
    db: Database,
    actor: User,
    project_id: int,
    data: BudgetLineInput,
    *,
    line_id: int | None = None,
    version: int | None = None,
    decision: str | None = None,
) -> int:
    """Add a budget line (`line_id` None) or save an edit of one made from `version`; admin only.

    The decision (`2019-06-03 §17`) that allowed the change is kept in the audit log with it.
    """
    project_row = _project_or_raise(db, project_id)
    require(actor, Action.MANAGE_PROJECTS)
    values, shares = _budget_columns(db, data)
    item = decision_item(db, decision)
    lines = budget_lines(db, project_id)
    same_name = [
        ln for ln in lines if ln["activity"].casefold() == data.activity.casefold() and ln["id"] != line_id
    ]
    if same_name:
        raise InvalidInputError(
            [
                f"Aktivitet: {project_row['code']} har redan en budgetrad"
                f" '{same_name[0]['activity']}'; ändra den i stället"
            ]
        )
    before = next((ln for ln in lines if ln["id"] == line_id), None)
    if line_id is not None and before is None:
        raise NotFoundError(f"Budgetraden {line_id} finns inte i {project_row['code']}")
    with write(db):
        store.add_parties(db, project_id, [f for _, f, _ in shares if f != parties.KOMMUNERNA])
        if line_id is None:
            line_id = store.insert_line(db, project_id, values, shares)
            action = "skapa"
        else:
            if version is None or not store.update_line(
                db, line_id, values, shares, expected_version=version
            ):
                raise _stale_line(db, project_id, line_id)
            action = "ändra"
        audit_by(
            db,
            actor,
            action,
            "budgetrad",
            f"{project_row['code']}: {data.activity}",
            before=_line_summary(before),
            after={**(_line_summary(data) or {}), **({"beslut": item[1]} if item else {})},
            project_id=project_id,
        )
    return line_id


def set_budget_line_by_activity(
    db: Database, actor: User, project_id: int, data: BudgetLineInput, *, decision: str | None = None
) -> tuple[int, str]:
    """The command line's `budget set`: add the activity's line, or replace the one with that name."""
    existing = next(
        (ln for ln in budget_lines(db, project_id) if ln["activity"].casefold() == data.activity.casefold()),
        None,
    )
    if existing is None:
        return set_budget_line(db, actor, project_id, data, decision=decision), "skapad"
    line_id = set_budget_line(
        db, actor, project_id, data, line_id=existing["id"], version=existing["version"], decision=decision
    )
    return line_id, "ändrad"


def remove_budget_line(
    db: Database, actor: User, line_id: int, *, version: int, decision: str | None = None
) -> None:
    """Remove a budget line edited from `version`; admin only."""
    row = found_or_raise(store.line_row(db, line_id), f"Budgetraden {line_id} finns inte")
    project_row = _project_or_raise(db, row["project_id"])
    require(actor, Action.MANAGE_PROJECTS)
    item = decision_item(db, decision)
    before = next(ln for ln in budget_lines(db, row["project_id"]) if ln["id"] == line_id)
    with write(db):
        if not store.delete_line(db, line_id, expected_version=version):
            raise _stale_line(db, row["project_id"], line_id)
        audit_by(
            db,
            actor,
            "ta bort",
            "budgetrad",
            f"{project_row['code']}: {row['activity']}",
            before=_line_summary(before),
            after={"beslut": item[1]} if item else None,
            project_id=row["project_id"],
        )


def set_stated_totals(
    db: Database,
    actor: User,
    project_id: int,
    data: StatedTotalsInput | None,
    *,
    version: int | None,
    decision: str | None = None,
) -> None:
    """Set (or with None remove) the totals the project's report states; admin only."""
    project_row = _project_or_raise(db, project_id)
    require(actor, Action.MANAGE_PROJECTS)
    item = decision_item(db, decision)
    before = store.stated_row(db, project_id)
    with write(db):
        if data is None:
            ok = (
                before is not None
                and version is not None
                and store.delete_stated(db, project_id, expected_version=version)
            )
        else:
            values = {
                **_split_columns("budget", data.budget),
                **_split_columns("outcome", data.outcome),
                "extra_ore": data.extra_kr,
                "total_cost_ore": data.total_cost_kr,
                "source": data.source,
            }
            ok = store.upsert_stated(db, project_id, values, expected_version=version)
        if not ok:
            raise StaleEditError(
                "Rapportens summor har ändrats av någon annan sedan du öppnade dem; ingenting sparades.",
                current={k: v for k, v in (store.stated_row(db, project_id) or {}).items() if k != "version"},
            )
        audit_by(
            db,
            actor,
            "ta bort" if data is None else ("ändra" if before else "skapa"),
            "budgetsummor",
            project_row["code"],
            before=before,
            after={**(data.model_dump(mode="json") if data else {}), **({"beslut": item[1]} if item else {})}
            or None,
            project_id=project_id,
        )


def _split_columns(side: str, split: Split) -> dict[str, Any]:
    return {
        f"{side}_total_ore": split.total,
        f"{side}_region_ore": split.region,
        f"{side}_kommunerna_ore": split.kommunerna,
    }


# --- milestones ---------------------------------------------------------------------------------


def _milestone_or_raise(db: Database, milestone_id: int) -> dict[str, Any]:
    return found_or_raise(store.milestone_row(db, milestone_id), f"Milstolpen {milestone_id} finns inte")


def milestone_id_for(db: Database, project_id: int, name: str) -> int:
    """The id of the project's milestone with this name (any case); NotFoundError listing the names."""
    found = store.milestone_by_name(db, project_id, name.strip())
    if found is None:
        names = ", ".join(m["name"] for m in milestones(db, project_id)) or "inga"
        raise NotFoundError(f"Projektet har ingen milstolpe som heter '{name}' (milstolpar: {names})")
    return found


def _stale_milestone(db: Database, milestone_id: int) -> StaleEditError:
    now = store.milestone_row(db, milestone_id)
    return StaleEditError(
        "Milstolpen har ändrats av någon annan sedan du öppnade den; ingenting sparades."
        " Så här ser den ut nu:",
        current={
            "namn": now["name"],
            "planerad": now["current_date"],
            "nådd": now["actual_date"],
            "anteckning": now["note"],
        }
        if now
        else {"milstolpen": "borttagen"},
    )


def _milestone_audit(db: Database, actor: User, action: str, row: dict[str, Any], **change: Any) -> None:
    project_row = _project_or_raise(db, row["project_id"])
    audit_by(
        db,
        actor,
        action,
        "milstolpe",
        f"{project_row['code']}: {row['name']}",
        project_id=row["project_id"],
        **change,
    )


def add_milestone(db: Database, actor: User, project_id: int, data: MilestoneInput) -> int:
    """Add a milestone to the project's plan; the project's leaders and admin."""
    _project_or_raise(db, project_id)
    require(actor, Action.EDIT_PROJECT, project_id=project_id)
    if store.milestone_by_name(db, project_id, data.name) is not None:
        raise InvalidInputError([f"Namn: projektet har redan en milstolpe som heter '{data.name}'"])
    with write(db):
        milestone_id = store.insert_milestone(
            db, project_id, name=data.name, planned=data.planned_date, note=data.note, source=data.source
        )
        _milestone_audit(
            db,
            actor,
            "skapa",
            {"project_id": project_id, "name": data.name},
            after=data.model_dump(mode="json"),
        )
    return milestone_id


def edit_milestone(
    db: Database, actor: User, milestone_id: int, data: MilestoneInput, *, version: int
) -> None:
    """Rename a milestone or change its note; its first planned date only while it was never re-planned."""
    row = _milestone_or_raise(db, milestone_id)
    require(actor, Action.EDIT_PROJECT, project_id=row["project_id"])
    other = store.milestone_by_name(db, row["project_id"], data.name)
    if other is not None and other != milestone_id:
        raise InvalidInputError([f"Namn: projektet har redan en milstolpe som heter '{data.name}'"])
    planned = _iso(data.planned_date)
    if row["changes"] and planned != row["planned_date"]:
        raise InvalidInputError(
            [
                "Planerat datum: milstolpen har planerats om; ange ett nytt datum med Planera om,"
                " så att historiken behålls"
            ]
        )
    values = {"name": data.name, "note": data.note, "planned_date": planned}
    with write(db):
        if not store.update_milestone(db, milestone_id, values, expected_version=version):
            raise _stale_milestone(db, milestone_id)
        _milestone_audit(
            db,
            actor,
            "ändra",
            row,
            before={k: row[k] for k in ("name", "note", "planned_date")},
            after=values,
        )


def replan_milestone(
    db: Database, actor: User, milestone_id: int, data: ReplanInput, *, version: int
) -> None:
    """Move a milestone to a new planned date for a reason, keeping every earlier date."""
    row = _milestone_or_raise(db, milestone_id)
    require(actor, Action.EDIT_PROJECT, project_id=row["project_id"])
    if row["actual_date"]:
        raise InvalidInputError([f"Milstolpen '{row['name']}' nåddes redan {row['actual_date']}"])
    if data.new_date.isoformat() == row["current_date"]:
        raise InvalidInputError([f"Nytt planerat datum: milstolpen är redan planerad till {data.new_date}"])
    changed_on = data.changed_on or clock.today()
    with write(db):
        if not store.update_milestone(db, milestone_id, {}, expected_version=version):
            raise _stale_milestone(db, milestone_id)
        store.insert_milestone_change(
            db,
            milestone_id,
            changed_on=changed_on,
            new_date=data.new_date,
            reason=data.reason,
            source=data.source,
        )
        _milestone_audit(
            db,
            actor,
            "planera om",
            row,
            before={"planerat": row["current_date"]},
            after={
                "planerat": data.new_date.isoformat(),
                "skäl": data.reason,
                "ändrat": changed_on.isoformat(),
            },
        )


def mark_reached(db: Database, actor: User, milestone_id: int, actual: date, *, version: int) -> None:
    """Record the day a milestone was reached."""
    row = _milestone_or_raise(db, milestone_id)
    require(actor, Action.EDIT_PROJECT, project_id=row["project_id"])
    if actual > clock.today():
        raise InvalidInputError([f"Datum då milstolpen nåddes: {actual} ligger i framtiden"])
    with write(db):
        if not store.update_milestone(
            db, milestone_id, {"actual_date": actual.isoformat()}, expected_version=version
        ):
            raise _stale_milestone(db, milestone_id)
        _milestone_audit(
            db, actor, "nådd", row, before={"nådd": row["actual_date"]}, after={"nådd": actual.isoformat()}
        )


def remove_milestone(db: Database, actor: User, milestone_id: int, *, version: int) -> None:
    """Remove a milestone and its re-plans."""
    row = _milestone_or_raise(db, milestone_id)
    require(actor, Action.EDIT_PROJECT, project_id=row["project_id"])
    with write(db):
        if not store.delete_milestone(db, milestone_id, expected_version=version):
            raise _stale_milestone(db, milestone_id)
        _milestone_audit(
            db,
            actor,
            "ta bort",
            row,
            before={k: row[k] for k in ("name", "planned_date", "current_date", "actual_date")},
        )
