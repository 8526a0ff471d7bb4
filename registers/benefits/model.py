"""What a valid benefit, measurement and money value is; every message in Swedish."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from portfolio import clock
from portfolio.models import Model, NonEmpty, Ore, PartyCode, Printable, WindowsNewlines
from portfolio.money import MAX_ORE, THIN_SPACE, format_kr, format_number
from registers.benefits.logic import DEFAULT_RATE_ORE_PER_HOUR, money_value_ore

Direction = Literal["högre", "lägre"]
Kind = Literal["effektmål", "nytta"]
KINDS: tuple[Kind, ...] = ("effektmål", "nytta")
DIRECTIONS: dict[str, str] = {"högre": "högre är bättre", "lägre": "lägre är bättre"}
MAX_DECIMALS = 6
# A measured value's bound, either sign: room for any indicator (days, kronor, patients),
# and within the 28 digits of exact Decimal arithmetic.
MAX_MEASURED = Decimal(10) ** 12
MAX_HOURS = 10_000_000  # saved hours in one year: several thousand full-time staff
Text = Annotated[str, WindowsNewlines, Field(max_length=2000), Printable]


def parse_number(value: Any) -> Decimal:
    """A measured value as an exact Decimal: `3,5`, `1 200`, `−2` or a number; else ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError("måste vara ett tal")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))  # as written (0.1), not its binary neighbour
    elif isinstance(value, str):
        text = value.strip().replace(THIN_SPACE, "").replace("\xa0", "").replace(" ", "")
        text = text.replace("\u2212", "-").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"'{value}' är inget tal; skriv till exempel 12 eller 3,5") from None
    else:
        raise ValueError("måste vara ett tal")
    if not number.is_finite():
        raise ValueError(f"'{value}' är inget ändligt tal")
    if abs(number) > MAX_MEASURED:
        raise ValueError(f"'{value}' är för stort; högst ±{format_number(MAX_MEASURED)}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise ValueError(f"'{value}' har fler än {MAX_DECIMALS} decimaler")
    # 10.00 → 10 (not 1E+1); 3.50 → 3.5: the stored text stays plain.
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def number_text(value: Decimal | str | None) -> str:
    """A stored value as Swedish text: decimal comma, no trailing zeros (`3,5`, `12`)."""
    if value is None:
        return "–"
    number = Decimal(value)
    text = f"{number.normalize():f}" if number != 0 else "0"
    return text.replace("-", "\u2212").replace(".", ",")


Measured = Annotated[Decimal, BeforeValidator(parse_number)]


class Point(Model):
    """A dated value: the baseline (nollmätning) or the target (målvärde)."""

    date: dt.date
    value: Measured


class BenefitInput(Model):
    """A benefit or effect goal as the project leader enters it."""

    kind: Kind = "effektmål"
    title: Annotated[NonEmpty, Field(max_length=500)]
    indicator: Annotated[str, Field(max_length=500), Printable] | None = None
    unit: Annotated[str, Field(max_length=100), Printable] | None = None
    direction: Direction | None = None
    baseline: Point | None = None
    target: Point | None = None
    owner: Annotated[str, Field(max_length=200), Printable] | None = None
    owner_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    parties: tuple[PartyCode, ...] = ()
    monetary: bool = False
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: (None if key != "title" and isinstance(value, str) and not value.strip() else value)
                for key, value in data.items()
            }
        return data

    @model_validator(mode="after")
    def _plan_is_complete(self) -> BenefitInput:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("En part får bara anges en gång")
        if self.owner_email and not self.owner:
            raise ValueError("Ange nyttoägarens namn när du anger en e-postadress")
        if self.baseline is None and self.target is None:
            return self
        if self.baseline is None or self.target is None:
            raise ValueError("Ange både nollmätning och målvärde (datum och värde), eller inget av dem")
        missing = [
            label
            for label, value in (
                ("indikator", self.indicator),
                ("enhet", self.unit),
                ("riktning", self.direction),
            )
            if not value
        ]
        if missing:
            raise ValueError("En nytta med nollmätning och mål behöver också " + ", ".join(missing))
        if self.target.date <= self.baseline.date:
            raise ValueError("Måldatum måste vara efter nollmätningens datum")
        if self.target.value == self.baseline.value:
            raise ValueError(
                "Målvärdet får inte vara samma som nollmätningens värde; ange den förändring som ska uppnås"
            )
        if (self.target.value > self.baseline.value) != (self.direction == "högre"):
            raise ValueError(
                f"Målvärdet måste vara {self.direction} än nollmätningens värde "
                f"när {self.direction} är bättre"
            )
        return self

    @property
    def has_plan(self) -> bool:
        return self.baseline is not None and self.target is not None


class MeasurementInput(Model):
    """One measurement of a benefit's indicator; it may come long after the project closed."""

    measured_on: dt.date
    value: Measured
    comment: Text = ""
    source: Annotated[str, Field(max_length=500), Printable] = ""

    @model_validator(mode="after")
    def _not_in_future(self) -> MeasurementInput:
        if self.measured_on > clock.today():
            raise ValueError("Mätdatum kan inte ligga i framtiden")
        return self


def _blank_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class BenefitValueInput(Model):
    """A benefit's money value for one year: kronor directly, or hours saved × a rate per hour."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    amount: Annotated[Ore | None, BeforeValidator(_blank_none)] = None
    hours: Annotated[Measured | None, BeforeValidator(_blank_none)] = None
    # Defaults are not validated, so the default is already in öre (450 kr per hour).
    rate: Annotated[Ore, BeforeValidator(_blank_none)] = DEFAULT_RATE_ORE_PER_HOUR
    party: PartyCode | None = None
    comment: Text = ""

    @model_validator(mode="after")
    def _one_way_of_valuing(self) -> BenefitValueInput:
        if (self.amount is None) == (self.hours is None):
            raise ValueError("Ange antingen ett belopp i kronor eller antal sparade timmar, inte båda")
        if self.amount is not None and self.amount < 0:
            raise ValueError("Beloppet får inte vara negativt")
        if self.hours is not None and self.hours < 0:
            raise ValueError("Antalet timmar får inte vara negativt")
        if self.rate < 0:
            raise ValueError("Timkostnaden får inte vara negativ")
        if self.hours is not None and self.hours > MAX_HOURS:
            raise ValueError(f"Antalet sparade timmar får vara högst {format_number(MAX_HOURS)} per år")
        if self.value_ore > MAX_ORE:
            raise ValueError(f"Värdet (timmar × timkostnad) får vara högst {format_kr(MAX_ORE)}")
        return self

    @property
    def value_ore(self) -> int:
        """The year's value in öre."""
        if self.amount is not None:
            return self.amount
        assert self.hours is not None
        return money_value_ore(self.hours, self.rate)
