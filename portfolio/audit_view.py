"""Which audit entries a user may see."""

from __future__ import annotations

import polars as pl

from portfolio.auth import Role, User
from portfolio.store import AuditQuery
from portfolio.textsafe import escape_frame

# Account entries (logins, passwords set) are the secretariat's business, except one's own.
PRIVATE_ENTITIES = ("användare",)


def visible_to(query: AuditQuery, user: User) -> AuditQuery:
    """Admin sees every entry; others all but other people's account entries."""
    if user.role is Role.ADMIN:
        return query
    return AuditQuery(**{**query.__dict__, "hide_entities_except_own": (PRIVATE_ENTITIES, str(user.id))})


def csv_export(table: pl.DataFrame) -> bytes:
    """The log as CSV for Swedish Excel: semicolons, UTF-8 with BOM, text cells never run as formulas."""
    return escape_frame(table).write_csv(separator=";").encode("utf-8-sig")
