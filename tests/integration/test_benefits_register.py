"""The benefit register in the database: seed, writes with permissions and audit, stale edits,
measurements after the project closed, the nyttokalkyl by hand, and the command line."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from dashboard.cli import main
from portfolio import accounts
from portfolio import store as core_store
from portfolio.auth import SYSTEM, User
from portfolio.db import Database, write
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.models import BudgetLine, Party, Project, Split
from registers.benefits import service, store
from registers.benefits.model import BenefitInput, MeasurementInput, Point
from registers.database import open_database
from seed.loader import DATA_DIR, seed_database
from seed.projects import load_project
from tests.personas import persona

LINK2 = "GNS/8/2018"
SEVEN = [
    "Beläggingsstatistik",
    "Andel patienter som skrivs ut dag 0 efter beslut om utskrivningsklar IT-stödet",
    "Antal dagar efter beslut om utskrivningsklar som patienter finns kvar på sjukhuset",
    "Undvikbar slutenvård",
    "Återinskrivningar inom 30 dagar",
    "Antal genomförda SIP",
    "Andel patienter med SIP som har fast vårdkontakt",
]


def make_user(db: Database, email: str, role: str, *, party: str | None = None, projects=()) -> User:
    accounts.create_user(
        db,
        SYSTEM,
        email=email,
        name=email.split("@")[0],
        role=role,
        party=party,
        project_codes=tuple(projects),
    )
    return persona(db, email)


@pytest.fixture
def link2(seeded: Database) -> int:
    return core_store.project_id_for(seeded, LINK2)


def days_goal(seeded: Database, link2: int) -> int:
    """LINK2's effect goal 'days after ready for discharge', with a plan set by admin."""
    row = service.register(seeded, link2).filter(pl.col("title") == SEVEN[2]).row(0, named=True)
    current = store.get_benefit(seeded, row["id"])
    data = service.benefit_input(current).model_copy(
        update={
            "baseline": Point(date=date(2019, 1, 1), value=Decimal(6)),
            "target": Point(date=date(2021, 1, 1), value=Decimal(2)),
            "owner": "Verksamhetschef Slutenvård",
            "owner_email": "kommunchef.bracke@gns.example",
        }
    )
    service.update_benefit(
        seeded, persona(seeded, "e-strateg@gns.example"), row["id"], data, version=current["version"]
    )
    return int(row["id"])


def audit_rows(db: Database, entity: str) -> list[tuple]:
    return db.execute(
        "SELECT action, entity_id, project_id, user_email FROM audit_log WHERE entity = ? ORDER BY id",
        [entity],
    ).fetchall()


# --- seed ----------------------------------------------------------------------------------


def test_seed_holds_link2s_seven_effect_goals_and_five_benefits_not_yet_measured(
    seeded: Database, link2: int
) -> None:
    register = service.register(seeded, link2)
    goals = register.filter(pl.col("kind") == "effektmål")
    assert goals["title"].to_list() == SEVEN
    assert register.filter(pl.col("kind") == "nytta").height == 5
    assert set(register["status"].to_list()) == {"ej mätt"}
    assert register["stale"].all()
    assert register["source"].str.contains("slutrapport-link2").all()
    assert goals["definition_source"].to_list() == ["illustrativ"] * 7
    follow_up = store.follow_up(seeded, link2)
    assert follow_up is not None and "utanför projektet" in follow_up[0]


def test_seeding_twice_inserts_nothing_more(seeded: Database) -> None:
    before = store.count_benefits(seeded)
    counts = seed_database(seeded)
    assert counts["effektmål"] == 0 and counts["nyttor"] == 0
    assert store.count_benefits(seeded) == before


def broken_seed(tmp_path: Path, change) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    content = yaml.safe_load((data / "benefits.yaml").read_text(encoding="utf-8"))
    change(content)
    (data / "benefits.yaml").write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return data


def test_a_bad_benefit_in_the_seed_names_file_record_and_field_and_nothing_is_saved(tmp_path: Path) -> None:
    def change(content: dict) -> None:
        content["benefits"][2]["baseline"] = {"date": "2019-01-01", "value": 4}
        content["benefits"][2]["target"] = {"date": "2020-01-01", "value": 4}
        content["benefits"][4]["unit"] = ["%"]
        content["benefits"][5]["colour"] = "red"

    data = broken_seed(tmp_path, change)
    db = open_database(tmp_path / "x.db")
    with pytest.raises(InvalidInputError) as info:
        seed_database(db, data)
    text = "\n".join(info.value.messages)
    assert "benefits.yaml, post 3 (Antal dagar efter beslut" in text
    assert "Målvärdet får inte vara samma som nollmätningens värde" in text
    assert "benefits.yaml, post 5 (Återinskrivningar inom 30 dagar): fältet 'unit': måste vara text" in text
    assert "benefits.yaml, post 6 (Antal genomförda SIP): fältet 'colour': okänt fält (stavfel?)" in text
    assert core_store.count(db, "projects") == 0  # the whole seed transaction rolled back


# --- writes and permissions ---------------------------------------------------------------


def test_a_project_leader_adds_a_benefit_and_it_is_audited(
    seeded: Database, link2: int, leader: User
) -> None:
    data = service.parse_benefit({"kind": "nytta", "title": "Mindre tid på telefon", "parties": ("BERG",)})
    benefit_id = service.create_benefit(seeded, leader, link2, data)
    assert store.get_benefit(seeded, benefit_id)["parties"] == ["BERG"]
    assert audit_rows(seeded, "nytta")[-1] == ("skapa", str(benefit_id), link2, leader.email)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", True), ("leader", True), ("other_leader", False), ("namnd", False), ("kommunchef", False)],
)
def test_who_may_create_and_edit_benefits(seeded: Database, link2: int, who: str, allowed: bool) -> None:
    users = {
        "admin": persona(seeded, "e-strateg@gns.example"),
        "leader": persona(seeded, "projektledare.link2@gns.example"),
        "other_leader": make_user(seeded, "pl.dso@gns.example", "projektledare", projects=["GNS/11/2018"]),
        "namnd": persona(seeded, "ledamot@gns.example"),
        "kommunchef": persona(seeded, "kommunchef.bracke@gns.example"),
    }
    user = users[who]
    data = BenefitInput(kind="nytta", title=f"Ny nytta av {who}")
    target = int(service.register(seeded, link2)["id"][0])
    current = store.get_benefit(seeded, target)
    edited = service.benefit_input(current).model_copy(update={"note": f"ändrad av {who}"})
    assert service.can_edit(user, link2) is allowed
    if allowed:
        service.create_benefit(seeded, user, link2, data)
        service.update_benefit(seeded, user, target, edited, version=current["version"])
        assert store.get_benefit(seeded, target)["note"] == f"ändrad av {who}"
    else:
        count = store.count_benefits(seeded)
        with pytest.raises(PermissionDeniedError):
            service.create_benefit(seeded, user, link2, data)
        with pytest.raises(PermissionDeniedError):
            service.update_benefit(seeded, user, target, edited, version=current["version"])
        assert store.count_benefits(seeded) == count
        assert store.get_benefit(seeded, target)["version"] == current["version"]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("leader", True),
        ("owner", True),
        ("other_leader", False),
        ("namnd", False),
        ("other_kommunchef", False),
    ],
)
def test_who_may_add_measurements(seeded: Database, link2: int, who: str, allowed: bool) -> None:
    goal = days_goal(seeded, link2)  # its owner is the Bräcke kommunchef's account
    users = {
        "admin": persona(seeded, "e-strateg@gns.example"),
        "leader": persona(seeded, "projektledare.link2@gns.example"),
        "owner": persona(seeded, "kommunchef.bracke@gns.example"),
        "other_leader": make_user(seeded, "pl.dso@gns.example", "projektledare", projects=["GNS/11/2018"]),
        "namnd": persona(seeded, "ledamot@gns.example"),
        "other_kommunchef": make_user(seeded, "kc.berg@gns.example", "kommunchef", party="BERG"),
    }
    user = users[who]
    measurement = MeasurementInput(measured_on=date(2020, 1, 1), value=Decimal("3.5"))
    assert service.can_measure(user, store.get_benefit(seeded, goal)) is allowed
    if allowed:
        service.add_measurement(seeded, user, goal, measurement)
        assert store.measurements_frame(seeded, benefit_id=goal).height == 1
    else:
        with pytest.raises(PermissionDeniedError, match="nyttoägaren"):
            service.add_measurement(seeded, user, goal, measurement)
        assert store.measurements_frame(seeded, benefit_id=goal).height == 0


def test_the_owner_may_measure_but_not_edit_the_benefit(seeded: Database, link2: int) -> None:
    goal = days_goal(seeded, link2)
    owner = persona(seeded, "kommunchef.bracke@gns.example")
    current = store.get_benefit(seeded, goal)
    with pytest.raises(PermissionDeniedError):
        service.update_benefit(
            seeded, owner, goal, service.benefit_input(current), version=current["version"]
        )
    assert service.measurable_benefits(owner, service.register(seeded))["id"].to_list() == [goal]


def test_a_disabled_owner_may_not_measure(seeded: Database, link2: int) -> None:
    goal = days_goal(seeded, link2)
    accounts.set_active(seeded, SYSTEM, "kommunchef.bracke@gns.example", False)
    owner = persona(seeded, "kommunchef.bracke@gns.example")
    with pytest.raises(PermissionDeniedError, match="avstängt"):
        service.add_measurement(seeded, owner, goal, MeasurementInput(measured_on=date(2020, 1, 1), value=3))


def test_measurements_go_on_after_the_project_closed_and_move_the_status(
    seeded: Database, link2: int, leader: User
) -> None:
    goal = days_goal(seeded, link2)
    assert core_store.project_detail(seeded, link2)["phase"] == "avslutad"

    def status() -> str:
        return service.register(seeded, link2, today=date(2024, 6, 1)).filter(pl.col("id") == goal)["status"][
            0
        ]

    assert status() == "ej mätt"
    # 2020-01-01 is half way from 6 (2019-01-01) to 2 (2021-01-01): the plan is 4.
    service.add_measurement(seeded, leader, goal, MeasurementInput(measured_on=date(2020, 1, 1), value=5))
    assert status() == "efter plan"
    service.add_measurement(seeded, leader, goal, MeasurementInput(measured_on=date(2020, 1, 2), value="3,9"))
    assert status() == "på väg"
    service.add_measurement(seeded, leader, goal, MeasurementInput(measured_on=date(2024, 3, 1), value=2))
    assert status() == "uppnått"
    assert [r[0] for r in audit_rows(seeded, "nyttomätning")] == ["skapa"] * 3
    assert {r[2] for r in audit_rows(seeded, "nyttomätning")} == {link2}


def test_a_measurement_before_the_baseline_is_refused_and_nothing_is_saved(
    seeded: Database, link2: int, leader: User
) -> None:
    goal = days_goal(seeded, link2)
    audit_before = core_store.count(seeded, "audit_log")
    with pytest.raises(
        InvalidInputError, match="Mätdatum 2018-12-31 är före nollmätningens datum 2019-01-01"
    ):
        service.add_measurement(
            seeded, leader, goal, MeasurementInput(measured_on=date(2018, 12, 31), value=5)
        )
    assert store.measurements_frame(seeded, benefit_id=goal).height == 0
    assert core_store.count(seeded, "audit_log") == audit_before


def test_a_benefit_without_baseline_and_target_cannot_be_measured(
    seeded: Database, link2: int, leader: User
) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    with pytest.raises(InvalidInputError, match="saknar nollmätning och målvärde"):
        service.add_measurement(
            seeded, leader, first, MeasurementInput(measured_on=date(2020, 1, 1), value=5)
        )


PLAN = {
    "indicator": "Antal dagar",
    "unit": "dagar",
    "direction": "lägre",
    "baseline_date": date(2019, 1, 1),
    "baseline_value": "6",
    "target_date": date(2021, 1, 1),
    "target_value": "2",
}


def test_a_benefit_without_a_plan_gets_baseline_target_and_measurement_in_one_step(
    seeded: Database, link2: int, leader: User
) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    version = store.get_benefit(seeded, first)["version"]
    measurement = MeasurementInput(measured_on=date(2020, 1, 1), value=4)
    service.measure_with_plan(seeded, leader, first, PLAN, measurement, version=version)
    row = service.register(seeded, link2).filter(pl.col("id") == first).row(0, named=True)
    assert (row["baseline_date"], row["target_date"], row["latest_date"]) == (
        date(2019, 1, 1),
        date(2021, 1, 1),
        date(2020, 1, 1),
    )
    assert [r[0] for r in audit_rows(seeded, "nytta") if r[1] == str(first)][-1] == "ändra"
    assert len(store.measurements_frame(seeded, benefit_id=first)) == 1


def test_a_plan_with_a_measurement_before_its_baseline_saves_neither(
    seeded: Database, link2: int, leader: User
) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    before = store.get_benefit(seeded, first)
    with pytest.raises(InvalidInputError, match="före nollmätningens datum"):
        service.measure_with_plan(
            seeded,
            leader,
            first,
            PLAN,
            MeasurementInput(measured_on=date(2018, 6, 1), value=4),
            version=before["version"],
        )
    after = store.get_benefit(seeded, first)
    assert (after["baseline_date"], after["version"]) == (None, before["version"])
    assert store.measurements_frame(seeded, benefit_id=first).height == 0


def test_only_those_who_set_the_plan_may_measure_with_one(seeded: Database, link2: int) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    reader = persona(seeded, "ledamot@gns.example")
    with pytest.raises(PermissionDeniedError):
        service.measure_with_plan(
            seeded,
            reader,
            first,
            PLAN,
            MeasurementInput(measured_on=date(2020, 1, 1), value=4),
            version=store.get_benefit(seeded, first)["version"],
        )


def test_a_plan_without_a_target_is_refused(seeded: Database, link2: int, leader: User) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    with pytest.raises(InvalidInputError, match="målvärde"):
        service.measure_with_plan(
            seeded,
            leader,
            first,
            {**PLAN, "target_date": None, "target_value": ""},
            MeasurementInput(measured_on=date(2020, 1, 1), value=4),
            version=store.get_benefit(seeded, first)["version"],
        )


def test_a_stale_edit_is_refused_and_shows_the_newer_values(
    seeded: Database, link2: int, leader: User
) -> None:
    target = int(service.register(seeded, link2)["id"][0])
    opened = store.get_benefit(seeded, target)
    base = service.benefit_input(opened)
    admin = persona(seeded, "e-strateg@gns.example")
    service.update_benefit(
        seeded, admin, target, base.model_copy(update={"owner": "Anna"}), version=opened["version"]
    )
    with pytest.raises(StaleEditError) as info:
        service.update_benefit(
            seeded, leader, target, base.model_copy(update={"owner": "Bo"}), version=opened["version"]
        )
    assert info.value.current["owner"] == "Anna"
    assert info.value.current["version"] == opened["version"] + 1
    assert "har ändrats av någon annan" in str(info.value)
    assert store.get_benefit(seeded, target)["owner"] == "Anna"
    edits = [r for r in audit_rows(seeded, "nytta") if r[0] == "ändra"]
    assert len(edits) == 1


def test_a_new_baseline_after_an_existing_measurement_is_refused(
    seeded: Database, link2: int, leader: User
) -> None:
    goal = days_goal(seeded, link2)
    service.add_measurement(seeded, leader, goal, MeasurementInput(measured_on=date(2019, 6, 1), value=5))
    current = store.get_benefit(seeded, goal)
    later = service.benefit_input(current).model_copy(
        update={"baseline": Point(date=date(2019, 7, 1), value=Decimal(6))}
    )
    with pytest.raises(InvalidInputError, match="före den nya nollmätningens datum"):
        service.update_benefit(seeded, leader, goal, later, version=current["version"])


# --- nyttokalkyl -------------------------------------------------------------------------------


@pytest.fixture
def small_project(db: Database) -> int:
    """Three parties and one project: 100 000 kr in 2020, 60 000 the region's, 40 000 the
    municipalities' split 3:1 by population (BERG 3 000, BRACKE 1 000)."""
    with write(db):
        core_store.insert_party(
            db, Party(code="RJH", name="Regionen", kind="region", source="illustrativ"), SYSTEM
        )
        for code, population in (("BERG", 3000), ("BRACKE", 1000)):
            core_store.insert_party(
                db,
                Party(
                    code=code, name=code, kind="kommun", population={2019: population}, source="illustrativ"
                ),
                SYSTEM,
            )
        load_project(
            db,
            Project(
                code="TEST-NYTTA",
                has_diarienummer=False,
                name="Testprojekt",
                kind="projekt",
                phase="avslutad",
                status="grön",
                owner_party="RJH",
                financing_parties=("RJH", "BERG", "BRACKE"),
                start_date=date(2020, 1, 1),
                actual_end_date=date(2020, 12, 31),
                budget_lines=(
                    BudgetLine(
                        activity="Allt",
                        outcome=Split(total=100_000, region=60_000, kommunerna=40_000),
                        source="illustrativ",
                    ),
                ),
                source="illustrativ",
            ),
            SYSTEM,
        )
    return core_store.project_id_for(db, "TEST-NYTTA")


def test_nyttokalkyl_payback_and_npv_match_hand_computed_values(db: Database, small_project: int) -> None:
    a = service.create_benefit(
        db, SYSTEM, small_project, BenefitInput(kind="nytta", title="A", monetary=True)
    )
    b = service.create_benefit(
        db, SYSTEM, small_project, BenefitInput(kind="nytta", title="B", monetary=True, parties=("BERG",))
    )
    # A names no party: its values are shared equally by the project's three parties.
    service.add_value(db, SYSTEM, a, service.parse_value({"year": 2021, "amount": "30000"}))
    service.add_value(db, SYSTEM, a, service.parse_value({"year": 2022, "hours": "100"}))  # 100 h × 450 kr
    service.add_value(db, SYSTEM, a, service.parse_value({"year": 2023, "amount": "40000", "party": "RJH"}))
    service.add_value(db, SYSTEM, b, service.parse_value({"year": 2021, "amount": "5000"}))

    calc = service.calculation(db, small_project, rate=Decimal("0.05"))
    assert calc.table["year"].to_list() == [2020, 2021, 2022, 2023]
    assert calc.table["cost_ore"].to_list() == [10_000_000, 0, 0, 0]
    assert calc.table["benefit_ore"].to_list() == [0, 3_500_000, 4_500_000, 4_000_000]
    assert calc.table["cumulative_net_ore"].to_list() == [-10_000_000, -6_500_000, -2_000_000, 2_000_000]
    assert calc.payback_year == 2023
    # −100 000 + 35 000/1,05 + 45 000/1,05² + 40 000/1,05³
    # = −100 000 + 33 333,3333… + 40 816,3265… + 34 553,5040… = 8 703,1638… kr
    assert calc.base_year == 2020
    assert calc.npv_ore == 870_316
    per_party = {r["party"]: r for r in calc.per_party.iter_rows(named=True)}
    assert {p: r["cost_ore"] for p, r in per_party.items()} == {
        "RJH": 6_000_000,
        "BERG": 3_000_000,
        "BRACKE": 1_000_000,
    }
    # RJH 10 000 + 15 000 + 40 000; BERG 10 000 + 5 000 + 15 000; BRACKE 10 000 + 15 000.
    assert {p: r["benefit_ore"] for p, r in per_party.items()} == {
        "RJH": 6_500_000,
        "BERG": 3_000_000,
        "BRACKE": 2_500_000,
    }
    assert {p: r["payback_year"] for p, r in per_party.items()} == {"RJH": 2023, "BERG": 2022, "BRACKE": 2021}
    assert calc.per_party["net_ore"].sum() == 2_000_000


def test_nyttokalkyl_at_zero_rate_is_the_plain_net_sum(db: Database, small_project: int) -> None:
    a = service.create_benefit(db, SYSTEM, small_project, BenefitInput(kind="nytta", title="A"))
    service.add_value(db, SYSTEM, a, service.parse_value({"year": 2021, "amount": "100000,01"}))
    calc = service.calculation(db, small_project, rate=Decimal(0))
    assert calc.npv_ore == 1
    assert calc.payback_year == 2021


def test_an_equal_split_of_a_value_sums_exactly_to_the_ore(db: Database, small_project: int) -> None:
    a = service.create_benefit(db, SYSTEM, small_project, BenefitInput(kind="nytta", title="A"))
    service.add_value(
        db, SYSTEM, a, service.parse_value({"year": 2021, "amount": "0,10"})
    )  # 10 öre on 3 parties
    calc = service.calculation(db, small_project)
    assert sorted(calc.benefits["ore"].to_list()) == [3, 3, 4]


def test_only_leaders_and_admin_value_benefits(seeded: Database, link2: int) -> None:
    first = int(service.register(seeded, link2)["id"][0])
    with pytest.raises(PermissionDeniedError):
        service.add_value(
            seeded,
            persona(seeded, "ledamot@gns.example"),
            first,
            service.parse_value({"year": 2021, "hours": "1"}),
        )


def test_link2_costs_follow_the_report_per_party_and_year(seeded: Database, link2: int) -> None:
    calc = service.calculation(seeded, link2)
    # The report: 3 489 986 kr in all; the municipalities' 510 212 kr split by population.
    assert calc.costs["ore"].sum() == 348_998_600
    kommuner = calc.per_party.filter(pl.col("party") != "RJH")
    assert kommuner.height == 8
    assert kommuner["cost_ore"].sum() == 51_021_200
    assert calc.per_party.filter(pl.col("party") == "RJH")["cost_ore"][0] == 297_977_400
    # Östersund has 63 200 of 130 600 inhabitants (2018): the largest share.
    assert kommuner.sort("cost_ore")["party"][-1] == "OSTERSUND"
    assert calc.table["year"].to_list() == [2018, 2019]
    assert calc.payback_year is None
    assert any("3\u202f489\u202f986 kr" in note for note in calc.notes)
    assert any("antal projektdagar" in note for note in calc.notes)


# --- command line ------------------------------------------------------------------------------


def test_cli_lists_link2s_seven_effect_measures_with_the_issues_fields(
    seeded_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["benefits", "--db", str(seeded_path), "--project", LINK2, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 12  # both kinds: seven effect goals and five benefits
    assert list(rows[0]) == [
        "id",
        "project",
        "title",
        "indicator",
        "unit",
        "baseline",
        "target",
        "latest",
        "status",
        "owner",
    ]
    assert [r["title"] for r in rows[:7]] == SEVEN
    assert {r["status"] for r in rows} == {"ej mätt"}
    assert main(["benefits", "--db", str(seeded_path), "--kind", "effektmål", "--format", "json"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == SEVEN


def test_cli_shows_baseline_target_and_latest_measurement(
    seeded_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(seeded_path)
    link2 = core_store.project_id_for(db, LINK2)
    goal = days_goal(db, link2)
    service.add_measurement(
        db,
        persona(db, "e-strateg@gns.example"),
        goal,
        MeasurementInput(measured_on=date(2020, 1, 1), value="3,5"),
    )
    db.close()
    main(["benefits", "--db", str(seeded_path), "--format", "json"])
    row = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == goal)
    assert row["baseline"] == {"date": "2019-01-01", "value": 6}
    assert row["target"] == {"date": "2021-01-01", "value": 2}
    assert row["latest"] == {"date": "2020-01-01", "value": 3.5}
    assert row["status"] == "på väg"
    assert row["owner"] == "Verksamhetschef Slutenvård"
    main(["benefits", "--db", str(seeded_path), "--project", LINK2])
    assert "→ På väg" in capsys.readouterr().out
