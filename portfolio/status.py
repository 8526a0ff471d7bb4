"""Project status reports: time, cost, scope and overall, each with its reason; history kept."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import polars as pl
from pydantic import Field, model_validator

from portfolio import clock
from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, write
from portfolio.models import Model, Printable, Status, WindowsNewlines, parse
from portfolio.periods import last_tertial_end
from portfolio.reporting import service as reporting_service
from portfolio.reporting import store as reporting_store

ASPECTS = {"time": "Tid", "cost": "Kostnad", "scope": "Omfattning", "overall": "Totalt"}
Reason = Annotated[str, WindowsNewlines, Field(max_length=2000), Printable]


class StatusReport(Model):
    """One status report as the project leader files it."""

    reported_on: date
    time_status: Status
    time_reason: Reason = ""
    cost_status: Status
    cost_reason: Reason = ""
    scope_status: Status
    scope_reason: Reason = ""
    overall_status: Status
    overall_reason: Reason = ""
    next_steps: Annotated[str, WindowsNewlines, Field(max_length=4000), Printable] = ""

    @model_validator(mode="after")
    def _reasons_for_deviations(self) -> StatusReport:
        missing = [
            ASPECTS[aspect]
            for aspect in ASPECTS
            if getattr(self, f"{aspect}_status") is not Status.GRON
            and not getattr(self, f"{aspect}_reason").strip()
        ]
        if missing:
            raise ValueError("Skriv ett skäl för varje status som inte är grön: " + ", ".join(missing))
        if self.reported_on > clock.today():
            raise ValueError("Rapportdatum kan inte ligga i framtiden")
        return self


def parse_report(data: dict) -> StatusReport:
    """Validate form input; InvalidInputError lists every problem in Swedish."""
    return parse(StatusReport, data)


def record(db: Database, actor: User, project_id: int, report: StatusReport) -> int:
    """Publish a status report for the project at once; its leaders and admin only.

    The report belongs to the calendar period its date falls in; a second report of the same
    period is a new version, and the report is frozen with a snapshot of what it rests on.
    """
    require(actor, Action.REPORT_STATUS, project_id=project_id)
    fields = report.model_dump(mode="json")
    with write(db):
        year, period = reporting_service.period_for_day(db, report.reported_on)
        earlier = reporting_store.latest_published(db, project_id, year, period)
        version = reporting_store.next_version(db, project_id, year, period)
        report_id = reporting_store.insert_published(
            db,
            project_id,
            year,
            period,
            fields,
            report_version=version,
            corrects_id=earlier["id"] if earlier else None,
            correction_reason=f"Ny rapport i samma period (ersätter version {earlier['report_version']})"
            if earlier
            else "",
            snapshot=reporting_store.snapshot_facts(db, project_id),
            user_id=actor.id,
        )
        audit_by(
            db,
            actor,
            "skapa",
            "statusrapport",
            report_id,
            after={**fields, "period": f"{period} {year}", "version": version},
            project_id=project_id,
        )
    return report_id


TREND = {1: "↑ bättre", 0: "→ oförändrad", -1: "↓ sämre"}
RANK = {"grön": 2, "gul": 1, "röd": 0}


def latest_per_project(reports: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """Per project: latest overall status, its date, the trend against the report before, and
    whether the report is older than the end of the last closed tertial."""
    cutoff = last_tertial_end(today or date.today()).isoformat()
    ranked = reports.sort(["project_id", "reported_on", "id"]).with_columns(
        pl.col("overall_status").replace_strict(RANK, return_dtype=pl.Int64).alias("rank")
    )
    return (
        ranked.group_by("project_id", maintain_order=True)
        .agg(
            pl.col("overall_status").last().alias("report_status"),
            pl.col("overall_reason").last().alias("report_reason"),
            pl.col("reported_on").last().alias("reported_on"),
            pl.col("rank").last().alias("_now"),
            pl.col("rank").shift(1).last().alias("_before"),
        )
        .with_columns(
            pl.when(pl.col("_before").is_null())
            .then(pl.lit("– första rapporten"))
            .otherwise(
                (pl.col("_now") - pl.col("_before")).sign().replace_strict(TREND, return_dtype=pl.String)
            )
            .alias("trend"),
            (pl.col("reported_on") < cutoff).alias("stale"),
        )
        .drop("_now", "_before")
    )
