"""Which audit entries a user may see."""

from __future__ import annotations

import polars as pl

from portfolio.auth import Role, User

# Account entries (logins, passwords set) are the secretariat's business, except one's own.
PRIVATE_ENTITIES = ("användare",)


def visible_to(log: pl.DataFrame, user: User) -> pl.DataFrame:
    """Admin sees every entry; others all but other people's account entries."""
    if user.role is Role.ADMIN:
        return log
    own = pl.col("entity_id") == str(user.id)
    return log.filter(~pl.col("entity").is_in(PRIVATE_ENTITIES) | own)
