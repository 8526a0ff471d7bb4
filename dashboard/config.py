"""Where the database lives: --db, else $PORTFOLJ_DB, else data/portfolj.db."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_DB = Path("data") / "portfolj.db"
DEFAULT_PORT = 8501


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database path the user asked for, in order of precedence."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PORTFOLJ_DB")
    return Path(env) if env else DEFAULT_DB


def checked_at_start(path: str) -> bool:
    """Whether `portfolj serve` checked this very file in full just before it started the server
    (it names the file in PORTFOLJ_DB_CHECKED); a server started otherwise checks it itself."""
    return os.environ.get("PORTFOLJ_DB_CHECKED") == path


def demo_mode() -> bool:
    """Demo mode (one-click personas) is on only when the server was started with --demo."""
    return os.environ.get("PORTFOLJ_DEMO") == "1"


def _positive(name: str, default: float) -> float:
    """A positive number from the environment (a decimal point allowed), else the default."""
    try:
        value = float(os.environ.get(name, str(default)))
    except ValueError:
        return default
    return value if value > 0 and value != float("inf") else default


def idle_timeout_minutes() -> float:
    """Minutes of inactivity that end a login session (PORTFOLJ_IDLE_MINUTES, default 30).

    Fractions are allowed, so a test can run a server whose sessions end after seconds.
    """
    return _positive("PORTFOLJ_IDLE_MINUTES", 30)


def session_hours() -> float:
    """Hours a login session lives at most, however active (PORTFOLJ_SESSION_HOURS, default 12)."""
    return _positive("PORTFOLJ_SESSION_HOURS", 12)


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` (where the server starts) configures OIDC login ([auth])."""
    path = Path(".streamlit") / "secrets.toml"
    if not path.exists():
        return False
    try:
        return "auth" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
