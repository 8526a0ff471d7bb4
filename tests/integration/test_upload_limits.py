"""Issue 14: every upload has a stated limit, checked before the file is parsed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from portfolio import uploads
from portfolio.auth import SYSTEM
from portfolio.errors import ImportRejectedError
from portfolio.ledger import csv_import
from portfolio.ledger.sie_import import import_sie
from registers.risks import excel
from registers.surveys import importer

ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'


def _bomb(unpacked: int, rows_xml: bytes = ROW) -> bytes:
    """A real workbook whose first sheet is replaced by one that unpacks to `unpacked` bytes of XML."""
    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows_xml * (unpacked // len(rows_xml))
        + b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
    ):
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            archive.writestr(info.filename, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A 0.1 MB workbook that unpacks to 142 MB, as in the issue."""
    return _bomb(142_000_000)


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a workbook or reading CSV rows fails the test: the refusal must come before either."""

    def parsed(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was parsed before it was refused")

    import csv

    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", parsed)
    monkeypatch.setattr(excel, "load_workbook", parsed)
    monkeypatch.setattr(csv, "reader", parsed)


def _refused(call, *args) -> str:
    with pytest.raises(ImportRejectedError) as caught:
        call(*args)
    return " ".join(caught.value.messages)


def test_a_risk_workbook_that_unpacks_to_142_mb_is_refused_before_it_is_opened(bomb, no_parsing):
    assert len(bomb) < 500_000
    message = _refused(excel.read_workbook, bomb)
    assert "Riskarbetsboken packas upp till 142 MB; högst 20 MB tas emot" in message


def test_a_ledger_workbook_or_survey_workbook_that_unpacks_too_far_is_refused(bomb, no_parsing):
    assert "packas upp till 142 MB" in _refused(csv_import.read_table, bomb, "rader.xlsx")
    assert "packas upp till 142 MB" in _refused(importer.read_table, "svar.xlsx", bomb)


def test_a_workbook_with_too_many_rows_is_refused_by_counting_them_before_parsing(no_parsing):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 5_003))
    small = _bomb(len(rows), rows)
    assert len(small) < 10_000_000
    message = _refused(excel.read_workbook, small)
    assert "fler än 5 000 rader" in message


def test_a_survey_csv_over_its_limit_is_refused_before_it_is_read(no_parsing):
    big = b"svarande;grupp;1\n" + b"1;a;3\n" * 1_000_000  # 6 MB
    assert "Enkätfilen är 6 MB; högst 5 MB tas emot" in _refused(importer.read_table, "svar.csv", big)


def test_a_survey_csv_with_more_rows_than_the_limit_stops_at_the_first_row_over_it():
    many = b"s;g;1\n" + b"1;a;3\n" * 60_000  # 0.4 MB, 60 000 rows
    assert "fler än 50 000 rader" in _refused(importer.read_table, "svar.csv", many)


LEDGER_HEADER = "år;månad;konto;objekt;belopp;text\n".encode()


def test_a_ledger_csv_over_its_size_limit_is_refused_before_it_is_read(no_parsing):
    too_big = LEDGER_HEADER + b"2019;1;5010;6663;100,00;" + b"x" * 21_000_000 + b"\n"
    assert "högst 20 MB" in _refused(csv_import.read_table, too_big, "rader.csv")


def test_a_ledger_csv_over_its_row_count_is_refused():
    header = LEDGER_HEADER
    too_many = header + b"2019;1;5010;6663;1;t\n" * 200_001
    assert "fler än 200 000 rader" in _refused(csv_import.read_table, too_many, "rader.csv")


def test_a_sie_file_over_its_limit_is_refused_before_it_is_read(seeded, tmp_path: Path):
    big = tmp_path / "stor.se"
    with big.open("wb") as fh:  # sparse: the size without the disk
        fh.truncate(uploads.SIE_FILE.max_bytes + 1)
    message = _refused(import_sie, seeded, SYSTEM, big)
    assert "SIE-filen är 150 MB; högst 150 MB tas emot" in message
    assert seeded.execute("SELECT count(*) FROM ledger_imports").fetchone()[0] == 0


def test_every_limit_is_stated_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for limit in (uploads.RISK_WORKBOOK, uploads.SURVEY_FILE, uploads.LEDGER_LINES, uploads.SIE_FILE):
        assert limit.text.removesuffix(".").lower() in readme.lower(), limit.what
