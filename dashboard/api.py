"""The read API under /api/v1/: the portfolio's figures for Power BI, Excel and scripts.

`ROUTES` is mounted in the app's `st.App` (dashboard/server.py). Every endpoint answers GET (and
HEAD) only, with JSON or, with `?format=csv`, CSV for Swedish Excel. A request carries a personal
API key (`Authorization: Bearer <nyckel>` or `X-API-Key: <nyckel>`) and reads exactly what the
key's user may read: each endpoint serves the figures of one page, and a key reads it when the
navigation shows that page to the user's role. Nothing here writes; the database is opened per
request without migrating, and all database work runs off the event loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from dashboard import config, navigation
from portfolio import store as core_store
from portfolio.apikeys import service as apikeys
from portfolio.auth import User
from portfolio.db import Database
from portfolio.errors import (
    DatabaseDamagedError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from portfolio.governance import service as governance
from portfolio.ledger import keys as ledger_keys
from portfolio.ledger import keys_store
from portfolio.ledger.tertial import Scope as ReportScope
from portfolio.ledger.tertial import TertialReport, load_report, report_years
from portfolio.money import kronor_json
from portfolio.overview import with_deviation
from portfolio.periods import Period
from portfolio.reporting import service as reporting
from portfolio.reporting.model import DIMENSIONS
from portfolio.textsafe import csv_cell
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.database import open_database
from registers.risks import service as risks

__all__ = ["BASE", "ENDPOINTS", "ROUTES", "openapi"]

BASE = "/api/v1"
ALLOWED_METHODS = ("GET", "HEAD")
COMMON_PARAMETERS = {"format": "json (standard) eller csv (semikolon, UTF-8 med BOM, decimalkomma)"}

UNAUTHORISED = (
    "API-nyckel saknas. Skicka den i huvudet 'Authorization: Bearer <nyckel>' eller 'X-API-Key: <nyckel>';"
    " en nyckel skapas på sidan API-nycklar."
)
REFUSED_KEY = "API-nyckeln gäller inte: den är okänd eller återkallad, eller så är kontot avstängt."


class ApiError(Exception):
    """A refusal with its HTTP status and a Swedish message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass(frozen=True)
class Answer:
    """What an endpoint read: rows (one table) and, for JSON, what the rows are about."""

    rows: list[dict[str, Any]]
    columns: Sequence[str]
    about: dict[str, Any] | None = None
    name: str = "data"


class Params:
    """A request's query parameters, checked one by one; a bad value is a 400 in Swedish."""

    def __init__(self, query: Mapping[str, str], path: Mapping[str, Any], allowed: Mapping[str, str]) -> None:
        unknown = sorted(set(query) - set(allowed) - set(COMMON_PARAMETERS))
        if unknown:
            known = ", ".join(sorted({*allowed, *COMMON_PARAMETERS}))
            raise _bad(f"Okänd parameter '{unknown[0]}'. Tillåtna parametrar här: {known}.")
        self.query = query
        self.path = path

    def text(self, name: str) -> str | None:
        value = self.query.get(name)
        return value.strip() if value is not None and value.strip() else None

    def year(self, name: str = "year", *, required: bool = False) -> int | None:
        value = self.text(name)
        if value is None:
            if required:
                raise _bad(f"Parametern '{name}' saknas: ange ett år, till exempel {name}=2019.")
            return None
        if not (value.isascii() and value.isdigit() and len(value) == 4):
            raise _bad(f"'{value}' är inget år; ange fyra siffror, till exempel {name}=2019.")
        return int(value)

    def period(self, *, default: Period | None = None) -> Period:
        value = self.text("period")
        if value is None:
            if default is None:
                raise _bad("Parametern 'period' saknas: ange T1, T2 eller helår.")
            return default
        try:
            return Period.parse(value)
        except ValueError:
            raise _bad(f"Okänd period '{value}': ange T1, T2 eller helår.") from None

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        value = self.text(name) or default
        if value not in choices:
            listed = ", ".join(choices[:-1]) + " eller " + choices[-1]
            raise _bad(f"Okänt värde '{value}' för '{name}': ange {listed}.")
        return value

    def project_id(self, db: Database, name: str = "project") -> int | None:
        code = self.text(name)
        if code is None:
            return None
        try:
            return core_store.project_id_for(db, code)
        except NotFoundError:
            raise _bad(f"Det finns inget projekt eller ärende med koden '{code}'.") from None

    def whole(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit() and len(value) <= 12):
            raise _bad(f"'{value}' är inget id; ange ett heltal för '{name}'.")
        return int(value)


Reader = Callable[[Database, User, Params], Answer]


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint: where, which page's figures it serves (who may read it), and how it reads."""

    path: str
    page: str
    summary: str
    read: Reader
    parameters: dict[str, str] = field(default_factory=dict)
    path_parameter: tuple[str, str] | None = None


# --- turning frames into rows --------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(frame: pl.DataFrame, columns: Mapping[str, str], money: Sequence[str] = ()) -> list[dict[str, Any]]:
    """`columns` (name in the frame → name in the answer) of every row; öre columns as kronor."""
    return [
        {out: kronor_json(row[src]) if src in money else _value(row[src]) for src, out in columns.items()}
        for row in frame.select(list(columns)).iter_rows(named=True)
    ]


def _number(text: str | None) -> int | float | None:
    """A measured value stored as exact decimal text, as a JSON number."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- the readers ----------------------------------------------------------------------------

PROJECT_COLUMNS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "phase": "phase",
    "status": "status",
    "status_reason": "status_reason",
    "budget_ore": "budget",
    "actual_ore": "actual",
    "deviation_ore": "deviation",
    "owner_party": "owner",
    "financing_parties": "financing_parties",
    "start_date": "start_date",
    "planned_end_date": "planned_end_date",
    "actual_end_date": "actual_end_date",
}
PROJECT_MONEY = ("budget_ore", "actual_ore", "deviation_ore")


def _project_frame(db: Database) -> pl.DataFrame:
    """What `portfolj projects` lists: budget and actual as the project page states them."""
    return with_deviation(core_store.projects_frame(db)).with_columns(
        pl.col("financing_parties").str.split(",")
    )


def read_projects(db: Database, user: User, params: Params) -> Answer:
    rows = _rows(_project_frame(db), PROJECT_COLUMNS, PROJECT_MONEY)
    return Answer(rows, list(PROJECT_COLUMNS.values()), name="projekt")


def read_project(db: Database, user: User, params: Params) -> Answer:
    code = str(params.path["code"]).strip()
    frame = _project_frame(db).filter(pl.col("code") == code)
    if frame.is_empty():
        raise ApiError(404, f"Det finns inget projekt eller ärende med koden '{code}'.")
    return Answer(
        _rows(frame, PROJECT_COLUMNS, PROJECT_MONEY), list(PROJECT_COLUMNS.values()), name="projekt"
    )


STATUS_COLUMNS = {
    "id": "id",
    "project_code": "project",
    "year": "year",
    "period": "period",
    "report_version": "version",
    "corrects_id": "corrects",
    "correction_reason": "correction_reason",
    "reported_on": "reported_on",
    "published_at": "published_at",
    **{c: c for d in DIMENSIONS for c in (f"{d}_status", f"{d}_reason")},
    "next_steps": "next_steps",
    "publisher": "reporter",
    "snapshot_saved": "snapshot_saved",
}


def read_status_reports(db: Database, user: User, params: Params) -> Answer:
    """Published reports only, each as it was published (a correction is a new version)."""
    frame = reporting.published_reports(db, params.project_id(db)).with_columns(
        pl.col("snapshot").is_not_null().alias("snapshot_saved")
    )
    return Answer(_rows(frame, STATUS_COLUMNS), list(STATUS_COLUMNS.values()), name="statusrapporter")


RISK_COLUMNS = {
    "id": "id",
    "project": "project",
    "register": "register",
    "title": "title",
    "description": "description",
    "cause": "cause",
    "consequence_text": "consequence_text",
    "category": "category",
    "probability": "probability",
    "consequence": "consequence",
    "score": "score",
    "band": "band",
    "residual_probability": "residual_probability",
    "residual_consequence": "residual_consequence",
    "residual_score": "residual_score",
    "residual_band": "residual_band",
    "owner": "owner",
    "status": "status",
    "next_review": "next_review",
    "show_in_portfolio": "show_in_portfolio",
    "status_note": "status_note",
    "actions": "actions",
    "open_actions": "open_actions",
}


def read_risks(db: Database, user: User, params: Params) -> Answer:
    frame = risks.risks_with_bands(db, params.project_id(db))
    return Answer(_rows(frame, RISK_COLUMNS), list(RISK_COLUMNS.values()), name="risker")


def read_risk(db: Database, user: User, params: Params) -> Answer:
    risk_id = int(params.path["risk_id"])
    frame = risks.risks_with_bands(db).filter(pl.col("id") == risk_id)
    if frame.is_empty():
        raise ApiError(404, f"Det finns ingen risk med id {risk_id}.")
    return Answer(_rows(frame, RISK_COLUMNS), list(RISK_COLUMNS.values()), name="risk")


ACTION_COLUMNS = {
    "id": "id",
    "risk_id": "risk_id",
    "risk": "risk",
    "project": "project",
    "register": "register",
    "description": "description",
    "owner": "owner",
    "due_date": "due_date",
    "status": "status",
    "days_late": "days_late",
    "comment": "comment",
}


def read_actions(db: Database, user: User, params: Params) -> Answer:
    frame = risks.actions_with_lateness(db, date.today(), params.project_id(db))
    return Answer(_rows(frame, ACTION_COLUMNS), list(ACTION_COLUMNS.values()), name="atgarder")


BENEFIT_COLUMNS = {
    "id": "id",
    "project": "project",
    "kind": "kind",
    "title": "title",
    "indicator": "indicator",
    "unit": "unit",
    "direction": "direction",
    "baseline_date": "baseline_date",
    "baseline_value": "baseline_value",
    "target_date": "target_date",
    "target_value": "target_value",
    "latest_date": "latest_date",
    "latest_value": "latest_value",
    "measurements": "measurements",
    "status": "status",
    "owner": "owner",
}
BENEFIT_VALUES = ("baseline_value", "target_value", "latest_value")


def read_benefits(db: Database, user: User, params: Params) -> Answer:
    kind = params.choice("kind", ("alla", "effektmål", "nytta"), "alla")
    frame = benefits.register(db, params.project_id(db))
    if kind != "alla":
        frame = frame.filter(pl.col("kind") == kind)
    rows = _rows(frame, BENEFIT_COLUMNS)
    for row in rows:
        row.update({c: _number(row[c]) for c in BENEFIT_VALUES})
    return Answer(rows, list(BENEFIT_COLUMNS.values()), name="nyttor")


MEASUREMENT_COLUMNS = {
    "id": "id",
    "benefit_id": "benefit_id",
    "measured_on": "measured_on",
    "value": "value",
    "comment": "comment",
    "user": "measured_by",
    "created_at": "created_at",
}


def read_measurements(db: Database, user: User, params: Params) -> Answer:
    frame = benefits_store.measurements_frame(
        db, benefit_id=params.whole("benefit"), project_id=params.project_id(db)
    )
    rows = _rows(frame, MEASUREMENT_COLUMNS)
    for row in rows:
        row["value"] = _number(row["value"])
    return Answer(rows, list(MEASUREMENT_COLUMNS.values()), name="matningar")


TERTIAL_BY = ("line", "project", "object")


TERTIAL_MONEY = ("budget_ore", "actual_ore", "deviation_ore", "forecast_ore")
TERTIAL_COLUMNS: dict[str, dict[str, str]] = {
    "line": {
        "line": "line",
        "kind": "kind",
        "actual_ore": "actual",
        "budget_ore": "budget",
        "diff_budget_ore": "deviation",
        "previous_year_ore": "previous_year",
    },
    "project": {
        "project_code": "project",
        "objects": "objects",
        "budget_ore": "budget",
        "actual_ore": "actual",
        "deviation_ore": "deviation",
        "forecast_ore": "forecast",
    },
    "object": {
        "object": "object",
        "name": "name",
        "project_code": "project",
        "budget_ore": "budget",
        "actual_ore": "actual",
        "deviation_ore": "deviation",
        "forecast_ore": "forecast",
        "comment": "comment",
        "text": "text",
    },
}


def _sum_or_empty(column: str) -> pl.Expr:
    # A sum of figures the report does not have (the committee's own reports give only
    # deviations) stays empty rather than becoming 0.
    return pl.when(pl.col(column).is_null().all()).then(None).otherwise(pl.col(column).sum()).alias(column)


def _tertial_frame(report: TertialReport, by: str) -> pl.DataFrame:
    if by == "line":
        return report.statement
    if by == "object":
        return report.objects
    return (
        report.objects.filter(pl.col("project_code").is_not_null())
        .group_by("project_code")
        .agg(pl.col("object").sort().str.join(", ").alias("objects"), *map(_sum_or_empty, TERTIAL_MONEY))
        .sort("project_code")
    )


def read_tertial(db: Database, user: User, params: Params) -> Answer:
    year = params.year(required=True)
    assert year is not None
    period = params.period()
    by = params.choice("by", TERTIAL_BY, "line")
    try:
        scope = ReportScope.parse(params.text("scope"))
    except InvalidInputError as exc:
        raise _bad(" ".join(exc.messages)) from None
    years = report_years(db)
    if year not in years:
        raise _bad(
            f"Det finns ingen tertialrapport för {year};"
            f" år med rapporter: {', '.join(map(str, years)) or 'inga'}."
        )
    report = load_report(db, year, period, scope)
    columns = TERTIAL_COLUMNS[by]
    money = [c for c in columns if c.endswith("_ore")]
    rows = _rows(_tertial_frame(report, by), columns, money)
    about = {
        "title": report.title,
        "year": year,
        "period": period.value,
        "by": by,
        "scope": report.scope.key,
        "source": report.source,
        "source_text": report.source_text,
        "result": kronor_json(report.result_ore),
        "result_source": report.result_source,
        "frozen": report.snapshot is not None,
    }
    return Answer(rows, list(columns.values()), about, name=f"tertial-{year}-{period.value}-{by}")


ALLOCATION_COLUMNS = {
    "item": "item",
    "key": "key",
    "party": "party",
    "party_name": "party_name",
    "amount_ore": "amount",
    "item_total_ore": "item_total",
}


def read_allocation(db: Database, user: User, params: Params) -> Answer:
    year = params.year(required=True)
    assert year is not None
    period = params.period(default=Period.HELAR)
    items = keys_store.items_frame(db)
    years = sorted(set(items["year"].to_list()))
    if year not in years:
        raise _bad(
            f"Det finns inga fördelningsposter för {year};"
            f" år med poster: {', '.join(map(str, years)) or 'inga'}."
        )
    try:
        statement = ledger_keys.party_statement(db, year, period)
    except InvalidInputError as exc:
        raise _bad(" ".join(exc.messages)) from None
    wanted = params.text("item")
    if wanted is not None:
        statement = statement.filter(pl.col("item").str.to_lowercase() == wanted.lower())
        if statement.is_empty():
            known = ", ".join(items.filter(pl.col("year") == year)["name"].to_list())
            raise _bad(f"Det finns ingen fördelningspost '{wanted}' för {year}; poster: {known}.")
    names = core_store.parties_frame(db).select(
        pl.col("code").alias("party"), pl.col("name").alias("party_name")
    )
    frame = statement.join(names, on="party", how="left", maintain_order="left")
    rows = _rows(frame, ALLOCATION_COLUMNS, ("amount_ore", "item_total_ore"))
    return Answer(rows, list(ALLOCATION_COLUMNS.values()), name=f"fordelning-{year}")


MEETING_COLUMNS = {
    "id": "id",
    "date": "date",
    "kind": "kind",
    "place": "place",
    "paragraphs": "paragraphs",
    "planned": "planned",
    "moved_from": "moved_from",
    "moved_reason": "moved_reason",
    "items": "items",
    "decisions": "decisions",
}


def read_meetings(db: Database, user: User, params: Params) -> Answer:
    year = params.year()
    if year is not None and year not in governance.meeting_years(db):
        years = ", ".join(map(str, governance.meeting_years(db))) or "inga"
        raise _bad(f"Det finns inga sammanträden {year}; år med sammanträden: {years}.")
    frame = governance.meeting_plan(db, year)
    return Answer(_rows(frame, MEETING_COLUMNS), list(MEETING_COLUMNS.values()), name="sammantraden")


DECISION_COLUMNS = ("item_id", "date", "paragraph", "case", "title", "decision")


def read_decisions(db: Database, user: User, params: Params) -> Answer:
    code = params.text("project")
    if code is not None:
        params.project_id(db)  # an unknown code is a 400 naming it
    day = params.text("date")
    if day is not None:
        try:
            day = date.fromisoformat(day).isoformat()
        except ValueError:
            raise _bad(f"'{day}' är inget datum; skriv ÅÅÅÅ-MM-DD, till exempel date=2019-06-03.") from None
    search = params.text("q")
    if search is not None:
        frame = governance.search_decisions(db, search)
        if code is not None:
            frame = frame.filter(pl.col("case_code") == code)
        frame = frame.sort("date", "item_id")
    else:
        frame = governance.decisions(db, case_code=code)
    if day is not None:
        frame = frame.filter(pl.col("date") == day)
    rows = [
        {"item_id": item_id, **row}
        for item_id, row in zip(frame["item_id"].to_list(), governance.decision_rows(frame), strict=True)
    ]
    return Answer(rows, list(DECISION_COLUMNS), name="beslut")


PROJECT_PARAM = {"project": "projektets eller ärendets kod, till exempel GNS/8/2018"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "/projects",
        "app_pages/overview.py",
        "Projekt och ärenden med status, budget, utfall och avvikelse (kronor)",
        read_projects,
    ),
    Endpoint(
        "/projects/{code:path}",
        "app_pages/project.py",
        "Ett projekt eller ärende",
        read_project,
        path_parameter=("code", "projektets kod, till exempel GNS/8/2018"),
    ),
    Endpoint(
        "/status-reports",
        "app_pages/project.py",
        "Statusrapporter (tid, kostnad, omfattning, helhet), äldst först",
        read_status_reports,
        PROJECT_PARAM,
    ),
    Endpoint(
        "/risks",
        "app_pages/risks.py",
        "Risker med sannolikhet, konsekvens, riskvärde och nivå, före och efter åtgärder",
        read_risks,
        PROJECT_PARAM,
    ),
    Endpoint(
        "/risks/{risk_id:int}",
        "app_pages/risks.py",
        "En risk",
        read_risk,
        path_parameter=("risk_id", "riskens id"),
    ),
    Endpoint(
        "/actions",
        "app_pages/risks.py",
        "Riskernas åtgärder med status och antal dagar försenade",
        read_actions,
        PROJECT_PARAM,
    ),
    Endpoint(
        "/benefits",
        "app_pages/benefits.py",
        "Nyttoregistret: effektmål och nyttor med nollvärde, målvärde, senaste mätning och status",
        read_benefits,
        {**PROJECT_PARAM, "kind": "alla (standard), effektmål eller nytta"},
    ),
    Endpoint(
        "/measurements",
        "app_pages/benefits.py",
        "Nyttornas mätningar i datumordning",
        read_measurements,
        {**PROJECT_PARAM, "benefit": "bara mätningarna av nyttan med detta id"},
    ),
    Endpoint(
        "/tertial",
        "app_pages/tertial.py",
        "Tertialrapporten för ett år och en period, per resultaträkningsrad, projekt eller objekt",
        read_tertial,
        {
            "year": "år (krävs), till exempel 2019",
            "period": "T1, T2 eller helår (krävs)",
            "by": "line (standard), project eller object",
            "scope": "nämnden (standard), 'objekt 6663' eller 'projekt GNS/8/2018'",
        },
    ),
    Endpoint(
        "/allocation",
        "app_pages/allocation.py",
        "Kostnadsfördelningen: vad varje part betalar av årets poster",
        read_allocation,
        {
            "year": "år (krävs)",
            "period": "T1, T2 eller helår (standard), för poster ur huvudboken",
            "item": "bara posten med detta namn, till exempel basfinansiering",
        },
    ),
    Endpoint(
        "/meetings",
        "app_pages/meetings.py",
        "Nämndens sammanträden med flyttade datum och antal ärenden och beslut",
        read_meetings,
        {"year": "bara sammanträden detta år"},
    ),
    Endpoint(
        "/decisions",
        "app_pages/decisions.py",
        "Nämndens beslut (datum, §, ärende, rubrik, beslut); utan beslut visas förslaget",
        read_decisions,
        {
            **PROJECT_PARAM,
            "q": "bara beslut som handlar om texten, till exempel serverdrift",
            "date": "bara beslut från sammanträdet detta datum (ÅÅÅÅ-MM-DD)",
        },
    ),
)


# --- answering ------------------------------------------------------------------------------


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(
        {"status": status, "fel": message},
        status_code=status,
        headers={**_NO_STORE, **(headers or {})},
    )


_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _key_from(request: Request) -> str | None:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" else ""
    return request.headers.get("x-api-key")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, list):
        return csv_cell(", ".join(str(v) for v in value))
    return csv_cell(value)


def csv_bytes(answer: Answer) -> bytes:
    """The rows as CSV for Swedish Excel: semicolons, decimal comma, UTF-8 with BOM, no formulas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in answer.columns])
    writer.writerows([_csv_value(row.get(c)) for c in answer.columns] for row in answer.rows)
    return out.getvalue().encode("utf-8-sig")


def _render(answer: Answer, fmt: str) -> Response:
    if fmt == "csv":
        return Response(
            csv_bytes(answer),
            media_type="text/csv; charset=utf-8",
            headers={**_NO_STORE, "Content-Disposition": f'attachment; filename="{answer.name}.csv"'},
        )
    body: Any = answer.rows if answer.about is None else {**answer.about, "rows": answer.rows}
    return JSONResponse(body, headers=_NO_STORE)


def _page(path: str) -> navigation.PageSpec:
    return next(p for p in navigation.PAGES if p.path == path)


def _serve(endpoint: Endpoint, key: str, query: Mapping[str, str], path: Mapping[str, Any]) -> Response:
    """The blocking part of a request: open the database, find the key's user, read, render."""
    try:
        db = open_database(config.db_path(), migrate=False)
    except DatabaseDamagedError:
        return _error(
            503, "Databasen går inte att läsa just nu. Försök igen senare eller kontakta förvaltningen."
        )
    try:
        user = apikeys.user_for_key(db, key)
        if user is None:
            return _error(401, REFUSED_KEY, {"WWW-Authenticate": 'Bearer realm="portfolj"'})
        page = _page(endpoint.page)
        if page not in navigation.pages_for(user.role):
            return _error(
                403, f"Rollen {user.role.label.lower()} får inte läsa det som sidan {page.title} visar."
            )
        params = Params(query, path, endpoint.parameters)
        fmt = params.choice("format", ("json", "csv"), "json")
        return _render(endpoint.read(db, user, params), fmt)
    except ApiError as exc:
        return _error(exc.status, exc.message, exc.headers)
    except InvalidInputError as exc:
        return _error(400, " ".join(exc.messages))
    except NotFoundError as exc:
        return _error(404, str(exc))
    except PermissionDeniedError as exc:
        return _error(403, str(exc))
    finally:
        db.close()


class _Answering:
    """An ASGI endpoint that takes every method, so that anything but GET gets a 405 in Swedish."""

    def __init__(self, endpoint: Endpoint | None) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        if request.method == "HEAD":
            response.body = b""  # the headers (with the GET answer's length) without the body
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        if request.method not in ALLOWED_METHODS:
            return _error(
                405,
                f"API:t är bara för läsning och tar inte emot {request.method}; använd GET.",
                {"Allow": ", ".join(ALLOWED_METHODS)},
            )
        if self.endpoint is None:
            return _error(404, f"Det finns ingen adress {request.url.path} i API:t; se {BASE}/openapi.json.")
        key = _key_from(request)
        if key is None:
            return _error(401, UNAUTHORISED, {"WWW-Authenticate": 'Bearer realm="portfolj"'})
        return await run_in_threadpool(
            _serve, self.endpoint, key, dict(request.query_params), dict(request.path_params)
        )


class _OpenApi:
    """The OpenAPI description: public, it holds no figures."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method not in ALLOWED_METHODS:
            response = _error(405, "API:t är bara för läsning; använd GET.", {"Allow": "GET, HEAD"})
        else:
            response = JSONResponse(openapi())
            if request.method == "HEAD":
                response.body = b""
        await response(scope, receive, send)


def _openapi_path(path: str) -> str:
    return BASE + path.replace(":path}", "}").replace(":int}", "}")


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if endpoint.path_parameter:
        name, text = endpoint.path_parameter
        kind = "integer" if ":int}" in endpoint.path else "string"
        parameters.append(
            {"name": name, "in": "path", "required": True, "description": text, "schema": {"type": kind}}
        )
    for name, text in {**endpoint.parameters, **COMMON_PARAMETERS}.items():
        schema: dict[str, Any] = {"type": "integer"} if name in ("year", "benefit") else {"type": "string"}
        if name == "format":
            schema = {"type": "string", "enum": ["json", "csv"], "default": "json"}
        if name == "by":
            schema = {"type": "string", "enum": list(TERTIAL_BY), "default": "line"}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": "(krävs)" in text,
                "description": text,
                "schema": schema,
            }
        )
    error = {"description": "Fel, med ett meddelande på svenska", "content": {"application/json": {}}}
    return {
        "summary": endpoint.summary,
        "description": f"Samma uppgifter som sidan {_page(endpoint.page).title} visar.",
        "parameters": parameters,
        "responses": {
            "200": {
                "description": (
                    "JSON (standard) eller CSV med ?format=csv. Belopp i kronor med ören, datum ISO 8601."
                ),
                "content": {"application/json": {}, "text/csv": {}},
            },
            "400": error,
            "401": error,
            "403": error,
            "404": error,
            "405": error,
        },
    }


def openapi() -> dict[str, Any]:
    """A short OpenAPI 3 description of the read API."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "portfolj läs-API",
            "version": "1",
            "description": (
                "Projektportföljens siffror för Power BI, Excel (Från webben) och skript. Bara läsning"
                " (GET). Skicka en personlig API-nyckel i huvudet Authorization: Bearer <nyckel> eller"
                " X-API-Key: <nyckel>; nyckeln läser det som dess användare får läsa. ?format=csv ger"
                " CSV för svenskt Excel: semikolon, UTF-8 med BOM, decimalkomma."
            ),
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        },
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {_openapi_path(e.path): {"get": _operation(e)} for e in ENDPOINTS},
    }


ROUTES: list[BaseRoute] = [
    Route(f"{BASE}/openapi.json", _OpenApi()),
    *(Route(BASE + e.path, _Answering(e)) for e in ENDPOINTS),
    Route(BASE, _Answering(None)),
    Route(BASE + "/{rest:path}", _Answering(None)),
]
