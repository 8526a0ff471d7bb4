"""Pydantic models of the core: what a valid party, project, budget line or meeting is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from portfolio.errors import InvalidInputError
from portfolio.money import format_number, to_ore
from portfolio.textsafe import control_problem, normalise_newlines


class Model(BaseModel):
    """Frozen, strict about unknown fields: a typo in a seed file is an error, not a silent drop."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _encodable_text(cls, data: Any) -> Any:
        # A lone surrogate cannot be stored or even repeated in a message (pydantic's own code
        # fails on it), so it is refused before any field validator sees it.
        if isinstance(data, dict):
            for key, value in data.items():
                values = value if isinstance(value, list | tuple) else (value,)
                if any(isinstance(v, str) and _SURROGATE_RE.search(v) for v in values):
                    raise ValueError(
                        f"fältet '{key}' innehåller tecken som inte går att läsa (ogiltig Unicode)"
                    )
        return data


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _ore_from_kronor(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        raise ValueError("belopp får inte vara flyttal; skriv heltal kronor eller text '12.50'")
    if isinstance(value, int | str | Decimal):
        return to_ore(value)
    return value


# Amounts arrive in kronor (as the documents write them) and are kept as integer öre, at most
# ±MAX_KRONOR (`to_ore` refuses more, and infinity and NaN, in Swedish).
Ore = Annotated[int, BeforeValidator(_ore_from_kronor)]

# --- text -------------------------------------------------------------------------------------

LINE_MAX = 200
TEXT_MAX = 10_000


def _newlines(value: Any) -> Any:
    return normalise_newlines(value) if isinstance(value, str) else value


def _printable(value: str) -> str:
    problem = control_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("får bara vara en rad; ta bort radbrytningen")
    return value


# Reusable markers for Annotated text fields with their own maximum:
# `Annotated[str, Field(max_length=500), Printable]`.
Printable = AfterValidator(_printable)
OneLine = AfterValidator(_one_line)
WindowsNewlines = BeforeValidator(_newlines)

# A one-line text (a name, a title, a place) and a multi-line text (a comment, a reason): both
# refuse control characters other than newline and tab, and both have a stated maximum.
Line = Annotated[str, Field(max_length=LINE_MAX), Printable, OneLine]
NonEmptyLine = Annotated[str, Field(min_length=1, max_length=LINE_MAX), Printable, OneLine]
Text = Annotated[str, WindowsNewlines, Field(max_length=TEXT_MAX), Printable]

DIARIENUMMER_RE = re.compile(r"^[A-ZÅÄÖ]+/\d+/\d{4}$")
CODE_RE = re.compile(r"^([A-ZÅÄÖ]+/\d+/\d{4}|\d{3,8}|[A-ZÅÄÖ][A-ZÅÄÖ0-9-]{1,30})$")


def _check_code(value: str) -> str:
    if not CODE_RE.match(value):
        raise ValueError(
            f"'{value}' är inget giltigt ärendenummer: skriv diarienummer som GNS/8/2018, "
            "ett objektnummer som 6663 eller en kort kod med versaler som INFO-ATLAS"
        )
    return value


def _check_diarienummer(value: str) -> str:
    if not DIARIENUMMER_RE.match(value):
        raise ValueError(f"'{value}' är inget diarienummer: skriv till exempel GNS/8/2018")
    return value


Diarienummer = Annotated[str, AfterValidator(_check_diarienummer)]
CaseCode = Annotated[str, AfterValidator(_check_code)]
PartyCode = Annotated[str, Field(pattern=r"^[A-Z]{2,12}$")]
NonEmpty = Annotated[str, Field(min_length=1), Printable]


class DocRef(Model):
    """Where a record comes from: a seed document and its § or section."""

    doc: NonEmpty
    ref: Text | None = None

    def text(self) -> str:
        return f"{self.doc}, {self.ref}" if self.ref else self.doc


ILLUSTRATIVE = "illustrativ"
Source = Literal["illustrativ"] | DocRef


def source_text(source: Source | None) -> str:
    """One line of text for a source: the document and § or "illustrativ"."""
    if source is None:
        return ""
    return source if isinstance(source, str) else source.text()


class Phase(StrEnum):
    IDE = "idé"
    FORSTUDIE = "förstudie"
    GENOMFORANDE = "genomförande"
    FORVALTNING = "förvaltning"
    AVSLUTAD = "avslutad"


class Status(StrEnum):
    """Traffic-light status with a symbol and a word, so colour never carries it alone."""

    GRON = "grön"
    GUL = "gul"
    ROD = "röd"

    @property
    def symbol(self) -> str:
        return {"grön": "●", "gul": "▲", "röd": "■"}[self.value]

    @property
    def label(self) -> str:
        return {"grön": "Enligt plan", "gul": "Risk för avvikelse", "röd": "Avviker"}[self.value]

    @property
    def display(self) -> str:
        return f"{self.symbol} {self.value.capitalize()} – {self.label}"


class CaseKind(StrEnum):
    PROJEKT = "projekt"
    FORSTUDIE = "förstudie"
    ARENDE = "ärende"
    DRIFT = "drift"


class Party(Model):
    code: PartyCode
    name: NonEmpty
    kind: Literal["region", "kommun"]
    population: dict[int, Annotated[int, Field(gt=0)]] | None = None
    source: Source
    name_source: Source | None = None
    note: Text | None = None


class Person(Model):
    name: NonEmpty
    organisation: Text | None = None


class MilestoneChange(Model):
    changed_on: date | None = None
    new_date: date
    reason: Text | None = None
    note: Text | None = None
    source: Source | None = None


class Milestone(Model):
    name: NonEmpty
    planned_date: date | None = None
    actual_date: date | None = None
    changes: tuple[MilestoneChange, ...] = ()
    note: Text | None = None
    source: Source | None = None

    @property
    def current_planned(self) -> date | None:
        return self.changes[-1].new_date if self.changes else self.planned_date


class Split(Model):
    """An amount and its split between the region and the municipalities."""

    total: Ore | None = None
    region: Ore | None = None
    kommunerna: Ore | None = None

    @property
    def rounding_difference(self) -> int | None:
        """What the document's total differs from its parts by (a rounding in the source)."""
        if self.total is None or (self.region is None and self.kommunerna is None):
            return None
        return self.total - (self.region or 0) - (self.kommunerna or 0)


class BudgetLine(Model):
    activity: NonEmpty
    kind: Literal["budget", "tillkommande"] = "budget"
    budget: Split | None = None
    outcome: Split | None = None
    note: Text | None = None
    source: Source


class BudgetTotals(Model):
    """The document's own totals of a budget table, checked against its lines."""

    budget: Split
    outcome: Split
    tillkommande_kr: Ore | None = None
    total_cost_kr: Ore | None = None
    note: Text | None = None
    source: Source | None = None


class Project(Model):
    code: CaseCode
    has_diarienummer: bool = True
    name: NonEmpty
    kind: CaseKind
    purpose: Text | None = None
    phase: Phase
    status: Status
    status_reason: Text | None = None
    owner_party: PartyCode | None = None
    financing_parties: tuple[PartyCode, ...] = ()
    object: Text | None = None
    leaders: tuple[Person, ...] = ()
    steering_group: tuple[Person, ...] = ()
    start_date: date | None = None
    planned_end_date: date | None = None
    actual_end_date: date | None = None
    milestones: tuple[Milestone, ...] = ()
    budget_lines: tuple[BudgetLine, ...] = ()
    budget_totals: BudgetTotals | None = None
    budget_kr: Ore | None = None
    actual_kr: Ore | None = None
    notes: Text | None = None
    source: Source

    @model_validator(mode="after")
    def _dates_in_order(self) -> Project:
        if self.start_date and self.planned_end_date and self.planned_end_date < self.start_date:
            raise ValueError("Slutdatum måste vara samma dag som eller efter startdatum")
        if self.has_diarienummer and not DIARIENUMMER_RE.match(self.code) and not self.code.isdigit():
            raise ValueError(
                f"'{self.code}' är inget diarienummer; sätt has_diarienummer: false för en kort kod"
            )
        return self


class AgendaItem(Model):
    number: Annotated[int, Field(ge=0)] | None = None
    number_kind: Literal["paragraf", "punkt"] = "paragraf"
    case: CaseCode | None = None
    title: NonEmpty
    summary: Text | None = None
    proposal: Text | None = None
    decision: Text | None = None
    documents: tuple[Text, ...] = ()
    related_cases: tuple[CaseCode, ...] = ()
    decision_differs: bool | None = None
    decision_note: Text | None = None
    decision_source: Source | None = None
    number_inferred: bool = False
    number_note: Text | None = None
    note: Text | None = None
    source: Source


class Meeting(Model):
    date: dt.date
    kind: Literal["sammanträde", "extra sammanträde"] = "sammanträde"
    place: Text | None = None
    time: Text | None = None
    chair: Text | None = None
    adjuster: Text | None = None
    members: Text | None = None
    justering_place: Text | None = None
    justering_date: dt.date | None = None
    anslag_up: dt.date | None = None
    anslag_down: dt.date | None = None
    minutes_in_seeds: bool = False
    paragraphs: Text | None = None
    moved_from: dt.date | None = None
    moved_reason: Text | None = None
    planned: bool = False
    items: tuple[AgendaItem, ...] = ()
    note: Text | None = None
    source: Source

    @model_validator(mode="after")
    def _unique_numbers(self) -> Meeting:
        seen: set[tuple[str, int]] = set()
        for item in self.items:
            if item.number is None:
                continue
            key = (item.number_kind, item.number)
            if key in seen:
                sign = "§" if item.number_kind == "paragraf" else "punkt "
                raise ValueError(f"{sign}{item.number} förekommer två gånger i mötet {self.date}")
            seen.add(key)
        return self


M = TypeVar("M", bound=BaseModel)


def parse(
    model: type[M], data: Mapping[str, Any], labels: Mapping[str, str] | None = None, *, where: str = ""
) -> M:
    """Validate form, file or command-line values as `model`; otherwise InvalidInputError with
    `validation_messages`' Swedish lines (fields named by `labels`, each line led by `where`)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInputError(validation_messages(exc, where, labels)) from exc


def validation_messages(
    error: ValidationError, where: str = "", labels: Mapping[str, str] | None = None
) -> list[str]:
    """Turn a pydantic ValidationError into readable Swedish lines naming each field.

    A field with a Swedish label in `labels` is named by it ("Plats: …"), others as "fältet
    'place': …". One line per field: the alternatives of a union (a source that is neither
    "illustrativ" nor a document reference) give one message, not one per alternative.
    """
    messages: list[str] = []
    seen: set[str] = set()
    for err in error.errors():
        loc = error_field(err)
        if loc in seen:
            continue
        seen.add(loc)
        prefix = f"{where}: " if where else ""
        label = (labels or {}).get(loc.split(".")[0])
        field = f"{label}: " if label else (f"fältet '{loc}': " if loc else "")
        messages.append(f"{prefix}{field}{error_text(err)}")
    return messages


def error_field(err: ErrorDetails) -> str:
    """The field an error is about, as `items.2.title`: pydantic's union branch tags left out."""
    return ".".join(str(p) for p in err["loc"] if p != "__root__" and not _branch_tag(p))


def _branch_tag(part: str | int) -> bool:
    # Union branches are named like `literal['illustrativ']`, `function-after[…]` or `DocRef`;
    # field names are lower case, list indexes numbers, and dict keys such as BRACKE all capitals.
    if not isinstance(part, str):
        return False
    return "[" in part or "-" in part or (part[:1].isupper() and not part.isupper())


def error_text(err: ErrorDetails) -> str:
    """One pydantic error in Swedish, without the field: pydantic's own English never reaches a user."""
    kind = err["type"]
    if kind in ("value_error", "assertion_error"):
        return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("too_long", "too_short") and isinstance(err.get("input"), str):
        kind = f"string_{kind}"  # a length bound on text that pydantic checked after a validator
    ctx = {key: _ctx_text(value) for key, value in (err.get("ctx") or {}).items()}
    special = _SPECIAL.get((kind, ctx.get("ge") or ctx.get("gt") or ctx.get("min_length") or ""))
    template = special or _SWEDISH.get(kind) or _SWEDISH_PREFIX.get(kind.split("_")[0])
    if template is None:
        return "har ett ogiltigt värde"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip(" (")


def _ctx_text(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite() or abs(number) < 10_000:  # a year reads best without a space
            return str(value).replace("-", "\u2212")
        return format_number(number, 0 if number == number.to_integral_value() else 2)
    if isinstance(value, float):
        return _ctx_text(Decimal(str(value)))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace(" or ", " eller ")


_DATE = "är inget datum; skriv ÅÅÅÅ-MM-DD"
_NUMBER = "är inget tal; skriv till exempel 7,5"
_SWEDISH = {
    "missing": "saknas men måste anges",
    "extra_forbidden": "okänt fält (stavfel?)",
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "är inget datum (ange inget klockslag); skriv ÅÅÅÅ-MM-DD",
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_past": "måste ligga före dagens datum",
    "date_future": "måste ligga efter dagens datum",
    "datetime_parsing": "är ingen tidpunkt; skriv ÅÅÅÅ-MM-DD TT:MM",
    "datetime_type": "är ingen tidpunkt; skriv ÅÅÅÅ-MM-DD TT:MM",
    "datetime_from_date_parsing": "är ingen tidpunkt; skriv ÅÅÅÅ-MM-DD TT:MM",
    "time_parsing": "är ingen tid; skriv TT:MM",
    "time_type": "är ingen tid; skriv TT:MM",
    "int_parsing": "är inget heltal",
    "int_type": "är inget heltal",
    "int_from_float": "är inget heltal",
    "int_parsing_size": "är ett för stort tal",
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_max_digits": "har för många siffror (högst {max_digits})",
    "decimal_max_places": "har för många decimaler (högst {decimal_places})",
    "decimal_whole_digits": "har för många siffror före decimaltecknet (högst {whole_digits})",
    "finite_number": "måste vara ett ändligt tal (inte oändligt och inte NaN)",
    "string_type": "måste vara text",
    "string_sub_type": "måste vara text",
    "string_unicode": "innehåller tecken som inte går att läsa",
    "string_too_short": "måste vara minst {min_length} tecken",
    "string_too_long": "får vara högst {max_length} tecken",
    "string_pattern_mismatch": "har fel form",
    "too_short": "måste ha minst {min_length} värden",
    "too_long": "får ha högst {max_length} värden",
    "greater_than": "måste vara större än {gt}",
    "greater_than_equal": "måste vara minst {ge}",
    "less_than": "måste vara mindre än {lt}",
    "less_than_equal": "får vara högst {le}",
    "multiple_of": "måste vara en multipel av {multiple_of}",
    "enum": "har ett värde som inte är tillåtet; välj {expected}",
    "literal_error": "har ett värde som inte är tillåtet; välj {expected}",
    "bool_parsing": "ska vara ja eller nej",
    "bool_type": "ska vara ja eller nej",
    "none_required": "ska vara tomt",
    "frozen_instance": "kan inte ändras",
    "frozen_field": "kan inte ändras",
    "json_invalid": "är ingen giltig JSON",
    "union_tag_invalid": "har ett värde som inte är tillåtet",
    "union_tag_not_found": "saknar uppgift om vilken sort det är",
    "model_type": "har fel form",
    "model_attributes_type": "har fel form",
    "dataclass_type": "har fel form",
    "is_instance_of": "har fel typ",
    "is_subclass_of": "har fel typ",
    "callable_type": "har fel typ",
    "list_type": "måste vara en lista",
    "tuple_type": "måste vara en lista",
    "set_type": "måste vara en lista",
    "frozen_set_type": "måste vara en lista",
    "iterable_type": "måste vara en lista",
    "dict_type": "har fel form",
    "mapping_type": "har fel form",
    "bytes_type": "måste vara en fil eller text",
    "bytes_too_short": "är för kort",
    "bytes_too_long": "är för lång",
}
# By the first word of the type, for pydantic's rarer errors (url_parsing, uuid_version, …).
_SWEDISH_PREFIX = {
    "url": "är ingen giltig webbadress",
    "uuid": "är inget giltigt id",
    "date": _DATE,
    "datetime": "är ingen tidpunkt; skriv ÅÅÅÅ-MM-DD TT:MM",
    "decimal": _NUMBER,
    "float": _NUMBER,
    "int": "är inget heltal",
    "string": "har fel form",
}
# The usual bounds, in words: "får inte vara negativt" is right for ≥ 0 only, never for a year.
_SPECIAL = {
    ("greater_than_equal", "0"): "får inte vara negativt",
    ("greater_than", "0"): "måste vara större än noll",
    ("string_too_short", "1"): "får inte vara tomt",
    ("too_short", "1"): "får inte vara tom; välj minst ett",
}
