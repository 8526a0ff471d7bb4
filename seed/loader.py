"""Validate every seed file through the models, then insert what is missing in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from portfolio import accounts, store
from portfolio import db as core_db
from portfolio.auth import SYSTEM, User
from portfolio.errors import InvalidInputError
from portfolio.governance import service as meetings_service
from portfolio.governance import store as governance_store
from portfolio.governance.model import AgendaItemInput, JusteringInput, MeetingInput
from portfolio.models import Meeting, Party, Project, source_text, validation_messages
from seed import benefits, bruttolista, governance, ledger, lifecycle, reporting, risks, surveys
from seed.finance import FinanceFile, insert_finance
from seed.inputs import input_from
from seed.projects import load_project

# Each validates its own file first and raises SeedError before inserting anything.
REGISTER_SEEDS = (governance, ledger, risks, benefits, surveys, bruttolista, lifecycle, reporting)

DATA_DIR = Path(__file__).resolve().parent / "data"

M = TypeVar("M", bound=BaseModel)


class SeedError(InvalidInputError):
    """A seed file is unreadable or holds an invalid record; nothing was written."""


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming the file and line on a syntax error."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise SeedError([f"{path.name}: filen saknas"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" rad {mark.line + 1}" if mark else ""
        raise SeedError([f"{path.name}{where}: ogiltig YAML ({exc})"]) from exc


def _record_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict):
        for key in ("code", "date", "id", "title", "name"):
            if raw.get(key):
                return f"post {index + 1} ({raw[key]})"
    return f"post {index + 1}"


def validate_list(path: Path, model: type[M]) -> list[M]:
    """Every record of a YAML list file as a model; all problems, each naming file, record, field."""
    raw = read_yaml(path)
    if not isinstance(raw, list):
        raise SeedError([f"{path.name}: filen ska innehålla en lista av poster"])
    records: list[M] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            problems += validation_messages(exc, f"{path.name}, {_record_name(item, index)}")
    if problems:
        raise SeedError(problems)
    return records


def validate_one(path: Path, model: type[M]) -> M:
    """A YAML mapping file as one model."""
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise SeedError(validation_messages(exc, path.name)) from exc


@dataclass(frozen=True)
class CoreSeed:
    """The core's seed, validated."""

    parties: list[Party]
    projects: list[Project]
    meetings: list[Meeting]
    finance: FinanceFile


def load_core(data_dir: Path = DATA_DIR) -> CoreSeed:
    """Read and validate the core's seed files; raises SeedError listing every problem."""
    seed = CoreSeed(
        parties=validate_list(data_dir / "parties.yaml", Party),
        projects=validate_list(data_dir / "projects.yaml", Project),
        meetings=validate_list(data_dir / "meetings.yaml", Meeting),
        finance=validate_one(data_dir / "finance.yaml", FinanceFile),
    )
    _check_references(seed)
    return seed


def _check_references(seed: CoreSeed) -> None:
    parties = {p.code for p in seed.parties}
    codes = {p.code for p in seed.projects}
    problems = []
    for project in seed.projects:
        for party in [project.owner_party, *project.financing_parties]:
            if party and party not in parties:
                problems.append(f"projects.yaml, {project.code}: okänd part '{party}'")
    for meeting in seed.meetings:
        for item in meeting.items:
            if item.case and item.case not in codes:
                problems.append(
                    f"meetings.yaml, {meeting.date} §{item.number}: ärendet {item.case} finns inte"
                    " i projects.yaml"
                )
    if problems:
        raise SeedError(problems)


def seed_database(db: core_db.Database, data_dir: Path = DATA_DIR, user: User = SYSTEM) -> dict[str, int]:
    """Insert every seed record that is missing; running it twice changes nothing."""
    core = load_core(data_dir)
    counts: dict[str, int] = {}
    with core_db.write(db):
        counts["parter"] = sum(store.insert_party(db, p, user) for p in core.parties)
        counts["projekt"] = sum(load_project(db, p, user) for p in core.projects)
        counts["sammanträden"] = sum(load_meeting(db, m, user) for m in core.meetings)
        counts["ekonomi"] = insert_finance(db, core.finance, user)
        counts["demoanvändare"] = accounts.ensure_personas(db, user)
        for module in REGISTER_SEEDS:
            counts.update(module.seed(db, data_dir, user))
    return counts


def load_meeting(db: core_db.Database, meeting: Meeting, user: User) -> bool:
    """Create one seeded meeting and its agenda through the meetings service, unless it exists."""
    if governance_store.meeting_on(db, meeting.date) is not None:
        return False
    meetings_service.create_meeting(
        db, user, input_from(meeting, MeetingInput, source=source_text(meeting.source) or None)
    )
    for item in meeting.items:
        meetings_service.add_agenda_item(
            db,
            user,
            input_from(
                item, AgendaItemInput, meeting_date=meeting.date, source=source_text(item.source) or None
            ),
        )
    _advance_meeting(db, meeting, user)
    return True


def _advance_meeting(db: core_db.Database, meeting: Meeting, user: User) -> None:
    """Through the services: a meeting whose minutes are in the seeds is justerat, one known by its
    § numbers genomfört, one with only its agenda kallat; a meeting of the plan stays planerat."""
    if meeting.planned or not meeting.items:
        return
    meeting_id = governance_store.meeting_on(db, meeting.date)["id"]  # type: ignore[index]
    meetings_service.change_state(db, user, meeting_id, "kallat")
    held = any(item.number_kind == "paragraf" for item in meeting.items)  # only an agenda: punkt
    if not (meeting.minutes_in_seeds or held):
        return
    meetings_service.change_state(db, user, meeting_id, "genomfört")
    if not meeting.minutes_in_seeds:
        return
    unknown = (
        None
        if meeting.justering_date
        else "Justeringens plats och tid finns inte bland nämndens handlingar i portfolj"
    )
    meetings_service.change_state(
        db,
        user,
        meeting_id,
        "justerat",
        justering=JusteringInput(
            date=meeting.justering_date,
            place=meeting.justering_place,
            justerare=meeting.adjuster,
            anslag_up=meeting.anslag_up,
            anslag_down=meeting.anslag_down,
            note=unknown,
        ),
    )
