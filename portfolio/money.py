"""Exact money: integer öre in storage and arithmetic, Swedish text on screen."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Swedish typography: narrow no-break space between thousands, a real minus sign.
THIN_SPACE = "\u202f"
MINUS = "\u2212"
# The largest amount portfolj keeps, either sign: a thousand billion kronor is far above any
# municipal budget and, in öre, ~92 000 times below where a 64-bit sum would overflow.
MAX_KRONOR = 10**12
MAX_ORE = MAX_KRONOR * 100
# What one import's amounts may sum to (absolute values): reports add up a handful of imports,
# so no sum comes near 2**63 öre and nothing wraps.
MAX_IMPORT_ORE = 1000 * MAX_ORE


def to_ore(value: int | str | Decimal) -> int:
    """Convert kronor (int, Decimal or a string such as "5 212,50") to integer öre exactly.

    ValueError (in Swedish) for text that is no amount, for infinity and NaN, for more than two
    decimals and for amounts beyond ±`MAX_KRONOR`.
    """
    if isinstance(value, bool | float):
        raise TypeError("Belopp får inte anges som flyttal; använd heltal, Decimal eller text.")
    written = value
    if isinstance(value, int):
        _check_bound(value, written)
        return value * 100
    if isinstance(value, str):
        text = (
            value.strip()
            .replace(THIN_SPACE, "")
            .replace("\xa0", "")
            .replace(" ", "")
            .replace(MINUS, "-")
            .removesuffix("kr")
            .replace(",", ".")
        )
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"'{value}' är inget belopp") from exc
    if not value.is_finite():
        raise ValueError(
            f"'{_shown(written)}' är inget belopp; skriv ett tal i kronor, till exempel 1 234,50"
        )
    _check_bound(value, written)
    ore = value * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"Beloppet {value} har fler än två decimaler")
    return int(ore)


def _shown(written: int | str | Decimal) -> str:
    """What the user wrote, shortened for a message (a 5 000-digit number is not repeated)."""
    if isinstance(written, int) and abs(written) > 10**30:
        return "ett tal med fler än 30 siffror"
    text = str(written).strip()
    return text if len(text) <= 30 else f"{text[:20]}…"


def _check_bound(kronor: int | Decimal, written: int | str | Decimal) -> None:
    if not -MAX_KRONOR <= kronor <= MAX_KRONOR:
        raise ValueError(
            f"Beloppet {_shown(written)} är utanför det högsta tillåtna, ±{format_number(MAX_KRONOR)} kr"
        )


def ore_to_kronor(ore: int) -> Decimal:
    """Integer öre as an exact Decimal amount of kronor."""
    return Decimal(ore) / 100


def _group(digits: str) -> str:
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return THIN_SPACE.join(parts)


def _sign(negative: bool) -> str:
    return MINUS if negative else ""


def format_number(value: int | Decimal, decimals: int = 0) -> str:
    """Swedish number text: thin-space thousands, decimal comma, real minus sign."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    text = _group(whole)
    if decimals:
        text += "," + frac
    return _sign(negative and rounded != 0) + text


def format_kr(ore: int | None, *, empty: str = "–") -> str:
    """`3 489 986 kr`; öre are shown only when there are any (`5 212,50 kr`)."""
    if ore is None:
        return empty
    decimals = 0 if ore % 100 == 0 else 2
    return f"{format_number(ore_to_kronor(ore), decimals)} kr"


def format_whole_kr(ore: int | None, *, empty: str = "–") -> str:
    """`129 720 kr` for `129 720,21 kr`: whole kronor (half away from zero) where öre carry no meaning
    to the reader, such as a computed share; the öre stay in the data and in exports."""
    if ore is None:
        return empty
    kronor = int((Decimal(ore) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{format_number(kronor)} kr"


def to_tkr(ore: int) -> int:
    """Whole thousands of kronor, rounded half away from zero as the annual report does."""
    return int((Decimal(ore) / 100_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_tkr(ore: int | None, *, empty: str = "–", signed: bool = False) -> str:
    """`−219 tkr`; with signed=True a positive value gets a plus sign (`+23 tkr`)."""
    if ore is None:
        return empty
    tkr = to_tkr(ore)
    text = format_number(tkr)
    if signed and tkr > 0:
        text = "+" + text
    if signed and tkr == 0:
        text = "±0"
    return f"{text} tkr"


def kronor_json(ore: int | None) -> int | float | None:
    """Kronor as a JSON number: an integer when whole, else two decimals."""
    if ore is None:
        return None
    if ore % 100 == 0:
        return ore // 100
    return float(ore_to_kronor(ore))
