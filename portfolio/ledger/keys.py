"""Allocation keys per year in the database, versioned populations, and statements per party.

A key is stored as a validated specification (equal shares, population, custom shares, a
named payer, or LINK2's two levels); `resolve_key` turns it into a `portfolio.allocation`
key with the populations in force. An item says what a year allocates (an amount, the base
funding, a project's budget, a budget line or an object's ledger outcome) and by which key.
Every split ends in the largest-remainder method, so parts sum to the whole to the öre.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, TypeAdapter, ValidationError, model_validator

from portfolio import store as core_store
from portfolio.allocation import (
    AllocationKey,
    ByPopulation,
    CustomShares,
    EqualShares,
    NamedPayer,
    TwoLevel,
    allocate,
)
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError, NotFoundError, StaleEditError
from portfolio.ledger import columns_store, keys_store, reports
from portfolio.models import Line, Model, OneLine, Ore, Printable, Text, validation_messages
from portfolio.money import format_kr, to_ore
from portfolio.periods import Period

__all__ = [
    "AllocationItemInput",
    "KeyInput",
    "KeySpec",
    "PartyAmount",
    "allocate_item",
    "apply_spec",
    "delete_item",
    "item_amount",
    "key_text",
    "party_statement",
    "resolve_key",
    "save_item",
    "save_key",
    "set_population",
    "spec_from_form",
    "spec_from_json",
]

PartyCode = Annotated[str, Field(pattern=r"^[A-Z]{2,12}$")]
# A share or a weight in a key: any agreed numbers, but within what exact arithmetic keeps exact.
MAX_WEIGHT = 10**9


class EqualSpec(Model):
    """Equal shares among the listed parties (all parties when none are listed)."""

    kind: Literal["lika"] = "lika"
    parties: tuple[PartyCode, ...] = ()


class PopulationSpec(Model):
    """By population of `population_year` (1 November the year before), among the municipalities."""

    kind: Literal["befolkning"] = "befolkning"
    population_year: int = Field(ge=1900, le=2100)
    parties: tuple[PartyCode, ...] = ()


class SharesSpec(Model):
    """Agreed shares (by benefit or usage); any positive numbers, they need not sum to 100."""

    kind: Literal["andelar"] = "andelar"
    shares: dict[PartyCode, Annotated[Decimal, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]]

    @model_validator(mode="after")
    def _some(self) -> SharesSpec:
        if not self.shares or sum(self.shares.values()) <= 0:
            raise ValueError("Minst en part måste ha en andel större än noll")
        return self


class PayerSpec(Model):
    """One named party pays everything."""

    kind: Literal["betalare"] = "betalare"
    party: PartyCode


SecondLevel = Annotated[EqualSpec | PopulationSpec | SharesSpec, Field(discriminator="kind")]


class TwoLevelSpec(Model):
    """First split by `first` (e.g. region / kommunerna), then the `group` part by `then`."""

    kind: Literal["tvåsteg"] = "tvåsteg"
    first: dict[Annotated[str, Field(max_length=80), Printable], Annotated[int, Field(ge=0, le=MAX_WEIGHT)]]
    group: Annotated[str, Field(max_length=80), Printable] = "kommunerna"
    then: SecondLevel
    basis: Text | None = None

    @model_validator(mode="after")
    def _group_present(self) -> TwoLevelSpec:
        if self.group not in self.first:
            raise ValueError(f"Gruppen '{self.group}' måste finnas i den första fördelningen")
        if sum(self.first.values()) <= 0:
            raise ValueError("Den första fördelningen måste ha vikter större än noll")
        return self


KeySpec = Annotated[
    EqualSpec | PopulationSpec | SharesSpec | PayerSpec | TwoLevelSpec, Field(discriminator="kind")
]
_SPEC = TypeAdapter(KeySpec)

KIND_LABELS = {
    "lika": "Lika delar",
    "befolkning": "Befolkning",
    "andelar": "Egna andelar (nytta/användning)",
    "betalare": "Namngiven betalare",
    "tvåsteg": "Två steg (region/kommuner, sedan befolkning)",
}


def spec_from_form(
    kind: str,
    chosen_parties: list[str],
    population_year: float,
    shares_text: str,
    payer: str | None,
    region_weight: str,
    municipal_weight: str,
) -> dict[str, Any]:
    """The specification the new-key form's fields describe, before `KeyInput` validates it.

    Only the fields the kind uses are taken; a two-level key splits between the region (RJH) and
    the municipalities by the two amounts, then among the municipalities by population. Shares are
    written one a line as PARTKOD=tal (decimal comma allowed); a line that is not refuses the form.
    """
    new_spec: dict[str, Any] = {"kind": kind}
    if kind in ("lika", "befolkning"):
        new_spec["parties"] = chosen_parties
    if kind in ("befolkning", "tvåsteg"):
        target = new_spec if kind == "befolkning" else {}
        target.update({"kind": "befolkning", "population_year": int(population_year)})
        if kind == "tvåsteg":
            new_spec["first"] = {
                "RJH": to_ore(region_weight or "0"),
                "kommunerna": to_ore(municipal_weight or "0"),
            }
            new_spec["group"] = "kommunerna"
            new_spec["then"] = target
    if kind == "andelar":
        shares = {}
        for n, line in enumerate(shares_text.splitlines(), start=1):
            if line.strip():
                party_code, _, share_text = line.partition("=")
                try:
                    shares[party_code.strip().upper()] = Decimal(share_text.strip().replace(",", "."))
                except InvalidOperation:
                    raise InvalidInputError([f"Rad {n}: '{line}' ska skrivas PARTKOD=tal"]) from None
        new_spec["shares"] = shares
    if kind == "betalare":
        new_spec["party"] = payer
    return new_spec


def key_text(spec: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A key specification in words, parties by their names (`names`: code → name, all parties).

    Equal shares without a list of parties are shared by every party in `names`; a two-level key
    describes its first split, then its second level.
    """
    kind = spec.get("kind")
    if kind == "lika":
        parties = spec.get("parties") or list(names)
        return f"Lika delar mellan {len(parties)} parter"
    if kind == "befolkning":
        return f"Efter befolkning {spec.get('population_year')} bland kommunerna"
    if kind == "andelar":
        return "Andelar: " + ", ".join(f"{names.get(p, p)} {v}" for p, v in spec.get("shares", {}).items())
    if kind == "betalare":
        return f"{names.get(spec.get('party', ''), spec.get('party'))} betalar allt"
    if kind == "tvåsteg":
        first = spec.get("first", {})
        parts = ", ".join(f"{names.get(p, p)} {format_kr(v)}" for p, v in first.items())
        then = key_text(spec.get("then", {}), names)
        basis = f" (från {spec['basis']})" if spec.get("basis") else ""
        return f"Först {parts}{basis}; sedan {spec.get('group')}: {then.lower()}"
    return str(spec)


class KeyInput(Model):
    """A key as entered: its year, name, specification and note."""

    year: int = Field(ge=1990, le=2100)
    name: Annotated[str, Field(min_length=1, max_length=80), Printable, OneLine]
    spec: KeySpec
    note: Text | None = None


SourceKind = Literal["belopp", "basfinansiering", "projektbudget", "budgetrad", "objekt"]
SOURCE_LABELS = {
    "belopp": "Ett belopp",
    "basfinansiering": "Nämndens basfinansiering",
    "projektbudget": "Ett projekts budget",
    "budgetrad": "En budgetrad",
    "objekt": "Ett objekts utfall i huvudboken",
}


class AllocationItemInput(Model):
    """What a year allocates and by which key."""

    year: int = Field(ge=1990, le=2100)
    name: Annotated[str, Field(min_length=1, max_length=120), Printable, OneLine]
    source_kind: SourceKind
    ref: Line | None = None
    amount_ore: Ore | None = None
    key_id: int
    note: Text | None = None

    @model_validator(mode="after")
    def _what(self) -> AllocationItemInput:
        if self.source_kind == "belopp" and self.amount_ore is None:
            raise ValueError("Ange beloppet som ska fördelas")
        if self.source_kind in ("projektbudget", "budgetrad", "objekt") and not self.ref:
            raise ValueError("Ange vilket projekt, vilken budgetrad eller vilket objekt som avses")
        return self


def spec_from_json(data: Any) -> KeySpec:
    """A stored specification as a model; InvalidInputError in Swedish when it is not valid."""
    try:
        return _SPEC.validate_python(data)
    except ValidationError as exc:
        raise InvalidInputError(validation_messages(exc, "Fördelningsnyckeln")) from exc


def _populations(db: Database, year: int, parties: tuple[str, ...]) -> dict[str, int]:
    current = keys_store.current_populations(db, year)
    wanted = parties or tuple(core_store.party_codes(db, "kommun"))
    missing = [p for p in wanted if p not in current]
    if missing:
        raise InvalidInputError(
            [f"Befolkning {year} saknas för {', '.join(missing)}; ange den under Befolkning"]
        )
    return {p: current[p][0] for p in wanted}


def resolve_key(db: Database, spec: KeySpec) -> AllocationKey:
    """The specification as an allocation key, with the populations in force now."""
    match spec:
        case EqualSpec(parties=parties):
            return EqualShares(parties or tuple(core_store.party_codes(db)))
        case PopulationSpec(population_year=year, parties=parties):
            return ByPopulation(_populations(db, year, parties))
        case SharesSpec(shares=shares):
            return CustomShares({p: s for p, s in shares.items() if s > 0})
        case PayerSpec(party=party):
            return NamedPayer(party)
        case TwoLevelSpec(first=first, group=group, then=then):
            return TwoLevel(first=first, group=group, then=resolve_key(db, then))
    raise InvalidInputError(["Okänd typ av fördelningsnyckel"])


def _check_parties(db: Database, spec: KeySpec) -> list[str]:
    known = set(core_store.party_codes(db))
    named: list[str] = []
    match spec:
        case EqualSpec(parties=p) | PopulationSpec(parties=p):
            named = list(p)
        case SharesSpec(shares=s):
            named = list(s)
        case PayerSpec(party=p1):
            named = [p1]
        case TwoLevelSpec(first=first, group=group, then=then):
            named = [p for p in first if p != group]
            return [f"Okänd part '{p}'" for p in named if p not in known] + _check_parties(db, then)
    return [f"Okänd part '{p}'" for p in named if p not in known]


def apply_spec(db: Database, spec: KeySpec, amount_ore: int) -> dict[str, int]:
    """Split an amount (öre) by a key specification; the parts sum exactly to the amount."""
    try:
        return allocate(amount_ore, resolve_key(db, spec))
    except ValueError as exc:
        raise InvalidInputError([str(exc)]) from exc


def save_key(
    db: Database, actor: User, data: KeyInput, *, key_id: int | None = None, version: int | None = None
) -> int:
    """Create a key, or change one made from `version`; returns its id."""
    require(actor, Action.MANAGE_KEYS)
    problems = _check_parties(db, data.spec)
    if problems:
        raise InvalidInputError(problems)
    spec = data.spec.model_dump(mode="json")
    with write(db):
        if key_id is None:
            if keys_store.key_id_by_name(db, data.year, data.name) is not None:
                raise InvalidInputError(
                    [f"Det finns redan en nyckel som heter '{data.name}' för {data.year}"]
                )
            key_id = keys_store.insert_key(
                db,
                year=data.year,
                name=data.name,
                kind=data.spec.kind,
                spec=spec,
                note=data.note,
                source=None,
            )
            before = None
        else:
            before = keys_store.get_key(db, key_id)
            if before is None:
                raise NotFoundError(f"Fördelningsnyckeln {key_id} finns inte")
            if not keys_store.update_key(
                db,
                key_id,
                name=data.name,
                kind=data.spec.kind,
                spec=spec,
                note=data.note,
                expected_version=version if version is not None else int(before["version"]),
            ):
                raise StaleEditError(
                    "Nyckeln har ändrats av någon annan sedan du öppnade den; läs in sidan igen.",
                    current=keys_store.get_key(db, key_id),
                )
        audit_by(
            db,
            actor,
            "skapa" if before is None else "ändra",
            "fördelningsnyckel",
            key_id,
            before=before,
            after={"year": data.year, "name": data.name, "spec": spec, "note": data.note},
        )
    return key_id


def set_population(
    db: Database,
    actor: User,
    *,
    party: str,
    year: int,
    population: int,
    version: int,
    note: str | None = None,
) -> int:
    """Record a new version of a party's population for a year, made from `version`."""
    require(actor, Action.MANAGE_KEYS)
    problems = []
    if population <= 0:
        problems.append(f"Befolkningen för {party} måste vara större än noll")
    if population > 100_000_000:
        problems.append(f"Befolkningen för {party} får vara högst 100 000 000")
    if party not in core_store.party_codes(db, "kommun"):
        problems.append(f"{party} är ingen kommun bland nämndens parter")
    if problems:
        raise InvalidInputError(problems)
    with write(db):
        current = keys_store.current_populations(db, year).get(party)
        current_version = current[1] if current else 0
        if version != current_version:
            raise StaleEditError(
                f"Befolkningen för {party} {year} har ändrats av någon annan (version {current_version});"
                " läs in sidan igen.",
                current={"population": current[0] if current else None, "version": current_version},
            )
        new_version = current_version + 1
        keys_store.insert_population_version(
            db,
            party=party,
            year=year,
            version=new_version,
            population=population,
            source="manuell",
            user_email=actor.email,
            note=note,
        )
        audit_by(
            db,
            actor,
            "ändra",
            "befolkning",
            f"{party} {year}",
            before={"population": current[0] if current else None, "version": current_version},
            after={"population": population, "version": new_version, "note": note},
            party=party,
        )
    return new_version


def save_item(db: Database, actor: User, data: AllocationItemInput) -> int:
    """Add something to allocate in a year; its amount must be resolvable now."""
    require(actor, Action.MANAGE_KEYS)
    key = keys_store.get_key(db, data.key_id)
    if key is None:
        raise InvalidInputError([f"Fördelningsnyckeln {data.key_id} finns inte"])
    item = {**data.model_dump(), "id": None}
    item_amount(db, item, Period.HELAR)  # refuses an item whose amount cannot be found
    with write(db):
        item_id = keys_store.insert_item(
            db,
            year=data.year,
            name=data.name,
            source_kind=data.source_kind,
            ref=data.ref,
            amount_ore=data.amount_ore,
            key_id=data.key_id,
            note=data.note,
            source=None,
        )
        if item_id is None:
            raise InvalidInputError([f"Det finns redan en post som heter '{data.name}' för {data.year}"])
        audit_by(db, actor, "skapa", "fördelningspost", item_id, after=data.model_dump(mode="json"))
    return item_id


def delete_item(db: Database, actor: User, item_id: int) -> None:
    """Remove an item from a year's allocation."""
    require(actor, Action.MANAGE_KEYS)
    with write(db):
        before = keys_store.delete_item(db, item_id)
        if before is None:
            raise NotFoundError(f"Posten {item_id} finns inte")
        audit_by(db, actor, "ta bort", "fördelningspost", item_id, before=before)


def item_amount(db: Database, item: dict[str, Any], period: Period) -> int:
    """The amount (öre) an item allocates, read from where it says it comes from."""
    kind, ref, year = item["source_kind"], item.get("ref"), int(item["year"])
    amount: int | None = None
    if kind == "belopp":
        amount = item.get("amount_ore")
    elif kind == "basfinansiering":
        amount = core_store.funding_amount(db, year, ref or "basfinansiering")
    elif kind == "projektbudget":
        split = core_store.project_budget_split(db, str(ref))
        figures = core_store.project_figures(db, str(ref))
        amount = (split or {}).get("budget") or (figures or {}).get("budget")
    elif kind == "budgetrad":
        code, _, activity = str(ref).partition("|")
        line = core_store.budget_line(db, code, activity)
        amount = None if line is None else (line["budget"] if line["budget"] is not None else line["outcome"])
    elif kind == "objekt":
        actual = columns_store.actual_months(db, [year])
        budget = columns_store.budget_months(db, "PBUDGET", [year], 0)
        objects = reports.by_object(actual, budget, year=year, period=period)
        row = objects.filter(pl.col("object") == str(ref))
        amount = int(row["actual_ore"][0]) if row.height else 0
    if amount is None:
        raise InvalidInputError(
            [
                f"Beloppet för '{item.get('name') or ref}' kan inte hittas"
                f" ({SOURCE_LABELS.get(kind, kind)} {ref or ''})"
            ]
        )
    return int(amount)


PartyAmount = dict[str, int]


def allocate_item(
    db: Database, year: int, name: str, period: Period = Period.HELAR
) -> tuple[dict[str, Any], int, dict[str, int]]:
    """A year's item by name (or reference): the item, its amount and each party's part."""
    items = keys_store.items_frame(db, year)
    wanted = name.strip().lower()
    match = items.filter(
        (pl.col("name").str.to_lowercase() == wanted) | (pl.col("ref").str.to_lowercase() == wanted)
    )
    if match.is_empty():
        known = ", ".join(items["name"].to_list()) or "inga"
        raise NotFoundError(f"Det finns ingen fördelningspost '{name}' för {year} (finns: {known})")
    item = match.row(0, named=True)
    key = keys_store.get_key(db, int(item["key_id"]))
    assert key is not None
    amount = item_amount(db, item, period)
    return item, amount, apply_spec(db, spec_from_json(key["spec"]), amount)


STATEMENT_SCHEMA: dict[str, Any] = {
    "item": pl.String,
    "key": pl.String,
    "party": pl.String,
    "amount_ore": pl.Int64,
    "item_total_ore": pl.Int64,
}


def party_statement(db: Database, year: int, period: Period = Period.HELAR) -> pl.DataFrame:
    """Every item of a year split per party (long form: item, key, party, amount, item total)."""
    rows: list[tuple[Any, ...]] = []
    for item in keys_store.items_frame(db, year).iter_rows(named=True):
        key = keys_store.get_key(db, int(item["key_id"]))
        assert key is not None
        amount = item_amount(db, item, period)
        for party, part in apply_spec(db, spec_from_json(key["spec"]), amount).items():
            rows.append((item["name"], key["name"], party, part, amount))
    return pl.DataFrame(rows, schema=STATEMENT_SCHEMA, orient="row")
