"""Rows a test puts in place before it acts: written straight to the tables as an older version of the
app left them, or through the app's own services as the system."""

from __future__ import annotations

from datetime import date

from portfolio.auth import SYSTEM, User
from portfolio.db import Database
from portfolio.ledger import tertial_store
from portfolio.ledger.tertial import save_note
from portfolio.periods import Period
from registers.risks import service as risks
from registers.risks import store as risks_store
from registers.risks.model import ActionInput


def bracke_t1_2019_review(
    db: Database, *, user_email: str = "kc@x.se", user_name: str = "K", comment: str = ""
) -> None:
    """Bräcke's review of T1 2019 by someone with no account, and no view of the figures recorded."""
    tertial_store.upsert_review(
        db,
        year=2019,
        period="T1",
        party="BRACKE",
        user_id=None,
        user_email=user_email,
        user_name=user_name,
        comment=comment,
    )


def note_2019(
    db: Database,
    period: Period,
    obj: str,
    comment: str,
    forecast_ore: int | None = None,
    version: int | None = None,
) -> None:
    """The system saves a note (comment and forecast) on an object in a 2019 tertial report."""
    save_note(
        db,
        SYSTEM,
        year=2019,
        period=period,
        obj=obj,
        comment=comment,
        forecast_ore=forecast_ore,
        version=version,
    )


def action_4_due(db: Database, user: User, due: date) -> None:
    """The user sets LINK2's action 4 (E-learning) to fall due on this day, still in progress."""
    action = risks_store.get_action(db, 4)
    risks.update_action(
        db,
        user,
        4,
        ActionInput(description=action["description"], due_date=due, status="pågår"),
        version=action["version"],
    )
