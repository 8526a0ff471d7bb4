"""What a valid risk register, risk and action (åtgärd) is, with Swedish messages that say how to fix it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from portfolio import clock
from portfolio.models import Model, Printable, WindowsNewlines, error_text, parse
from registers.risks.scoring import SCALES, Thresholds, default_thresholds

BUILTIN_CATEGORIES = (
    "arbetsmiljö",
    "informationssäkerhet",
    "ekonomi",
    "tidplan",
    "leverantör",
    "juridik",
)


class RiskStatus(StrEnum):
    OPPEN = "öppen"
    HANTERAS = "hanteras"
    STANGD = "stängd"
    INTRAFFAD = "inträffad"


class ActionStatus(StrEnum):
    PLANERAD = "planerad"
    PAGAR = "pågår"
    KLAR = "klar"


def _choices(enum: type[StrEnum]) -> str:
    values = [e.value for e in enum]
    return ", ".join(values[:-1]) + " eller " + values[-1]


def _status(enum: type[StrEnum]) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        if value is None or not str(value).strip():
            raise ValueError(f"saknas; välj {_choices(enum)}")
        text = str(value).strip().lower()
        if text not in {e.value for e in enum}:
            raise ValueError(f"okänd status '{value}'; välj {_choices(enum)}")
        return enum(text)

    return check


def _level(value: Any) -> Any:
    """Probability and consequence: whole numbers 1–5 (the register's scale narrows it further)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' är ingen siffra; skriv en siffra från 1 till 5")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value} är inget heltal; skriv en siffra från 1 till 5")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise ValueError(f"'{value}' är ingen siffra; skriv en siffra från 1 till 5")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError(f"'{value}' är ingen siffra; skriv en siffra från 1 till 5")
    if not 1 <= value <= max(SCALES):
        raise ValueError(f"{value} ligger utanför skalan; skriv en siffra från 1 till 5")
    return value


def _required_level(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("saknas; skriv en siffra från 1 till 5")
    return _level(value)


def _optional_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _required_text(value: Any) -> Any:
    value = _optional_text(value)
    if value is None:
        raise ValueError("saknas men måste anges")
    return value


def _date(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' är inget datum; skriv ÅÅÅÅ-MM-DD, till exempel 2025-03-31") from None


_YES = {"ja", "j", "x", "sant", "true", "1", "yes"}
_NO = {"nej", "n", "falskt", "false", "0", "no", ""}


def _flag(value: Any) -> Any:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"'{value}' ska vara ja eller nej")


Level = Annotated[int, BeforeValidator(_required_level)]
OptionalLevel = Annotated[int | None, BeforeValidator(_level)]
Title = Annotated[str, BeforeValidator(_required_text), Field(min_length=1, max_length=200), Printable]
LongTitle = Annotated[
    str, WindowsNewlines, BeforeValidator(_required_text), Field(min_length=1, max_length=2000), Printable
]
Day = Annotated[date | None, BeforeValidator(_date)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Text = Annotated[
    Annotated[str, Field(max_length=4000), Printable] | None, WindowsNewlines, BeforeValidator(_optional_text)
]
Status = Annotated[RiskStatus, BeforeValidator(_status(RiskStatus))]
ActStatus = Annotated[ActionStatus, BeforeValidator(_status(ActionStatus))]


class RegisterInput(Model):
    """A project's risk register: name, category, its scale and band thresholds."""

    name: Title
    category: Text = None
    scale: int = 4
    yellow_from: int | None = None
    red_from: int | None = None
    description: Text = None

    @model_validator(mode="before")
    @classmethod
    def _default_thresholds(cls, data: Any) -> Any:
        scale = data.get("scale", 4) if isinstance(data, dict) else None
        # Only a plain whole number is looked up: `Decimal('sNaN') in SCALES` raises.
        if isinstance(scale, int) and not isinstance(scale, bool) and scale in SCALES:
            defaults = default_thresholds(scale)
            data = dict(data)
            if data.get("yellow_from") is None:
                data["yellow_from"] = defaults.yellow_from
            if data.get("red_from") is None:
                data["red_from"] = defaults.red_from
        return data

    @model_validator(mode="after")
    def _valid_scale_and_thresholds(self) -> RegisterInput:
        if self.scale not in SCALES:
            raise ValueError(f"Skalan måste vara 4 (4×4) eller 5 (5×5), inte {self.scale}")
        yellow, red = self.yellow_from or 0, self.red_from or 0
        try:
            Thresholds(yellow_from=yellow, red_from=red)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if red > self.scale * self.scale:
            raise ValueError(
                f"Gränsen för röd ({red}) är högre än skalans största riskvärde "
                f"({self.scale * self.scale}); sänk den"
            )
        return self

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(yellow_from=self.yellow_from or 0, red_from=self.red_from or 0)


class RiskInput(Model):
    """A risk as the user enters it; the service checks levels against the register's scale."""

    register_id: int
    title: Title
    description: Text = None
    cause: Text = None
    consequence_text: Text = None
    category: Text = None
    probability: Level
    consequence: Level
    residual_probability: OptionalLevel = None
    residual_consequence: OptionalLevel = None
    owner: Text = None
    status: Status = RiskStatus.OPPEN
    next_review: Day = None
    show_in_portfolio: Flag = False
    status_note: Text = None

    @model_validator(mode="after")
    def _residual_both_or_neither(self) -> RiskInput:
        if (self.residual_probability is None) != (self.residual_consequence is None):
            raise ValueError(
                "Ange både sannolikhet och konsekvens efter åtgärd, eller ingen av dem "
                "(restrisken är då inte bedömd)"
            )
        return self


class ActionInput(Model):
    """An action (åtgärd) on a risk."""

    description: LongTitle
    owner: Text = None
    due_date: Day = None
    status: ActStatus = ActionStatus.PLANERAD
    comment: Text = None


@dataclass(frozen=True)
class Register:
    """A stored risk register."""

    id: int
    project_id: int
    project_code: str
    name: str
    category: str | None
    scale: int
    yellow_from: int
    red_from: int
    description: str | None
    scale_source: str | None
    source: str | None
    version: int

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(yellow_from=self.yellow_from, red_from=self.red_from)


# Swedish names of the fields: in messages, forms, Excel headers and the history.
RISK_LABELS = {
    "id": "Id",
    "register_id": "Register",
    "register": "Register",
    "title": "Titel",
    "description": "Beskrivning",
    "cause": "Orsak",
    "consequence_text": "Konsekvensbeskrivning",
    "category": "Kategori",
    "probability": "Sannolikhet",
    "consequence": "Konsekvens",
    "residual_probability": "Sannolikhet efter åtgärd",
    "residual_consequence": "Konsekvens efter åtgärd",
    "owner": "Ägare",
    "status": "Status",
    "next_review": "Nästa uppföljning",
    "show_in_portfolio": "Visa i portföljen",
    "status_note": "Kommentar",
    "version": "Version",
}
ACTION_LABELS = {
    "id": "Id",
    "risk_id": "Risk-id",
    "description": "Beskrivning",
    "owner": "Ägare",
    "due_date": "Förfallodatum",
    "status": "Status",
    "comment": "Kommentar",
    "version": "Version",
}
REGISTER_LABELS = {
    "name": "Namn",
    "category": "Kategori",
    "scale": "Skala",
    "yellow_from": "Gul från",
    "red_from": "Röd från",
    "description": "Beskrivning",
}


def field_problems(error: ValidationError) -> list[tuple[str | None, str]]:
    """(field, Swedish message) for each problem in a ValidationError; field None for the whole record."""
    return [(str(err["loc"][0]) if err["loc"] else None, error_text(err)) for err in error.errors()]


def parse_risk(raw: dict[str, Any]) -> RiskInput:
    """A RiskInput from form or file values; InvalidInputError listing every problem otherwise."""
    return parse(RiskInput, raw, RISK_LABELS)


def parse_action(raw: dict[str, Any]) -> ActionInput:
    """An ActionInput from form or file values; InvalidInputError listing every problem otherwise."""
    return parse(ActionInput, raw, ACTION_LABELS)


def parse_register(raw: dict[str, Any]) -> RegisterInput:
    """A RegisterInput from form values; InvalidInputError listing every problem otherwise."""
    return parse(RegisterInput, raw, REGISTER_LABELS)


def scale_problems(risk: RiskInput, register: Register) -> list[tuple[str, str]]:
    """(field, message) for each level outside the register's scale."""
    problems = []
    for field in ("probability", "consequence", "residual_probability", "residual_consequence"):
        value = getattr(risk, field)
        if value is not None and not 1 <= value <= register.scale:
            problems.append(
                (
                    field,
                    f"{value} ligger utanför registrets skala; registret {register.name} har skalan "
                    f"{register.scale}×{register.scale}, så skriv en siffra från 1 till {register.scale}",
                )
            )
    return problems


def risk_values(risk: RiskInput, register: Register) -> dict[str, Any]:
    """The stored columns of a risk (category falls back to the register's)."""
    data = risk.model_dump(mode="json")
    data["category"] = risk.category.lower() if risk.category else register.category
    return data


# --- history -------------------------------------------------------------------------------------

_HISTORY_LABELS = {
    **REGISTER_LABELS,
    **RISK_LABELS,
    "due_date": "Förfallodatum",
    "comment": "Kommentar",
    "risk_id": "Risk",
    "score_source": "Värderingens källa",
    "scale_source": "Skalans källa",
}
_HIDDEN = {"version", "updated_at", "created_at", "project_id", "register_id", "risk_id", "id"}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nej"
    return str(value)


def describe_change(before: str | dict[str, Any] | None, after: str | dict[str, Any] | None) -> str:
    """What an audit row changed, in words: "Sannolikhet: 3 → 4; Status: öppen → hanteras"."""
    old = json.loads(before) if isinstance(before, str) else (before or {})
    new = json.loads(after) if isinstance(after, str) else (after or {})
    order = list(_HISTORY_LABELS)
    new = dict(sorted(new.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    if not old:
        fields = [k for k in new if k not in _HIDDEN and new[k] not in (None, "", False)]
        return "; ".join(f"{_HISTORY_LABELS.get(k, k)}: {_shown(new[k])}" for k in fields)
    changed = [k for k in new if k not in _HIDDEN and old.get(k) != new.get(k)]
    return "; ".join(
        f"{_HISTORY_LABELS.get(k, k)}: {_shown(old.get(k))} → {_shown(new.get(k))}" for k in changed
    )


def current_values_text(row: dict[str, Any]) -> str:
    """The stored values of a risk or an action as one line, for a stale-edit message."""
    parts = [f"{_HISTORY_LABELS.get(k, k)}: {_shown(v)}" for k, v in row.items() if k not in _HIDDEN]
    return "; ".join(parts)


def now() -> str:
    """Time stamp for created_at/updated_at: UTC, as every stored time (`clock.now`)."""
    return clock.now()
