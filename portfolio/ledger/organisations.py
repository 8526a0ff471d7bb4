"""The organisations whose ledgers belong to the nämnd: the list a SIE file's #ORGNR is checked against.

The region and the parties, each by normalised organisation number. A file from an
organisation not on the list is refused until the admin adds it here (or confirms the import
with "new organisation", which adds it in the import's own transaction).
"""

from __future__ import annotations

import polars as pl

from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError
from portfolio.ledger import organisations_store
from portfolio.ledger.orgno import normalise_org_no
from portfolio.textsafe import control_problem

__all__ = ["add_organisation", "organisations"]


def organisations(db: Database) -> pl.DataFrame:
    """The list: org_no, name, added_at, added_by."""
    return organisations_store.organisations_frame(db)


def add_organisation(db: Database, actor: User, org_no: str, name: str) -> str:
    """Put an organisation on the list; returns its normalised number. Refuses placeholders."""
    require(actor, Action.IMPORT_LEDGER)
    read = normalise_org_no(org_no)
    name = name.strip()
    problems = []
    if read.key is None:
        problems.append(read.problem or "Ange ett organisationsnummer (NNNNNN-NNNN).")
    if not name:
        problems.append("Ange organisationens namn.")
    control = control_problem(name)
    if control:
        problems.append(f"Namnet {control}.")
    if problems:
        raise InvalidInputError(problems)
    assert read.key is not None
    with write(db):
        if organisations_store.organisation_name(db, read.key) is not None:
            raise InvalidInputError([f"{read.key} finns redan i listan."])
        organisations_store.insert_organisation(db, read.key, name, actor.email)
        audit_by(
            db,
            actor,
            "lägg till",
            "organisation",
            read.key,
            after={"organisationsnummer": read.key, "namn": name},
        )
    return read.key
