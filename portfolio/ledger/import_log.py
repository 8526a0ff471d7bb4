"""The bookkeeping every ledger import shares: its log row, opened and filled in, and its audit.

The SIE import (`sie_import.py`) and the table import (`csv_import.py`) check the acting user's
rights first and call these inside their write transaction.
"""

from __future__ import annotations

from typing import Any

from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.ledger import imports_store


def start_import(
    db: Database,
    actor: User,
    kind: str,
    file_name: str,
    fingerprint: str,
    *,
    organisation: str,
    pdim: str,
    allow_unbalanced: bool,
) -> int:
    """Open a ledger import's log row in the acting user's name; `finish_import` fills it in."""
    return imports_store.insert_import(
        db,
        kind=kind,
        file_name=file_name,
        fingerprint=fingerprint,
        user_id=actor.id,
        user_email=actor.email,
        organisation=organisation,
        project_dimension=pdim,
        allow_unbalanced=allow_unbalanced,
    )


def finish_import(
    db: Database,
    actor: User,
    import_id: int,
    log: dict[str, Any],
    *,
    facts: dict[str, Any],
    counts: dict[str, Any] | None = None,
) -> None:
    """Fill in an import's log and audit it: the file's `facts`, the log but its warnings, then `counts`."""
    imports_store.finish_import(db, import_id, log)
    audit_by(
        db,
        actor,
        "importera",
        "huvudbok",
        import_id,
        after={**facts, **{k: v for k, v in log.items() if k != "warnings"}, **(counts or {})},
    )
