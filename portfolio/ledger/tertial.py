"""The tertial report: figures from the ledger when imported, else the committee's own report.

`load_report` gathers one period's report (income statement, objects with deviations and
forecast, result against budget, reviews, the frozen snapshot). The writes — comments and
forecasts, the comment threshold, freezing, and a municipal CEO's review — each check the
actor's right, run in one transaction and leave an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, field_validator

from portfolio import store as core_store
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError, StaleEditError
from portfolio.ledger import (
    columns_store,
    imports_store,
    mapping_store,
    party_service,
    party_store,
    reports,
    store,
    tertial_store,
)
from portfolio.ledger.mapping import mapping_for, unmapped_accounts
from portfolio.ledger.sie_import import project_dimension
from portfolio.models import Model, Printable, WindowsNewlines, parse
from portfolio.money import MAX_ORE, format_kr, format_tkr
from portfolio.periods import Period

__all__ = [
    "DEFAULT_THRESHOLD_ORE",
    "Scope",
    "TertialReport",
    "deviation_threshold",
    "freeze_report",
    "load_report",
    "report_years",
    "review_report",
    "save_note",
    "set_deviation_threshold",
]

THRESHOLD_KEY = "avvikelsegräns_öre"
DEFAULT_THRESHOLD_ORE = 5_000_000  # 50 tkr
COMMITTEE_SCOPE = "Nämnden totalt"
Source = Literal["huvudbok", "rapporterad", "saknas"]

OBJECT_COLUMNS: dict[str, Any] = {
    "object": pl.String,
    "name": pl.String,
    "project_code": pl.String,
    "budget_ore": pl.Int64,
    "actual_ore": pl.Int64,
    "deviation_ore": pl.Int64,
    "year_budget_ore": pl.Int64,
    "default_forecast_ore": pl.Int64,
    "forecast_ore": pl.Int64,
    "forecast_source": pl.String,
    "comment": pl.String,
    "comment_required": pl.Boolean,
    "comment_missing": pl.Boolean,
    "text": pl.String,
}


@dataclass(frozen=True)
class Scope:
    """What a report covers: the whole committee, one object, or a project (case) and its objects."""

    kind: Literal["nämnden", "objekt", "projekt"] = "nämnden"
    ref: str | None = None

    @property
    def key(self) -> str:
        """A stable text for storage: 'nämnden', 'objekt 6663', 'projekt GNS/8/2018'."""
        return self.kind if self.ref is None else f"{self.kind} {self.ref}"

    @property
    def label(self) -> str:
        """Swedish text for headings."""
        if self.kind == "nämnden":
            return "Nämnden totalt"
        return f"{'Objekt' if self.kind == 'objekt' else 'Projekt'} {self.ref}"

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """'nämnden', 'objekt 6663' or 'projekt GNS/8/2018'."""
        if not text or text.strip().lower() in ("nämnden", "namnden", "nämnden totalt"):
            return cls()
        kind, _, ref = text.strip().partition(" ")
        kind = kind.lower()
        if kind not in ("objekt", "projekt") or not ref.strip():
            raise InvalidInputError(
                [f"Okänt urval '{text}': ange nämnden, 'objekt 6663' eller 'projekt GNS/8/2018'"]
            )
        return cls(kind, ref.strip())  # type: ignore[arg-type]


@dataclass(frozen=True)
class TertialReport:
    """One period's report and where its figures come from."""

    year: int
    period: Period
    scope: Scope
    source: Source
    source_text: str
    statement: pl.DataFrame
    objects: pl.DataFrame
    result_ore: int | None
    result_source: str | None
    reported_results: pl.DataFrame
    unmapped: tuple[str, ...]
    threshold_ore: int
    reviews: pl.DataFrame
    snapshot: dict[str, Any] | None = None
    snapshot_diff: pl.DataFrame | None = None
    mapping_name: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """'Tertialrapport T1 2019 – Nämnden totalt'."""
        name = {"T1": "Tertialrapport T1", "T2": "Delårsrapport T2", "helår": "Årsbokslut"}[self.period.value]
        return f"{name} {self.year} – {self.scope.label}"

    @property
    def result_text(self) -> str:
        """'Utfall mot budget: −219 tkr' or a sentence saying there is no figure."""
        if self.result_ore is None:
            return "Utfall mot budget saknas för perioden."
        return f"Utfall mot budget: {format_tkr(self.result_ore, signed=True)} ({format_kr(self.result_ore)})"

    @property
    def comments_missing(self) -> list[str]:
        """Objects whose deviation passes the threshold but lack a comment."""
        if self.objects.is_empty():
            return []
        return self.objects.filter(pl.col("comment_missing"))["object"].to_list()


def deviation_threshold(db: Database) -> int:
    """The deviation (öre, either sign) from which an object's deviation needs a comment."""
    value = store.get_setting(db, THRESHOLD_KEY)
    return int(value) if value else DEFAULT_THRESHOLD_ORE


def report_years(db: Database) -> list[int]:
    """Years that have a report: imported ledger or budget, or the committee's own figures."""
    years = (
        set(columns_store.ledger_years(db))
        | set(columns_store.budget_years(db))
        | set(core_store.reported_years(db))
    )
    return sorted(years)


def _names(db: Database, pdim: str) -> pl.DataFrame:
    names = {o: n for (d, o), n in columns_store.object_names(db).items() if d == pdim}
    links = mapping_store.object_projects(db)
    frame = pl.DataFrame(
        {"object": list(names), "ledger_name": list(names.values())},
        schema={"object": pl.String, "ledger_name": pl.String},
    )
    return (
        links.select("object", "project_code", pl.col("name").alias("project_name"))
        .join(frame, on="object", how="full", coalesce=True)
        .select("object", "project_code", pl.coalesce("project_name", "ledger_name").alias("name"))
    )


def _scope_objects(scope: Scope, names: pl.DataFrame) -> list[str] | None:
    if scope.kind == "nämnden":
        return None
    if scope.kind == "objekt":
        return [str(scope.ref)]
    return names.filter(pl.col("project_code") == scope.ref)["object"].drop_nulls().to_list()


def broken_fiscal_years(year: int, fiscal_years: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The stated fiscal years touching `year` that do not run 1 January – 31 December."""
    return [
        (start, end)
        for start, end in fiscal_years
        if not (start.endswith("-01-01") and end.endswith("-12-31") and start[:4] == end[:4])
        and int(start[:4]) <= year <= int(end[:4])
    ]


def shares_fiscal_year_with_previous(
    year: int, fiscal_years: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """A fiscal year that holds months of both `year` and `year - 1`, or None.

    Its earlier months are then part of the same fiscal year, not the previous year.
    """
    for start, end in fiscal_years:
        if int(start[:4]) <= year - 1 and int(end[:4]) >= year:
            return start, end
    return None


def _previous_frame(
    db: Database, year: int, ledger_years: list[int], objects: list[str] | None
) -> tuple[pl.DataFrame, str]:
    shared = shares_fiscal_year_with_previous(year, imports_store.live_fiscal_years(db))
    if shared is not None:
        return (
            pl.DataFrame(schema=reports.EMPTY_MONTHS),
            f"visas inte: {year - 1} års månader hör till samma räkenskapsår {shared[0]} – {shared[1]}",
        )
    if year - 1 in ledger_years:
        return columns_store.actual_months(db, [year - 1]), f"huvudboken {year - 1}"
    balances = columns_store.budget_months(db, "PSALDO", [year - 1], -1)
    if balances.is_empty():
        return pl.DataFrame(schema=reports.EMPTY_MONTHS), "saknas"
    if objects is None:
        frame = reports.committee_budget(balances).with_columns(pl.lit(None, dtype=pl.String).alias("object"))
    else:
        frame = balances.lazy().filter(~pl.col("is_total"))
    return (
        frame.select(list(reports.EMPTY_MONTHS)).collect().cast(pl.Schema(reports.EMPTY_MONTHS)),
        f"#PSALDO för {year - 1} i årets fil",
    )


def load_report(db: Database, year: int, period: Period, scope: Scope | None = None) -> TertialReport:
    """The report for a period and scope, from the ledger when it has rows for the year."""
    scope = scope or Scope()
    threshold = deviation_threshold(db)
    notes = tertial_store.notes_frame(db, year, period.value)
    results = core_store.period_results_frame(db).filter(
        (pl.col("year") == year) & (pl.col("period") == period.value)
    )
    ledger_years = columns_store.ledger_years(db)
    pdim = project_dimension(db)
    names = _names(db, pdim)
    if year in ledger_years or year in columns_store.budget_years(db):
        report = _from_ledger(db, _Asked(year, period, scope, names, notes, threshold, results), ledger_years)
    else:
        report = _from_reported(db, _Asked(year, period, scope, names, notes, threshold, results))
    snapshot = tertial_store.latest_snapshot(db, year, period.value, scope.key)
    diff = None
    if snapshot is not None and not report.statement.is_empty():
        frozen = pl.DataFrame(snapshot["payload"]["statement"], schema=reports.STATEMENT_SCHEMA, orient="row")
        diff = reports.compare_statements(report.statement, frozen)
    return TertialReport(
        **{
            **report.__dict__,
            "reviews": tertial_store.reviews_frame(db, year, period.value),
            "snapshot": snapshot,
            "snapshot_diff": diff,
        }
    )


def _finish_objects(frame: pl.DataFrame, notes: pl.DataFrame, threshold: int) -> pl.DataFrame:
    with_rule = reports.with_comment_rule(frame, notes, threshold)
    for column, dtype in OBJECT_COLUMNS.items():
        if column not in with_rule.columns:
            with_rule = with_rule.with_columns(pl.lit(None, dtype=dtype).alias(column))
    return with_rule.select(list(OBJECT_COLUMNS)).cast(pl.Schema(OBJECT_COLUMNS))


@dataclass(frozen=True)
class _Asked:
    """The report asked for, with what both builders read for it once."""

    year: int
    period: Period
    scope: Scope
    names: pl.DataFrame
    notes: pl.DataFrame
    threshold: int
    results: pl.DataFrame


def _from_ledger(db: Database, asked: _Asked, ledger_years: list[int]) -> TertialReport:
    year, period, scope, names, notes = asked.year, asked.period, asked.scope, asked.names, asked.notes
    threshold, results = asked.threshold, asked.results
    organisations = imports_store.live_organisations(db)
    mapping, mapping_name = mapping_for(db, organisations[0] if organisations else None)
    actual = columns_store.actual_months(db, [year])
    budget = columns_store.budget_months(db, "PBUDGET", [year], 0)
    objects_filter = _scope_objects(scope, names)
    previous, previous_source = _previous_frame(db, year, ledger_years, objects_filter)
    statement = reports.income_statement(
        actual, budget, mapping, year=year, period=period, previous=previous, objects=objects_filter
    )
    period_objects = reports.by_object(actual, budget, year=year, period=period)
    year_objects = reports.by_object(actual, budget, year=year, period=Period.HELAR)
    objects = reports.forecast(period_objects, year_objects, notes).join(names, on="object", how="left")
    if objects_filter is not None:
        objects = objects.filter(pl.col("object").is_in(objects_filter))
    unmapped = unmapped_accounts(actual.filter(pl.col("year") == year), mapping)
    text = (
        f"Källa: importerad huvudbok (SIE/tabell) för {year}, kontomappning '{mapping_name}';"
        f" föregående år: {previous_source}."
    )
    for start, end in broken_fiscal_years(year, imports_store.live_fiscal_years(db)):
        text += (
            f" Räkenskapsåret {start} – {end} är inte ett kalenderår; rapporten visar kalenderåret"
            f" {year} och dess tertialer."
        )
    return TertialReport(
        year=year,
        period=period,
        scope=scope,
        source="huvudbok",
        source_text=text,
        statement=statement,
        objects=_finish_objects(objects, notes, threshold),
        result_ore=reports.net_result(statement),
        result_source="beräknat från huvudboken",
        reported_results=results,
        unmapped=tuple(unmapped),
        threshold_ore=threshold,
        reviews=pl.DataFrame(),
        mapping_name=mapping_name,
    )


def _from_reported(db: Database, asked: _Asked) -> TertialReport:
    year, period, scope, names, notes = asked.year, asked.period, asked.scope, asked.names, asked.notes
    threshold, results = asked.threshold, asked.results
    reported = core_store.reported_statement(db, year, period.value)
    statement = (
        reports.statement_from_reported(reported)
        if not reported.is_empty() and scope.kind == "nämnden"
        else pl.DataFrame(schema=reports.STATEMENT_SCHEMA)
    )
    objects_of_case = dict(core_store.project_objects(db))
    rows = results.filter(pl.col("scope") != COMMITTEE_SCOPE).with_columns(
        pl.coalesce(
            "object",
            pl.col("case_code").replace_strict(objects_of_case, default=None, return_dtype=pl.String),
            "case_code",
        ).alias("object")
    )
    objects = (
        rows.select(
            "object",
            pl.lit(None, dtype=pl.Int64).alias("budget_ore"),
            pl.lit(None, dtype=pl.Int64).alias("actual_ore"),
            pl.col("result_ore").alias("deviation_ore"),
            pl.col("text"),
        )
        .join(names, on="object", how="left")
        .join(rows.select("object", pl.col("scope").alias("_scope")), on="object", how="left")
        .with_columns(pl.coalesce("name", "_scope").alias("name"))
        .drop("_scope")
    )
    committee = results.filter(pl.col("scope") == COMMITTEE_SCOPE)
    result: int | None = None
    result_source: str | None = None
    if scope.kind == "nämnden":
        if not committee.is_empty():
            result, result_source = int(committee["result_ore"][0]), committee["source"][0]
        elif not statement.is_empty():
            result, result_source = reports.net_result(statement), reported["source"][0]
    else:
        objects_filter = _scope_objects(scope, names) or []
        matching = rows.filter(pl.col("object").is_in(objects_filter) | (pl.col("case_code") == scope.ref))
        objects = objects.filter(
            pl.col("object").is_in(objects_filter) | pl.col("object").is_in(matching["object"].to_list())
        )
        if not matching.is_empty():
            result, result_source = int(matching["result_ore"].sum()), matching["source"][0]
    if not statement.is_empty():
        text = (
            f"Källa: nämndens rapporterade resultaträkning ({reported['source'][0]});"
            f" ingen huvudbok är importerad för {year}."
        )
        source: Source = "rapporterad"
    elif not results.is_empty():
        text = (
            f"Källa: resultat som nämndens protokoll rapporterar ({results['source'][0]});"
            f" ingen huvudbok är importerad för {year}."
        )
        source = "rapporterad"
    else:
        text = (
            f"Det finns varken en importerad huvudbok eller rapporterade siffror för {period.value} {year}."
        )
        source = "saknas"
    return TertialReport(
        year=year,
        period=period,
        scope=scope,
        source=source,
        source_text=text,
        statement=statement,
        objects=_finish_objects(objects, notes, threshold),
        result_ore=result,
        result_source=result_source,
        reported_results=results,
        unmapped=(),
        threshold_ore=threshold,
        reviews=pl.DataFrame(),
    )


# --- writes ---------------------------------------------------------------------------------

COMMENT_MAX = 2000
Comment = Annotated[str, WindowsNewlines, Field(max_length=COMMENT_MAX), Printable]


class NoteInput(Model):
    """An object's deviation comment and, optionally, its own full-year forecast in öre."""

    comment: Comment = ""
    forecast_ore: int | None = None

    @field_validator("forecast_ore")
    @classmethod
    def _bounded(cls, value: int | None) -> int | None:
        if value is not None and not -MAX_ORE <= value <= MAX_ORE:
            raise ValueError(f"får vara högst ±{format_kr(MAX_ORE)}")
        return value


class ReviewInput(Model):
    """A municipal CEO's comment on the period's report."""

    comment: Comment = ""


def save_note(
    db: Database,
    actor: User,
    *,
    year: int,
    period: Period,
    obj: str,
    comment: str,
    forecast_ore: int | None,
    version: int | None,
) -> None:
    """Save an object's deviation comment and (optionally) full-year forecast, made from `version`."""
    require(actor, Action.FREEZE_REPORT)
    comment = comment.strip()
    problems = []
    if forecast_ore is not None and not comment:
        problems.append(f"Objekt {obj}: en egen helårsprognos måste ha en kommentar som förklarar den")
    if len(comment) > COMMENT_MAX:
        problems.append(f"Objekt {obj}: kommentaren får vara högst 2 000 tecken")
    else:
        try:
            note = parse(
                NoteInput,
                {"comment": comment, "forecast_ore": forecast_ore},
                {"comment": f"Objekt {obj}: kommentaren", "forecast_ore": f"Objekt {obj}: helårsprognosen"},
            )
            comment = note.comment
        except InvalidInputError as exc:
            problems += exc.messages
    if not obj.strip():
        problems.append("Ange vilket objekt kommentaren gäller")
    if problems:
        raise InvalidInputError(problems)
    with write(db):
        before = tertial_store.get_note(db, year, period.value, obj)
        if before is not None and version is None:
            version = int(before["version"])
        ok = tertial_store.upsert_note(
            db,
            year=year,
            period=period.value,
            obj=obj,
            comment=comment,
            forecast_ore=forecast_ore,
            user_email=actor.email,
            expected_version=version if before is not None else None,
        )
        if not ok:
            raise StaleEditError(
                f"Kommentaren för objekt {obj} har ändrats av någon annan; läs in sidan igen.",
                current=tertial_store.get_note(db, year, period.value, obj),
            )
        audit_by(
            db,
            actor,
            "ändra" if before else "skapa",
            "tertialkommentar",
            f"{year} {period.value} {obj}",
            before=before,
            after={"comment": comment, "forecast_ore": forecast_ore},
        )


def set_deviation_threshold(db: Database, actor: User, threshold_ore: int) -> None:
    """Change from which deviation a comment is required."""
    require(actor, Action.FREEZE_REPORT)
    if threshold_ore < 0:
        raise InvalidInputError(["Gränsen för avvikelser måste vara noll eller större"])
    if threshold_ore > MAX_ORE:
        raise InvalidInputError([f"Gränsen för avvikelser får vara högst {format_kr(MAX_ORE)}"])
    with write(db):
        before = store.set_setting(db, THRESHOLD_KEY, str(threshold_ore))
        audit_by(db, actor, "ändra", "inställning", THRESHOLD_KEY, before=before, after=threshold_ore)


def snapshot_payload(report: TertialReport) -> dict[str, Any]:
    """What a frozen report keeps: its statement, objects and result."""
    return {
        "source": report.source,
        "source_text": report.source_text,
        "result_ore": report.result_ore,
        "statement": report.statement.to_dicts(),
        "objects": report.objects.to_dicts(),
    }


def freeze_report(db: Database, actor: User, report: TertialReport, note: str = "") -> int:
    """Freeze (fastställ) a report as a snapshot that later imports do not change."""
    require(actor, Action.FREEZE_REPORT)
    missing = report.comments_missing
    if missing:
        raise InvalidInputError(
            [
                f"Objekt {o}: avvikelsen är minst {format_tkr(report.threshold_ore)} och måste kommenteras"
                " innan rapporten fastställs"
                for o in missing
            ]
        )
    if report.source == "saknas":
        raise InvalidInputError(["Det finns inga siffror att fastställa för perioden"])
    with write(db):
        snapshot_id = tertial_store.insert_snapshot(
            db,
            year=report.year,
            period=report.period.value,
            scope=report.scope.key,
            user_email=actor.email,
            source=report.source,
            payload=snapshot_payload(report),
            note=note.strip(),
        )
        audit_by(
            db,
            actor,
            "fastställ",
            "tertialrapport",
            f"{report.year} {report.period.value} {report.scope.key}",
            after={"snapshot": snapshot_id, "result_ore": report.result_ore, "källa": report.source},
        )
    return snapshot_id


def review_report(db: Database, actor: User, *, year: int, period: Period, comment: str) -> None:
    """A municipal CEO marks the period's report 'granskad' for their own party."""
    party = actor.party or ""
    require(actor, Action.REVIEW_TERTIAL, party=party or None)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInputError(["Kommentaren får vara högst 2 000 tecken"])
    comment = parse(ReviewInput, {"comment": comment}, {"comment": "Kommentaren"}).comment
    view = _review_view(db, party, year, period)
    with write(db):
        before = tertial_store.get_review(db, year, period.value, party)
        tertial_store.upsert_review(
            db,
            year=year,
            period=period.value,
            party=party,
            user_id=actor.id,
            user_email=actor.email,
            user_name=actor.name,
            comment=comment,
        )
        party_store.upsert_review_view(db, year=year, period=period.value, party=party, view=view)
        audit_by(
            db,
            actor,
            "granska",
            "tertialrapport",
            f"{year} {period.value}",
            before=before,
            after={"party": party, "comment": comment, "status": "granskad", "partsvy": view},
            party=party,
        )


def _review_view(db: Database, party: str, year: int, period: Period) -> dict[str, Any]:
    """The party's own view the review refers to; its figures, or why there are none."""
    try:
        return party_service.view_reference(party_service.load_view(db, party, year, period))
    except InvalidInputError as exc:
        return {"party": party, "year": year, "period": period.value, "saknas": "; ".join(exc.messages)}
