"""Which audit entries a user may see."""

from __future__ import annotations

from portfolio.auth import Role, User
from portfolio.store import AuditQuery

# Account entries (logins, passwords set) are the secretariat's business, except one's own.
PRIVATE_ENTITIES = ("användare",)


def visible_to(query: AuditQuery, user: User) -> AuditQuery:
    """Admin sees every entry; others all but other people's account entries."""
    if user.role is Role.ADMIN:
        return query
    return AuditQuery(**{**query.__dict__, "hide_entities_except_own": (PRIVATE_ENTITIES, str(user.id))})
