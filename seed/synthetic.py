"""Synthetic portfolios for the benchmark: many projects, risks, benefits and ledger rows.

Everything goes through the same service functions the app uses (validation, permissions,
audit), so a benchmark database looks like one that people built by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portfolio import store
from portfolio.auth import SYSTEM
from portfolio.db import Database, write
from portfolio.models import BudgetLine, Phase, Project, Split, Status
from registers.benefits import service as benefits
from registers.benefits.model import BenefitInput, MeasurementInput, Point
from registers.risks import service as risks
from registers.risks.model import ActionInput, RegisterInput, RiskInput
from seed.projects import load_project

PARTIES = ("RJH", "BERG", "BRACKE", "HARJEDALEN", "KROKOM", "RAGUNDA", "STROMSUND", "ARE", "OSTERSUND")
FIRST_OBJECT = 7000


@dataclass(frozen=True)
class Size:
    """How much to generate."""

    projects: int
    risks: int
    measurements: int

    def objects(self) -> list[str]:
        """The accounting objects (dimension 6) of the synthetic projects."""
        return [str(FIRST_OBJECT + i) for i in range(self.projects)]


def _project(rng: random.Random, i: int) -> Project:
    start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 4 * 365))
    lines = []
    for n in range(rng.randrange(2, 6)):
        budget = rng.randrange(10, 2_000) * 1_000
        lines.append(
            BudgetLine(
                activity=f"Aktivitet {n + 1}",
                budget=Split(total=budget),
                outcome=Split(total=int(budget * rng.uniform(0.5, 1.4)) // 100 * 100),
                source="illustrativ",
            )
        )
    return Project(
        code=f"SYN/{i + 1}/{start.year}",
        name=f"Syntetiskt projekt {i + 1}",
        kind="projekt",
        purpose="Genererat för prestandamätning.",
        phase=rng.choice(list(Phase)),
        status=rng.choice(list(Status)),
        status_reason="Genererad status",
        owner_party=rng.choice(PARTIES),
        financing_parties=tuple(sorted(rng.sample(PARTIES, rng.randrange(1, 5)))),
        object=str(FIRST_OBJECT + i),
        start_date=start,
        planned_end_date=start + timedelta(days=rng.randrange(90, 900)),
        budget_lines=tuple(lines),
        source="illustrativ",
    )


def generate(db: Database, size: Size, *, seed: int = 1) -> dict[str, int]:
    """Add `size` synthetic projects with registers, risks, actions, benefits and measurements."""
    rng = random.Random(seed)
    counts = {"projekt": 0, "risker": 0, "mätningar": 0}
    with write(db):
        project_ids = []
        for i in range(size.projects):
            project = _project(rng, i)
            load_project(db, project, SYSTEM)
            project_ids.append(store.project_id_for(db, project.code))
            counts["projekt"] += 1
        register_ids = [
            risks.create_register(db, SYSTEM, pid, RegisterInput(name="Projektrisker", scale=4))
            for pid in project_ids
        ]
        for n in range(size.risks):
            probability, consequence = rng.randrange(1, 5), rng.randrange(1, 5)
            risks.create_risk(
                db,
                SYSTEM,
                RiskInput(
                    register_id=register_ids[n % len(register_ids)],
                    title=f"Risk {n + 1}",
                    probability=probability,
                    consequence=consequence,
                    residual_probability=max(1, probability - 1),
                    residual_consequence=consequence,
                    show_in_portfolio=rng.random() < 0.1,
                ),
                [
                    ActionInput(
                        description=f"Åtgärd för risk {n + 1}",
                        due_date=date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2000)),
                    )
                ],
            )
            counts["risker"] += 1
        benefit_ids = [
            benefits.create_benefit(
                db,
                SYSTEM,
                pid,
                BenefitInput(
                    title="Minskad handläggningstid",
                    indicator="Handläggningstid",
                    unit="dagar",
                    direction="lägre",
                    baseline=Point(date=date(2019, 1, 1), value=Decimal(30)),
                    target=Point(date=date(2024, 12, 31), value=Decimal(10)),
                    owner="Verksamhetschef",
                ),
            )
            for pid in project_ids
        ]
        for n in range(size.measurements):
            benefits.add_measurement(
                db,
                SYSTEM,
                benefit_ids[n % len(benefit_ids)],
                MeasurementInput(
                    measured_on=date(2019, 2, 1) + timedelta(days=rng.randrange(0, 2000)),
                    value=Decimal(rng.randrange(8, 32)),
                ),
            )
            counts["mätningar"] += 1
    return counts
