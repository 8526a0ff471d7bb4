"""SMTP settings from the environment or from a TOML file named by the environment.

`PORTFOLJ_SMTP_HOST`, `_PORT`, `_USER`, `_PASSWORD`, `_STARTTLS` and `_FROM`; or
`PORTFOLJ_SMTP_CONFIG=/etc/portfolj/smtp.toml` with an `[smtp]` table of the same names in lower
case (`from` for the sender). The environment wins over the file. The password is never shown.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio.errors import InvalidInputError

PREFIX = "PORTFOLJ_SMTP_"
CONFIG_ENV = "PORTFOLJ_SMTP_CONFIG"
KEYS = ("host", "port", "user", "password", "starttls", "from")
TRUE = {"1", "true", "ja", "yes", "on"}
FALSE = {"0", "false", "nej", "no", "off"}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how reminders are sent; `password` stays out of repr and every message."""

    host: str
    port: int
    sender: str
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """The settings in a reader's words, without the password."""
        tls = "med STARTTLS" if self.starttls else "utan STARTTLS"
        login = f", inloggning som {self.user}" if self.user else ", utan inloggning"
        return f"{self.host}:{self.port} {tls}{login}, avsändare {self.sender}"


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError([f"SMTP-inställningarna i {path} kan inte läsas: {exc.strerror}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError([f"SMTP-inställningarna i {path} är ingen giltig TOML-fil: {exc}"]) from exc
    table = data.get("smtp", data)
    if not isinstance(table, dict):
        raise InvalidInputError([f"SMTP-inställningarna i {path} saknar tabellen [smtp]"])
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInputError(
            [f"Okänd inställning i {path}: {', '.join(unknown)} (giltiga: {', '.join(KEYS)})"]
        )
    return dict(table)


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidInputError([f"{name} ska vara ja eller nej (true/false, 1/0), inte {value!s}"])


def load(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The configured settings, or None when no SMTP host is configured (reminders then appear
    only in Att göra)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if env.get(CONFIG_ENV):
        values.update(_from_file(Path(env[CONFIG_ENV])))
    for key in KEYS:
        found = env.get(PREFIX + key.upper())
        if found not in (None, ""):
            values[key] = found
    host = str(values.get("host") or "").strip()
    if not host:
        return None
    starttls = _flag(values.get("starttls", True), PREFIX + "STARTTLS")
    port_value = values.get("port", 587 if starttls else 25)
    try:
        port = int(port_value)
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise InvalidInputError([f"{PREFIX}PORT ska vara ett portnummer 1–65535, inte {port_value!s}"])
    user = str(values["user"]).strip() if values.get("user") else None
    password = str(values["password"]) if values.get("password") else None
    if password and not user:
        raise InvalidInputError([f"{PREFIX}PASSWORD är angivet men inte {PREFIX}USER"])
    sender = str(values.get("from") or (user if user and "@" in user else f"portfolj@{host}")).strip()
    if "@" not in sender:
        raise InvalidInputError([f"{PREFIX}FROM ska vara en e-postadress, inte {sender}"])
    return SmtpSettings(host=host, port=port, sender=sender, starttls=starttls, user=user, password=password)
