"""The meeting's life in a real browser: the e-strateg builds an agenda with one attachment, takes
out the kallelse, holds the meeting and justerar it; a nämnd member downloads the protocol by link."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.conftest import axe_violations, choose, screenshot, wait_idle

pytestmark = pytest.mark.browser

DAY = "2020-10-09"  # planned, no agenda in the seed


def download(page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    return info.value.path().read_bytes()


def tagged(data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    root = reader.root_object
    assert "/StructTreeRoot" in root and root["/Lang"] == "sv-SE"
    return reader


def press(page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()
    wait_idle(page)


def test_e_strateg_holds_and_justerar_a_meeting_and_a_member_downloads_the_protocol(
    page_as, server, tmp_path
):
    page = page_as("admin", on="Sammanträden")
    choose(page, "Sammanträde", DAY)
    press(page, "meetings_pack_standard")
    page.get_by_text("Standardpunkterna finns på föredragningslistan.").wait_for()
    page.locator(".st-key-meetings_pack_item_title input").fill("Budget 2021")
    page.locator(".st-key-meetings_pack_item_presenter input").fill("Li Zakrisson")
    page.locator(".st-key-meetings_pack_item_proposal textarea").fill("Budgeten fastställs.")
    press(page, "meetings_pack_item_save")
    page.get_by_text("”Budget 2021” finns på föredragningslistan.").wait_for()

    appendix = tmp_path / "tjänsteskrivelse budget.pdf"
    appendix.write_bytes(download(page, "Kallelse med handlingar (PDF)"))  # any PDF will do
    page.locator(".st-key-meetings_pack_attach_file input[type=file]").set_input_files(str(appendix))
    wait_idle(page)
    press(page, "meetings_pack_attach_save")
    page.get_by_text("tjänsteskrivelse budget.pdf är bifogad.").wait_for()

    kallelse = tagged(download(page, "Kallelse med handlingar (PDF)"))
    text = " ".join(p.extract_text() for p in kallelse.pages[:2])
    assert "Budget 2021" in text and "Val av justerare och tid för justering" in text
    screenshot(page, "sammantrade-kallelse")
    assert axe_violations(page) == []  # the section with every admin form on it

    press(page, "meetings_pack_state_save")  # kallat
    page.get_by_text(f"Sammanträdet {DAY} är nu kallat.").wait_for()
    press(page, "meetings_pack_state_save")  # genomfört: § numbers
    page.get_by_text(f"Sammanträdet {DAY} är nu genomfört.").wait_for()
    page.locator(".st-key-meetings_pack_j_date [data-type=year]").first.click()
    page.keyboard.type("20201016")
    page.keyboard.press("Tab")
    page.locator(".st-key-meetings_pack_j_by input").fill("Jörgen Persson")
    press(page, "meetings_pack_state_save")
    page.get_by_text(f"Sammanträdet {DAY} är nu justerat.").wait_for()
    assert page.get_by_text(
        "Sammanträdet är justerat: ärenden, beslut och bilagor kan inte ändras"
    ).is_visible()
    assert page.locator(".st-key-meetings_pack_item_save").count() == 0  # no more edits offered

    member = page_as("namnd")
    member.goto(f"{server}/sammantraden?datum={DAY}")
    wait_idle(member)
    member.get_by_text("Justerat 2020-10-16").first.wait_for()
    protocol = tagged(download(member, "Justerat protokoll (PDF)"))
    text = " ".join(p.extract_text() for p in protocol.pages)
    assert "Budget 2021" in text and "Jörgen Persson" in text
    screenshot(member, "sammantrade-protokoll")
