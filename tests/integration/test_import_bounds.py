"""Importers refuse out-of-range amounts by line, and say what is wrong with a file that is no SIE."""

from __future__ import annotations

import io

import pytest

from portfolio.auth import SYSTEM
from portfolio.errors import ImportRejectedError
from portfolio.ledger import imports_store
from portfolio.ledger.csv_import import import_lines
from portfolio.ledger.sie_import import import_sie

HEAD = (
    '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN "Testnämnden"\n#ORGNR 212000-0001\n'
    '#RAR 0 20190101 20191231\n#DIM 6 "Projekt"\n#OBJEKT 6 6674 "LINK2"\n'
)


def voucher(amount: str) -> str:
    return (
        f'#VER A 1 20190115 "Konsult"\n{{\n#TRANS 7410 {{6 6674}} {amount}\n#TRANS 2440 {{}} -{amount}\n}}\n'
    )


def rejected_sie(db, data: bytes) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        import_sie(db, SYSTEM, io.BytesIO(data), file_name="fil.se")
    assert imports_store.imports_frame(db).is_empty()
    return caught.value.messages


@pytest.mark.parametrize("amount", ["1" + "0" * 29 + ".00", "50000000000000000.00", "1000000000000.01"])
def test_a_sie_amount_beyond_the_bound_is_refused_with_its_line(seeded, amount):
    messages = rejected_sie(seeded, (HEAD + voucher(amount)).encode("cp437"))
    assert any(m.startswith("Rad 11") and "högsta tillåtna" in m for m in messages), messages


def test_a_sie_amount_at_the_bound_is_read(seeded):
    summary = import_sie(
        seeded,
        SYSTEM,
        io.BytesIO((HEAD + voucher("1000000000000.00")).encode("cp437")),
        file_name="f.se",
        new_organisation=True,
    )
    assert summary.trans_rows == 2


def test_a_utf16_file_is_named_as_utf16(seeded):
    messages = rejected_sie(seeded, (HEAD + voucher("100.00")).encode("utf-16"))
    text = " ".join(messages)
    assert "UTF-16" in text and "räkenskapsår" not in text


def test_a_file_with_cr_only_line_ends_says_so(seeded):
    messages = rejected_sie(seeded, (HEAD + voucher("100.00")).replace("\n", "\r").encode("cp437"))
    text = " ".join(messages)
    assert "radslut" in text and "räkenskapsår" not in text


@pytest.mark.parametrize(
    "junk",
    [b"hej hopp\ndet h\xe4r \xe4r ingen SIE-fil\n", bytes(range(256)) * 40, b"PK\x03\x04" + b"\x00" * 200],
)
def test_a_file_that_is_no_sie_says_so(seeded, junk):
    messages = rejected_sie(seeded, junk)
    text = " ".join(messages)
    assert "ingen SIE-fil" in text and "räkenskapsår" not in text
    assert len(messages) <= 21


def csv_rows(*amounts: str) -> bytes:
    lines = ["år;månad;konto;objekt;belopp;text"] + [f"2019;1;5010;6674;{a};Rad" for a in amounts]
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("amount", ["inf", "NaN", "1e28", "50000000000000000", "-1e13"])
def test_a_ledger_csv_amount_out_of_range_is_refused_with_its_row(seeded, amount):
    with pytest.raises(ImportRejectedError) as caught:
        import_lines(seeded, SYSTEM, csv_rows("100", amount), file_name="rader.csv")
    assert any(m.startswith("Rad 3") for m in caught.value.messages), caught.value.messages
    reason = next(m for m in caught.value.messages if m.startswith("Rad 3"))
    assert "decimaler" not in reason and "saknas" not in reason
    if amount.lstrip("-")[0].isdigit():
        assert "högsta tillåtna" in reason
    assert imports_store.imports_frame(seeded).is_empty()


def test_a_sie_file_whose_amounts_sum_beyond_the_bound_is_refused(seeded):
    rows = "".join(
        "#TRANS 7410 {6 6674} 1000000000000.00\n#TRANS 2440 {} -1000000000000.00\n" for _ in range(600)
    )
    data = (HEAD + '#VER A 1 20190115 "Stor"\n{\n' + rows + "}\n").encode("cp437")
    messages = rejected_sie(seeded, data)
    assert any("summerar" in m for m in messages), messages


def test_a_ledger_csv_whose_amounts_sum_beyond_the_bound_is_refused(seeded):
    with pytest.raises(ImportRejectedError, match="summerar"):
        import_lines(seeded, SYSTEM, csv_rows(*["1000000000000"] * 1001), file_name="rader.csv")
    assert imports_store.imports_frame(seeded).is_empty()


def test_an_excel_amount_beyond_the_bound_is_refused_with_its_row(seeded, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["år", "månad", "konto", "objekt", "belopp", "text"])
    sheet.append([2019, 1, 5010, 6674, 10**20, "Stor"])
    sheet.append([2019, 1, 5010, 6674, float("inf"), "Oändlig"])
    path = tmp_path / "rader.xlsx"
    book.save(path)
    with pytest.raises(ImportRejectedError) as caught:
        import_lines(seeded, SYSTEM, path)
    assert any(m.startswith("Rad 2") and "högsta tillåtna" in m for m in caught.value.messages)
    assert any(m.startswith("Rad 3") for m in caught.value.messages)
