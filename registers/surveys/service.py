"""Surveys: creating them, importing answers (all or nothing), results, and links to benefits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from portfolio import store as core_store
from portfolio.auth import Action, Role, User, can, require
from portfolio.db import Database, audit_by, write
from portfolio.errors import ImportRejectedError, InvalidInputError, PermissionDeniedError
from portfolio.models import parse
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.model import MeasurementInput
from registers.surveys import importer, store
from registers.surveys import logic as survey_logic
from registers.surveys.model import GroupInput, Scale, StatementInput, SurveyInput

__all__ = [
    "ImportResult",
    "Results",
    "can_manage",
    "create_survey",
    "import_answers",
    "link_statement",
    "new_round",
    "overview",
    "results",
]

OTHER_GROUPS = "Övriga grupper"


def can_manage(user: User, project_id: int) -> bool:
    """Whether the user may create surveys and import answers: admin, or the project's leader."""
    if can(user, Action.MANAGE_SURVEYS):
        return True
    return user.active and user.role is Role.PROJEKTLEDARE and project_id in user.projects


def _require_manage(user: User, project_id: int) -> None:
    if can_manage(user, project_id):
        return
    if not user.active:
        raise PermissionDeniedError("Kontot är avstängt.")
    if user.role is Role.PROJEKTLEDARE:
        raise PermissionDeniedError(
            "Du är inte projektledare för enkätens projekt och får inte ändra enkäter."
        )
    raise PermissionDeniedError(f"Rollen {user.role.label.lower()} får inte ändra enkäter.")


def create_survey(db: Database, actor: User, project_id: int, data: SurveyInput) -> int:
    """Create a survey (without answers) for a project."""
    _require_manage(actor, project_id)
    core_store.project_detail(db, project_id)
    return _insert_survey(db, actor, project_id, data)


def new_round(
    db: Database, actor: User, previous_id: int, *, title: str, survey_date: date, population: int | None
) -> int:
    """A new round of an earlier survey: same scale, groups, statements and benefit links."""
    previous = store.get_survey(db, previous_id)
    project_id = int(previous["project_id"])
    _require_manage(actor, project_id)
    groups = store.groups_frame(db, previous_id)
    statements = store.statements_frame(db, previous_id)
    data = _survey_input(
        {
            "title": title,
            "date": survey_date,
            "population": population,
            "scale": Scale(
                points=previous["points"], low_label=previous["low_label"], high_label=previous["high_label"]
            ),
            "groups": [GroupInput(code=c, name=n) for c, n in groups.select("code", "name").iter_rows()],
            "statements": [
                StatementInput(text=t, theme=th) for t, th in statements.select("text", "theme").iter_rows()
            ],
        }
    )
    links = [{"benefit_id": b} for b in statements["benefit_id"].to_list()]
    return _insert_survey(db, actor, project_id, data, previous_id=previous_id, statement_extra=links)


def _insert_survey(
    db: Database,
    actor: User,
    project_id: int,
    data: SurveyInput,
    *,
    previous_id: int | None = None,
    statement_extra: list[dict[str, Any]] | None = None,
) -> int:
    """Store a new survey (or a new round of `previous_id`) with its audit row; a title is unique."""
    if store.survey_exists(db, project_id, data.title):
        raise InvalidInputError([f"Projektet har redan en enkät med titeln '{data.title}'"])
    after = data.model_dump(mode="json")
    if previous_id is not None:
        after["previous_survey_id"] = previous_id
    with write(db):
        survey_id = store.insert_survey(
            db, project_id, data, previous_survey_id=previous_id, statement_extra=statement_extra
        )
        audit_by(db, actor, "skapa", "enkät", survey_id, after=after, project_id=project_id)
    return survey_id


def _survey_input(data: dict[str, Any]) -> SurveyInput:
    return parse(SurveyInput, data)


# --- answers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    survey_id: int
    layout: str
    rows: int
    respondents: int
    measurements: int


def _respondent_total(data: pl.DataFrame) -> int:
    return int(survey_logic.group_shares(data, min_group_size=1)["n"].sum()) if data.height else 0


def import_answers(
    db: Database, actor: User, survey_id: int, filename: str, content: bytes, *, replace: bool = False
) -> ImportResult:
    """Import a survey's answers from CSV or Excel, all or nothing, with row-precise errors.

    Statements linked to a benefit become a measurement of it (the mean over all respondents,
    dated the survey's date). Answers already stored are replaced only when `replace` is set.
    """
    survey = store.get_survey(db, survey_id)
    project_id = int(survey["project_id"])
    _require_manage(actor, project_id)
    groups = store.groups_frame(db, survey_id)
    statements = store.statements_frame(db, survey_id)
    parsed = importer.parse_answers(
        filename, content, groups=groups, statements=statements, points=int(survey["points"])
    )
    data = parsed.named(groups, statements)
    try:
        survey_logic.group_shares(data)  # the pure checks again: a second opinion, same rules
    except ValueError as exc:
        raise ImportRejectedError([str(exc)]) from exc
    had_answers = store.answer_rows(db, survey_id) > 0
    if had_answers and not replace:
        raise ImportRejectedError(
            [
                f"Enkäten '{survey['title']}' har redan svar. Välj att ersätta dem, eller skapa en ny "
                "enkätomgång för en ny mätning."
            ]
        )
    respondents = _respondent_total(data)
    if survey["population"] is not None and respondents > int(survey["population"]):
        raise ImportRejectedError(
            [f"Filen har {respondents} svarande men enkäten skickades till {survey['population']}"]
        )
    with write(db):
        if had_answers:
            benefits.remove_survey_measurements(db, actor, statements["id"].to_list())
            store.delete_answers(db, survey_id)
        store.insert_counts(db, survey_id, parsed.counts)
        if parsed.responses is not None:
            store.insert_responses(db, survey_id, parsed.responses)
        store.set_answers_meta(db, survey_id, shape=parsed.shape, respondents=respondents)
        audit_by(
            db,
            actor,
            "ersätt svar" if had_answers else "importera svar",
            "enkät",
            survey_id,
            before={"respondents": survey["respondents"], "shape": survey["shape"]} if had_answers else None,
            after={
                "file": filename,
                "layout": parsed.layout,
                "rows": parsed.rows,
                "respondents": respondents,
                "shape": parsed.shape,
            },
            project_id=project_id,
        )
        made = _measure_linked(db, actor, survey_id)
    return ImportResult(survey_id, parsed.layout, parsed.rows, respondents, made)


def survey_data(db: Database, survey_id: int, shape: str | None) -> pl.DataFrame:
    """The stored answers in the shape survey_logic reads (respondents or counts)."""
    if shape == "svarande":
        return store.responses_frame(db, survey_id)
    return store.counts_frame(db, survey_id)


def _mean_value(answer_sum: int, n: int) -> Decimal:
    """The mean from the exact integers, rounded half up to two decimals, as the page shows it."""
    return (Decimal(answer_sum) / Decimal(n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _measure_linked(db: Database, actor: User, survey_id: int, only: int | None = None) -> int:
    """Turn linked statements' means into measurements of their benefits; how many were made."""
    survey = store.get_survey(db, survey_id)
    statements = store.statements_frame(db, survey_id).filter(pl.col("benefit_id").is_not_null())
    if only is not None:
        statements = statements.filter(pl.col("id") == only)
    data = survey_data(db, survey_id, survey["shape"])
    if statements.is_empty() or data.is_empty():
        return 0
    try:
        stats = survey_logic.statement_stats(data, int(survey["points"]))
    except ValueError as exc:
        raise InvalidInputError([str(exc)]) from exc
    linked = statements.join(stats, left_on="text", right_on="statement", how="inner").filter(
        ~pl.col("suppressed")
    )
    made = 0
    for row in linked.iter_rows(named=True):
        measurement = MeasurementInput(
            measured_on=date.fromisoformat(survey["date"]),
            value=_mean_value(int(row["answer_sum"]), int(row["n"])),
            comment=f"Medelvärde av {row['n']} svar på skalan 1–{survey['points']}: {row['text']}",
            source=f"Enkät: {survey['title']}",
        )
        try:
            benefits.add_measurement(
                db, actor, int(row["benefit_id"]), measurement, survey_statement_id=row["id"]
            )
        except InvalidInputError as exc:
            raise InvalidInputError(
                [
                    f"Påståendet '{row['text']}' är kopplat till en nytta som inte kan ta emot mätningen: {m}"
                    for m in exc.messages
                ]
            ) from exc
        made += 1
    return made


def link_statement(db: Database, actor: User, statement_id: int, benefit_id: int | None) -> int:
    """Link a statement's mean to a benefit indicator (None unlinks); returns measurements made.

    With answers already stored, the survey's mean becomes a measurement at once; each later
    round of the survey that keeps the link adds the next one.
    """
    statement = store.get_statement(db, statement_id)
    survey = store.get_survey(db, int(statement["survey_id"]))
    project_id = int(survey["project_id"])
    require(actor, Action.EDIT_BENEFITS, project_id=project_id)
    if benefit_id is not None:
        benefit = benefits_store.get_benefit(db, benefit_id)
        if int(benefit["project_id"]) != project_id:
            raise InvalidInputError(["Nyttan måste höra till samma projekt som enkäten"])
        if not benefit["baseline_date"] or not benefit["target_date"]:
            raise InvalidInputError(
                [f"'{benefit['title']}' saknar nollmätning och målvärde; ange dem innan du kopplar en enkät"]
            )
    with write(db):
        store.set_statement_benefit(db, statement_id, benefit_id)
        audit_by(
            db,
            actor,
            "koppla" if benefit_id is not None else "ta bort koppling",
            "enkätpåstående",
            statement_id,
            before={"benefit_id": statement["benefit_id"]},
            after={"benefit_id": benefit_id},
            project_id=project_id,
        )
        return _measure_linked(db, actor, int(statement["survey_id"]), only=statement_id) if benefit_id else 0


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """What the results page and the command line show of one survey."""

    survey: dict[str, Any]
    respondents: int | None
    response_rate: Decimal | None
    groups: pl.DataFrame  # group, n, share, suppressed, stated_share_pct
    hidden: list[str]
    stats: pl.DataFrame | None
    layout: pl.DataFrame | None
    message: str | None = None
    statements: pl.DataFrame = field(default_factory=pl.DataFrame)


GROUP_RESULT_SCHEMA = {
    "group": pl.String,
    "n": pl.Int64,
    "share": pl.Float64,
    "suppressed": pl.Boolean,
    "stated_share_pct": pl.Int64,
}


def results(db: Database, survey_id: int, groups: list[str] | None = None) -> Results:
    """Response rate, group shares and per statement the mean and distribution.

    `groups` selects respondent groups (None = everyone); a hidden small group is refused with
    InvalidInputError.
    """
    survey = store.get_survey(db, survey_id)
    points = int(survey["points"])
    data = survey_data(db, survey_id, survey["shape"])
    group_rows = store.groups_frame(db, survey_id)
    statements = store.statements_frame(db, survey_id)
    if data.is_empty():
        return Results(
            survey=survey,
            respondents=survey["respondents"],
            response_rate=_rate(survey["respondents"], survey["population"]),
            groups=pl.DataFrame(schema=GROUP_RESULT_SCHEMA),
            hidden=[],
            stats=None,
            layout=None,
            message="Enkäten har inga svar ännu.",
            statements=statements,
        )
    shares = (
        survey_logic.group_shares(data)
        .join(
            group_rows.select(pl.col("name").alias("group"), "stated_share_pct", "position"),
            on="group",
            how="left",
        )
        .sort("position")
        .select(list(GROUP_RESULT_SCHEMA))
    )
    hidden = survey_logic.suppressed_groups(data)
    respondents = int(shares["n"].sum())
    try:
        stats = survey_logic.statement_stats(data, points, groups)
    except ValueError as exc:
        raise InvalidInputError([str(exc)]) from exc
    return Results(
        survey=survey,
        respondents=respondents,
        response_rate=_rate(respondents, survey["population"]),
        groups=shares,
        hidden=hidden,
        stats=stats,
        layout=survey_logic.diverging_layout(stats, points),
        statements=statements,
    )


def _rate(respondents: int | None, population: int | None) -> Decimal | None:
    if respondents is None or not population:
        return None
    try:
        return survey_logic.response_rate(respondents, population)
    except ValueError:
        return None


def shown_groups(res: Results) -> list[dict[str, Any]]:
    """Groups as they may be shown: small groups merged into one line "Övriga grupper"."""
    visible = res.groups.filter(~pl.col("suppressed"))
    rows = [{"name": g, "n": n, "share": s} for g, n, s in visible.select("group", "n", "share").iter_rows()]
    hidden = res.groups.filter(pl.col("suppressed"))
    if hidden.height:
        rows.append(
            {"name": OTHER_GROUPS, "n": int(hidden["n"].sum()), "share": float(hidden["share"].sum())}
        )
    return rows


def overview(db: Database) -> list[dict[str, Any]]:
    """Every survey as the command line lists it."""
    rows = []
    for survey_id in store.surveys_frame(db)["id"].to_list():
        res = results(db, survey_id)
        survey = res.survey
        stats = res.stats if res.stats is not None else pl.DataFrame()
        rows.append(
            {
                "id": survey_id,
                "project": survey["project"],
                "title": survey["title"],
                "respondents": res.respondents,
                "population": survey["population"],
                "response_rate": None if res.response_rate is None else round(float(res.response_rate), 4),
                "groups": [{"name": g["name"], "share": round(g["share"], 4)} for g in shown_groups(res)],
                "statements": [
                    {
                        "text": r["statement"],
                        "mean": None if r["suppressed"] else round(r["mean_display"], 2),
                        "n": r["n"],
                    }
                    for r in (stats.iter_rows(named=True) if stats.height else [])
                ],
            }
        )
    return rows
