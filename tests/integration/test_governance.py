"""Meetings, decisions, phases and price-list debits against a seeded database."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from dashboard.cli import main
from portfolio import store as core_store
from portfolio.accounts import persona_user
from portfolio.auth import SYSTEM
from portfolio.errors import InvalidInputError, NotFoundError, PermissionDeniedError, StaleEditError
from portfolio.governance import service as governance
from portfolio.governance.model import (
    AgendaItemInput,
    DebitInput,
    MeetingInput,
    NewCaseInput,
    PhaseChangeInput,
    PriceRateInput,
    parse,
)

LINK2 = "GNS/8/2018"


def admin(db):
    return persona_user(db, "admin")


def audit_count(db) -> int:
    return core_store.count(db, "audit_log")


def item(**fields):
    data = {"meeting_date": "2020-03-27", "number": 1, "title": "Ny punkt", **fields}
    return parse(AgendaItemInput, data)


def link2_id(db) -> int:
    return core_store.project_id_for(db, LINK2)


# --- decisions --------------------------------------------------------------------------------


def test_link2_decisions_run_from_the_directive_through_the_extension_to_the_final_report(seeded):
    rows = governance.decision_rows(governance.decisions(seeded, case_code=LINK2))
    assert [(r["date"], r["paragraph"]) for r in rows] == [
        ("2018-08-24", "§19"),
        ("2018-12-07", "§30"),
        ("2019-06-03", "§17"),
        ("2020-02-14", "punkt 3"),
    ]
    assert rows[0]["decision"].startswith("1. Projektdirektivet godkänns.")
    assert "31 oktober 2019" in rows[2]["decision"]
    assert rows[3]["decision"].startswith("Förslag till beslut")
    assert "Slutrapport för införande av Cosmic Link2 godkänns" in rows[3]["decision"]


def test_decisions_of_an_unknown_case_are_refused(seeded):
    with pytest.raises(NotFoundError, match="GNS/99/2019"):
        governance.decisions(seeded, case_code="GNS/99/2019")


def test_a_question_about_serverdrift_finds_the_pre_study_and_its_decisions(seeded):
    found = governance.search_decisions(seeded, "Vad har nämnden beslutat om serverdrift?")
    cases = found["case_code"].to_list()
    assert "GNS/03/2019" in cases
    titles = found["title"].to_list()
    assert "Förstudie IT-serverdrift" in titles  # 2019-12-06: sent for consultation
    assert titles[0] in {"Förstudie IT-serverdrift", "Samverkan kring IT-serverdrift – förstudie"}
    assert "Projekt Digital transformation" not in titles


def test_search_folds_swedish_capitals_and_requires_every_word(seeded):
    assert governance.search_decisions(seeded, "LÖNEADMINISTRATION ÅRE").height >= 1
    assert governance.search_decisions(seeded, "serverdrift löneadministration").height == 0
    assert governance.search_decisions(seeded, "vad har nämnden").height == 0


def test_a_search_by_date_finds_that_meetings_items_and_by_paragraph_the_one_item(seeded):
    on_the_day = governance.search_decisions(seeded, "2019-06-03")
    assert on_the_day.height == 8
    assert set(on_the_day["date"].to_list()) == {"2019-06-03"}
    assert governance.search_decisions(seeded, "juni 2019")["date"].to_list() == on_the_day["date"].to_list()
    (title,) = governance.search_decisions(seeded, "§17 juni 2019")["title"].to_list()
    assert title.startswith("Förlängning av projekt IT-stöd för samordnad planering")
    assert "2019-06-03" in governance.search_decisions(seeded, "§17")["date"].to_list()
    assert governance.search_decisions(seeded, "§17 serverdrift").height == 0
    assert governance.search_decisions(seeded, "juli 2019").height == 0


# --- meetings -----------------------------------------------------------------------------------


def test_a_meeting_can_be_added_to_the_plan_and_is_audited(seeded):
    before = audit_count(seeded)
    governance.create_meeting(
        seeded, admin(seeded), MeetingInput(date=date(2021, 2, 12), place="Styrelserummet")
    )
    plan = governance.meeting_plan(seeded, 2021)
    assert plan["date"].to_list() == ["2021-02-12"]
    assert plan["planned"].to_list() == [True]
    assert audit_count(seeded) == before + 1


def test_a_second_meeting_on_the_same_day_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="Det finns redan ett sammanträde den 2019-06-03"):
        governance.create_meeting(seeded, admin(seeded), MeetingInput(date=date(2019, 6, 3)))


def test_the_2020_plan_shows_the_move_to_29_may_and_why(seeded):
    plan = governance.meeting_plan(seeded, 2020)
    moved = plan.filter(plan["moved_from"].is_not_null()).row(0, named=True)
    assert (moved["date"], moved["moved_from"]) == ("2020-05-29", "2020-06-05")
    assert "budgetdag" in moved["moved_reason"]
    assert plan["date"].to_list() == [
        "2020-02-14",
        "2020-03-27",
        "2020-05-29",
        "2020-08-28",
        "2020-10-09",
        "2020-12-18",
    ]


def august_2020_meeting(db) -> int:
    """The id of the meeting planned for 2020-08-28."""
    plan = governance.meeting_plan(db, 2020)
    return plan.filter(plan["date"] == "2020-08-28")["id"].item()


def test_moving_a_meeting_keeps_its_original_date_and_the_reason(seeded):
    august = august_2020_meeting(seeded)
    governance.move_meeting(seeded, admin(seeded), august, date(2020, 9, 4), "Semestrar")
    governance.move_meeting(seeded, admin(seeded), august, date(2020, 9, 11), "Krock med KF")
    plan = governance.meeting_plan(seeded, 2020)
    row = plan.filter(plan["id"] == august).row(0, named=True)
    assert (row["date"], row["moved_from"], row["moved_reason"]) == (
        "2020-09-11",
        "2020-08-28",
        "Krock med KF",
    )


def test_a_move_without_a_reason_is_refused_and_nothing_changes(seeded):
    august = august_2020_meeting(seeded)
    with pytest.raises(InvalidInputError, match="Ange skälet till flytten"):
        governance.move_meeting(seeded, admin(seeded), august, date(2020, 9, 4), "  ")
    assert "2020-08-28" in governance.meeting_plan(seeded, 2020)["date"].to_list()


def test_upcoming_meetings_start_at_the_given_day(seeded):
    upcoming = governance.upcoming_meetings(seeded, date(2020, 3, 1), limit=2)
    assert upcoming["date"].to_list() == ["2020-03-27", "2020-05-29"]


# --- agenda items ----------------------------------------------------------------------------------


def test_an_agenda_item_with_its_decision_is_saved_and_shows_on_the_case(seeded):
    before = audit_count(seeded)
    governance.add_agenda_item(
        seeded,
        admin(seeded),
        item(
            case="GNS/03/2019",
            title="Remissvar IT-serverdrift",
            decision="Remissvaren läggs till handlingarna.",
        ),
    )
    rows = governance.decisions(seeded, case_code="GNS/03/2019")
    assert rows["title"].to_list()[-1] == "Remissvar IT-serverdrift"
    assert audit_count(seeded) == before + 1


def test_a_decision_for_a_meeting_that_does_not_exist_is_refused_and_nothing_is_saved(seeded):
    items = core_store.count(seeded, "agenda_items")
    with pytest.raises(InvalidInputError) as exc:
        governance.add_agenda_item(seeded, admin(seeded), item(meeting_date="2020-04-01"))
    assert exc.value.messages == [
        "Det finns inget sammanträde den 2020-04-01; lägg först in sammanträdet i planen"
    ]
    assert core_store.count(seeded, "agenda_items") == items


def test_a_paragraph_used_twice_in_one_meeting_is_refused_and_nothing_is_saved(seeded):
    items = core_store.count(seeded, "agenda_items")
    with pytest.raises(InvalidInputError) as exc:
        governance.add_agenda_item(seeded, admin(seeded), item(meeting_date="2019-10-11", number=31))
    assert exc.value.messages == [
        "§31 används redan i sammanträdet 2019-10-11 (”Sammanträdestider 2020”); välj ett annat nummer"
    ]
    assert core_store.count(seeded, "agenda_items") == items


def test_the_same_number_may_be_used_as_agenda_point_and_as_paragraph(seeded):
    item_id = governance.add_agenda_item(
        seeded, admin(seeded), item(meeting_date="2019-10-11", number=31, number_kind="punkt")
    )
    saved = governance.agenda_item(seeded, item_id)
    assert (saved["meeting_date"], saved["number_kind"], saved["number"]) == ("2019-10-11", "punkt", 31)
    meeting = governance.meeting_on(seeded, date(2019, 10, 11))
    numbered = [(i["number_kind"], i["number"]) for i in governance.meeting_items(seeded, meeting["id"])]
    assert ("punkt", 31) in numbered and ("paragraf", 31) in numbered


def test_a_case_that_is_not_in_the_portfolio_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="Ärendet GNS/99/2020 finns inte i portföljen"):
        governance.add_agenda_item(seeded, admin(seeded), item(case="GNS/99/2020"))


def test_recording_the_decision_on_an_agenda_item_and_a_stale_edit(seeded):
    items = governance.decisions(seeded, case_code=LINK2)
    item_id = items.filter(items["date"] == "2020-02-14")["item_id"].item()
    current = governance.agenda_item(seeded, item_id)
    data = item(
        meeting_date=current["meeting_date"],
        number_kind=current["number_kind"],
        number=current["number"],
        case=current["case_code"],
        title=current["title"],
        proposal=current["proposal"],
        decision="Slutrapporten godkänns och läggs till handlingarna.",
        documents=current["documents"],
    )
    governance.update_agenda_item(seeded, admin(seeded), item_id, data, based_on=current)
    assert governance.agenda_item(seeded, item_id)["decision"].startswith("Slutrapporten godkänns")
    with pytest.raises(StaleEditError):
        governance.update_agenda_item(seeded, admin(seeded), item_id, data, based_on=current)


# --- phases -------------------------------------------------------------------------------------


def test_link2_phase_history_is_seeded_with_the_decisions_behind_it(seeded):
    history = governance.phase_history(seeded, link2_id(seeded))
    assert history["changed_on"].to_list() == ["2018-08-24", "2019-06-03", "2019-10-31", "2020-02-14"]
    assert history["to_phase"].to_list() == ["genomförande", "genomförande", "avslutad", "avslutad"]
    assert list(zip(history["meeting_date"], history["number"], strict=True))[:3] == [
        ("2018-08-24", 19),
        ("2019-06-03", 17),
        ("2019-06-03", 17),
    ]
    assert history["source"].to_list()[0].startswith("protokoll-2019-06-03")


def test_a_phase_change_moves_the_project_and_records_the_decision(seeded):
    dt = core_store.project_id_for(seeded, "GNS/8/2019")
    items = governance.decisions(seeded, case_code="GNS/8/2019")
    decision = items.filter(items["date"] == "2019-06-03")["item_id"].item()
    governance.record_phase_change(
        seeded,
        admin(seeded),
        PhaseChangeInput(
            project_id=dt, changed_on=date(2020, 3, 1), phase="genomförande", agenda_item_id=decision
        ),
    )
    assert core_store.project_detail(seeded, dt)["phase"] == "genomförande"
    last = governance.phase_history(seeded, dt).row(-1, named=True)
    assert (last["from_phase"], last["to_phase"], last["number"]) == ("idé", "genomförande", 19)


def test_a_phase_change_by_another_cases_decision_is_refused(seeded):
    items = governance.decisions(seeded, case_code="GNS/7/2019")
    other = items["item_id"].item()
    with pytest.raises(InvalidInputError, match="gäller GNS/7/2019, inte GNS/8/2019"):
        governance.record_phase_change(
            seeded,
            admin(seeded),
            PhaseChangeInput(
                project_id=core_store.project_id_for(seeded, "GNS/8/2019"),
                changed_on=date(2020, 3, 1),
                phase="genomförande",
                agenda_item_id=other,
            ),
        )


def test_a_phase_change_before_the_latest_one_or_to_the_same_phase_without_a_note_is_refused(seeded):
    with pytest.raises(InvalidInputError) as exc:
        governance.record_phase_change(
            seeded,
            admin(seeded),
            PhaseChangeInput(project_id=link2_id(seeded), changed_on=date(2019, 1, 1), phase="avslutad"),
        )
    assert len(exc.value.messages) == 2
    assert "redan i fasen avslutad" in exc.value.messages[0]
    assert "ligger före projektets senaste fasändring (2020-02-14)" in exc.value.messages[1]
    assert governance.phase_history(seeded, link2_id(seeded)).height == 4


# --- price list and debits -------------------------------------------------------------------------


def debit(db, hours, work_date="2019-09-02", resource="Jurist", project=LINK2):
    data = parse(
        DebitInput,
        {
            "project_id": core_store.project_id_for(db, project),
            "work_date": work_date,
            "resource": resource,
            "hours": hours,
        },
    )
    return governance.debit_resource(db, admin(db), data)


def test_hours_become_outcome_on_the_project_at_the_years_rate(seeded):
    debit(seeded, "10")
    debit(seeded, "2,5", resource="Upphandlare")
    debits = governance.debits(seeded, link2_id(seeded))
    assert debits["amount_ore"].to_list() == [645_000, 116_750]
    totals = governance.debit_totals(seeded)
    assert totals.filter(totals["project_id"] == link2_id(seeded))["amount_ore"].to_list() == [761_750]


def test_rates_are_versioned_by_year_and_a_debit_keeps_the_rate_it_was_priced_at(seeded):
    user = admin(seeded)
    debit(seeded, "1")
    governance.set_price_rate(seeded, user, PriceRateInput(year=2020, resource="Jurist", kr_per_hour=700))
    debit(seeded, "1", work_date="2020-03-02")
    governance.set_price_rate(seeded, user, PriceRateInput(year=2019, resource="Jurist", kr_per_hour=650))
    debits = governance.debits(seeded, link2_id(seeded))
    assert list(zip(debits["year"], debits["rate_ore"], strict=True)) == [(2019, 64_500), (2020, 70_000)]
    debit(seeded, "1", work_date="2019-12-02")
    debits = governance.debits(seeded, link2_id(seeded))
    assert list(zip(debits["work_date"], debits["rate_ore"], strict=True)) == [
        ("2019-09-02", 64_500),
        ("2019-12-02", 65_000),
        ("2020-03-02", 70_000),
    ]


def test_a_debit_in_a_year_without_a_price_list_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="Prislistan för 2021 saknar resursen Jurist"):
        debit(seeded, "3", work_date="2021-01-15")
    assert governance.debits(seeded).height == 0


def test_hours_below_zero_are_refused_and_nothing_is_saved(seeded):
    with pytest.raises(InvalidInputError, match="Antal timmar kan inte vara mindre än noll"):
        debit(seeded, "-3")
    assert governance.debits(seeded).height == 0


def test_the_database_refuses_non_positive_hours_even_past_the_model(seeded):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        seeded.execute(
            "INSERT INTO resource_debits (project_id, work_date, year, resource, hours_centi, rate_ore,"
            " amount_ore, created_at) VALUES (1, '2019-01-01', 2019, 'Jurist', -100, 64500, -64500, 'x')"
        )


# --- cases ------------------------------------------------------------------------------------------


def test_a_new_case_enters_the_portfolio_with_its_first_phase(seeded):
    pid = governance.create_case(
        seeded, admin(seeded), NewCaseInput(code="GNS/5/2020", name="Arkivfrågan", opened_on=date(2020, 3, 1))
    )
    frame = core_store.projects_frame(seeded)
    assert "GNS/5/2020" in frame["code"].to_list()
    history = governance.phase_history(seeded, pid)
    assert history.select("changed_on", "to_phase").row(0) == ("2020-03-01", "idé")


def test_a_case_code_already_in_use_is_refused(seeded):
    with pytest.raises(
        InvalidInputError, match="Det finns redan ett projekt eller ärende med koden GNS/8/2018"
    ):
        governance.create_case(seeded, admin(seeded), NewCaseInput(code=LINK2, name="Dubblett"))


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_may_write_meetings_decisions_phases_and_debits(seeded, persona):
    user = persona_user(seeded, persona)
    before = audit_count(seeded)
    pid = link2_id(seeded)
    writes = [
        lambda: governance.create_meeting(seeded, user, MeetingInput(date=date(2021, 2, 12))),
        lambda: governance.add_agenda_item(seeded, user, item()),
        lambda: governance.move_meeting(seeded, user, 1, date(2021, 1, 1), "skäl"),
        lambda: governance.record_phase_change(
            seeded, user, PhaseChangeInput(project_id=pid, changed_on=date(2021, 1, 1), phase="förvaltning")
        ),
        lambda: governance.debit_resource(
            seeded,
            user,
            DebitInput(project_id=pid, work_date=date(2019, 9, 2), resource="Jurist", hours=Decimal(1)),
        ),
        lambda: governance.set_price_rate(
            seeded, user, PriceRateInput(year=2021, resource="Jurist", kr_per_hour=1)
        ),
        lambda: governance.create_case(seeded, user, NewCaseInput(code="GNS/5/2020", name="X")),
    ]
    for attempt in writes:
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert audit_count(seeded) == before


def test_the_system_user_may_write(seeded):
    before = audit_count(seeded)
    meeting_id = governance.create_meeting(seeded, SYSTEM, MeetingInput(date=date(2021, 2, 12)))
    assert governance.meeting(seeded, meeting_id)["date"] == "2021-02-12"
    assert audit_count(seeded) == before + 1


# --- command line -----------------------------------------------------------------------------------


def test_cli_lists_link2_decisions_as_json_with_exactly_the_issues_fields(seeded_path, capsys):
    assert main(["decisions", "--db", str(seeded_path), "--project", LINK2, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(list(r) == ["date", "paragraph", "case", "title", "decision"] for r in rows)
    assert rows[0]["date"] == "2018-08-24"
    assert any(r["date"] == "2019-06-03" and r["paragraph"] == "§17" for r in rows)
    assert rows[-1]["date"] == "2020-02-14"
    assert rows[-1]["paragraph"] == "punkt 3"
    assert "Slutrapport" in rows[-1]["title"]


def test_cli_decisions_search_and_unknown_case(seeded_path, capsys):
    assert main(["decisions", "--db", str(seeded_path), "--search", "serverdrift", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["case"] == "GNS/03/2019" for r in rows)
    assert main(["decisions", "--db", str(seeded_path), "--project", "GNS/99/2019"]) == 1
    assert "GNS/99/2019" in capsys.readouterr().err
