"""Writes to the benefit register (permission, validation, audit) and the nyttokalkyl."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from portfolio import store as core_store
from portfolio.allocation import allocate_two_level
from portfolio.auth import Action, Role, User, can, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.models import parse
from portfolio.money import format_kr
from registers.benefits import logic as benefit_logic
from registers.benefits import store
from registers.benefits.model import (
    BenefitInput,
    BenefitValueInput,
    MeasurementInput,
    Point,
)

__all__ = [
    "Calculation",
    "add_measurement",
    "add_value",
    "benefit_input",
    "calculation",
    "can_edit",
    "can_measure",
    "create_benefit",
    "measurable_benefits",
    "measure_with_plan",
    "parse_benefit",
    "parse_measurement",
    "parse_value",
    "register",
    "update_benefit",
]

DEFAULT_DISCOUNT_RATE = Decimal("0.035")


def parse_benefit(data: dict[str, Any]) -> BenefitInput:
    """A benefit from form input; InvalidInputError lists every problem."""
    plan = dict(data)
    for point in ("baseline", "target"):
        day, value = plan.pop(f"{point}_date", None), plan.pop(f"{point}_value", None)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if day is None and blank:
            plan.setdefault(point, None)
        elif day is None or blank:
            label = "nollmätningen" if point == "baseline" else "målvärdet"
            raise InvalidInputError([f"Ange både datum och värde för {label}"])
        else:
            plan[point] = {"date": day, "value": value}
    return parse(BenefitInput, plan)


def parse_measurement(data: dict[str, Any]) -> MeasurementInput:
    """A measurement from form input; InvalidInputError lists every problem."""
    return parse(MeasurementInput, data)


def parse_value(data: dict[str, Any]) -> BenefitValueInput:
    """A money value from form input; InvalidInputError lists every problem."""
    return parse(BenefitValueInput, data)


# --- reading -----------------------------------------------------------------------------


def register(db: Database, project_id: int | None = None, *, today: date | None = None) -> pl.DataFrame:
    """The register (one project or all) with status, status text and the stale flag."""
    return benefit_logic.with_status(store.register_frame(db, project_id), today or date.today())


def benefit_input(row: dict[str, Any]) -> BenefitInput:
    """A stored benefit as the input model (what an edit form starts from)."""
    plan = {
        point: (
            Point(date=date.fromisoformat(row[f"{point}_date"]), value=row[f"{point}_value"])
            if row[f"{point}_date"] and row[f"{point}_value"] is not None
            else None
        )
        for point in ("baseline", "target")
    }
    plain = {column: row[column] for column in store.PLAIN_COLUMNS}
    return BenefitInput(**plain, parties=tuple(row["parties"]), **plan)


def _is_owner(user: User, benefit: dict[str, Any]) -> bool:
    # The nämnd never writes, not even as a benefit's named owner (the README's role table).
    email = benefit.get("owner_email")
    return bool(
        user.active
        and user.role is not Role.NAMND
        and email
        and user.email.casefold() == str(email).casefold()
    )


def can_edit(user: User, project_id: int) -> bool:
    """Whether the user may create and edit the project's benefits (its leaders and admin)."""
    return can(user, Action.EDIT_BENEFITS, project_id=project_id)


def can_measure(user: User, benefit: dict[str, Any]) -> bool:
    """Whether the user may add measurements: the benefit's owner, the project's leaders, admin."""
    return can_edit(user, int(benefit["project_id"])) or _is_owner(user, benefit)


def measurable_benefits(user: User, register_frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of a register the user may add measurements to."""
    if not user.active or user.role is Role.NAMND:
        return register_frame.clear()
    if user.role is Role.ADMIN:
        return register_frame
    mine = pl.col("owner_email").str.to_lowercase() == user.email.casefold()
    led = pl.lit(user.role is Role.PROJEKTLEDARE) & pl.col("project_id").is_in(list(user.projects))
    return register_frame.filter(mine.fill_null(False) | led)


def _check_parties(db: Database, parties: tuple[str, ...]) -> None:
    unknown = [p for p in parties if not core_store.party_exists(db, p)]
    if unknown:
        raise InvalidInputError([f"Parten '{p}' finns inte" for p in unknown])


def _dump(data: BenefitInput) -> dict[str, Any]:
    return data.model_dump(mode="json")


# --- writing -----------------------------------------------------------------------------


def create_benefit(db: Database, actor: User, project_id: int, data: BenefitInput) -> int:
    """Add a benefit or effect goal to a project; its leaders and admin only."""
    require(actor, Action.EDIT_BENEFITS, project_id=project_id)
    core_store.project_detail(db, project_id)  # NotFoundError for an unknown project
    _check_parties(db, data.parties)
    if store.benefit_exists(db, project_id, data.kind, data.title):
        raise InvalidInputError([f"Projektet har redan ett {data.kind} med titeln '{data.title}'"])
    with write(db):
        benefit_id = store.insert_benefit(db, project_id, data)
        audit_by(db, actor, "skapa", "nytta", benefit_id, after=_dump(data), project_id=project_id)
    return benefit_id


def update_benefit(db: Database, actor: User, benefit_id: int, data: BenefitInput, *, version: int) -> None:
    """Save an edit made from `version`; a newer version in the database refuses it."""
    current = store.get_benefit(db, benefit_id)
    project_id = int(current["project_id"])
    require(actor, Action.EDIT_BENEFITS, project_id=project_id)
    _check_parties(db, data.parties)
    before = benefit_input(current)
    if data.has_plan and data.baseline is not None:
        first = store.measurements_frame(db, benefit_id=benefit_id)["measured_on"].min()
        if isinstance(first, date) and first < data.baseline.date:
            raise InvalidInputError(
                [
                    f"Nyttan har en mätning {first.isoformat()}, före den nya nollmätningens datum "
                    f"{data.baseline.date.isoformat()}; välj ett nollmätningsdatum senast {first.isoformat()}"
                ]
            )
    with write(db):
        if not store.update_benefit(db, benefit_id, data, expected_version=version):
            newer = store.get_benefit(db, benefit_id)
            raise StaleEditError(
                f"Nyttan '{current['title']}' har ändrats av någon annan sedan du öppnade den "
                f"(version {newer['version']}, du utgick från version {version}). Inget sparades; "
                "läs in de nya värdena och gör om ändringen.",
                current=newer,
            )
        audit_by(
            db,
            actor,
            "ändra",
            "nytta",
            benefit_id,
            before={**_dump(before), "version": current["version"]},
            after={**_dump(data), "version": version + 1},
            project_id=project_id,
        )


def add_measurement(
    db: Database,
    actor: User,
    benefit_id: int,
    data: MeasurementInput,
    *,
    survey_statement_id: int | None = None,
) -> int:
    """Record a measurement: the benefit's owner, the project's leaders or admin.

    Measurements go on after the project is closed. A benefit needs its baseline and target
    first, and a measurement cannot predate the baseline.
    """
    benefit = store.get_benefit(db, benefit_id)
    project_id = int(benefit["project_id"])
    if not can_measure(actor, benefit):
        if not actor.active:
            raise PermissionDeniedError("Kontot är avstängt.")
        raise PermissionDeniedError(
            "Bara nyttoägaren, projektets projektledare och e-strategen får lägga till mätningar "
            f"för '{benefit['title']}'."
        )
    if not benefit["baseline_date"] or not benefit["target_date"]:
        raise InvalidInputError(
            [
                f"'{benefit['title']}' saknar nollmätning och målvärde; en projektledare eller "
                "e-strategen behöver ange dem innan mätningar kan läggas till"
            ]
        )
    baseline_date = date.fromisoformat(benefit["baseline_date"])
    if data.measured_on < baseline_date:
        raise InvalidInputError(
            [
                f"Mätdatum {data.measured_on.isoformat()} är före nollmätningens datum "
                f"{baseline_date.isoformat()}; en mätning kan inte göras före nollmätningen"
            ]
        )
    with write(db):
        measurement_id = store.insert_measurement(
            db, benefit_id, data, user_id=actor.id, survey_statement_id=survey_statement_id
        )
        audit_by(
            db,
            actor,
            "skapa",
            "nyttomätning",
            measurement_id,
            after={
                "benefit_id": benefit_id,
                "title": benefit["title"],
                **data.model_dump(mode="json"),
                "survey_statement_id": survey_statement_id,
            },
            project_id=project_id,
        )
    return measurement_id


PLAN_FIELDS = (
    "indicator",
    "unit",
    "direction",
    "baseline_date",
    "baseline_value",
    "target_date",
    "target_value",
)


def measure_with_plan(
    db: Database,
    actor: User,
    benefit_id: int,
    plan: dict[str, Any],
    data: MeasurementInput,
    *,
    version: int,
) -> int:
    """Give a benefit its indicator, baseline and target and record a measurement, in one step.

    For a benefit without baseline and target: `plan` holds the form's PLAN_FIELDS; the rest
    of the benefit stays as stored (from `version`). All or nothing; the project's leaders and
    admin only, since they set the plan. Returns the measurement's id.
    """
    current = store.get_benefit(db, benefit_id)
    require(actor, Action.EDIT_BENEFITS, project_id=int(current["project_id"]))
    stored = benefit_input(current).model_dump(exclude={"baseline", "target"})
    planned = parse_benefit({**stored, **{k: v for k, v in plan.items() if k in PLAN_FIELDS}})
    if planned.baseline is None:
        raise InvalidInputError(["Ange datum och värde för nollmätningen och målvärdet"])
    with write(db):
        update_benefit(db, actor, benefit_id, planned, version=version)
        return add_measurement(db, actor, benefit_id, data)


def remove_survey_measurements(db: Database, actor: User, statement_ids: list[int]) -> int:
    """Delete the measurements a survey round made (before that round is imported again).

    The same people as may import the round: the projects' leaders and admin.
    """
    if not actor.active or actor.role not in (Role.ADMIN, Role.PROJEKTLEDARE):
        require(actor, Action.EDIT_BENEFITS)  # refuses, with the role's own message
    rows = store.measurements_from_statements(db, statement_ids)
    benefits = {int(row["benefit_id"]): store.get_benefit(db, int(row["benefit_id"])) for row in rows}
    for project_id in sorted({int(b["project_id"]) for b in benefits.values()}):
        require(actor, Action.EDIT_BENEFITS, project_id=project_id)
    if not rows:
        return 0
    with write(db):
        for row in rows:
            benefit = benefits[int(row["benefit_id"])]
            audit_by(
                db,
                actor,
                "ta bort",
                "nyttomätning",
                row["id"],
                before=row,
                project_id=int(benefit["project_id"]),
            )
        store.delete_measurements(db, [int(row["id"]) for row in rows])
    return len(rows)


def add_value(db: Database, actor: User, benefit_id: int, data: BenefitValueInput) -> int:
    """Record a benefit's money value for a year; the project's leaders and admin."""
    benefit = store.get_benefit(db, benefit_id)
    project_id = int(benefit["project_id"])
    require(actor, Action.EDIT_BENEFITS, project_id=project_id)
    if data.party:
        _check_parties(db, (data.party,))
    with write(db):
        value_id = store.insert_value(db, benefit_id, data, user_id=actor.id)
        audit_by(
            db,
            actor,
            "skapa",
            "nyttovärde",
            value_id,
            after={"benefit_id": benefit_id, **data.model_dump(mode="json"), "value_ore": data.value_ore},
            project_id=project_id,
            party=data.party,
        )
    return value_id


# --- nyttokalkyl -------------------------------------------------------------------------

PARTY_YEAR_SCHEMA: dict[str, Any] = {"year": pl.Int64, "party": pl.String, "ore": pl.Int64}


@dataclass(frozen=True)
class Calculation:
    """Costs and benefits of a project per year and party, payback and net present value."""

    costs: pl.DataFrame  # year, party, ore
    benefits: pl.DataFrame  # year, party, ore
    table: pl.DataFrame  # benefit_logic.payback over the whole project
    per_party: pl.DataFrame  # party, cost_ore, benefit_ore, net_ore, payback_year
    payback_year: int | None
    npv_ore: int
    base_year: int | None
    rate: Decimal
    notes: list[str] = field(default_factory=list)


def _project_period(detail: dict[str, Any], today: date) -> tuple[date, date]:
    start = detail.get("start_date")
    end = detail.get("actual_end_date") or detail.get("planned_end_date")
    if start and end:
        return date.fromisoformat(start), date.fromisoformat(end)
    given = start or end
    only = date.fromisoformat(str(given)) if given else today
    return only, only


def _populations(db: Database, parties: list[str], year: int) -> tuple[dict[str, int], int | None]:
    pops = core_store.populations_frame(db).filter(pl.col("party_code").is_in(parties))
    if pops.is_empty():
        return {}, None
    years = pops["year"].unique().to_list()
    # November of the year before; else the nearest year the register holds (earlier first).
    chosen = min(years, key=lambda y: (abs(y - year), y))
    rows = pops.filter(pl.col("year") == chosen)
    return dict(rows.select("party_code", "population").iter_rows()), int(chosen)


def _party_costs(db: Database, project_id: int, detail: dict[str, Any], notes: list[str]) -> dict[str, int]:
    """What each party paid for the project in all, in öre."""
    lines = core_store.budget_lines_frame(db, project_id)
    parties = core_store.parties_frame(db)
    region = parties.filter(pl.col("kind") == "region")["code"].to_list()
    financing = list(detail.get("financing_parties") or [])
    municipalities = parties.filter(
        (pl.col("kind") == "kommun") & pl.col("code").is_in(financing or parties["code"].to_list())
    )["code"].to_list()
    if lines.height and region:
        sums = lines.select(
            pl.col("outcome_kommunerna_ore").sum().alias("kommunerna"),
            pl.col("outcome_total_ore").sum().alias("total"),
        ).row(0, named=True)
        stated = core_store.stated_totals(db, project_id) or {}
        lines_total = int(sums["total"] or 0)
        total = int(stated["total_cost_ore"]) if stated.get("total_cost_ore") is not None else lines_total
        kommunerna_ore = int(
            stated["outcome_kommunerna_ore"]
            if stated.get("outcome_kommunerna_ore") is not None
            else sums["kommunerna"] or 0
        )
        region_ore = total - kommunerna_ore
        start_year = int(str(detail.get("start_date") or date.today().isoformat())[:4])
        populations, pop_year = _populations(db, municipalities, start_year - 1)
        if kommunerna_ore and not populations:
            raise InvalidInputError(["Befolkningstal saknas för kommunerna; kostnaden kan inte fördelas"])
        split = (
            allocate_two_level(region_ore, kommunerna_ore, region[0], populations)
            if populations
            else {region[0]: region_ore}
        )
        notes.append(
            f"Kalkylen utgår från projektets totala kostnad {format_kr(total)}"
            + (" enligt rapporten" if stated.get("total_cost_ore") is not None else "")
            + f": kommunerna {format_kr(kommunerna_ore)} (utfall kommunerna) fördelat efter folkmängd "
            f"{pop_year} (november året före projektstart, eller närmaste år som finns), Regionen resten, "
            f"{format_kr(region_ore)} (sin del av budgetraderna och kostnaderna utanför budget)."
        )
        if lines_total != total:
            notes.append(
                f"Budgetraderna och de tillkommande raderna summerar till {format_kr(lines_total)}, "
                f"{format_kr(lines_total - total)} från rapportens totala kostnad; skillnaden ligger i "
                "rapportens egna summor och visas på projektsidan."
            )
        return split
    actual = core_store.projects_frame(db).filter(pl.col("id") == project_id)["actual_ore"].to_list()
    amount = int(actual[0]) if actual and actual[0] is not None else 0
    payer = detail.get("owner_party") or "ofördelat"
    if amount:
        notes.append(
            f"Projektet saknar budgetrader per part; hela utfallet {format_kr(amount)} förs på {payer}."
        )
    return {payer: amount} if amount else {}


def _benefits_by_party(db: Database, project_id: int, financing: list[str]) -> pl.DataFrame:
    """Benefit values per year and party; a value without a party is shared equally (exactly)."""
    values = store.values_frame(db, project_id).select("benefit_id", "year", "party_code", "value_ore")
    owners = store.benefit_party_frame(db, project_id)
    fallback = pl.DataFrame({"party_code": financing or ["ofördelat"]}, schema={"party_code": pl.String})
    direct = values.filter(pl.col("party_code").is_not_null())
    shared = values.filter(pl.col("party_code").is_null()).drop("party_code").with_row_index("value_row")
    with_owners = shared.join(owners, on="benefit_id", how="inner")
    without = shared.join(owners, on="benefit_id", how="anti").join(fallback, how="cross")
    exploded = pl.concat([with_owners, without], how="vertical_relaxed")
    split = (
        exploded.sort("value_row", "party_code")
        .with_columns(
            n=pl.len().over("value_row"),
            rank=pl.int_range(pl.len()).over("value_row"),
        )
        .with_columns(
            ore=pl.col("value_ore") // pl.col("n")
            + (pl.col("rank") < pl.col("value_ore") % pl.col("n")).cast(pl.Int64)
        )
        .select("year", pl.col("party_code").alias("party"), "ore")
    )
    return (
        pl.concat(
            [
                direct.select("year", pl.col("party_code").alias("party"), pl.col("value_ore").alias("ore")),
                split,
            ]
        )
        .group_by("year", "party")
        .agg(pl.col("ore").sum())
        .sort("year", "party")
        .cast(PARTY_YEAR_SCHEMA)  # type: ignore[arg-type]
    )


def calculation(
    db: Database, project_id: int, *, rate: Decimal = DEFAULT_DISCOUNT_RATE, today: date | None = None
) -> Calculation:
    """The project's nyttokalkyl: costs against benefits per year and party, payback and NPV.

    The documents give costs for the whole period, not per year, so each party's cost is spread
    over the project's calendar years by days; the notes say so.
    """
    detail = core_store.project_detail(db, project_id)
    notes: list[str] = []
    party_costs = _party_costs(db, project_id, detail, notes)
    start, end = _project_period(detail, today or date.today())
    cost_rows = [
        (year, party, ore)
        for party, total in party_costs.items()
        for year, ore in benefit_logic.spread_by_days(total, start, end).items()
    ]
    if start.year != end.year and party_costs:
        notes.append(
            f"Kostnaderna är fördelade på åren {start.year}–{end.year} efter antal projektdagar per år "
            f"({start.isoformat()}–{end.isoformat()}); dokumenten anger inte kostnad per år."
        )
    costs = pl.DataFrame(cost_rows, schema=PARTY_YEAR_SCHEMA, orient="row")
    benefits = _benefits_by_party(db, project_id, list(detail.get("financing_parties") or []))
    if benefits.is_empty():
        notes.append("Inga nyttor har något värde i kronor ännu; kalkylen visar bara kostnaderna.")

    def by_year(frame: pl.DataFrame) -> dict[int, int]:
        return dict(frame.group_by("year").agg(pl.col("ore").sum()).iter_rows())

    cost_years, benefit_years = by_year(costs), by_year(benefits)
    years = sorted(set(cost_years) | set(benefit_years))
    base_year = years[0] if years else None
    npv_ore = (
        benefit_logic.npv(benefit_logic.net_cashflows(cost_years, benefit_years), rate, base_year)
        if base_year is not None
        else 0
    )
    parties = sorted(set(costs["party"].to_list()) | set(benefits["party"].to_list()))
    per_party = pl.DataFrame(
        [
            (
                party,
                sum(by_year(costs.filter(pl.col("party") == party)).values()),
                sum(by_year(benefits.filter(pl.col("party") == party)).values()),
                benefit_logic.payback_year(
                    by_year(costs.filter(pl.col("party") == party)),
                    by_year(benefits.filter(pl.col("party") == party)),
                ),
            )
            for party in parties
        ],
        schema={"party": pl.String, "cost_ore": pl.Int64, "benefit_ore": pl.Int64, "payback_year": pl.Int64},
        orient="row",
    ).with_columns(net_ore=pl.col("benefit_ore") - pl.col("cost_ore"))
    return Calculation(
        costs=costs,
        benefits=benefits,
        table=benefit_logic.payback(cost_years, benefit_years),
        per_party=per_party.select("party", "cost_ore", "benefit_ore", "net_ore", "payback_year"),
        payback_year=benefit_logic.payback_year(cost_years, benefit_years),
        npv_ore=npv_ore,
        base_year=base_year,
        rate=rate,
        notes=notes,
    )
