"""How every command opens its database: checked first, never migrated, never created."""

from __future__ import annotations

import os

from dashboard import config
from portfolio.db import Database
from registers.database import check_database, open_database


def open_checked(explicit: str | os.PathLike[str] | None = None) -> Database:
    """The command's database after a quick integrity and schema check (DatabaseDamagedError).

    A damaged, empty or foreign file is refused with the message `serve` gives; a missing file
    or an older schema is refused with what to run (`portfolj seed` creates and upgrades).
    """
    path = config.db_path(explicit)
    check_database(path)
    return open_database(path, migrate=False)
