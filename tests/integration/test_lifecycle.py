"""LINK2's closure: handover checklist, deviations by type, needs that become bruttolista activities."""

from __future__ import annotations

import pytest

from portfolio import store as core_store
from portfolio.accounts import persona_user
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.governance.model import parse
from registers.bruttolista import service as bruttolista
from registers.bruttolista.model import ActivityInput
from registers.lifecycle import service as lifecycle
from registers.lifecycle.model import LABELS, DeviationInput, HandoverMark, NeedInput


def link2(db) -> int:
    return core_store.project_id_for(db, "GNS/8/2018")


def admin(db):
    return persona_user(db, "admin")


def test_link2_handover_checklist_is_seeded_with_its_interpretation_marked(seeded):
    checklist = lifecycle.handover(seeded, link2(seeded))
    assert checklist.height == 24
    assert lifecycle.handover_summary(checklist) == {"ja": 21, "nej": 3, "ej bedömd": 0}
    not_delivered = checklist.filter(checklist["delivered"].not_())["deliverable"].to_list()
    assert "Systemförvaltarutbildning" in not_delivered
    assert set(checklist["delivered_basis"].to_list()) == {"tolkning"}
    assert "kryssrutorna" in lifecycle.notes(seeded, link2(seeded))["leverabler"][0]


def test_link2_deviations_are_one_system_and_forty_four_working_methods(seeded):
    found = lifecycle.deviations(seeded, link2(seeded))
    assert dict(zip(found["type"], found["count"], strict=True)) == {"system": 1, "arbetssätt": 44}
    assert found["period"].unique().to_list() == ["maj tom oktober 2019"]
    assert "läkemedelshändelser" in found.filter(found["type"] == "arbetssätt")["categories"].item().to_list()


def test_link2_lists_twelve_needs_for_continued_work(seeded):
    needs = lifecycle.needs(seeded, link2(seeded))
    assert needs.height == 12
    assert needs["need"].to_list()[-1] == "Link 2.5"
    assert needs["activity_id"].null_count() == 12


def test_a_need_becomes_a_bruttolista_activity_and_both_point_at_each_other(seeded):
    needs = lifecycle.needs(seeded, link2(seeded))
    need = needs.filter(needs["need"] == "Nätverk i länet för fortsatt samverkan").row(0, named=True)
    defaults = lifecycle.activity_from_need(need["need"], need["details"], "GNS/8/2018", 2020)
    data = parse(ActivityInput, {**defaults, "areas": ["Kärnverksamhet"]})
    activity_id = lifecycle.need_to_activity(seeded, admin(seeded), need["id"], data)

    activities = bruttolista.activities(seeded, year=2020)
    made = activities.filter(activities["id"] == activity_id).row(0, named=True)
    assert (
        made["activity"]
        == "Nätverk i länet för fortsatt samverkan: Bemanning och omfattning samt finansiering"
    )
    assert made["linked_cases"] == ["GNS/8/2018"]
    assert made["status"] == "ej påbörjad"
    assert lifecycle.need_for_activity(seeded, activity_id) == {
        "id": need["id"],
        "need": need["need"],
        "code": "GNS/8/2018",
    }
    after = lifecycle.needs(seeded, link2(seeded))
    assert after.filter(after["id"] == need["id"])["activity_id"].item() == activity_id
    with pytest.raises(InvalidInputError, match="är redan en aktivitet i bruttolistan"):
        lifecycle.need_to_activity(seeded, admin(seeded), need["id"], data)


def test_marking_a_checklist_line_and_a_stale_mark(seeded):
    checklist = lifecycle.handover(seeded, link2(seeded))
    line = checklist.filter(checklist["deliverable"] == "Systemförvaltarutbildning").row(0, named=True)
    mark = HandoverMark(delivered=True, comment="Genomförd januari 2020")
    lifecycle.mark_handover(seeded, admin(seeded), line["id"], mark, version=line["version"])
    after = lifecycle.handover(seeded, link2(seeded)).filter(checklist["id"] == line["id"]).row(0, named=True)
    assert (after["delivered"], after["delivered_basis"], after["comment"]) == (
        True,
        "angivet",
        "Genomförd januari 2020",
    )
    with pytest.raises(StaleEditError):
        lifecycle.mark_handover(seeded, admin(seeded), line["id"], mark, version=line["version"])


def test_a_negative_deviation_count_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="Antal: får inte vara negativt"):
        parse(DeviationInput, {"project_id": link2(seeded), "type": "system", "count": -1}, LABELS)


def test_deviations_of_the_same_type_and_period_are_not_recorded_twice(seeded):
    data = DeviationInput(project_id=link2(seeded), type="system", count=2, period="maj tom oktober 2019")
    with pytest.raises(InvalidInputError, match="redan registrerade"):
        lifecycle.add_deviation(seeded, admin(seeded), data)
    lifecycle.add_deviation(seeded, admin(seeded), data.model_copy(update={"period": "november 2019"}))
    assert lifecycle.deviations(seeded, link2(seeded)).height == 3


@pytest.mark.parametrize("persona", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_may_change_the_closure(seeded, persona):
    user = persona_user(seeded, persona)
    pid = link2(seeded)
    line = lifecycle.handover(seeded, pid).row(0, named=True)
    need_id = lifecycle.needs(seeded, pid)["id"].to_list()[0]
    data = ActivityInput(plan_year=2020, activity="X", areas=("Expertis",))
    for attempt in (
        lambda: lifecycle.mark_handover(
            seeded, user, line["id"], HandoverMark(delivered=False), version=line["version"]
        ),
        lambda: lifecycle.add_deviation(seeded, user, DeviationInput(project_id=pid, type="övrigt", count=1)),
        lambda: lifecycle.add_need(seeded, user, NeedInput(project_id=pid, need="Nytt behov")),
        lambda: lifecycle.need_to_activity(seeded, user, need_id, data),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert lifecycle.needs(seeded, pid).height == 12
