"""The Sammanträden page's section on kallelse, protokoll and bilagor, for every role."""

from __future__ import annotations

from datetime import date

import pytest

from portfolio.governance import service as governance
from registers.database import open_database
from tests.app.conftest import ROLES, duplicate_labels, texts

PAGE = "app_pages/meetings.py"


def choose(at, app_env, day: str):
    meeting = governance.meeting_on(open_database(app_env), date.fromisoformat(day))
    at.selectbox(key="meetings_choice").set_value(meeting["id"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return meeting


def download_labels(at) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_downloads_the_protocol_of_a_justerat_meeting_and_only_the_admin_gets_the_tools(
    app_as, app_env, role
):
    at = app_as(role, PAGE)
    choose(at, app_env, "2019-06-03")
    shown = texts(at)
    assert "**Läge:** 🔒 justerat" in shown
    assert "Justerat 2019-06-11; plats: Regionens hus, kl. 10:00; justerare: Jörgen Persson;" in shown
    assert download_labels(at) == [
        "Kallelse med handlingar (PDF)",
        "Protokollsutkast (DOCX)",
        "Justerat protokoll (PDF)",
    ]
    admin_tools = "Sammanträdets gång (administratör)" in shown
    assert admin_tools is (role == "admin")
    assert duplicate_labels(at) == []


def test_the_kallat_meeting_offers_the_kallelse_but_not_yet_the_protocol(app_as, app_env):
    at = app_as("namnd", PAGE)
    choose(at, app_env, "2020-02-14")
    assert download_labels(at) == ["Kallelse med handlingar (PDF)"]
    assert "Protokollet som PDF finns när sammanträdet är justerat." in texts(at)


def test_the_admin_builds_an_agenda_holds_the_meeting_and_justerar_it(app_as, app_env):
    at = app_as("admin", PAGE)
    meeting = choose(at, app_env, "2020-03-27")
    at.button(key="meetings_pack_standard").click().run()
    at.text_input(key="meetings_pack_item_title").set_value("Budget 2021")
    at.text_input(key="meetings_pack_item_presenter").set_value("Li Zakrisson")
    at.text_area(key="meetings_pack_item_proposal").set_value("Budgeten fastställs.")
    at.button(key="meetings_pack_item_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "”Budget 2021” finns på föredragningslistan." in [s.value for s in at.success]
    assert at.text_input(key="meetings_pack_item_title").value == ""
    for _ in ("kallat", "genomfört"):
        at.button(key="meetings_pack_state_save").click().run()
        assert [e.value for e in at.error] == []
    db = open_database(app_env)
    items = governance.meeting_items(db, meeting["id"])
    assert [(i["number_kind"], i["title"]) for i in items][2] == ("paragraf", "Budget 2021")
    at.date_input(key="meetings_pack_j_date").set_value(date(2020, 4, 3))
    at.text_input(key="meetings_pack_j_by").set_value("Jörgen Persson")
    at.button(key="meetings_pack_state_save").click().run()
    assert [e.value for e in at.error] == []
    assert "Sammanträdet 2020-03-27 är nu justerat." in [s.value for s in at.success]
    assert governance.meeting(open_database(app_env), meeting["id"])["state"] == "justerat"
    assert "Sammanträdet är justerat: ärenden, beslut och bilagor kan inte ändras." in texts(at)
    assert "Justerat protokoll (PDF)" in download_labels(at)


def test_justering_without_a_date_is_refused_with_a_swedish_message(app_as, app_env):
    at = app_as("admin", PAGE)
    meeting = choose(at, app_env, "2019-10-11")  # genomfört: next is justerat
    at.button(key="meetings_pack_state_save").click().run()
    errors = [e.value for e in at.error]
    assert errors and "Ange justeringens datum" in errors[0]
    assert governance.meeting(open_database(app_env), meeting["id"])["state"] == "genomfört"
