"""The survey answer files in tests/fixtures/surveys: where they are, the statements they answer,
and LINK2's survey they belong to (the folder's README has the hand-computed figures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from portfolio import store as core_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from registers.surveys import service
from registers.surveys.model import parse_survey

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "surveys"
STATEMENTS = [
    "Jag hittar det jag behöver i Cosmic Link",
    "Inloggningen fungerar bra",
    "Jag har fått tillräcklig utbildning",
]
LABELLED_SCALE = {"points": 5, "low_label": "Instämmer inte alls", "high_label": "Instämmer helt"}


def own_survey(
    db: Database,
    user: User | None = None,
    title: str = "Användarenkät 2021",
    scale: dict[str, Any] = LABELLED_SCALE,
) -> int:
    """Create the survey the files belong to on LINK2 (as the system unless a user is given)."""
    data = parse_survey(
        {
            "title": title,
            "date": date(2021, 3, 1),
            "population": 40,
            "scale": scale,
            "groups": "Hemtjänst\nSjuksköterskor\nChefer",
            "statements": "\n".join(STATEMENTS),
        }
    )
    return service.create_survey(db, user or SYSTEM, core_store.project_id_for(db, "GNS/8/2018"), data)
