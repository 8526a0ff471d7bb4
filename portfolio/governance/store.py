"""Tables of governance: the only module that reads and writes them."""

from __future__ import annotations

from portfolio.db import Migrations

MIGRATIONS = Migrations("governance")
