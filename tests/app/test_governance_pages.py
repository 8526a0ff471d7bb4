"""Beslut page: search, upcoming meetings, the plan, and the secretariat's forms with refused input."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from portfolio import store as core_store
from portfolio import users_store
from portfolio.governance import service as governance
from portfolio.governance.model import AgendaItemInput, parse
from registers.database import open_database
from tests.app.conftest import ROLES, duplicate_labels, fill, shown_under, texts

PAGE = "app_pages/decisions.py"
SEEDED_ITEMS = 40  # agenda items in meetings.yaml


def save_agenda_item(at, number: int, title: str, **fields: str) -> None:
    """Fill the secretariat's agenda item form and press Spara; `fields` by their key's last word
    (meeting, case, proposal, decision), the others left as they are."""
    fill(
        at,
        decisions_item_number=number,
        decisions_item_title=title,
        **{f"decisions_item_{name}": value for name, value in fields.items()},
    )
    at.button(key="decisions_item_save").click().run()


def admin_editing_the_final_report(app_as, app_env) -> tuple[AppTest, int]:
    """The admin on the page with the final report's agenda item (GNS/8/2018, 2020-02-14) chosen for
    editing, and that item's id."""
    items = governance.decisions(open_database(app_env), case_code="GNS/8/2018")
    item_id = items.filter(items["date"] == "2020-02-14")["item_id"].item()
    at = app_as("admin", PAGE)
    at.selectbox(key="decisions_edit_meeting").set_value("2020-02-14").run()
    at.selectbox(key="decisions_edit_item").set_value(item_id).run()
    return at, item_id


@pytest.mark.parametrize("role", ROLES)
def test_the_decisions_page_renders_for_every_role(app_as, role):
    at = app_as(role, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert "Beslut" in [t.value for t in at.title]
    assert "Sammanträdesplan" in texts(at)
    assert "645 kr" in texts(at)  # the price list


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_only_the_secretariat_gets_the_forms(app_as, role):
    at = app_as(role, PAGE)
    keys = {b.key for b in at.button}
    assert not keys & {"decisions_item_save", "decisions_meeting_save", "decisions_move_save"}


def test_a_question_about_serverdrift_lists_the_decisions_on_it(app_as):
    at = app_as("namnd", PAGE)
    at.text_input(key="decisions_search").set_value("vad har nämnden beslutat om serverdrift?").run()
    shown = texts(at)
    assert "träffar" in shown
    assert "GNS/03/2019" in shown
    assert "Förstudien godkänns och skickas på remiss" in shown
    assert any("Förstudie IT-serverdrift" in e.label for e in at.expander)


def test_a_search_without_hits_says_so(app_as):
    at = app_as("namnd", PAGE)
    at.text_input(key="decisions_search").set_value("kvantdator").run()
    assert "Inga beslut eller ärenden matchar ”kvantdator”." in [i.value for i in at.info]


def test_upcoming_meetings_from_a_chosen_day_and_the_moved_meeting_with_its_reason(app_as):
    at = app_as("kommunchef", PAGE)
    at.date_input(key="decisions_upcoming_from").set_value(date(2020, 3, 1)).run()
    shown = texts(at)
    assert "2020-03-27" in shown
    assert (
        "Sammanträdet 2020-06-05 flyttas till 2020-05-29: Region Jämtland Härjedalen har lagt en budgetdag"
        in shown
    )


def test_with_no_upcoming_meetings_the_page_says_which_is_the_last(app_as):
    at = app_as("namnd", PAGE)
    at.date_input(key="decisions_upcoming_from").set_value(date(2030, 1, 1)).run()
    assert any("Det senaste i planen är 2020-12-18" in i.value for i in at.info)


def test_admin_adds_a_meeting_to_next_years_plan(app_as, app_env):
    at = app_as("admin", PAGE)
    at.date_input(key="decisions_meeting_date").set_value(date(2021, 2, 12))
    at.text_input(key="decisions_meeting_place").set_value("Styrelserummet")
    at.button(key="decisions_meeting_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Sammanträdet 2021-02-12 är inlagt i planen." in [s.value for s in at.success]
    assert governance.meeting_plan(open_database(app_env), 2021)["place"].to_list() == ["Styrelserummet"]


def test_admin_adds_a_decision_and_it_is_found_by_search(app_as, app_env):
    at = app_as("admin", PAGE)
    save_agenda_item(
        at,
        4,
        "Remissvar gemensam serverdrift",
        meeting="2020-03-27",
        case="GNS/03/2019",
        decision="Remissvaren läggs till handlingarna.",
    )
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    rows = governance.decisions(open_database(app_env), case_code="GNS/03/2019")
    assert rows["title"].to_list()[-1] == "Remissvar gemensam serverdrift"
    at.text_input(key="decisions_search").set_value("remissvar serverdrift").run()
    assert "Remissvaren läggs till handlingarna." in texts(at)


@pytest.mark.parametrize(
    ("meeting", "number", "case", "message"),
    [
        ("2019-10-11", 31, "GNS/8/2018", "§31 används redan i sammanträdet 2019-10-11"),
        ("2019-06-03", 21, "GNS/8/18", "Ärendenummer: 'GNS/8/18' är inget giltigt ärendenummer"),
        ("2019-10-11", 32, "GNS/99/2019", "Ärendet GNS/99/2019 finns inte i portföljen"),
        ("2019-06-03", 21, "GNS/8/2018", "Protokollet från sammanträdet 2019-06-03 är justerat"),
    ],
)
def test_bad_agenda_items_are_refused_with_a_precise_message_and_nothing_is_saved(
    app_as, app_env, meeting, number, case, message
):
    at = app_as("admin", PAGE)
    save_agenda_item(at, number, "Förlängning igen", meeting=meeting, case=case)
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("Inget sparades") and message in errors[0]
    assert core_store.count(open_database(app_env), "agenda_items") == SEEDED_ITEMS


def test_admin_records_the_decision_of_the_final_report(app_as, app_env):
    at, item_id = admin_editing_the_final_report(app_as, app_env)
    at.text_area(key=f"decisions_edit_decision_{item_id}").set_value(
        "Slutrapporten godkänns och läggs till handlingarna."
    )
    at.button(key="decisions_edit_save").click().run()
    assert "Beslutet är sparat." in [s.value for s in at.success]
    assert governance.agenda_item(open_database(app_env), item_id)["decision"].startswith(
        "Slutrapporten godkänns"
    )


def test_admin_moves_a_meeting_and_a_move_without_reason_is_refused(app_as, app_env):
    at = app_as("admin", PAGE)
    at.selectbox(key="decisions_move_meeting").set_value("2020-08-28")
    at.date_input(key="decisions_move_date").set_value(date(2020, 9, 4))
    at.button(key="decisions_move_save").click().run()
    assert any("Ange skälet till flytten" in e.value for e in at.error)
    at.text_input(key="decisions_move_reason").set_value("Semestrar")
    at.button(key="decisions_move_save").click().run()
    assert "Sammanträdet 2020-08-28 är flyttat till 2020-09-04." in [s.value for s in at.success]
    plan = governance.meeting_plan(open_database(app_env), 2020)
    assert plan.filter(plan["date"] == "2020-09-04")["moved_from"].item() == "2020-08-28"


def test_the_meetings_page_shows_each_item_with_its_paragraph_and_an_unnumbered_one_without(app_as, app_env):
    meetings = core_store.meetings_frame(open_database(app_env))
    (meeting_id,) = meetings.filter(pl.col("date") == "2018-10-26")["id"].to_list()
    at = app_as("namnd", "app_pages/meetings.py")
    at.selectbox(key="meetings_choice").set_value(meeting_id).run()
    headings = [h.value for h in at.subheader]
    assert "Gemensamt dataskyddsombud (GNS/11/2018)" in headings  # the minutes give it no number
    assert not any("None" in h for h in headings)
    assert any(h.startswith("§") for h in headings)


def test_after_saving_an_agenda_item_the_form_is_empty_and_the_next_item_stores_only_what_was_typed(
    app_as, app_env
):
    at = app_as("admin", PAGE)
    save_agenda_item(
        at, 4, "Första punkten", meeting="2020-03-27", proposal="Förslag ett", decision="Beslut ett"
    )
    assert not at.exception, [e.value for e in at.exception]
    item_tab = at.tabs[0]
    assert any("”Första punkten” är sparad för 2020-03-27" in s.value for s in item_tab.success)
    assert [
        at.text_input(key="decisions_item_title").value,
        at.number_input(key="decisions_item_number").value,
    ] == [
        "",
        None,
    ]
    assert at.text_area(key="decisions_item_decision").value == ""
    assert at.text_area(key="decisions_item_proposal").value == ""
    assert at.selectbox(key="decisions_item_meeting").value == "2020-03-27"  # the meeting stays chosen
    first = governance.decisions(open_database(app_env)).filter(pl.col("title") == "Första punkten")
    assert at.selectbox(key="decisions_edit_item").value == first["item_id"].item()  # the item just saved

    save_agenda_item(at, 5, "Andra punkten", proposal="Förslag två")  # the meeting is still chosen
    rows = governance.decisions(open_database(app_env)).filter(pl.col("date") == "2020-03-27")
    second = rows.filter(pl.col("title") == "Andra punkten").row(0, named=True)
    assert (second["proposal"], second["decision"]) == ("Förslag två", None)
    assert rows.filter(pl.col("title") == "Första punkten")["decision"].item() == "Beslut ett"


def test_a_new_meeting_is_confirmed_under_its_button_and_shown_in_its_years_plan_as_written(app_as, app_env):
    place = "[Klicka här](http://example.invalid) <b>Rum 1</b>"
    at = app_as("admin", PAGE)
    at.date_input(key="decisions_meeting_date").set_value(date(2021, 2, 12))
    at.text_input(key="decisions_meeting_place").set_value(place)
    at.button(key="decisions_meeting_save").click().run()
    assert shown_under(at, "decisions_meeting_save") == "Sammanträdet 2021-02-12 är inlagt i planen."
    assert (
        at.date_input(key="decisions_meeting_date").value,
        at.text_input(key="decisions_meeting_place").value,
    ) == (
        None,
        "",
    )
    assert at.selectbox(key="decisions_plan_year").value == 2021  # the plan shows the meeting just added
    plan = [t.value for t in at.table if "Plats" in t.value.columns]
    assert r"\[Klicka här\](http\://example.invalid) \<b\>Rum 1\</b\>" in plan[-1]["Plats"].to_list()


def test_a_price_and_a_moved_meeting_are_confirmed_under_their_buttons_and_the_forms_emptied(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_input(key="decisions_rate_resource").set_value("Arkivarie")
    at.text_input(key="decisions_rate_kr").set_value("700")
    at.button(key="decisions_rate_save").click().run()
    assert "Priset för Arkivarie" in (shown_under(at, "decisions_rate_save") or "")
    assert at.text_input(key="decisions_rate_resource").value == ""
    at.selectbox(key="decisions_move_meeting").set_value("2020-08-28")
    at.date_input(key="decisions_move_date").set_value(date(2020, 9, 4))
    at.text_input(key="decisions_move_reason").set_value("Semestrar")
    at.button(key="decisions_move_save").click().run()
    assert shown_under(at, "decisions_move_save") == "Sammanträdet 2020-08-28 är flyttat till 2020-09-04."
    assert at.text_input(key="decisions_move_reason").value == ""
    assert at.selectbox(key="decisions_move_meeting").value is None


@pytest.mark.parametrize(
    ("query", "hits"),
    [("2019-06-03", 8), ("juni 2019", 8), ("§17 2019-06-03", 1)],
)
def test_a_search_by_meeting_date_or_paragraph_lists_those_items(app_as, query, hits):
    at = app_as("namnd", PAGE)
    at.text_input(key="decisions_search").set_value(query).run()
    (found,) = [d.value for d in at.dataframe]
    assert len(found) == hits
    assert set(found["Datum"]) == {"2019-06-03"}
    assert "§17" in found["§"].to_list()


def test_no_two_controls_on_the_decisions_page_share_a_label(app_as, app_env):
    at, _ = admin_editing_the_final_report(app_as, app_env)
    assert duplicate_labels(at) == []


def test_an_agenda_items_text_with_markup_is_shown_as_written_on_the_meetings_page(app_as, app_env):
    db = open_database(app_env)
    admin = users_store.find_user(db, "e-strateg@gns.example")
    assert admin is not None
    title = "Rubrik med ![bild](http://example.invalid/a.png)"
    decision = "<script>alert(1)</script> och [länk](http://example.invalid)"
    governance.add_agenda_item(
        db,
        admin[0],
        parse(
            AgendaItemInput, {"meeting_date": "2020-03-27", "number": 9, "title": title, "decision": decision}
        ),
    )
    meetings = core_store.meetings_frame(db)
    (meeting_id,) = meetings.filter(pl.col("date") == "2020-03-27")["id"].to_list()
    at = app_as("namnd", "app_pages/meetings.py")
    at.selectbox(key="meetings_choice").set_value(meeting_id).run()
    sources = [str(e.value) for kind in ("subheader", "markdown") for e in getattr(at, kind)]
    assert not [s for s in sources if title in s or decision in s]  # never handed to Markdown as written
    assert "§9 Rubrik med ![bild](http://example.invalid/a.png)" in texts(at)
    assert f"**Beslut:** {decision}" in texts(at)
