"""Seed of ledger: the Kommun-Bas mapping, settings, the 2019 allocation keys and items.

Everything is validated first (the file through its models, parties and projects against the
database the core seed has just filled); then what is missing is inserted, with audit rows,
inside the loader's transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from portfolio import store as core_store
from portfolio.auth import User
from portfolio.db import Database, audit_by
from portfolio.ledger import keys_store, mapping_store, organisations_store, store
from portfolio.ledger.keys import KeySpec, SourceKind, spec_from_json
from portfolio.ledger.mapping import DEFAULT_ORGANISATION, KOMMUN_BAS
from portfolio.ledger.sie_import import PROJECT_DIMENSION_KEY
from portfolio.ledger.tertial import THRESHOLD_KEY
from portfolio.models import Model, Source, source_text

FILE = "ledger.yaml"


class Settings(Model):
    projektdimension: Annotated[str, Field(pattern=r"^[0-9]{1,3}$")] = "6"
    avvikelsegrans_kr: Annotated[int, Field(ge=0)] = 50_000


class SeedKey(Model):
    year: int
    name: Annotated[str, Field(min_length=1)]
    spec: dict[str, Any]
    note: str | None = None
    source: Source


class SeedItem(Model):
    year: int
    name: Annotated[str, Field(min_length=1)]
    source_kind: SourceKind
    ref: str | None = None
    amount_kr: int | None = None
    key: str
    note: str | None = None
    source: Source


class SeedOrganisation(Model):
    """An organisation whose SIE files belong to the nämnd (the list the import checks)."""

    org_no: Annotated[str, Field(pattern=r"^[0-9]{6}-[0-9]{4}$")]
    name: Annotated[str, Field(min_length=1)]


class LedgerSeed(Model):
    settings: Settings = Settings()
    organisations: tuple[SeedOrganisation, ...] = ()
    keys: tuple[SeedKey, ...] = ()
    items: tuple[SeedItem, ...] = ()


def _resolve_spec(db: Database, key: SeedKey, problems: list[str]) -> KeySpec | None:
    """The key's specification; LINK2's first level is read from the project's budget lines."""
    raw = dict(key.spec)
    code = raw.pop("first_from_budget_lines", None)
    region = raw.pop("region", None)
    if code is not None:
        split = core_store.project_budget_split(db, str(code))
        if split is None or not split["region"] or not split["kommunerna"]:
            problems.append(f"{FILE}, nyckeln '{key.name}': {code} saknar budgetrader med region/kommuner")
            return None
        raw["first"] = {str(region or "RJH"): split["region"], "kommunerna": split["kommunerna"]}
        raw.setdefault("group", "kommunerna")
        raw["basis"] = f"budgetraderna för {code}"
    try:
        return spec_from_json(raw)
    except Exception as exc:  # InvalidInputError; collected with the file's other problems
        problems += [f"{FILE}, nyckeln '{key.name}': {m}" for m in getattr(exc, "messages", [str(exc)])]
        return None


def seed(db: Database, data_dir: Path, user: User) -> dict[str, int]:
    """Insert the missing seed records (inside the caller's transaction); counts per kind."""
    from seed.loader import SeedError, validate_one

    data = validate_one(data_dir / FILE, LedgerSeed)
    problems: list[str] = []
    parties = set(core_store.party_codes(db))
    specs: dict[tuple[int, str], KeySpec] = {}
    for key in data.keys:
        spec = _resolve_spec(db, key, problems)
        if spec is None:
            continue
        named = _parties_in(spec.model_dump())
        problems += [f"{FILE}, nyckeln '{key.name}': okänd part '{p}'" for p in named if p not in parties]
        specs[(key.year, key.name)] = spec
    for item in data.items:
        if (item.year, item.key) not in specs and not any(k.name == item.key for k in data.keys):
            problems.append(f"{FILE}, posten '{item.name}': nyckeln '{item.key}' finns inte i filen")
        if (
            item.source_kind == "projektbudget"
            and item.ref
            and core_store.project_budget_split(db, item.ref) is None
        ):
            problems.append(f"{FILE}, posten '{item.name}': projektet {item.ref} har inga budgetrader")
    if problems:
        raise SeedError(problems)

    counts = {"kontomappning": 0, "fördelningsnycklar": 0, "fördelningsposter": 0}
    if not mapping_store.mapping_frame(db, DEFAULT_ORGANISATION).height:
        rows = [{"position": i, **r.model_dump()} for i, r in enumerate(KOMMUN_BAS)]
        mapping_store.replace_mapping(db, DEFAULT_ORGANISATION, rows, source="Kommun-Bas (SKR), DOMAIN.md")
        audit_by(db, user, "skapa", "kontomappning", DEFAULT_ORGANISATION, after=rows)
        counts["kontomappning"] = len(rows)
    new_settings = {
        k: v
        for k, v in {
            PROJECT_DIMENSION_KEY: data.settings.projektdimension,
            THRESHOLD_KEY: str(data.settings.avvikelsegrans_kr * 100),
        }.items()
        if store.insert_setting_if_missing(db, k, v)
    }
    if new_settings:
        audit_by(db, user, "skapa", "inställning", "huvudbok", after=new_settings)
    for org in data.organisations:
        if organisations_store.insert_organisation(db, org.org_no, org.name, user.email):
            audit_by(
                db,
                user,
                "lägg till",
                "organisation",
                org.org_no,
                after={"organisationsnummer": org.org_no, "namn": org.name},
            )
    for key in data.keys:
        if keys_store.key_id_by_name(db, key.year, key.name) is not None:
            continue
        spec = specs[(key.year, key.name)]
        dumped = spec.model_dump(mode="json")
        key_id = keys_store.insert_key(
            db,
            year=key.year,
            name=key.name,
            kind=spec.kind,
            spec=dumped,
            note=key.note,
            source=source_text(key.source),
        )
        audit_by(
            db,
            user,
            "skapa",
            "fördelningsnyckel",
            key_id,
            after={"year": key.year, "name": key.name, "spec": dumped},
        )
        counts["fördelningsnycklar"] += 1
    for item in data.items:
        item_key = keys_store.key_id_by_name(db, item.year, item.key)
        assert item_key is not None
        item_id = keys_store.insert_item(
            db,
            year=item.year,
            name=item.name,
            source_kind=item.source_kind,
            ref=item.ref,
            amount_ore=None if item.amount_kr is None else item.amount_kr * 100,
            key_id=item_key,
            note=item.note,
            source=source_text(item.source),
        )
        if item_id is not None:
            audit_by(db, user, "skapa", "fördelningspost", item_id, after=item.model_dump(mode="json"))
            counts["fördelningsposter"] += 1
    return counts


def _parties_in(spec: dict[str, Any]) -> list[str]:
    named: list[str] = []
    named += list(spec.get("parties") or ())
    named += list((spec.get("shares") or {}).keys())
    if spec.get("party"):
        named.append(spec["party"])
    group = spec.get("group")
    named += [p for p in (spec.get("first") or {}) if p != group]
    if isinstance(spec.get("then"), dict):
        named += _parties_in(spec["then"])
    return named
