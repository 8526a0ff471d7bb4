"""Accounts and permissions: who may do what, enforced on every write."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from portfolio.errors import PermissionDeniedError
from portfolio.models import Model


class Role(StrEnum):
    NAMND = "nämnd"
    KOMMUNCHEF = "kommunchef"
    PROJEKTLEDARE = "projektledare"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "nämnd": "Ledamot eller ersättare i nämnden",
            "kommunchef": "Kommunchef",
            "projektledare": "Projektledare",
            "admin": "E-strateg / sekretariat",
        }[self.value]


class Action(StrEnum):
    """Every kind of write; the matrix below says which role may do it."""

    REPORT_STATUS = "statusrapport"
    EDIT_PROJECT = "projektets uppgifter och tidplan"
    EDIT_RISKS = "riskregister"
    EDIT_BENEFITS = "nyttoregister"
    REVIEW_TERTIAL = "granska tertialrapport"
    IMPORT_LEDGER = "importera redovisning"
    FREEZE_REPORT = "fastställa rapport"
    MANAGE_KEYS = "fördelningsnycklar"
    MANAGE_PROJECTS = "projekt och ärenden"
    MANAGE_MEETINGS = "sammanträden och beslut"
    MANAGE_BRUTTOLISTA = "bruttolista"
    MANAGE_SURVEYS = "enkäter"
    MANAGE_USERS = "användare"


PROJECT_ACTIONS = frozenset(
    {Action.REPORT_STATUS, Action.EDIT_PROJECT, Action.EDIT_RISKS, Action.EDIT_BENEFITS}
)
PARTY_ACTIONS = frozenset({Action.REVIEW_TERTIAL})


class User(Model):
    """The acting user, as every write function receives it."""

    id: int | None
    email: Annotated[str, Field(min_length=3)]
    name: str
    role: Role
    party: str | None = None
    projects: frozenset[int] = frozenset()
    active: bool = True

    @model_validator(mode="after")
    def _bindings_fit_role(self) -> User:
        if self.role is Role.KOMMUNCHEF and not self.party:
            raise ValueError("En kommunchef måste knytas till en part (--party)")
        if self.role is not Role.KOMMUNCHEF and self.party and self.role is not Role.NAMND:
            raise ValueError("Endast kommunchefer och nämndens ledamöter knyts till en part")
        if self.role is not Role.PROJEKTLEDARE and self.projects:
            raise ValueError("Endast projektledare knyts till projekt")
        return self


# The user the seed loader and migrations act as; never a login.
SYSTEM = User(id=None, email="system", name="Systemet (inläsning av grunddata)", role=Role.ADMIN)


def can(user: User, action: Action, *, project_id: int | None = None, party: str | None = None) -> bool:
    """Whether `user` may perform `action` on the given project or party."""
    if not user.active:
        return False
    if action in PARTY_ACTIONS:
        return user.role is Role.KOMMUNCHEF and party is not None and user.party == party
    if user.role is Role.ADMIN:
        return True
    if action in PROJECT_ACTIONS:
        return user.role is Role.PROJEKTLEDARE and project_id is not None and project_id in user.projects
    return False


def require(user: User, action: Action, *, project_id: int | None = None, party: str | None = None) -> None:
    """Raise PermissionDeniedError with a Swedish message unless `can(...)`."""
    if can(user, action, project_id=project_id, party=party):
        return
    if not user.active:
        raise PermissionDeniedError("Kontot är avstängt.")
    if action in PARTY_ACTIONS:
        raise PermissionDeniedError(f"Endast kommunchefen för parten får {action.value} för den parten.")
    if action in PROJECT_ACTIONS and user.role is Role.PROJEKTLEDARE:
        raise PermissionDeniedError(
            f"Du är inte projektledare för det här projektet och får inte ändra dess {action.value}."
        )
    raise PermissionDeniedError(f"Rollen {user.role.label.lower()} får inte ändra {action.value}.")
