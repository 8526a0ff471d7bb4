"""Risk registers in the database: seed, permissions, audit, stale edits, history, registers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portfolio import store as core_store
from portfolio.db import Database
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from registers.risks import service
from registers.risks import store as risk_store
from registers.risks.model import parse_action, parse_register, parse_risk
from seed.loader import DATA_DIR, SeedError, seed_database
from tests.personas import persona

LINK2 = "GNS/8/2018"


def link2(db: Database) -> int:
    return core_store.project_id_for(db, LINK2)


def register_named(db: Database, name: str):
    return next(r for r in service.registers(db, link2(db)) if r.name == name)


def new_risk(db: Database, **overrides: object):
    reg = register_named(db, "Informationssäkerhet")
    return parse_risk(
        {
            "register_id": reg.id,
            "title": "Leverantören går i konkurs",
            "probability": 2,
            "consequence": 4,
            **overrides,
        }
    )


def audit_rows(db: Database, entity: str, entity_id: int) -> list[tuple]:
    return db.execute(
        "SELECT action, user_email, project_id, before, after FROM audit_log"
        " WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, str(entity_id)],
    ).fetchall()


# --- seed ----------------------------------------------------------------------------------------


def test_the_seed_holds_link2s_eight_risks_in_two_registers_each_with_an_action(seeded: Database) -> None:
    risks = service.risks_with_bands(seeded, link2(seeded))
    assert risks.height == 8
    assert risks.group_by("register").len().sort("register").rows() == [
        ("Arbetsmiljö", 5),
        ("Informationssäkerhet", 3),
    ]
    assert risks["actions"].min() == 1
    assert set(risks["score_source"]) == {"illustrativ"}  # the report gives no scores
    assert {r.scale for r in service.registers(seeded, link2(seeded))} == {4, 5}
    flagged = risks.filter(risks["show_in_portfolio"])["title"].to_list()
    assert flagged == ["Stress på grund av otillräckliga kunskaper", "Åtkomst och inloggningsproblem"]


def test_seeding_twice_inserts_nothing_more(seeded: Database) -> None:
    before = risk_store.count_rows(seeded)
    counts = seed_database(seeded)
    assert (counts["riskregister"], counts["risker"], counts["åtgärder"]) == (0, 0, 0)
    assert risk_store.count_rows(seeded) == before


def test_each_seeded_risk_is_audited_with_its_project(seeded: Database) -> None:
    rows = audit_rows(seeded, "risk", 1)
    assert rows[0][0] == "skapa" and rows[0][2] == link2(seeded)


def test_a_seed_file_with_a_probability_outside_its_scale_is_refused_naming_file_and_record(
    tmp_path: Path, db: Database
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    text = (data / "risks.yaml").read_text(encoding="utf-8")
    (data / "risks.yaml").write_text(
        text.replace(
            "probability: 3\n      consequence: 4\n      residual_probability: 1",
            "probability: 5\n      consequence: 4\n      residual_probability: 1",
        ),
        encoding="utf-8",
    )
    with pytest.raises(SeedError) as caught:
        seed_database(db, data)
    assert "risks.yaml, register 2 (Informationssäkerhet)" in caught.value.messages[0]
    assert "utanför registrets skala 1–4" in caught.value.messages[0]
    assert risk_store.count_rows(db) == {"risk_registers": 0, "risks": 0, "risk_actions": 0}


# --- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["ledamot@gns.example", "kommunchef.bracke@gns.example"])
def test_only_the_projects_leaders_and_admin_may_change_risks(seeded: Database, email: str) -> None:
    before = risk_store.count_rows(seeded)
    with pytest.raises(PermissionDeniedError):
        service.create_risk(seeded, persona(seeded, email), new_risk(seeded))
    with pytest.raises(PermissionDeniedError):
        service.close_risk(seeded, persona(seeded, email), 1, version=1)
    assert risk_store.count_rows(seeded) == before


def test_a_project_leader_may_not_change_another_projects_risks(seeded: Database, admin, leader) -> None:
    other = core_store.project_id_for(seeded, "GNS/03/2019")
    reg_id = service.create_register(
        seeded, admin, other, parse_register({"name": "Tidplan", "category": "tidplan"})
    )
    data = parse_risk({"register_id": reg_id, "title": "Försening", "probability": 2, "consequence": 2})
    with pytest.raises(PermissionDeniedError, match="inte projektledare för det här projektet"):
        service.create_risk(seeded, leader, data)


def test_a_disabled_leader_may_not_change_risks(seeded: Database, admin, leader) -> None:
    from portfolio import accounts

    accounts.set_active(seeded, admin, leader.email, False)
    with pytest.raises(PermissionDeniedError, match="avstängt"):
        service.create_risk(seeded, persona(seeded, leader.email), new_risk(seeded))


# --- writes ---------------------------------------------------------------------------------------


def test_a_leader_adds_a_risk_with_an_action_and_both_are_audited_for_the_project(
    seeded: Database, leader
) -> None:
    action = parse_action({"description": "Avtala om exit", "due_date": "2025-01-31", "owner": leader.email})
    rid = service.create_risk(seeded, leader, new_risk(seeded, owner="barbro toutin"), [action])
    stored = service.risk(seeded, rid)
    assert stored["owner"] == "Barbro Toutin"  # a project leader by name, any case
    assert stored["category"] == "informationssäkerhet"  # the register's
    actions = service.actions_with_lateness(seeded, __import__("datetime").date(2025, 2, 12), link2(seeded))
    mine = actions.filter(actions["risk_id"] == rid).row(0, named=True)
    assert (mine["owner"], mine["late_text"]) == ("Demo Projektledare LINK2", "Försenad, 12 dagar")
    (created,) = audit_rows(seeded, "risk", rid)
    assert created[:3] == ("skapa", leader.email, link2(seeded))
    assert audit_rows(seeded, "åtgärd", mine["id"])[0][2] == link2(seeded)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"probability": 5}, "Sannolikhet: 5 ligger utanför registrets skala"),
        ({"owner": "Okänd Person"}, "Ägare: 'Okänd Person' är ingen känd ägare"),
        ({"category": "väder"}, "Kategori: okänd kategori 'väder'"),
    ],
)
def test_a_risk_the_database_disagrees_with_is_refused_and_nothing_is_written(
    seeded: Database, leader, overrides: dict[str, object], message: str
) -> None:
    before = risk_store.count_rows(seeded)
    with pytest.raises(InvalidInputError) as caught:
        service.create_risk(seeded, leader, new_risk(seeded, **overrides))
    assert caught.value.messages[0].startswith(message)
    assert risk_store.count_rows(seeded) == before


def test_an_edit_is_saved_with_before_and_after_in_the_audit_log(seeded: Database, leader) -> None:
    current = service.risk(seeded, 8)
    data = parse_risk({**{k: current[k] for k in risk_store.RISK_FIELDS}, "probability": 4})
    assert service.update_risk(seeded, leader, 8, data, version=current["version"]) is True
    assert service.risk(seeded, 8)["version"] == current["version"] + 1
    action, _, project_id, before, after = audit_rows(seeded, "risk", 8)[-1]
    assert (action, project_id) == ("ändra", link2(seeded))
    assert '"probability": 3' in before and '"probability": 4' in after
    history = service.history(seeded, 8)
    assert history["change"].to_list()[-1] == "Sannolikhet: 3 → 4"


def test_saving_unchanged_values_writes_nothing(seeded: Database, leader) -> None:
    current = service.risk(seeded, 8)
    data = parse_risk({k: current[k] for k in risk_store.RISK_FIELDS})
    assert service.update_risk(seeded, leader, 8, data, version=current["version"]) is False
    assert service.risk(seeded, 8)["version"] == current["version"]


def test_the_second_of_two_edits_from_the_same_version_is_refused_showing_the_newer_values(
    seeded: Database, leader, admin
) -> None:
    current = service.risk(seeded, 8)
    base = {k: current[k] for k in risk_store.RISK_FIELDS}
    service.update_risk(
        seeded, admin, 8, parse_risk({**base, "owner": "Marit Nilsson"}), version=current["version"]
    )
    with pytest.raises(StaleEditError) as caught:
        service.update_risk(
            seeded, leader, 8, parse_risk({**base, "probability": 1}), version=current["version"]
        )
    message = str(caught.value)
    assert "har ändrats av e-strateg@gns.example" in message
    assert "Ägare: Marit Nilsson" in message and "Inget av det du ändrade sparades" in message
    assert caught.value.current["owner"] == "Marit Nilsson"
    stored = service.risk(seeded, 8)
    assert (stored["owner"], stored["probability"]) == ("Marit Nilsson", 3)  # nothing overwritten


def test_closing_a_risk_sets_status_and_is_audited_as_closing(seeded: Database, leader) -> None:
    current = service.risk(seeded, 4)
    service.close_risk(seeded, leader, 4, version=current["version"], note="Utbildningen genomförd")
    stored = service.risk(seeded, 4)
    assert (stored["status"], stored["status_note"]) == ("stängd", "Utbildningen genomförd")
    assert audit_rows(seeded, "risk", 4)[-1][0] == "stäng"
    with pytest.raises(StaleEditError):
        service.close_risk(seeded, leader, 4, version=current["version"])


def test_an_action_is_updated_from_its_version_and_a_stale_update_refused(seeded: Database, leader) -> None:
    action = service.action(seeded, 1)
    data = parse_action({"description": action["description"], "status": "pågår", "comment": "Följs upp"})
    assert service.update_action(seeded, leader, 1, data, version=action["version"])
    with pytest.raises(StaleEditError, match=r"Åtgärden .* har ändrats"):
        service.update_action(seeded, leader, 1, data, version=action["version"])
    history = service.history(seeded, action["risk_id"])
    assert "Status: klar → pågår" in history["change"].to_list()[-1]


def test_residual_score_is_banded_apart_from_the_inherent_score(seeded: Database) -> None:
    frame = service.risks_with_bands(seeded, link2(seeded))
    row = frame.filter(frame["id"] == 4).row(0, named=True)
    assert (row["score"], row["band"], row["residual_score"], row["residual_band"]) == (16, "röd", 9, "gul")


# --- registers and categories --------------------------------------------------------------------


def test_a_register_cannot_shrink_below_the_levels_of_its_risks(seeded: Database, admin) -> None:
    reg = register_named(seeded, "Arbetsmiljö")
    current = service.risk(seeded, 4)
    data = parse_risk({**{k: current[k] for k in risk_store.RISK_FIELDS}, "probability": 5})
    service.update_risk(seeded, admin, 4, data, version=current["version"])
    register_data = parse_register({"name": reg.name, "category": reg.category, "scale": 4})
    with pytest.raises(InvalidInputError, match="risker har nivåer över 4"):
        service.update_register(seeded, admin, reg.id, register_data, version=reg.version)


def test_a_register_with_custom_thresholds_bands_its_risks_by_them(seeded: Database, admin) -> None:
    reg = register_named(seeded, "Informationssäkerhet")
    data = parse_register(
        {"name": reg.name, "category": reg.category, "scale": 4, "yellow_from": 3, "red_from": 12}
    )
    assert service.update_register(seeded, admin, reg.id, data, version=reg.version)
    frame = service.risks_with_bands(seeded, link2(seeded))
    assert frame.filter(frame["id"] == 8)["band"].item() == "gul"  # 9 was red under the default 9
    assert audit_rows(seeded, "riskregister", reg.id)[-1][0] == "ändra"


def test_only_admin_adds_categories_and_a_new_category_can_be_used(seeded: Database, admin, leader) -> None:
    with pytest.raises(PermissionDeniedError):
        service.add_category(seeded, leader, "miljö")
    assert service.add_category(seeded, admin, " Miljö ") == "miljö"
    with pytest.raises(InvalidInputError, match="finns redan"):
        service.add_category(seeded, admin, "MILJÖ")
    rid = service.create_risk(seeded, leader, new_risk(seeded, category="Miljö"))
    assert service.risk(seeded, rid)["category"] == "miljö"


def test_reassessing_the_residual_risk_saves_the_levels_and_ends_the_question(seeded, leader) -> None:
    assert service.residual_review_due(seeded, 4)  # its one action is done
    version = service.risk(seeded, 4)["version"]
    assert service.reassess_residual(seeded, leader, 4, 2, 2, version=version, note="Utbildad personal")
    stored = service.risk(seeded, 4)
    assert (stored["residual_probability"], stored["residual_consequence"], stored["status_note"]) == (
        2,
        2,
        "Utbildad personal",
    )
    assert not service.residual_review_due(seeded, 4)
    with pytest.raises(StaleEditError):
        service.reassess_residual(seeded, leader, 4, 1, 1, version=version)


def test_a_reassessment_that_keeps_the_levels_is_still_recorded(seeded, leader) -> None:
    before = service.risk(seeded, 4)
    changed = service.reassess_residual(
        seeded,
        leader,
        4,
        before["residual_probability"],
        before["residual_consequence"],
        version=before["version"],
    )
    assert not changed
    assert service.risk(seeded, 4)["version"] == before["version"]
    assert service.history(seeded, 4)["action"].to_list()[-1] == "ompröva restrisk"
    assert not service.residual_review_due(seeded, 4)


def test_a_reader_cannot_reassess_a_residual_risk(seeded) -> None:
    reader = persona(seeded, "ledamot@gns.example")
    with pytest.raises(PermissionDeniedError):
        service.reassess_residual(seeded, reader, 4, 1, 1, version=service.risk(seeded, 4)["version"])
