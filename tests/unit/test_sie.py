import dataclasses
import datetime as dt
import io
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.ledger import sie
from portfolio.ledger.sie import (
    Balance,
    PeriodBalance,
    SieFile,
    SieProblem,
    SieReader,
    TransRow,
    Voucher,
    detect_encoding,
    read_all,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sie"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "sie-samples"

HEAD = "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#RAR 0 20250101 20251231\n"


def read_text(body: str, encoding: str = "cp437", head: str = HEAD) -> SieFile:
    """Read a small SIE text, encoded as asked, through a binary file object."""
    return read_all(io.BytesIO((head + body).encode(encoding)))


def voucher(*rows: str, head: str = '#VER A 1 20250115 "Test"') -> str:
    return head + "\n{\n" + "".join(row + "\n" for row in rows) + "}\n"


def only(problems: tuple[SieProblem, ...], code: str) -> list[SieProblem]:
    return [p for p in problems if p.code == code]


# --- a complete hand-written file -------------------------------------------------------------


def test_a_small_pc8_file_reads_without_problems() -> None:
    f = read_all(FIXTURES / "liten_pc8.se")
    assert f.problems == ()
    assert f.encoding == "cp437"
    assert [(v.series, v.number) for v in f.vouchers] == [("A", "1"), ("B", "1")]
    assert len(f.balances) == 9
    assert len(f.period_balances) == 6


def test_header_facts_are_collected() -> None:
    h = read_all(FIXTURES / "liten_pc8.se").header
    assert h.format == "PC8"
    assert h.sie_type == "4"
    assert (h.program, h.program_version) == ("Handskrivet test", "1.0")
    assert h.generated == dt.date(2025, 1, 10)
    assert h.company_name == "Gemensam nämnd för Östersund och Åre"
    assert h.org_no == "212000-0000"
    assert h.currency == "SEK"
    assert h.chart_type == "BAS2024"
    assert h.fiscal_years == {
        0: (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        -1: (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    }
    assert h.dimensions == {"1": "Kostnadsställe", "6": "Projekt", "21": "Delprojekt"}
    assert h.subdimensions == {"21": "6"}
    assert h.objects[("1", "20")] == "Skola"
    assert h.objects[("21", "P1A")] == "Förstudie"
    assert h.accounts["2440"] == "Leverantörsskulder"
    assert h.account_types == {"1930": "T", "2440": "S", "3010": "I", "4010": "K"}
    assert h.sru == {"1930": "7281"}


def test_vouchers_carry_rows_with_objects_dates_texts_and_quantities() -> None:
    first = read_all(FIXTURES / "liten_pc8.se").vouchers[0]
    assert first.date == dt.date(2025, 1, 15)
    assert first.text == "Försäljning, kontant"
    assert first.line == 47
    assert first.rows == (
        TransRow("1930", (), 100000, None, "", None, "TRANS", 49),
        TransRow("3010", (("1", "10"),), -60000, dt.date(2025, 1, 15), 'Kund "Norr" AB', None, "TRANS", 50),
        TransRow("3010", (("1", "20"),), -40000, dt.date(2025, 1, 15), "Kund Syd", Decimal(3), "TRANS", 51),
    )


def test_opening_and_closing_balances_agree_with_the_vouchers_of_the_fixture() -> None:
    f = read_all(FIXTURES / "liten_pc8.se")
    ib = {b.account: b.amount_ore for b in f.balances if b.kind == "IB" and b.year_index == 0}
    ub = {b.account: b.amount_ore for b in f.balances if b.kind == "UB" and b.year_index == 0}
    moved = Counter[str]()
    for v in f.vouchers:
        for row in v.trans_rows:
            moved[row.account] += row.amount_ore
    assert {a: ib[a] + moved[a] for a in ib} == ub


def test_balances_of_every_kind_are_read_with_their_objects() -> None:
    f = read_all(FIXTURES / "liten_pc8.se")
    kinds = Counter(b.kind for b in f.balances)
    assert kinds == {"IB": 3, "UB": 2, "OIB": 1, "OUB": 1, "RES": 2}
    oib = next(b for b in f.balances if b.kind == "OIB")
    assert oib == Balance("OIB", 0, "1930", (("1", "10"),), 1000000, None, 33)
    ib_2440 = next(b for b in f.balances if b.kind == "IB" and b.account == "2440")
    assert ib_2440.amount_ore == -250050
    assert next(b for b in f.balances if b.year_index == -1).amount_ore == 800000


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("0", 0),
        ("12", 1200),
        ("-12", -1200),
        ("1234.5", 123450),
        ("-0.5", -50),
        ("-.5", -50),
        ("0.01", 1),
        ("+7.25", 725),
        ("999999999999.99", 99999999999999),
    ],
)
def test_amounts_are_read_as_integer_ore(text: str, ore: int) -> None:
    f = read_text(voucher(f"#TRANS 1930 {{}} {text}"))
    assert f.vouchers[0].rows[0].amount_ore == ore
    assert isinstance(f.vouchers[0].rows[0].amount_ore, int)


def test_amount_with_decimal_comma_is_an_error_naming_the_line() -> None:
    f = read_text(voucher("#TRANS 1930 {} 12,50", "#TRANS 3010 {} -12.50"))
    assert f.errors == (
        SieProblem(7, "fel", "Rad 7: beloppet '12,50' har decimalkomma; SIE använder punkt.", "belopp-komma"),
    )


def test_amount_with_three_decimals_is_an_error_naming_the_line() -> None:
    f = read_text(voucher("#TRANS 1930 {} 12.505", "#TRANS 3010 {} -12.50"))
    assert [p.message for p in f.errors] == ["Rad 7: beloppet '12.505' har fler än två decimaler."]


@pytest.mark.parametrize("text", ["tolv", "1.2.3", "12.", "--5", "1e3", "١٢", "1_000", ""])
def test_amount_that_is_not_a_number_is_an_error(text: str) -> None:
    f = read_text(voucher(f'#TRANS 1930 {{}} "{text}"'), encoding="utf-8")
    assert [p.line for p in f.errors] == [7]
    assert f.has_errors


def test_a_voucher_with_an_unreadable_row_is_not_also_reported_as_unbalanced() -> None:
    f = read_text(voucher("#TRANS 1930 {} 12,50", "#TRANS 3010 {} -12.50"))
    assert only(f.problems, "obalanserad") == []
    assert len(f.vouchers[0].rows) == 1


# --- structure ----------------------------------------------------------------------------------


def test_truncated_file_with_an_unclosed_voucher_is_an_error() -> None:
    f = read_text('#VER A 1 20250115 "Test"\n{\n#TRANS 1930 {} 100.00\n#TRANS 3010 {} -100.00\n')
    assert f.vouchers == ()
    (problem,) = f.errors
    assert problem.line == 5
    assert problem.code == "avkortad"
    assert "avslutas aldrig" in problem.message
    assert "rad 8" in problem.message


def test_a_voucher_left_open_by_the_next_voucher_is_an_error() -> None:
    body = '#VER A 1 20250115 "Ett"\n{\n#TRANS 1930 {} 1.00\n' + voucher("#TRANS 1930 {} 0")
    f = read_text(body)
    assert [(p.line, p.code) for p in f.errors] == [(5, "avkortad")]
    assert [v.number for v in f.vouchers] == ["1"]
    assert f.vouchers[0].line == 8


def test_trans_outside_a_voucher_is_an_error() -> None:
    f = read_text("#TRANS 1930 {} 100.00\n" + voucher("#TRANS 1930 {} 0") + "#RTRANS 1930 {} 5\n")
    assert [(p.line, p.code) for p in f.errors] == [(5, "utanför-verifikation"), (10, "utanför-verifikation")]
    assert f.errors[0].message.startswith("Rad 5: #TRANS står utanför en verifikation")


def test_a_voucher_without_an_opening_brace_is_an_error() -> None:
    f = read_text('#VER A 1 20250115 "Test"\n#TRANS 1930 {} 100.00\n')
    assert [(p.line, p.code) for p in f.errors] == [(5, "struktur"), (6, "utanför-verifikation")]


def test_stray_braces_are_warnings() -> None:
    f = read_text("}\n{\n")
    assert [(p.line, p.severity) for p in f.problems] == [(5, "varning"), (6, "varning")]


def test_unclosed_object_list_is_an_error() -> None:
    f = read_text(voucher('#TRANS 3010 {1 "10" -100.00', "#TRANS 1930 {} 100.00"))
    (problem,) = f.errors
    assert problem.line == 7
    assert problem.code == "objektlista"
    assert problem.message == "Rad 7: objektlistan '{1 \"10\" -100.00' avslutas aldrig med '}'."


def test_object_list_with_an_odd_number_of_items_is_an_error() -> None:
    f = read_text(voucher('#TRANS 3010 {1 "10" 6} -100.00', "#TRANS 1930 {} 100.00"))
    assert [(p.line, p.code) for p in f.errors] == [(7, "objektlista")]
    assert "udda antal" in f.errors[0].message


def test_unbalanced_voucher_is_a_warning_that_names_the_voucher() -> None:
    f = read_text(voucher("#TRANS 1930 {} 100.00", "#TRANS 3010 {} -99.50"))
    assert not f.has_errors
    (problem,) = f.warnings
    assert problem.code == "obalanserad"
    assert problem.line == 5
    assert problem.message == (
        "Rad 5: obalanserad verifikation A 1: #TRANS-raderna summerar till 0,50 kr, inte 0."
    )
    assert not f.vouchers[0].is_balanced
    assert f.vouchers[0].trans_sum_ore == 50


def test_rtrans_and_btrans_rows_are_not_summed() -> None:
    f = read_text(
        voucher(
            "#TRANS 4010 {} 100.00",
            '#BTRANS 1930 {} -80.00 20250116 "" "" "Anna"',
            '#RTRANS 1930 {} -100.00 20250116 "" "" "Anna"',
            "#TRANS 1930 {} -100.00",
        )
    )
    (v,) = f.vouchers
    assert [r.kind for r in v.rows] == ["TRANS", "BTRANS", "RTRANS", "TRANS"]
    assert [r.kind for r in v.trans_rows] == ["TRANS", "TRANS"]
    assert v.trans_sum_ore == 0
    assert v.is_balanced
    assert f.problems == ()


def test_an_empty_voucher_is_balanced() -> None:
    f = read_text(voucher())
    assert f.vouchers[0].rows == ()
    assert f.vouchers[0].is_balanced
    assert f.problems == ()


def test_unreadable_voucher_date_is_an_error() -> None:
    f = read_text(voucher("#TRANS 1930 {} 0", head='#VER A 1 20251332 "Test"'))
    assert [(p.line, p.code) for p in f.errors] == [(5, "datum")]
    assert "20251332" in f.errors[0].message
    assert f.vouchers[0].date is None


def test_unreadable_row_date_is_a_warning_and_leaves_the_date_empty() -> None:
    f = read_text(voucher('#TRANS 1930 {} 0 2025-01-15 "Text"'))
    assert [(p.line, p.severity, p.code) for p in f.problems] == [(7, "varning", "datum")]
    assert f.vouchers[0].rows[0].date is None
    assert f.vouchers[0].rows[0].text == "Text"


def test_unreadable_rar_and_gen_dates_are_warnings_since_the_money_is_dated_by_its_vouchers() -> None:
    f = read_text("#GEN 2025-01-10\n#RAR -1 20240101 2024-12-31\n")
    assert [(p.line, p.severity) for p in f.problems] == [(5, "varning"), (6, "varning")]


def test_quoted_dimension_numbers_and_unquoted_object_ids_are_accepted() -> None:
    f = read_text(
        voucher(
            '#TRANS 3010 {"1" "10" "6" "P1"} -1.00',
            "#TRANS 3010 {1 10 6 P1} -1.00",
            '#TRANS 3010 { "1" "10"} -1.00',
            '#TRANS 3010 {1 "10" "6" P1} 3.00',
        )
    )
    assert f.problems == ()
    objects = [r.objects for r in f.vouchers[0].rows]
    assert objects == [(("1", "10"), ("6", "P1"))] * 2 + [(("1", "10"),), (("1", "10"), ("6", "P1"))]


def test_undeclared_dimension_is_a_warning_once_per_dimension() -> None:
    f = read_text(voucher("#TRANS 3010 {7 3} -1.00", "#TRANS 3010 {7 4 20 x} -1.00", "#TRANS 1930 {} 2"))
    assert [(p.line, p.severity, p.code) for p in f.problems] == [
        (7, "varning", "okänd-dimension"),
        (8, "varning", "okänd-dimension"),
    ]
    assert "dimension 7" in f.problems[0].message
    assert "dimension 20" in f.problems[1].message


def test_standard_dimensions_1_and_6_need_no_declaration_but_others_do_once_declared() -> None:
    f = read_text('#DIM 7 "Anställd"\n' + voucher("#TRANS 3010 {1 a 6 b 7 c} -1.00", "#TRANS 1930 {} 1"))
    assert f.problems == ()


def test_quoted_texts_keep_spaces_braces_and_escaped_quotes() -> None:
    f = read_text(
        voucher(
            '#TRANS 1930 {} 1.00 20250115 "Faktura {12} \\"brådskande\\""',
            '#TRANS 3010 {} -1.00 20250115 "1820\\A012 Cykel" ',
        )
    )
    texts = [r.text for r in f.vouchers[0].rows]
    assert texts == ['Faktura {12} "brådskande"', "1820\\A012 Cykel"]
    assert f.problems == ()


def test_a_text_ending_in_a_backslash_ends_at_the_last_quote() -> None:
    f = read_text(voucher('#TRANS 1930 {} 0 20250115 "Sökväg C:\\" 2'))
    assert f.problems == ()
    assert f.vouchers[0].rows[0].text == "Sökväg C:\\"
    assert f.vouchers[0].rows[0].quantity == 2


def test_an_unterminated_quote_in_a_rows_text_is_a_warning_and_its_money_is_read() -> None:
    f = read_text(voucher('#TRANS 1930 {} 12.50 20250115 "ingen slut', "#TRANS 3010 {} -12.50"))
    assert f.errors == ()
    assert [(p.line, p.severity, p.code) for p in f.problems] == [(7, "varning", "citattecken")]
    row = f.vouchers[0].rows[0]
    assert (row.amount_ore, row.date, row.text) == (1250, dt.date(2025, 1, 15), "ingen slut")


def test_an_unreadable_account_name_is_only_a_warning() -> None:
    f = read_text('#KONTO 1930 "Bank\n')
    assert [(p.line, p.severity) for p in f.problems] == [(5, "varning")]


def test_missing_fields_are_named_with_their_label() -> None:
    f = read_text("#IB 0 1930\n" + voucher("#TRANS 1930 {}"))
    # #IB is only compared with the #TRANS sums, so an unreadable one is a warning.
    assert [p.message for p in f.errors] == ["Rad 8: #TRANS saknar belopp."]
    assert [p.message for p in f.warnings] == ["Rad 5: #IB saknar fält (väntade årsnr, konto, saldo)."]


def test_tab_indented_rows_double_spaces_and_tab_separators_are_read() -> None:
    f = read_text(voucher("\t#TRANS  1930  {}  100.00 ", "#TRANS\t3010\t{}\t-100.00"))
    assert [r.amount_ore for r in f.vouchers[0].rows] == [10000, -10000]
    assert f.problems == ()


def test_unknown_labels_are_ignored_and_counted() -> None:
    f = read_text('#NYHET 1 2 3\n#NYHET "x"\n#KSUMMA 12345\n' + voucher("#NYHET inne", "#TRANS 1930 {} 0"))
    assert f.problems == ()
    assert f.header.unknown_labels == {"#NYHET": 3}
    assert len(f.vouchers[0].rows) == 1


def test_labels_in_lower_case_are_understood() -> None:
    f = read_text(voucher("#trans 1930 {} 0"))
    assert len(f.vouchers[0].rows) == 1


def test_lines_not_starting_with_a_hash_and_blank_lines_are_ignored() -> None:
    f = read_text("Hej!\n\n   \n;kommentar\n" + voucher("", "#TRANS 1930 {} 0", "  "))
    assert f.problems == ()
    assert len(f.vouchers[0].rows) == 1


# --- period balances ------------------------------------------------------------------------------


def test_psaldo_and_pbudget_rows_with_an_empty_object_list_are_flagged_as_totals() -> None:
    f = read_all(FIXTURES / "liten_pc8.se")
    flags = [(p.kind, p.period, p.objects, p.is_total) for p in f.period_balances]
    assert flags == [
        ("PSALDO", "202501", (), True),
        ("PSALDO", "202501", (("1", "10"),), False),
        ("PSALDO", "202501", (("1", "20"),), False),
        ("PBUDGET", "202501", (), True),
        ("PBUDGET", "202501", (("6", "P1"),), False),
        ("PBUDGET", "202502", (), True),
    ]
    totals = sum(p.amount_ore for p in f.period_balances if p.kind == "PSALDO" and p.is_total)
    parts = sum(p.amount_ore for p in f.period_balances if p.kind == "PSALDO" and not p.is_total)
    assert totals == parts == -100000
    assert f.period_balances[-1] == PeriodBalance("PBUDGET", 0, "202502", "4010", (), 150000, Decimal(2), 44)


@pytest.mark.parametrize("period", ["2025-01", "202513", "20250", "abcdef"])
def test_period_must_be_year_and_month(period: str) -> None:
    f = read_text(f"#PSALDO 0 {period} 3010 {{}} 1.00\n")
    assert [(p.line, p.code) for p in f.errors] == [(5, "period")]
    assert f.period_balances == ()


def test_year_index_must_be_an_integer() -> None:
    f = read_text("#IB noll 1930 1.00\n#PSALDO noll 202501 3010 {} 1.00\n")
    assert [(p.line, p.code) for p in f.warnings] == [(5, "årsnummer")]
    assert [(p.line, p.code) for p in f.errors] == [(6, "årsnummer")]


def test_quantity_with_a_comma_is_a_warning() -> None:
    f = read_text("#IB 0 1930 1.00 2,5\n")
    assert [(p.line, p.severity, p.code) for p in f.problems] == [(5, "varning", "kvantitet")]
    assert f.balances[0].quantity is None


# --- encodings --------------------------------------------------------------------------------------


def test_detect_encoding_prefers_valid_utf8() -> None:
    assert detect_encoding("#FNAMN Åre kommun".encode(), "PC8") == "utf-8"


def test_detect_encoding_accepts_a_utf8_sample_cut_inside_a_letter() -> None:
    assert detect_encoding("#FNAMN Åre ö".encode()[:-1], "PC8") == "utf-8"


def test_detect_encoding_tells_latin1_from_cp437_by_swedish_letters() -> None:
    text = "#KONTO 3010 Försäljning på Åre\n"
    assert detect_encoding(text.encode("cp1252"), "PC8") == "latin-1"
    assert detect_encoding(text.encode("cp437"), "PC8") == "cp437"


def test_detect_encoding_falls_back_to_the_declared_format_for_ascii() -> None:
    assert detect_encoding(b"#FLAGGA 0\n", "PC8") == "cp437"
    assert detect_encoding(b"#FLAGGA 0\n", None) == "cp437"


def test_a_cp437_file_declaring_pc8_has_no_encoding_warning() -> None:
    f = read_text('#FNAMN "Östersunds kommun"\n')
    assert f.encoding == "cp437"
    assert f.header.company_name == "Östersunds kommun"
    assert f.problems == ()


def test_a_utf8_file_declaring_pc8_is_read_as_utf8_with_a_swedish_warning() -> None:
    f = read_text('#FNAMN "Östersunds kommun"\n', encoding="utf-8")
    assert f.encoding == "utf-8"
    assert f.header.company_name == "Östersunds kommun"
    assert f.problems == (
        SieProblem(
            2,
            "varning",
            "Rad 2: filen anger #FORMAT PC8 (CP437 (PC8)) men är kodad som UTF-8; den läses som UTF-8.",
            "kodning",
        ),
    )


def test_a_latin1_file_is_read_with_its_letters_and_a_warning() -> None:
    f = read_text('#FNAMN "Östersunds kommun – nämnd"\n#KONTO 3010 "Försäljning"\n', encoding="cp1252")
    assert f.encoding == "latin-1"
    assert f.header.company_name == "Östersunds kommun – nämnd"
    assert f.header.accounts == {"3010": "Försäljning"}
    assert [(p.line, p.code) for p in f.problems] == [(2, "kodning")]
    assert "Latin-1" in f.problems[0].message


def test_the_reader_says_which_encoding_it_used() -> None:
    reader = SieReader(io.BytesIO((HEAD + '#FNAMN "Åre"\n').encode()))
    list(reader)
    assert reader.encoding == "utf-8"
    assert reader.encoding_message == "Filen lästes som UTF-8, trots att dess #FORMAT PC8 anger CP437 (PC8)."


def test_mixed_encodings_are_decoded_line_by_line_without_crashing() -> None:
    data = (
        (HEAD + '#KONTO 1930 "Företagskonto"\n').encode("cp437")
        + '#KONTO 2440 "Leverantörsskulder"\n'.encode()
        + '#KONTO 3010 "Försäljning"\n'.encode("cp1252")
        + '#KONTO 4010 "Inköp"\n'.encode("cp437")
    )
    f = read_all(io.BytesIO(data))
    assert f.encoding == "cp437"
    assert f.header.accounts == {
        "1930": "Företagskonto",
        "2440": "Leverantörsskulder",
        "3010": "Försäljning",
        "4010": "Inköp",
    }
    assert [(p.line, p.severity, p.code) for p in f.problems] == [
        (6, "varning", "blandad-kodning"),
        (7, "varning", "blandad-kodning"),
    ]
    assert "UTF-8" in f.problems[0].message
    assert "Latin-1" in f.problems[1].message


def test_a_latin1_letter_inside_a_pc8_line_is_pointed_out() -> None:
    # As on line 40 of BL0001_typ4.SE: a Latin-1 'Å' (0xC5) reads as the box-drawing '┼'.
    f = read_all(io.BytesIO(HEAD.encode() + b'#OBJEKT 6 "\xc51" "\x86rsta"\n'))
    assert f.header.objects == {("6", "┼1"): "årsta"}
    (problem,) = f.problems
    assert (problem.line, problem.severity) == (5, "varning")
    assert "'┼' (byte 0xC5)" in problem.message
    assert "'Å'" in problem.message


def test_encoding_remarks_are_capped_with_a_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sie, "MAX_ENCODING_NOTES", 2)
    lines = b"".join(f'#KONTO {n} "Å"\n'.encode() for n in range(5))
    f = read_all(io.BytesIO(HEAD.encode() + '#FNAMN "Ö"\n'.encode("cp437") + lines))
    assert [p.line for p in f.problems] == [6, 7, 8]
    assert "ytterligare 3 rader" in f.problems[-1].message


def test_an_ascii_beginning_leaves_the_decision_to_the_first_non_ascii_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sie, "SAMPLE_SIZE", 16)
    monkeypatch.setattr(sie, "CHUNK_SIZE", 16)
    f = read_text('#FNAMN "Ab"\n#KONTO 3010 "Försäljning"\n#KONTO 4010 "Inköp"\n', encoding="cp1252")
    assert f.encoding == "latin-1"
    assert f.header.accounts == {"3010": "Försäljning", "4010": "Inköp"}
    assert [(p.line, p.code) for p in f.problems] == [(2, "kodning")]


def test_a_utf8_byte_order_mark_is_skipped() -> None:
    f = read_all(io.BytesIO(b"\xef\xbb\xbf" + (HEAD + '#FNAMN "Åre"\n').encode()))
    assert f.header.format == "PC8"
    assert f.header.company_name == "Åre"
    assert f.encoding == "utf-8"


def test_crlf_line_endings_and_a_missing_final_newline_are_fine() -> None:
    text = (HEAD + voucher("#TRANS 1930 {} 1.00", "#TRANS 3010 {} -1.00")).replace("\n", "\r\n")
    f = read_all(io.BytesIO(text.rstrip().encode()))
    assert f.problems == ()
    assert len(f.vouchers[0].rows) == 2


# --- the reader as a stream ---------------------------------------------------------------------


def test_the_reader_accepts_a_path_a_string_and_a_binary_file() -> None:
    path = FIXTURES / "liten_pc8.se"
    with path.open("rb") as fh:
        from_file = read_all(fh)
    assert read_all(path) == read_all(str(path)) == from_file


def test_a_text_mode_file_is_refused() -> None:
    with pytest.raises(TypeError, match="binär"):
        read_all(io.StringIO(HEAD))  # type: ignore[arg-type]


def test_a_reader_can_only_be_iterated_once() -> None:
    reader = SieReader(FIXTURES / "liten_pc8.se")
    list(reader)
    with pytest.raises(RuntimeError):
        list(reader)


def test_records_are_yielded_in_file_order_as_they_complete() -> None:
    body = "#IB 0 1930 1.00\n" + voucher("#TRANS 1930 {} 0") + "#UB 0 1930 1.00\n"
    kinds = [type(r).__name__ for r in SieReader(io.BytesIO((HEAD + body).encode()))]
    assert kinds == ["Balance", "Voucher", "Balance"]


def test_the_header_is_complete_after_iteration() -> None:
    reader = SieReader(FIXTURES / "liten_pc8.se")
    first = next(iter(reader))
    assert isinstance(first, Balance)
    assert reader.header.company_name == "Gemensam nämnd för Östersund och Åre"


def test_records_are_frozen() -> None:
    v = read_all(FIXTURES / "liten_pc8.se").vouchers[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.rows[0].amount_ore = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.text = "x"  # type: ignore[misc]
    assert hash(v.rows[0]) == hash(dataclasses.replace(v.rows[0]))


def test_progress_is_reported_per_chunk_up_to_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sie, "SAMPLE_SIZE", 100)
    monkeypatch.setattr(sie, "CHUNK_SIZE", 100)
    path = FIXTURES / "liten_pc8.se"
    size = path.stat().st_size
    seen: list[tuple[int, int]] = []
    list(SieReader(path, progress=lambda done, total: seen.append((done, total))))
    assert len(seen) == -(-size // 100)
    assert all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == size


def test_lines_split_across_chunks_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = read_all(FIXTURES / "liten_pc8.se")
    monkeypatch.setattr(sie, "SAMPLE_SIZE", 7)
    monkeypatch.setattr(sie, "CHUNK_SIZE", 5)
    assert read_all(FIXTURES / "liten_pc8.se") == whole


def test_a_file_without_line_breaks_is_abandoned_with_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sie, "MAX_LINE_BYTES", 1000)
    f = read_all(io.BytesIO(b"#" + b"x" * 5000))
    assert [(p.line, p.code) for p in f.errors] == [(1, "för-lång-rad")]


class _GeneratedSie(io.RawIOBase):
    """A SIE file of `count` vouchers produced on the fly, so the test holds none of it."""

    def __init__(self, count: int) -> None:
        self._lines: Iterator[bytes] = self._produce(count)
        self._buffer = b""

    @staticmethod
    def _produce(count: int) -> Iterator[bytes]:
        yield HEAD.encode()
        for start in range(0, count, 500):
            yield "".join(
                f'#VER A {n} 20250115 "Faktura {n}"\n{{\n'
                f'#TRANS 3010 {{"1" "10"}} -{n}.50 20250115 "Kund {n}"\n'
                f"#TRANS 1930 {{}} {n}.50\n}}\n"
                for n in range(start, min(start + 500, count))
            ).encode()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self._buffer) < len(buffer):
            chunk = next(self._lines, b"")
            if not chunk:
                break
            self._buffer += chunk
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _peak_memory(count: int) -> int:
    tracemalloc.start()
    try:
        vouchers = 0
        for record in SieReader(io.BufferedReader(_GeneratedSie(count))):
            vouchers += isinstance(record, Voucher)
        assert vouchers == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_file_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # Smaller buffers let a small file already be many buffers long, which keeps the test quick.
    monkeypatch.setattr(sie, "SAMPLE_SIZE", 16 * 1024)
    monkeypatch.setattr(sie, "CHUNK_SIZE", 16 * 1024)
    small = _peak_memory(1_000)  # about 0.1 MB of SIE
    large = _peak_memory(12_000)  # about 1.4 MB of SIE
    assert large < small + 100_000


# --- fast path and full tokenizer agree ---------------------------------------------------------

_word = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzåäöÅÄÖ0123456789-_/.",
    min_size=1,
    max_size=8,
)
_text = st.text(alphabet="abc åäö{}#\\\"'", max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    account=st.from_regex(r"[1-8][0-9]{3}", fullmatch=True),
    objects=st.lists(st.tuples(st.sampled_from(["1", "6"]), _word), max_size=3),
    quote_objects=st.booleans(),
    ore=st.integers(min_value=-(10**12), max_value=10**12),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)) | st.none(),
    text=_text | st.none(),
    quantity=st.integers(min_value=-99, max_value=99) | st.none(),
    indent=st.sampled_from(["", "\t", "  "]),
)
def test_any_well_formed_trans_row_reads_back_exactly(
    account: str,
    objects: list[tuple[str, str]],
    quote_objects: bool,
    ore: int,
    day: dt.date | None,
    text: str | None,
    quantity: int | None,
    indent: str,
) -> None:
    q = (lambda s: f'"{s}"') if quote_objects else (lambda s: s)
    objs = " ".join(f"{q(d)} {q(o)}" for d, o in objects)
    whole, cents = divmod(abs(ore), 100)
    amount = f"{'-' if ore < 0 else ''}{whole}.{cents:02d}"
    fields = [amount]
    if day is not None or text is not None or quantity is not None:
        fields.append(f"{day:%Y%m%d}" if day else '""')
    if text is not None or quantity is not None:
        escaped = (text or "").replace('"', '\\"')
        fields.append(f'"{escaped}"')
    if quantity is not None:
        fields.append(str(quantity))
    row = f"{indent}#TRANS {account} {{{objs}}} {' '.join(fields)}"
    f = read_text(voucher(row), encoding="utf-8", head="#FLAGGA 0\n")
    assert [p for p in f.problems if p.code != "obalanserad"] == []
    assert f.vouchers[0].rows == (
        TransRow(
            account,
            tuple(objects),
            ore,
            day,
            text or "",
            Decimal(quantity) if quantity is not None else None,
            "TRANS",
            4,
        ),
    )


# --- the real sample files ------------------------------------------------------------------------


def _sample(name: str) -> SieFile:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} finns inte; de riktiga SIE-exemplen ligger utanför projektet")
    return read_all(path)


def _closing_matches_opening(f: SieFile, kinds: set[str]) -> dict[str, tuple[int, int]]:
    """Accounts whose IB plus the summed rows of `kinds` differ from UB (year 0)."""
    ib = {b.account: b.amount_ore for b in f.balances if b.kind == "IB" and b.year_index == 0}
    ub = {b.account: b.amount_ore for b in f.balances if b.kind == "UB" and b.year_index == 0}
    moved = Counter[str]()
    for v in f.vouchers:
        for row in v.rows:
            if row.kind in kinds:
                moved[row.account] += row.amount_ore
    balance_accounts = set(ib) | set(ub) | {a for a in moved if a[:1] in "12"}
    return {
        a: (ib.get(a, 0) + moved[a], ub.get(a, 0))
        for a in balance_accounts
        if ib.get(a, 0) + moved[a] != ub.get(a, 0)
    }


def test_ovnbolag_has_163_vouchers_and_671_trans_rows_and_no_problems() -> None:
    f = _sample("transaktioner_ovnbolag.se")
    assert len(f.vouchers) == 163
    assert Counter(r.kind for v in f.vouchers for r in v.rows) == {"TRANS": 671}
    assert f.problems == ()
    assert f.encoding == "cp437"
    assert f.header.company_name == "Övningsbolaget AB (Ekonomi 60)"
    assert f.header.dimensions == {"1": "Resultatenheter", "6": "Projekt", "7": "Medarbetare"}
    assert all(v.is_balanced for v in f.vouchers)


def test_ovnbolag_opening_balance_plus_trans_equals_closing_balance_for_every_account() -> None:
    f = _sample("transaktioner_ovnbolag.se")
    assert len({b.account for b in f.balances if b.kind in ("IB", "UB") and b.year_index == 0}) == 33
    assert _closing_matches_opening(f, {"TRANS"}) == {}


def test_ovnbolag_psaldo_totals_equal_the_trans_sum_per_account_and_month() -> None:
    f = _sample("transaktioner_ovnbolag.se")
    monthly = Counter[tuple[str, str]]()
    for v in f.vouchers:
        for row in v.trans_rows:
            when = row.date or v.date
            assert when is not None
            monthly[(row.account, f"{when:%Y%m}")] += row.amount_ore
    totals = {
        (p.account, p.period): p.amount_ore
        for p in f.period_balances
        if p.kind == "PSALDO" and p.is_total and p.year_index == 0
    }
    assert len(totals) == 158
    assert totals == {key: amount for key, amount in monthly.items() if key in totals}
    assert {key for key, amount in monthly.items() if amount} <= set(totals)


def test_bl0001_counts_vouchers_and_every_kind_of_row() -> None:
    f = _sample("BL0001_typ4.SE")
    assert len(f.vouchers) == 84
    assert Counter(r.kind for v in f.vouchers for r in v.rows) == {"TRANS": 405, "RTRANS": 6, "BTRANS": 3}
    assert not f.has_errors
    assert f.vouchers[0].series == "#"


def test_bl0001_balances_only_when_rtrans_and_btrans_are_left_out() -> None:
    f = _sample("BL0001_typ4.SE")
    assert len({b.account for b in f.balances if b.kind == "UB" and b.year_index == 0}) == 28
    assert _closing_matches_opening(f, {"TRANS"}) == {}
    assert _closing_matches_opening(f, {"TRANS", "RTRANS", "BTRANS"}) != {}


def test_bl0001_mixed_encoding_on_line_40_is_the_only_remark() -> None:
    f = _sample("BL0001_typ4.SE")
    assert f.encoding == "cp437"
    assert [(p.line, p.severity, p.code) for p in f.problems] == [(40, "varning", "blandad-kodning")]
    assert f.header.objects[("6", "┼1")] == "årsta"
    assert f.vouchers[0].rows[0].text == "1820\\A012 Cykel"


def test_an_empty_ib_amount_is_a_warning_and_the_vouchers_are_read() -> None:
    f = read_text('#IB 0 1930 ""\n' + voucher("#TRANS 1930 {} 5.00", "#TRANS 3010 {} -5.00"))
    assert f.errors == ()
    assert [(p.line, p.severity) for p in f.problems] == [(5, "varning")]
    assert len(f.vouchers) == 1


def test_a_ver_without_its_series_is_named_as_such_not_as_a_bad_date() -> None:
    f = read_text('#VER 1 20250115 "Hyra"\n{\n#TRANS 1930 {} 5.00\n#TRANS 3010 {} -5.00\n}\n')
    (error,) = [p for p in f.errors if p.line == 5]
    assert "saknar serie" in error.message and "datumet" not in error.message
