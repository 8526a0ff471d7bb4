"""Seed of lifecycle: validate the data file, then insert what is missing."""

from __future__ import annotations

from pathlib import Path

from portfolio.auth import User
from portfolio.db import Database


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing seed records (inside the caller's transaction); counts per kind."""
    return {}
