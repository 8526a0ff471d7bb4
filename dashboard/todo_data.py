"""Att göra's inputs, read once for the page and the `portfolj todo` / `remind` commands: the
registers' frames (risks, actions, benefits) with the core's own (reporting calendar, meetings)."""

from __future__ import annotations

from datetime import date

from portfolio.db import Database
from portfolio.todo import service as todo
from portfolio.todo.model import TodoInputs
from registers.benefits import store as benefits_store
from registers.risks import store as risks_store

# The pages where the items are done, by their file: what a link in an e-mail points to.
URL_PATHS = {
    "app_pages/project.py": "projekt",
    "app_pages/risks.py": "riskregister",
    "app_pages/benefits.py": "nyttoregister",
    "app_pages/tertial.py": "tertialrapport",
}


def inputs(db: Database, today: date) -> TodoInputs:
    """Everything Att göra is built from, as of `today`."""
    return todo.core_inputs(
        db,
        today,
        actions=risks_store.actions_frame(db),
        risks=risks_store.risks_frame(db),
        benefits=benefits_store.register_frame(db),
    )
