"""The nämnd reads, never writes: every public write of the services refuses a nämnd member.

The write functions are found by introspection (every public function of a service module that
takes the acting user as `actor`), so a new write without a permission check fails here.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import BaseModel

from portfolio import accounts
from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from portfolio.errors import PermissionDeniedError
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.model import MeasurementInput, Point

ROOT = Path(__file__).resolve().parents[2]
SERVICE_FILES = sorted(
    [
        *ROOT.glob("portfolio/**/service.py"),
        *ROOT.glob("registers/**/service.py"),
        ROOT / "portfolio/accounts.py",
        ROOT / "portfolio/status.py",
        # The risk register's Excel import writes beside its planner, not in service.py.
        ROOT / "registers/risks/excel_import.py",
        # The ledger's writes live beside its reader and reports, not in a service.py.
        *(
            ROOT / "portfolio/ledger" / f"{name}.py"
            for name in ("tertial", "keys", "mapping", "sie_import", "csv_import", "organisations")
        ),
    ]
)

# Functions that write without a portfolio user acting on portfolio data, so a nämnd member may
# (or must) reach them. Each says why.
NOT_USER_WRITES = {
    # Login bookkeeping: the failure count and lock of the account that tries to sign in.
    "portfolio.accounts.authenticate",
    "portfolio.accounts.persona_login",
    # Self-service on one's own account: every role changes its own password.
    "portfolio.accounts.change_own_password",
    "portfolio.accounts.choose_new_password",
    # Demo bookkeeping run by the command line as SYSTEM; every account it makes goes through
    # create_user, which checks MANAGE_USERS (and with all personas present it writes nothing).
    "portfolio.accounts.ensure_personas",
    # Session bookkeeping: signing in and out, and a session's last use.
    "portfolio.sessions.service.start",
    "portfolio.sessions.service.resolve",
    "portfolio.sessions.service.end_token",
    # Self-service: a user ends one of their own sessions (the e-strateg anyone's).
    "portfolio.sessions.service.end_session",
    # Self-service: every user creates, lists and revokes their own API keys (the e-strateg anyone's),
    # and a key's use records when it was last used.
    "portfolio.apikeys.service.create_key",
    "portfolio.apikeys.service.revoke_key",
    "portfolio.apikeys.service.keys_of",
    "portfolio.apikeys.service.user_for_key",
    # Reminder bookkeeping: `portfolj remind` (cron, as the system) logs each e-mail it has sent,
    # so it is never sent twice; no user writes it.
    "portfolio.todo.service.record_sent",
}

# Ids of real records, so a function that looks its record up first reaches its permission check.
IDS = {
    "project_id": "SELECT id FROM projects WHERE code = 'GNS/8/2018'",
    "risk_id": "SELECT min(id) FROM risks",
    "action_id": "SELECT min(id) FROM risk_actions",
    "register_id": "SELECT min(id) FROM risk_registers",
    "benefit_id": "SELECT min(id) FROM benefits",
    "survey_id": "SELECT min(id) FROM surveys",
    "previous_id": "SELECT min(id) FROM surveys",
    "statement_id": "SELECT min(id) FROM survey_statements",
    "statement_ids": "SELECT min(id) FROM survey_statements",
    "meeting_id": "SELECT min(id) FROM meetings",
    "activity_id": "SELECT min(id) FROM bruttolista_activities",
    "need_id": "SELECT min(id) FROM needs",
    "milestone_id": "SELECT min(id) FROM milestones",
    "line_id": "SELECT min(id) FROM budget_lines",
    "agenda_item_id": "SELECT min(id) FROM agenda_items",
}
# `item_id` means a different record in different modules.
ITEM_IDS = {
    "portfolio.governance.service": "SELECT min(id) FROM agenda_items",
    "registers.lifecycle.service": "SELECT min(id) FROM handover_items",
}


def write_functions() -> list[tuple[str, Any]]:
    found = []
    for path in SERVICE_FILES:
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module_name or name.startswith("_"):
                continue
            params = inspect.signature(fn).parameters
            # A write takes the acting user, or opens a transaction itself (`write` in its code).
            writes = "actor" in params or "write" in fn.__code__.co_names
            if writes:
                found.append((f"{module_name}.{name}", fn))
    return found


WRITES = write_functions()


@pytest.fixture
def namnd(seeded: Database) -> User:
    return accounts.persona_user(seeded, "namnd")


def _id(db: Database, module: str, name: str) -> int | None:
    sql = ITEM_IDS.get(module) if name == "item_id" else IDS.get(name)
    if sql is None:
        return None
    row = db.execute(sql).fetchone()
    return None if row is None else row[0]


def _placeholder(db: Database, module: str, name: str, annotation: Any) -> Any:
    """A plausible value for a parameter or model field: a real id where the name says so."""
    found = _id(db, module, name)
    if found is not None:
        return [found] if name.endswith("_ids") else found
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _placeholder(db, module, name, options[0]) if options else None
    if origin is typing.Annotated:
        return _placeholder(db, module, name, typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (tuple, list, frozenset, set):
        return origin()
    if origin is dict or annotation is dict:
        return {}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _model(db, module, annotation)
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation))
        if issubclass(annotation, bool):
            return False
        if issubclass(annotation, int):
            return 1
        if issubclass(annotation, Decimal):
            return Decimal(1)
        if issubclass(annotation, dt.date):
            return dt.date(2024, 1, 2)
        if issubclass(annotation, bytes):
            return b""
        if issubclass(annotation, str):
            return "x"
    return None


def _model(db: Database, module: str, model: type[BaseModel]) -> BaseModel:
    # Not validated: the permission check must come before anything reads the details.
    hints = typing.get_type_hints(model, include_extras=True)
    values = {
        name: field.default
        if not field.is_required() and _id(db, module, name) is None
        else _placeholder(db, module, name, hints[name])
        for name, field in model.model_fields.items()
    }
    return model.model_construct(**values)


def _arguments(db: Database, namnd: User, qualified: str, fn: Any) -> dict[str, Any]:
    module = qualified.rsplit(".", 1)[0]
    hints = typing.get_type_hints(fn, include_extras=True)
    args: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name == "db":
            args[name] = db
        elif name in ("actor", "user"):
            args[name] = namnd
        elif param.default is not inspect.Parameter.empty and _id(db, module, name) is None:
            continue
        else:
            args[name] = _placeholder(db, module, name, hints.get(name))
    return args


def test_the_services_have_write_functions_to_check():
    names = {name for name, _ in WRITES}
    assert {"registers.benefits.service.remove_survey_measurements", "portfolio.status.record"} <= names
    assert len(names) > 40


@pytest.mark.parametrize(
    ("qualified", "fn"),
    [w for w in WRITES if w[0] not in NOT_USER_WRITES],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_write_refuses_a_namnd_member(seeded: Database, namnd: User, qualified: str, fn: Any) -> None:
    revision = seeded.execute("SELECT value FROM _meta WHERE key = 'revision'").fetchone()
    with pytest.raises(PermissionDeniedError):
        fn(**_arguments(seeded, namnd, qualified, fn))
    assert seeded.execute("SELECT value FROM _meta WHERE key = 'revision'").fetchone() == revision


def test_the_allow_list_names_only_functions_that_exist():
    # An entry whose module is there must name one of its writes (a stale entry hides nothing).
    present = {
        n for n in NOT_USER_WRITES if (ROOT / (n.rsplit(".", 1)[0].replace(".", "/") + ".py")).exists()
    }
    assert {name for name, _ in WRITES} >= present


# --- the two holes of issue 14 ---------------------------------------------------------------------


def test_a_namnd_member_named_benefit_owner_may_not_measure(seeded: Database, namnd: User) -> None:
    row = benefits.register(seeded).filter(pl.col("indicator").is_not_null()).row(0, named=True)
    current = benefits_store.get_benefit(seeded, row["id"])
    data = benefits.benefit_input(current).model_copy(
        update={
            "baseline": Point(date=dt.date(2019, 1, 1), value=Decimal(6)),
            "target": Point(date=dt.date(2021, 1, 1), value=Decimal(2)),
            "direction": "lägre",
            "unit": current["unit"] or "dagar",
            "owner": "Ledamot",
            "owner_email": namnd.email,
        }
    )
    benefits.update_benefit(seeded, SYSTEM, row["id"], data, version=current["version"])
    assert not benefits.can_measure(namnd, benefits_store.get_benefit(seeded, row["id"]))
    assert benefits.measurable_benefits(namnd, benefits.register(seeded)).is_empty()
    with pytest.raises(PermissionDeniedError):
        benefits.add_measurement(
            seeded, namnd, row["id"], MeasurementInput(measured_on=dt.date(2024, 1, 2), value=3)
        )
    assert benefits_store.measurements_frame(seeded, benefit_id=row["id"]).is_empty()


def test_a_namnd_member_may_not_remove_a_surveys_measurements(seeded: Database, namnd: User) -> None:
    ids = [r[0] for r in seeded.execute("SELECT id FROM survey_statements").fetchall()]
    with pytest.raises(PermissionDeniedError):
        benefits.remove_survey_measurements(seeded, namnd, ids)
