"""Tables of ledger: the only module that reads and writes them."""

from __future__ import annotations

from portfolio.db import Migrations

MIGRATIONS = Migrations("ledger")
