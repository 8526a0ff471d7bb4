"""Accounts to report lines: the Kommun-Bas default as data, editable per organisation.

A rule maps a range of account prefixes ("30"–"34") to a line of the income statement.
Accounts of the result classes (3–8) that no rule covers are never dropped: they land on
the line "Ej mappade konton" and are listed so that someone can map them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, ValidationError, model_validator

from portfolio import store as core_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError
from portfolio.ledger import mapping_store, store
from portfolio.models import Model, Printable, validation_messages

__all__ = [
    "DEFAULT_ORGANISATION",
    "KOMMUN_BAS",
    "UNMAPPED_LINE",
    "UNMAPPED_LINES",
    "MappingRule",
    "apply_mapping",
    "default_mapping_frame",
    "mapping_for",
    "save_mapping",
    "unmapped_accounts",
    "validate_rules",
]

DEFAULT_ORGANISATION = "standard"
UNMAPPED_LINE = "Ej mappade konton"
UNMAPPED_REVENUE_LINE = "Ej mappade intäktskonton"
UNMAPPED_LINES = (UNMAPPED_LINE, UNMAPPED_REVENUE_LINE)
RESULT_CLASSES = ("3", "4", "5", "6", "7", "8")

LineKind = Literal["intäkt", "kostnad"]
Prefix = Annotated[str, Field(pattern=r"^[0-9]{1,4}$")]


class MappingRule(Model):
    """Accounts whose first digits lie between `from_account` and `to_account` go to `line`."""

    from_account: Prefix
    to_account: Prefix
    line: Annotated[str, Field(min_length=1, max_length=80), Printable]
    kind: LineKind

    @model_validator(mode="after")
    def _range(self) -> MappingRule:
        if len(self.from_account) != len(self.to_account):
            raise ValueError("Från- och till-konto måste ha lika många siffror, t.ex. 30 och 34")
        if self.from_account > self.to_account:
            raise ValueError(f"Kontointervallet {self.from_account}–{self.to_account} är baklänges")
        if self.from_account[0] not in RESULT_CLASSES:
            raise ValueError("Endast resultatkonton (klass 3–8) ingår i resultaträkningen")
        return self


# SKR's Kommun-Bas, as DOMAIN.md gives it. Class 8 is financial items: outside a project's
# result in the municipal model, but shown on the committee's statement like the annual
# report's "Avskrivningar/finansnetto".
KOMMUN_BAS: tuple[MappingRule, ...] = tuple(
    MappingRule(from_account=a, to_account=b, line=line, kind=kind)
    for a, b, line, kind in (
        ("30", "34", "Försäljning och avgifter", "intäkt"),
        ("35", "35", "Bidrag", "intäkt"),
        ("36", "39", "Övriga intäkter", "intäkt"),
        ("40", "49", "Köp av verksamhet", "kostnad"),
        ("50", "59", "Personalkostnader", "kostnad"),
        ("60", "61", "Lokaler", "kostnad"),
        ("62", "69", "Material, IT och tele", "kostnad"),
        ("70", "73", "Resor och transporter", "kostnad"),
        ("74", "75", "Konsulter och inhyrd personal", "kostnad"),
        ("76", "78", "Övriga kostnader", "kostnad"),
        ("79", "79", "Avskrivningar", "kostnad"),
        ("8", "8", "Finansiella poster", "kostnad"),
    )
)


def validate_rules(raw: Sequence[dict[str, Any]]) -> list[MappingRule]:
    """Rows from an editor as rules; every problem named by its row, in Swedish."""
    rules: list[MappingRule] = []
    problems: list[str] = []
    for i, row in enumerate(raw, start=1):
        data = {
            k: ("" if v is None else str(v).strip()) for k, v in row.items() if k in MappingRule.model_fields
        }
        try:
            rules.append(MappingRule.model_validate(data))
        except ValidationError as exc:
            problems += validation_messages(exc, f"Rad {i}")
    if not rules and not problems:
        problems.append("Mappningen måste ha minst en rad")
    problems += _overlaps(rules)
    if problems:
        raise InvalidInputError(problems)
    return rules


def _overlaps(rules: Sequence[MappingRule]) -> list[str]:
    problems = []
    for i, a in enumerate(rules):
        for b in rules[i + 1 :]:
            n = max(len(a.from_account), len(b.from_account))
            a_lo, a_hi = a.from_account.ljust(n, "0"), a.to_account.ljust(n, "9")
            b_lo, b_hi = b.from_account.ljust(n, "0"), b.to_account.ljust(n, "9")
            if a_lo <= b_hi and b_lo <= a_hi:
                problems.append(
                    f"Intervallen {a.from_account}–{a.to_account} och {b.from_account}–{b.to_account}"
                    " överlappar; ett konto får bara höra till en rad"
                )
    return problems


def rules_frame(rules: Sequence[MappingRule]) -> pl.DataFrame:
    """Rules as a mapping frame (position, from_account, to_account, line, kind)."""
    return pl.DataFrame(
        [(i, r.from_account, r.to_account, r.line, r.kind) for i, r in enumerate(rules)],
        schema=mapping_store.MAPPING_SCHEMA,
        orient="row",
    )


def default_mapping_frame() -> pl.DataFrame:
    """The Kommun-Bas default as a mapping frame."""
    return rules_frame(KOMMUN_BAS)


def mapping_for(db: Database, organisation: str | None) -> tuple[pl.DataFrame, str]:
    """The organisation's own mapping, else the stored default, else Kommun-Bas; and its name."""
    for org in (organisation, DEFAULT_ORGANISATION):
        if org:
            found = mapping_store.mapping_frame(db, org)
            if found.height:
                return found, org
    return default_mapping_frame(), DEFAULT_ORGANISATION


def apply_mapping(frame: pl.LazyFrame | pl.DataFrame, mapping: pl.DataFrame) -> pl.LazyFrame:
    """Add `line`, `kind` and `position` to rows with an `account`; unmapped → 'Ej mappade konton'."""
    lazy = frame.lazy()
    line: Any = pl.lit(UNMAPPED_LINE)
    kind: Any = pl.lit("kostnad")
    position: Any = pl.lit(10_000, dtype=pl.Int64)
    # Later rules are wrapped first so the first matching rule wins.
    for rule in reversed(mapping.to_dicts()):
        n = len(rule["from_account"])
        prefix = pl.col("account").str.slice(0, n)
        hit = (
            (prefix >= rule["from_account"])
            & (prefix <= rule["to_account"])
            & (pl.col("account").str.len_chars() >= n)
        )
        line = pl.when(hit).then(pl.lit(rule["line"])).otherwise(line)
        kind = pl.when(hit).then(pl.lit(rule["kind"])).otherwise(kind)
        position = pl.when(hit).then(pl.lit(rule["position"], dtype=pl.Int64)).otherwise(position)
    # An unmapped revenue account is still a revenue: it gets a line of its own.
    unmapped_revenue = (line == UNMAPPED_LINE) & (pl.col("account").str.slice(0, 1) == "3")
    return lazy.with_columns(
        pl.when(unmapped_revenue).then(pl.lit(UNMAPPED_REVENUE_LINE)).otherwise(line).alias("line"),
        pl.when(unmapped_revenue).then(pl.lit("intäkt")).otherwise(kind).alias("kind"),
        position.alias("position"),
    )


def unmapped_accounts(frame: pl.DataFrame, mapping: pl.DataFrame) -> list[str]:
    """Result accounts (classes 3–8) in `frame` that no rule covers, sorted."""
    mapped = (
        apply_mapping(frame.select("account").unique(), mapping)
        .filter(
            pl.col("line").is_in(UNMAPPED_LINES)
            & pl.col("account").str.slice(0, 1).is_in(list(RESULT_CLASSES))
        )
        .collect()
    )
    return sorted(mapped["account"].to_list())


def save_mapping(
    db: Database, actor: User, organisation: str, raw: Sequence[dict[str, Any]]
) -> list[MappingRule]:
    """Replace an organisation's account mapping after validating every row."""
    require(actor, Action.IMPORT_LEDGER)
    org = organisation.strip() or DEFAULT_ORGANISATION
    rules = validate_rules(raw)
    rows = [{"position": i, **r.model_dump()} for i, r in enumerate(rules)]
    with write(db):
        before = mapping_store.mapping_frame(db, org).to_dicts()
        mapping_store.replace_mapping(db, org, rows, source="manuell")
        audit_by(
            db,
            actor,
            "ändra",
            "kontomappning",
            org,
            before=before,
            after=rows,
        )
    return rules


def link_object(
    db: Database, actor: User, obj: str, project_code: str | None, name: str | None = None
) -> None:
    """Say which project (case) an object belongs to; None unlinks it."""
    require(actor, Action.IMPORT_LEDGER)
    obj = obj.strip()
    problems = []
    if not obj:
        problems.append("Ange objektets id, t.ex. 6674")
    if project_code and not core_store.project_code_exists(db, project_code):
        problems.append(f"Projektet {project_code} finns inte")
    if problems:
        raise InvalidInputError(problems)
    with write(db):
        before = mapping_store.set_object_project(db, obj, project_code or None, (name or "").strip() or None)
        audit_by(
            db,
            actor,
            "ändra",
            "objekt",
            obj,
            before=before,
            after={"project_code": project_code, "name": name},
        )


def set_project_dimension(db: Database, actor: User, dimension: str) -> None:
    """Choose which SIE dimension holds projects (6 by default); applies to later imports."""
    require(actor, Action.IMPORT_LEDGER)
    dimension = dimension.strip()
    if not (dimension.isdigit() and 1 <= int(dimension) <= 999):
        raise InvalidInputError([f"Dimensionen '{dimension}' ska vara ett nummer, t.ex. 6"])
    with write(db):
        before = store.set_setting(db, "projektdimension", dimension)
        audit_by(
            db,
            actor,
            "ändra",
            "inställning",
            "projektdimension",
            before=before,
            after=dimension,
        )
