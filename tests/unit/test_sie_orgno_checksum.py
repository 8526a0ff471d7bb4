"""Organisation numbers, #KSUMMA and the replacement comparison: pure logic behind issue 19."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from portfolio.ledger.orgno import normalise_org_no
from portfolio.ledger.sie import verify_checksum
from portfolio.ledger.sie_compare import Comparison, LedgerFacts, class_sums

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "sie" / "real"


@pytest.mark.parametrize(
    "raw", ["556265-1892", "5562651892", " 556265 1892 ", "16556265-1892", "556265-1892"]
)
def test_an_organisation_number_is_the_same_with_or_without_dash_century_or_spaces(raw):
    read = normalise_org_no(raw)
    assert (read.key, read.problem) == ("556265-1892", None)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("", "inget organisationsnummer"),
        ("000000-0000", "platshållare"),
        ("555555-5555", "platshållare"),
        ("5555555555", "platshållare"),
        ("55626-51892x", "inte tio siffror"),
    ],
)
def test_a_missing_malformed_or_placeholder_number_is_not_usable_and_says_why(raw, said):
    read = normalise_org_no(raw)
    assert read.key is None and said in (read.problem or "")


def test_a_wrong_check_digit_keeps_the_number_but_warns():
    read = normalise_org_no("556060-2345")
    assert read.key == "556060-2345" and "kontrollsiffra" in (read.problem or "")


@pytest.mark.parametrize(
    ("name", "stated"),
    [
        ("norstedts_bokslut_4e.se", "854227682"),
        ("norstedts_bokslut_1.se", "3033066896"),
        ("norstedts_bokslut_4i.si", "1573150874"),
    ],
)
def test_the_checksum_of_real_files_reproduces_their_stated_ksumma(name, stated):
    result = verify_checksum(REAL / name)
    assert result is not None
    assert (result.status, result.stated, result.computed) == ("ok", stated, stated)


def test_a_file_without_ksumma_has_no_checksum_result():
    assert verify_checksum(REAL / "mamut_4.se") is None


def test_a_cut_file_misses_its_closing_ksumma_and_an_edited_one_mismatches():
    data = (REAL / "norstedts_bokslut_4e.se").read_bytes()
    cut = verify_checksum(io.BytesIO(data[: len(data) // 2]))
    assert cut is not None and cut.status == "missing-end"
    edited = verify_checksum(io.BytesIO(data.replace(b"#TRANS", b"#TRANS ", 1).replace(b"1930", b"1931", 1)))
    assert edited is not None and edited.status == "mismatch"
    # Spaces and tabs between fields do not count, as the spec says.
    spaced = verify_checksum(io.BytesIO(data.replace(b"#VER", b"#VER  \t", 3)))
    assert spaced is not None and spaced.status == "ok"


def test_the_stream_is_rewound_after_the_checksum():
    stream = io.BytesIO((REAL / "norstedts_bokslut_1.se").read_bytes())
    stream.seek(5)
    verify_checksum(stream)
    assert stream.tell() == 5


def test_the_comparison_sums_each_account_class_before_and_after():
    actual = pl.DataFrame(
        {
            "year": [2019, 2019, 2019],
            "month": [1, 1, 2],
            "account": ["7410", "2440", "3010"],
            "object": [None, None, None],
            "amount_ore": [100_000, -60_000, -40_000],
        }
    )
    sums = class_sums(actual)
    assert sums == {"7": 100_000, "2": -60_000, "3": -40_000}
    before = LedgerFacts(
        "import 1 (a.se)", 168, 458, "2010-01-01", "2010-12-31", {"7": 500_000, "2": -500_000}
    )
    after = LedgerFacts("ny fil (b.si)", 1, 18, "2010-12-31", "2010-12-31", sums)
    comparison = Comparison((before,), after)
    assert comparison.rows_disappearing == 458
    table = {
        r["klass"]: (r["före_ore"], r["efter_ore"], r["skillnad_ore"]) for r in comparison.table().to_dicts()
    }
    assert table["7 Personal och avskrivningar"] == (500_000, 100_000, -400_000)
    assert table["3 Intäkter"] == (0, -40_000, -40_000)
    assert "  Rader som försvinner ur huvudboken: 458" in comparison.lines()
