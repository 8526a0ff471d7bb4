"""The bruttolista: seeded activities, edits, outcomes, and promotion to a case with links both ways."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from portfolio import store as core_store
from portfolio.accounts import persona_user
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.governance import service as governance
from portfolio.governance.model import NewCaseInput
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import ActivityInput, ActivityStatus, OutcomeInput
from registers.database import open_database
from seed.loader import DATA_DIR, SeedError, seed_database


def admin(db):
    return persona_user(db, "admin")


def row(db, number: int) -> dict:
    frame = bruttolista.activities(db, year=2019)
    return frame.filter(frame["row"] == number).row(0, named=True)


def test_the_2019_plan_holds_eleven_activities_with_their_statuses_and_linked_cases(seeded):
    frame = bruttolista.activities(seeded, year=2019)
    assert frame.height == 11
    assert frame["row"].to_list() == list(range(1, 12))
    assert dict(zip(frame["row"], frame["status"], strict=True)) == {
        1: "ej påbörjad",
        2: "pågår",
        3: "pågår",
        4: "bordlagd",
        5: "ej påbörjad",
        6: "ej påbörjad",
        7: "genomförd",
        8: "ej aktuell",
        9: "ej aktuell",
        10: "pågår",
        11: "ej aktuell",
    }
    linked = {r: c for r, c in zip(frame["row"], frame["linked_cases"].to_list(), strict=True) if c}
    assert linked == {4: ["GNS/7/2019"], 7: ["GNS/03/2019"], 10: ["GNS/4/2019"]}
    assert row(seeded, 7)["outcome"].startswith("Förstudie genomförd april-december")
    assert row(seeded, 11)["areas"] == ["Digital kompetens", "Expertis", "Kärnverksamhet"]


def test_a_linked_case_points_back_at_the_activity(seeded):
    pid = core_store.project_id_for(seeded, "GNS/03/2019")
    linked = bruttolista.activities_for_project(seeded, pid)
    assert linked.select("plan_year", "row", "relation").rows() == [(2019, 7, "kopplat")]


def test_promotion_creates_a_case_and_keeps_the_link_both_ways(seeded):
    activity = row(seeded, 11)
    before = core_store.count(seeded, "audit_log")
    pid = bruttolista.promote(
        seeded,
        admin(seeded),
        activity["id"],
        NewCaseInput(code="GNS/5/2020", name="Nulägesanalys arkiv", kind="förstudie"),
    )
    # from the activity to the case
    after = row(seeded, 11)
    assert after["linked_cases"] == ["GNS/5/2020"]
    assert after["created_case"] == "GNS/5/2020"
    # from the case to the activity
    back = bruttolista.activities_for_project(seeded, pid)
    assert back.select("id", "relation").rows() == [(activity["id"], "skapat")]
    # the case is in the portfolio overview, in its first phase, with the activity as purpose
    projects = core_store.projects_frame(seeded)
    case = projects.filter(projects["code"] == "GNS/5/2020").row(0, named=True)
    assert (case["name"], case["kind"], case["phase"]) == ("Nulägesanalys arkiv", "förstudie", "idé")
    assert core_store.project_detail(seeded, pid)["purpose"] == activity["activity"]
    assert "rad 11" in governance.phase_history(seeded, pid)["note"].item()
    entities = [
        r[0] for r in seeded.execute("SELECT entity FROM audit_log WHERE id > ?", [before]).fetchall()
    ]
    assert sorted(entities) == ["bruttolista-aktivitet", "projekt"]


def test_an_activity_becomes_a_case_only_once(seeded):
    activity_id = row(seeded, 11)["id"]
    bruttolista.promote(seeded, admin(seeded), activity_id, NewCaseInput(code="GNS/5/2020", name="Arkiv"))
    with pytest.raises(InvalidInputError, match="redan blivit ärendet GNS/5/2020"):
        bruttolista.promote(seeded, admin(seeded), activity_id, NewCaseInput(code="GNS/6/2020", name="Arkiv"))


def test_promotion_to_a_code_in_use_saves_nothing(seeded):
    activity_id = row(seeded, 11)["id"]
    projects = core_store.count(seeded, "projects")
    audits = core_store.count(seeded, "audit_log")
    with pytest.raises(InvalidInputError, match="koden GNS/8/2018"):
        bruttolista.promote(seeded, admin(seeded), activity_id, NewCaseInput(code="GNS/8/2018", name="X"))
    assert core_store.count(seeded, "projects") == projects
    assert core_store.count(seeded, "audit_log") == audits
    assert row(seeded, 11)["linked_cases"] == []


@pytest.mark.parametrize("persona", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_may_edit_or_promote(seeded, persona):
    user = persona_user(seeded, persona)
    activity = bruttolista.activity(seeded, row(seeded, 1)["id"])
    data = ActivityInput(plan_year=2019, activity="Ändrad", areas=("Ledning/Styrning",))
    for attempt in (
        lambda: bruttolista.promote(seeded, user, activity["id"], NewCaseInput(code="GNS/5/2020", name="X")),
        lambda: bruttolista.update_activity(seeded, user, activity["id"], data, version=activity["version"]),
        lambda: bruttolista.set_outcome(
            seeded, user, activity["id"], OutcomeInput(year=2020, status="pågår")
        ),
        lambda: bruttolista.create_activity(seeded, user, data),
        lambda: bruttolista.link_case(seeded, user, activity["id"], "GNS/8/2018"),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert row(seeded, 1)["activity"].startswith("Skapa en e-strategi")


def test_an_edit_from_an_old_version_is_refused(seeded):
    activity = bruttolista.activity(seeded, row(seeded, 5)["id"])
    data = ActivityInput(plan_year=2019, activity="Ny text", areas=("Kommunikation",))
    bruttolista.update_activity(seeded, admin(seeded), activity["id"], data, version=activity["version"])
    with pytest.raises(StaleEditError):
        bruttolista.update_activity(seeded, admin(seeded), activity["id"], data, version=activity["version"])
    assert row(seeded, 5)["areas"] == ["Kommunikation"]


def test_a_new_years_outcome_becomes_the_current_status(seeded):
    activity_id = row(seeded, 4)["id"]
    bruttolista.set_outcome(
        seeded,
        admin(seeded),
        activity_id,
        OutcomeInput(year=2020, status=ActivityStatus.PAGAR, outcome="Återupptaget"),
    )
    current = row(seeded, 4)
    assert (current["status"], current["outcome_year"], current["outcome"]) == ("pågår", 2020, "Återupptaget")
    assert bruttolista.outcomes(seeded, activity_id)["year"].to_list() == [2019, 2020]


def test_a_new_activity_is_appended_to_its_years_list(seeded):
    data = ActivityInput(plan_year=2020, activity="Gemensam e-arkivlösning", areas=("Expertis",))
    activity_id = bruttolista.create_activity(
        seeded,
        admin(seeded),
        data,
        linked_cases=["GNS/11/2018"],
        outcome=OutcomeInput(year=2020, status="ej påbörjad"),
    )
    assert bruttolista.activity(seeded, activity_id)["row"] == 1
    assert bruttolista.activities(seeded, year=2020)["linked_cases"].to_list() == [["GNS/11/2018"]]
    with pytest.raises(InvalidInputError, match="Ärendet GNS/99/2020 finns inte"):
        bruttolista.create_activity(seeded, admin(seeded), data, linked_cases=["GNS/99/2020"])


def test_cli_lists_the_eleven_2019_activities_with_exactly_the_issues_fields(seeded_path, capsys):
    assert main(["bruttolista", "--db", str(seeded_path), "--year", "2019", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 11
    assert all(list(r) == ["id", "activity", "areas", "status", "outcome", "linked_cases"] for r in rows)
    assert {r["status"] for r in rows} == {"ej påbörjad", "pågår", "genomförd", "ej aktuell", "bordlagd"}
    assert rows[6]["linked_cases"] == ["GNS/03/2019"]
    assert main(["bruttolista", "--db", str(seeded_path), "--year", "2030", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def _data_dir_with(tmp_path: Path, old: str, new: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "bruttolista.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data


def test_a_bad_seed_file_names_file_row_and_field_and_nothing_is_inserted(tmp_path):
    data = _data_dir_with(tmp_path, "status: bordlagd", "status: avbruten")
    db = open_database(tmp_path / "bad.db")
    with pytest.raises(SeedError) as exc:
        seed_database(db, data)
    assert exc.value.messages[0].startswith("bruttolista.yaml, aktivitet rad 4: fältet 'activities.3.status'")
    assert core_store.count(db, "projects") == 0
    assert core_store.count(db, "audit_log") == 0


def test_a_seed_link_to_an_unknown_case_is_refused(tmp_path):
    data = _data_dir_with(tmp_path, "linked_cases: [GNS/4/2019]", "linked_cases: [GNS/40/2019]")
    db = open_database(tmp_path / "bad.db")
    with pytest.raises(
        SeedError, match="aktivitet rad 10: fältet 'linked_cases': ärendet GNS/40/2019 finns inte"
    ):
        seed_database(db, data)
    assert core_store.count(db, "projects") == 0


def test_seeding_twice_inserts_nothing_new(seeded):
    counts = seed_database(seeded)
    assert sum(counts.values()) == 0
