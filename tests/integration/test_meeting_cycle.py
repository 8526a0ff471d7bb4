"""A meeting's life: planerat → kallat → genomfört → justerat, the § series, the locks and attachments."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

import pytest

from portfolio import store as core_store
from portfolio.accounts import persona_user
from portfolio.errors import InvalidInputError, PermissionDeniedError
from portfolio.governance import attachments as files
from portfolio.governance import service as governance
from portfolio.governance.model import AgendaItemInput, JusteringInput, MeetingInput, parse

PLANNED = date(2020, 3, 27)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin(db):
    return persona_user(db, "admin")


def audit_count(db) -> int:
    return core_store.count(db, "audit_log")


def meeting_id(db, day: date | str) -> int:
    return int(governance.meeting_on(db, date.fromisoformat(str(day)))["id"])


def new_item(db, title: str, day: date = PLANNED, **fields) -> int:
    data = parse(AgendaItemInput, {"meeting_date": day, "number_kind": "punkt", "title": title, **fields})
    return governance.add_agenda_item(db, admin(db), data)


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def justering(**fields) -> JusteringInput:
    data = {"date": "2020-04-03", "place": "Regionens hus", "justerare": "Jörgen Persson", **fields}
    return parse(JusteringInput, data)


# --- the state machine ------------------------------------------------------------------------


def test_the_seeded_meetings_with_minutes_are_justerat_and_the_agenda_only_meeting_is_kallat(seeded):
    assert governance.meeting_on(seeded, date(2019, 6, 3))["state"] == "justerat"
    assert governance.meeting_on(seeded, date(2018, 12, 7))["state"] == "justerat"
    assert governance.meeting_on(seeded, date(2020, 2, 14))["state"] == "kallat"
    assert governance.meeting_on(seeded, PLANNED)["state"] == "planerat"
    june = governance.meeting_on(seeded, date(2019, 6, 3))
    assert (june["justering_date"], june["anslag_up"], june["anslag_down"]) == (
        "2019-06-11",
        "2019-06-12",
        "2019-07-04",
    )


def test_a_meeting_goes_through_its_states_in_order_each_change_audited(seeded):
    mid = meeting_id(seeded, PLANNED)
    new_item(seeded, "Budget 2021")
    before = audit_count(seeded)
    governance.change_state(seeded, admin(seeded), mid, "kallat")
    governance.change_state(seeded, admin(seeded), mid, "genomfört")
    governance.change_state(seeded, admin(seeded), mid, "justerat", justering=justering())
    assert governance.meeting(seeded, mid)["state"] == "justerat"
    assert governance.meeting(seeded, mid)["justerare"] == "Jörgen Persson"
    assert audit_count(seeded) == before + 3


def test_a_state_cannot_be_skipped_or_gone_back_to(seeded):
    mid = meeting_id(seeded, PLANNED)
    new_item(seeded, "Budget 2021")
    with pytest.raises(InvalidInputError, match="är planerat och kan bara gå vidare till kallat"):
        governance.change_state(seeded, admin(seeded), mid, "genomfört")
    june = meeting_id(seeded, "2019-06-03")
    with pytest.raises(InvalidInputError, match="är justerat och ändras inte mer"):
        governance.change_state(seeded, admin(seeded), june, "kallat")


def test_only_the_admin_changes_a_meetings_state(seeded):
    mid = meeting_id(seeded, PLANNED)
    new_item(seeded, "Budget 2021")
    with pytest.raises(PermissionDeniedError):
        governance.change_state(seeded, persona_user(seeded, "namnd"), mid, "kallat")
    assert governance.meeting(seeded, mid)["state"] == "planerat"


def test_a_kallelse_for_a_meeting_with_no_items_is_refused_and_nothing_changes(seeded):
    mid = meeting_id(seeded, PLANNED)
    before = audit_count(seeded)
    with pytest.raises(InvalidInputError, match="har inga ärenden; lägg in föredragningslistan"):
        governance.change_state(seeded, admin(seeded), mid, "kallat")
    assert governance.meeting(seeded, mid)["state"] == "planerat"
    assert audit_count(seeded) == before


def test_justering_needs_its_date_and_cannot_precede_the_meeting(seeded):
    mid = meeting_id(seeded, PLANNED)
    new_item(seeded, "Budget 2021")
    governance.change_state(seeded, admin(seeded), mid, "kallat")
    governance.change_state(seeded, admin(seeded), mid, "genomfört")
    with pytest.raises(InvalidInputError, match="Ange justeringens datum"):
        governance.change_state(seeded, admin(seeded), mid, "justerat", justering=None)
    with pytest.raises(InvalidInputError, match="kan inte ske före sammanträdet"):
        governance.change_state(
            seeded, admin(seeded), mid, "justerat", justering=justering(date="2020-03-01")
        )
    with pytest.raises(InvalidInputError, match="Anslaget kan inte sättas upp före justeringen"):
        justering(anslag_up="2020-04-01")
    assert governance.meeting(seeded, mid)["state"] == "genomfört"


# --- § numbers --------------------------------------------------------------------------------


def test_holding_the_meeting_numbers_its_items_continuing_the_years_series(seeded):
    mid = meeting_id(seeded, PLANNED)
    governance.add_standard_items(seeded, admin(seeded), mid)
    new_item(seeded, "Budget 2021", presenter="Li Zakrisson")  # goes before Informationer
    governance.change_state(seeded, admin(seeded), mid, "kallat")
    governance.change_state(seeded, admin(seeded), mid, "genomfört")
    items = governance.meeting_items(seeded, mid)
    assert [(i["number_kind"], i["number"], i["title"]) for i in items] == [
        ("paragraf", 1, "Val av justerare och tid för justering"),
        ("paragraf", 2, "Fastställande av föredragningslista"),
        ("paragraf", 3, "Budget 2021"),
        ("paragraf", 4, "Informationer"),
    ]  # 2020 had no § yet: the series starts at §1
    assert items[2]["presenter"] == "Li Zakrisson"


def test_a_paragraph_number_used_twice_in_a_year_is_refused(seeded):
    before = core_store.count(seeded, "agenda_items")
    data = parse(AgendaItemInput, {"meeting_date": "2019-10-11", "number": 17, "title": "Ny"})
    with pytest.raises(InvalidInputError, match=r"§17 används redan 2019 \(sammanträdet 2019-06-03"):
        governance.add_agenda_item(seeded, admin(seeded), data)
    assert core_store.count(seeded, "agenda_items") == before


def test_standard_items_are_added_with_one_call_first_and_last_and_not_twice(seeded):
    mid = meeting_id(seeded, PLANNED)
    new_item(seeded, "Budget 2021")
    governance.add_standard_items(seeded, admin(seeded), mid)
    assert governance.add_standard_items(seeded, admin(seeded), mid) == []
    titles = [i["title"] for i in governance.meeting_items(seeded, mid)]
    assert titles == [
        "Val av justerare och tid för justering",
        "Fastställande av föredragningslista",
        "Budget 2021",
        "Informationer",
    ]


def test_an_item_without_a_title_is_refused(seeded):
    before = core_store.count(seeded, "agenda_items")
    for blank in ("", "   "):
        with pytest.raises(InvalidInputError, match="Rubrik: får inte vara tomt"):
            new_item(seeded, blank)
    assert core_store.count(seeded, "agenda_items") == before


# --- the lock after justering -----------------------------------------------------------------


def test_a_decision_of_a_justerat_meeting_cannot_be_edited(seeded):
    june = meeting_id(seeded, "2019-06-03")
    item = next(i for i in governance.meeting_items(seeded, june) if i["number"] == 17)
    current = governance.agenda_item(seeded, item["id"])
    data = parse(
        AgendaItemInput,
        {
            "meeting_date": "2019-06-03",
            "number": 17,
            "title": current["title"],
            "decision": "Något annat",
        },
    )
    before = audit_count(seeded)
    with pytest.raises(
        InvalidInputError, match="är justerat och kan inte ändras; rätta genom ett nytt beslut"
    ):
        governance.update_agenda_item(seeded, admin(seeded), item["id"], data, based_on=current)
    with pytest.raises(InvalidInputError, match="är justerat"):
        new_item(seeded, "Tillägg", day=date(2019, 6, 3))
    with pytest.raises(InvalidInputError, match="är justerat"):
        governance.move_meeting(seeded, admin(seeded), june, date(2019, 6, 4), "fel datum")
    with pytest.raises(InvalidInputError, match="är justerat"):
        governance.attach_file(seeded, admin(seeded), item["id"], "a.pdf", PDF)
    assert governance.agenda_item(seeded, item["id"]) == current
    assert audit_count(seeded) == before


def test_a_correction_is_a_later_decision_that_refers_to_the_old_one_and_both_are_shown(seeded):
    june = meeting_id(seeded, "2019-06-03")
    old = next(i for i in governance.meeting_items(seeded, june) if i["number"] == 17)
    fix = new_item(seeded, "Rättelse av §17 2019", corrects_item_id=old["id"], decision="Datumet rättas.")
    again = next(i for i in governance.meeting_items(seeded, june) if i["number"] == 17)
    assert [c["id"] for c in again["corrected_by"]] == [fix]
    later = next(i for i in governance.meeting_items(seeded, meeting_id(seeded, PLANNED)) if i["id"] == fix)
    assert later["corrects"]["meeting_date"] == "2019-06-03"
    with pytest.raises(InvalidInputError, match="vid ett senare sammanträde"):
        new_item(seeded, "Bakåt", day=date(2019, 2, 8), corrects_item_id=old["id"])


# --- attachments ------------------------------------------------------------------------------


def test_an_attachment_is_stored_with_its_hash_and_downloads_unchanged(seeded):
    item_id = new_item(seeded, "Budget 2021")
    aid = governance.attach_file(seeded, admin(seeded), item_id, "Tjänsteskrivelse budget.pdf", PDF)
    did = governance.attach_file(seeded, admin(seeded), item_id, "underlag.docx", docx_bytes())
    listed = governance.attachments(seeded, meeting_id(seeded, PLANNED))
    assert listed["filename"].to_list() == ["Tjänsteskrivelse budget.pdf", "underlag.docx"]
    assert listed["sha256"].to_list()[0] == hashlib.sha256(PDF).hexdigest()
    assert governance.attachment_content(seeded, aid) == ("Tjänsteskrivelse budget.pdf", "pdf", PDF)
    assert governance.attachment_content(seeded, did)[1] == "docx"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stor.pdf", b"%PDF-" + b"0" * files.MAX_BYTES, "en bilaga får vara högst 20 MB"),
        ("program.exe", b"MZ\x90\x00", "Filtypen .exe tas inte emot; bifoga PDF, DOCX eller XLSX"),
        ("falsk.pdf", b"MZ\x90\x00", "Filen falsk.pdf är inte en PDF-fil"),
        ("falsk.docx", PDF, "Filen falsk.docx är inte en DOCX-fil"),
        ("../../etc/passwd.pdf", PDF, "pekar ut ur sin mapp"),
        ("..\\system.pdf", PDF, "pekar ut ur sin mapp"),
        ("/tmp/a.pdf", PDF, "pekar ut ur sin mapp"),
    ],
)
def test_a_refused_attachment_says_why_in_swedish_and_nothing_is_stored(seeded, name, content, message):
    item_id = new_item(seeded, "Budget 2021")
    before = audit_count(seeded)
    with pytest.raises(InvalidInputError) as exc:
        governance.attach_file(seeded, admin(seeded), item_id, name, content)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert governance.attachments(seeded, meeting_id(seeded, PLANNED)).height == 0
    assert audit_count(seeded) == before


def test_only_the_admin_attaches_files(seeded):
    item_id = new_item(seeded, "Budget 2021")
    with pytest.raises(PermissionDeniedError):
        governance.attach_file(seeded, persona_user(seeded, "projektledare"), item_id, "a.pdf", PDF)


def test_a_meeting_keeps_its_time_and_members_when_moved(seeded):
    mid = meeting_id(seeded, PLANNED)
    governance.update_meeting(
        seeded,
        admin(seeded),
        mid,
        MeetingInput(date=PLANNED, planned=True, time="09:00-12:00", members="Robert Hamberg (M)"),
        based_on=governance.meeting(seeded, mid),
    )
    governance.move_meeting(seeded, admin(seeded), mid, date(2020, 3, 30), "Budgetdag")
    moved = governance.meeting(seeded, mid)
    assert (moved["time"], moved["members"], moved["moved_reason"]) == (
        "09:00-12:00",
        "Robert Hamberg (M)",
        "Budgetdag",
    )


def test_an_edit_that_does_not_name_the_presenter_keeps_it(seeded):
    item_id = new_item(seeded, "Budget 2021", presenter="Li Zakrisson")
    current = governance.agenda_item(seeded, item_id)
    data = parse(
        AgendaItemInput,
        {
            "meeting_date": PLANNED,
            "number_kind": "punkt",
            "number": current["number"],
            "title": "Budget 2021",
            "decision": "Budgeten fastställs.",
        },
    )
    governance.update_agenda_item(seeded, admin(seeded), item_id, data, based_on=current)
    saved = governance.agenda_item(seeded, item_id)
    assert (saved["presenter"], saved["decision"]) == ("Li Zakrisson", "Budgeten fastställs.")


def test_an_older_database_upgrades_with_held_meetings_genomfort_and_planned_ones_planerat(db):
    from portfolio.db import migrate, write
    from registers.database import ALL_MIGRATIONS

    with write(db, audited=False):  # as the database was before governance m002
        db.execute("DROP TABLE item_attachments")
        for column in ("presenter", "corrects_item_id"):
            db.execute(f"ALTER TABLE agenda_items DROP COLUMN {column}")
        for column in [
            "state",
            "time",
            "chair",
            "members",
            "justering_date",
            "justering_place",
            "justerare",
            "anslag_up",
            "anslag_down",
            "justering_note",
        ]:
            db.execute(f"ALTER TABLE meetings DROP COLUMN {column}")
        db.execute(
            "DELETE FROM _migrations WHERE migration_set = 'governance' AND name = 'm002_meeting_cycle'"
        )
        db.execute("INSERT INTO meetings (date, kind, planned) VALUES ('2019-06-03', 'sammanträde', 0)")
        db.execute("INSERT INTO meetings (date, kind, planned) VALUES ('2020-03-27', 'sammanträde', 1)")
    assert migrate(db, *ALL_MIGRATIONS) == ["governance:m002_meeting_cycle"]
    assert governance.meeting_on(db, date(2019, 6, 3))["state"] == "genomfört"
    assert governance.meeting_on(db, PLANNED)["state"] == "planerat"
    assert governance.attachments(db, meeting_id(db, PLANNED)).height == 0
