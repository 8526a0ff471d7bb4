"""A municipal CEO downloads their party's own view from Tertialrapport in a real browser
(the files are made when the button is pressed, not on every run of the page)."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def _download(page, key: str) -> bytes:
    # The PDF is made when the button is clicked (WeasyPrint): give a busy machine time for it.
    with page.expect_download(timeout=90_000) as download:
        page.locator(f".st-key-{key} button").click()
    path = download.value.path()
    assert path is not None
    return path.read_bytes()


def test_ceo_downloads_brackes_view_as_xlsx_and_pdf(page_as):
    page = page_as("kommunchef", on="Tertialrapport")
    page.get_by_role("heading", name="Vad betalar Bräcke kommun?").wait_for()
    sheet = load_workbook(io.BytesIO(_download(page, "tertial_party_xlsx")))["Partsvy"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["basfinansiering"][2] == 101_600
    assert float(rows["Summa"][2]) == 129_720.21
    assert _download(page, "tertial_party_pdf")[:5] == b"%PDF-"
