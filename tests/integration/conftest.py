"""Fixtures for the integration tests: the two seeded users most tests act as."""

from __future__ import annotations

import pytest

from portfolio.auth import User
from portfolio.db import Database
from tests.personas import persona


@pytest.fixture
def admin(seeded: Database) -> User:
    """The seeded admin (the e-strategist)."""
    return persona(seeded, "e-strateg@gns.example")


@pytest.fixture
def leader(seeded: Database) -> User:
    """LINK2's project leader in the seeded data."""
    return persona(seeded, "projektledare.link2@gns.example")
