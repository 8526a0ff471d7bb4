"""Issue 19: SIE files as real accounting systems write them (who sent it, what replaces what,
types, fiscal year, integrity), on real exports from other parsers' test files and on small
files written here."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.cli import main
from portfolio.auth import SYSTEM
from portfolio.db import Database, migrate, write
from portfolio.errors import ImportRejectedError
from portfolio.ledger import columns_store, imports_store, organisations_store, store
from portfolio.ledger.organisations import add_organisation
from portfolio.ledger.sie_import import SiePreview, import_sie, preview_sie
from registers.database import open_database
from tests.present import present

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "sie" / "real"
NORSTEDTS_4E = REAL / "norstedts_bokslut_4e.se"
NORSTEDTS_1 = REAL / "norstedts_bokslut_1.se"
NORSTEDTS_4I = REAL / "norstedts_bokslut_4i.si"
MAMUT = REAL / "mamut_4.se"
ASSETS = REAL / "visma_anlaggningsregister_4i.si"
SOFTONE = REAL / "softone_4.se"


def counts(db: Database) -> dict[str, int]:
    tables = ("ledger_imports", "ledger_rows", "ledger_columns", "ledger_organisations", "audit_log")
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def refused(db: Database, source, **kwargs) -> list[str]:
    before = counts(db)
    with pytest.raises(ImportRejectedError) as info:
        import_sie(db, SYSTEM, source, **kwargs)
    assert counts(db) == before, "a refused file must change nothing"
    return info.value.messages


def live(db: Database) -> list[int]:
    return [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM ledger_imports WHERE superseded_by IS NULL AND removed_at IS NULL ORDER BY id"
        )
    ]


def independent(path: Path) -> dict[str, dict[str, int]]:
    """#TRANS sums per account and the file's own #IB/#UB/#RES, read with plain regular expressions."""
    text = path.read_bytes().decode("cp437")
    out: dict[str, dict[str, int]] = {"TRANS": defaultdict(int), "IB": {}, "UB": {}, "RES": {}}
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"#TRANS\s+(\S+)\s+\{[^}]*\}\s+(-?[\d.]+)", line)
        if m:
            out["TRANS"][m.group(1)] += int(Decimal(m.group(2)) * 100)
        m = re.match(r"#(IB|UB|RES)\s+0\s+(\S+)\s+(-?[\d.]+)", line)
        if m:
            out[m.group(1)][m.group(2)] = int(Decimal(m.group(3)) * 100)
    return out


# --- who sent it --------------------------------------------------------------------------------

HEAD = '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN "Testnämnden"\n#ORGNR {org}\n#RAR 0 20190101 20191231\n'
BODY = (
    '#VER A 1 20190115 "Konsult"\n{\n#TRANS 7410 {} 1000.00\n#TRANS 2440 {} -1000.00\n}\n'
    '#VER A 2 20190215 "Konsult"\n{\n#TRANS 7410 {} 250.00\n#TRANS 2440 {} -250.00\n}\n'
)


def small(org: str, body: str = BODY) -> io.BytesIO:
    return io.BytesIO((HEAD.format(org=org) + body).encode("cp437"))


def test_two_copies_whose_orgnr_differ_only_in_the_dash_give_one_set_of_figures(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    first = import_sie(db, SYSTEM, small("212000-0001"), file_name="a.se")
    assert first.organisation == "212000-0001"
    messages = refused(db, small("2120000001"), file_name="b.se")
    assert any("redan en huvudbok för 212000-0001" in m and "--replace" in m for m in messages)
    second = import_sie(db, SYSTEM, small("2120000001"), file_name="b.se", replace=True)
    assert second.superseded == (first.import_id,)
    assert live(db) == [second.import_id]
    total = db.execute("SELECT SUM(amount_ore) FROM ledger_rows WHERE account = '7410'").fetchone()[0]
    assert total == 125_000  # one copy's 1 250 kr, not twice


def test_a_file_from_an_organisation_not_on_the_list_is_refused_with_its_name_until_the_admin_adds_it(db):
    messages = refused(db, small("212000-0001"), file_name="a.se")
    assert any("Testnämnden (212000-0001)" in m and "--new-organisation" in m for m in messages)
    summary = import_sie(db, SYSTEM, small("212000-0001"), file_name="a.se", new_organisation=True)
    assert organisations_store.organisation_name(db, "212000-0001") == "Testnämnden"
    actions = db.execute(
        "SELECT action, entity, entity_id FROM audit_log ORDER BY id DESC LIMIT 2"
    ).fetchall()
    assert ("lägg till", "organisation", "212000-0001") in actions
    assert ("importera", "huvudbok", str(summary.import_id)) in actions


@pytest.mark.parametrize("org", ["000000-0000", "555555-5555", '""'])
def test_a_placeholder_or_missing_number_is_warned_about_and_never_merged_by_name(db, org):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    messages = refused(db, small(org), file_name="a.se")
    assert any("inget användbart organisationsnummer" in m and "--organisation" in m for m in messages)
    summary = import_sie(db, SYSTEM, small(org), file_name="a.se", organisation="212000-0001")
    assert summary.organisation == "212000-0001"
    assert any("platshållare" in w or "inget organisationsnummer" in w for w in summary.warnings)


def test_the_admin_adds_an_organisation_on_the_command_line_and_placeholders_are_refused(tmp_path, capsys):
    db_path = str(tmp_path / "o.db")
    open_database(db_path).close()
    assert main(["sie-organisations", "--db", db_path, "--add", "2120000001", "--name", "Testnämnden"]) == 0
    assert main(["sie-organisations", "--db", db_path, "--add", "555555-5555", "--name", "X"]) != 0
    capsys.readouterr()
    assert main(["sie-organisations", "--db", db_path]) == 0
    out = capsys.readouterr().out
    assert "212000-0001" in out and "Testnämnden" in out and "555555" not in out


# --- what replaces what ------------------------------------------------------------------------


def test_a_sie_1_file_over_a_sie_4_ledger_of_the_same_company_changes_nothing(db):
    ledger = import_sie(db, SYSTEM, NORSTEDTS_4E, new_organisation=True)
    for flags in ({}, {"replace": True, "new_organisation": True, "ignore_checksum": True}):
        messages = refused(db, NORSTEDTS_1, **flags)
        assert any("SIE typ 1" in m and "SIE typ 4" in m for m in messages), messages
    assert live(db) == [ledger.import_id]


def test_a_partial_4i_export_never_replaces_a_ledger_and_is_kept_only_as_a_named_addition(db):
    ledger = import_sie(db, SYSTEM, MAMUT, organisation="212000-0001", new_organisation=True)
    assert ledger.trans_rows == 458
    messages = refused(db, ASSETS, organisation="212000-0001", replace=True)
    assert any("delexport" in m and "--addition" in m for m in messages)
    added = import_sie(db, SYSTEM, ASSETS, organisation="212000-0001", addition="Avskrivningar 2010")
    assert added.superseded == ()
    assert live(db) == [ledger.import_id, added.import_id]
    row = present(imports_store.get_import(db, added.import_id))
    assert row["kind"] == "sie-tillägg" and row["addition"] == "Avskrivningar 2010"
    assert db.execute("SELECT COUNT(*) FROM ledger_rows").fetchone()[0] == 458 + 18


def test_without_replace_the_command_line_prints_the_comparison_and_changes_nothing(tmp_path, capsys):
    db_path = str(tmp_path / "r.db")
    open_database(db_path).close()
    one = tmp_path / "a.se"
    one.write_bytes(small("212000-0001").getvalue())
    two = tmp_path / "b.se"
    two.write_bytes(small("2120000001", BODY.split("#VER A 2")[0]).getvalue())
    assert main(["import-sie", str(one), "--db", db_path, "--new-organisation"]) == 0
    capsys.readouterr()
    assert main(["import-sie", str(two), "--db", db_path]) == 1
    err = capsys.readouterr().err
    assert "inget ändrades" in err and "--replace" in err
    assert "Före: import 1 (a.se): 2 verifikationer, 4 rader, 2019-01-15 – 2019-02-15" in err
    assert "Efter: ny fil (b.se): 1 verifikationer, 2 rader, 2019-01-15 – 2019-01-15" in err
    assert "Rader som försvinner ur huvudboken: 4" in err
    assert "7 Personal och avskrivningar: 1\u202f250 kr → 1\u202f000 kr (−250 kr)" in err
    db = open_database(db_path)
    assert live(db) == [1]
    assert main(["import-sie", str(two), "--db", db_path, "--replace"]) == 0
    assert live(db) == [2]


# --- integrity ---------------------------------------------------------------------------------


def _cut_after_voucher(path: Path, keep: int) -> bytes:
    """The file cut after its `keep`-th voucher's closing brace (a clean voucher boundary)."""
    lines = path.read_bytes().split(b"\n")
    seen = 0
    for i, line in enumerate(lines):
        if line.strip() == b"}":
            seen += 1
            if seen == keep:
                return b"\n".join(lines[: i + 1]) + b"\n"
    raise AssertionError("too few vouchers")


def test_a_real_file_with_ksumma_imports_and_says_the_checksum_holds(db):
    summary = import_sie(db, SYSTEM, NORSTEDTS_4E, new_organisation=True)
    assert (
        present(imports_store.get_import(db, summary.import_id))["checksum"] == "stämmer (#KSUMMA 854227682)"
    )


def test_a_truncated_file_with_ksumma_is_refused_unless_overridden(db):
    cut = _cut_after_voucher(NORSTEDTS_4E, 100)
    messages = refused(db, io.BytesIO(cut), file_name="avkortad.se", new_organisation=True)
    assert any("filen har ändrats eller är ofullständig" in m and "avkortad" in m for m in messages)
    summary = import_sie(
        db, SYSTEM, io.BytesIO(cut), file_name="avkortad.se", new_organisation=True, ignore_checksum=True
    )
    assert summary.vouchers == 100
    assert any("Importerad ändå efter uttryckligt beslut" in w for w in summary.warnings)


def test_a_changed_amount_under_ksumma_is_refused(db):
    data = NORSTEDTS_4E.read_bytes()
    first_trans = re.search(rb"#TRANS[^\n]*?(-?\d+\.\d\d)", data)
    assert first_trans is not None
    start, end = first_trans.span(1)
    changed = data[:start] + b"1" + data[start:end] + data[end:]
    messages = refused(db, io.BytesIO(changed), file_name="ändrad.se", new_organisation=True)
    assert any("Kontrollsumman stämmer inte: filen har ändrats eller är ofullständig" in m for m in messages)


def test_the_real_ledgers_sums_match_an_independent_reading_and_its_own_balances(db):
    summary = import_sie(db, SYSTEM, NORSTEDTS_4E, new_organisation=True)
    assert (summary.vouchers, summary.trans_rows) == (177, 678)
    facts = independent(NORSTEDTS_4E)
    stored = dict(db.execute("SELECT account, SUM(amount_ore) FROM ledger_rows GROUP BY account").fetchall())
    assert stored == dict(facts["TRANS"])
    assert len(facts["UB"]) == 27 and len(facts["RES"]) == 63
    for account, closing in facts["UB"].items():
        assert facts["IB"].get(account, 0) + stored.get(account, 0) == closing, account
    for account, result in facts["RES"].items():
        assert stored.get(account, 0) == result, account
    assert not any("egna saldon" in w for w in summary.warnings)


def test_own_balances_that_disagree_with_trans_are_listed_and_unclosed_texts_do_not_refuse(db):
    summary = import_sie(db, SYSTEM, SOFTONE, new_organisation=True)
    assert (summary.vouchers, summary.trans_rows) == (70, 260)
    facts = independent(SOFTONE)
    (balance_warning,) = [w for w in summary.warnings if "egna saldon" in w]
    for label, account in (("RES", "4010"), ("UB", "2440"), ("UB", "2640")):
        assert f"#{label} {account}:" in balance_warning
    expected = facts["RES"]["4010"] - facts["TRANS"]["4010"]
    assert expected == 4_800_000
    assert (
        "#RES 4010: filen anger 67\u202f034,40 kr, #TRANS ger 19\u202f034,40 kr (skillnad 48\u202f000 kr)"
        in balance_warning
    )
    assert sum(1 for w in summary.warnings if "saknar avslutande citattecken" in w) == 3
    assert any(w.startswith("Rad 1041:") for w in summary.warnings)


# --- fiscal year, objects, damaged text ----------------------------------------------------------


def test_a_july_to_june_file_gets_its_fiscal_year_warning(db):
    summary = import_sie(db, SYSTEM, NORSTEDTS_4E, new_organisation=True)
    (fiscal,) = [w for w in summary.warnings if w.startswith("Räkenskapsåret är 2009-07-01 – 2010-06-30")]
    assert "inte ett kalenderår" in fiscal
    assert "månaderna 2009-07 – 2009-12 visas under 2009 och 2010-01 – 2010-06 under 2010" in fiscal
    assert "i rapporten för 2010 är kolumnen föregående år då en del av samma räkenskapsår" in fiscal
    row = present(imports_store.get_import(db, summary.import_id))
    assert (row["fiscal_start"], row["fiscal_end"]) == ("2009-07-01", "2010-06-30")


def test_objects_without_an_objekt_line_are_named_as_missing_with_a_warning(db):
    summary = import_sie(db, SYSTEM, MAMUT, organisation="212000-0001", new_organisation=True)
    assert any("utan #OBJEKT-rad" in w for w in summary.warnings)
    names = dict(
        db.execute(
            "SELECT dimension || ' ' || object, name FROM ledger_objects WHERE import_id = ?",
            [summary.import_id],
        ).fetchall()
    )
    assert names["10 10"] == "(namn saknas i filen)"


def test_seven_bit_swedish_in_names_is_a_warning_naming_the_label(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    body = '#KONTO 7410 "Konsultarvode f|r utveckling"\n' + BODY
    summary = import_sie(db, SYSTEM, small("212000-0001", body), file_name="a.se")
    assert any("Texten ser skadad ut" in w and "#KONTO" in w for w in summary.warnings)


def test_a_4i_file_whose_rar_has_no_dates_is_read_with_a_warning(db):
    body = BODY.replace("#VER A 1", "#VER A 1").strip()
    data = (HEAD.format(org="212000-0001").replace("#RAR 0 20190101 20191231", "#RAR 0") + body).encode()
    preview = preview_sie(db, SYSTEM, io.BytesIO(data), file_name="lon.si", organisation="212000-0001")
    assert isinstance(preview, SiePreview)
    assert preview.blocking == ()
    assert any("#RAR saknar start- och slutdatum" in w for w in preview.warnings)
    assert preview.year == 2019 and preview.partial


def test_a_ver_without_series_says_so(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    body = '#VER 1 20190115 "Konsult"\n{\n#TRANS 7410 {} 1000.00\n#TRANS 2440 {} -1000.00\n}\n'
    messages = refused(db, small("212000-0001", body), file_name="a.se")
    assert any("#VER 1 20190115 saknar serie" in m for m in messages), messages


def test_replacement_characters_in_voucher_texts_are_a_warning_naming_trans(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    body = BODY.replace(
        "#TRANS 7410 {} 1000.00", '#TRANS 7410 {} 1000.00 20190115 "Konsultarvode f\ufffdr april"'
    )
    data = (HEAD.format(org="212000-0001") + body).encode("utf-8")
    summary = import_sie(db, SYSTEM, io.BytesIO(data), file_name="a.se")
    (damaged,) = [w for w in summary.warnings if "Texten ser skadad ut" in w]
    assert "#TRANS (1 texter med \ufffd)" in damaged


def test_a_corrected_addition_of_the_same_name_replaces_it_only_when_confirmed(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    first = import_sie(db, SYSTEM, ASSETS, organisation="212000-0001", addition="Avskrivningar")
    corrected = io.BytesIO(ASSETS.read_bytes().replace(b"#VER", b"#VER ", 1))
    messages = refused(
        db, corrected, file_name=ASSETS.name, organisation="212000-0001", addition="Avskrivningar"
    )
    assert any("ett tillägg med namnet 'Avskrivningar'" in m and "--replace" in m for m in messages)
    corrected.seek(0)
    second = import_sie(
        db,
        SYSTEM,
        corrected,
        file_name=ASSETS.name,
        organisation="212000-0001",
        addition="Avskrivningar",
        replace=True,
    )
    assert second.superseded == (first.import_id,)
    assert live(db) == [second.import_id]


def test_a_database_from_before_the_organisation_list_lists_its_imported_organisations(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    import_sie(db, SYSTEM, small("212000-0001"), file_name="a.se")
    # Put the database back as m002 left it: no list, no new columns, the raw #ORGNR as key.
    with write(db, audited=False):
        db.executescript(
            """
            DROP TABLE ledger_organisations;
            ALTER TABLE ledger_imports DROP COLUMN sie_type;
            ALTER TABLE ledger_imports DROP COLUMN addition;
            ALTER TABLE ledger_imports DROP COLUMN checksum;
            UPDATE ledger_imports SET organisation = '2120000001';
            DELETE FROM _migrations WHERE migration_set = 'ledger' AND name = 'm003_organisations';
            """
        )
    assert migrate(db, store.MIGRATIONS) == ["ledger:m003_organisations"]
    assert organisations_store.organisation_name(db, "212000-0001") == "Testnämnden"
    assert imports_store.live_organisations(db) == ["212000-0001"]
    # The next file of the same ledger, written with the dash, is the same organisation.
    messages = refused(db, small("212000-0001", BODY.split("#VER A 2")[0]), file_name="b.se")
    assert any("redan en huvudbok för 212000-0001" in m for m in messages)


def test_an_addition_without_objekt_lines_does_not_hide_the_ledgers_object_names(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    named = '#DIM 6 "Projekt"\n#OBJEKT 6 6674 "LINK2"\n' + BODY.replace(
        "#TRANS 7410 {}", "#TRANS 7410 {6 6674}"
    )
    import_sie(db, SYSTEM, small("212000-0001", named), file_name="bok.se")
    unnamed = (
        BODY.replace("#TRANS 7410 {}", "#TRANS 7410 {6 6674}").replace("A 1", "L 1").replace("A 2", "L 2")
    )
    added = import_sie(db, SYSTEM, small("212000-0001", unnamed), file_name="lon.si", addition="Lön")
    assert not any("utan #OBJEKT-rad" in w for w in added.warnings)
    assert columns_store.object_names(db)[("6", "6674")] == "LINK2"


def test_a_psaldo_that_disagrees_with_the_months_trans_is_listed_for_balance_accounts_too(db):
    add_organisation(db, SYSTEM, "212000-0001", "Testnämnden")
    balances = (
        "#PSALDO 0 201901 7410 {} 1000.00\n#PSALDO 0 201901 2440 {} -900.00\n"
        "#PSALDO 0 201902 7410 {} 250.00\n#PSALDO 0 201902 2440 {} -250.00\n"
    )
    summary = import_sie(db, SYSTEM, small("212000-0001", balances + BODY), file_name="a.se")
    (warning,) = [w for w in summary.warnings if "egna saldon" in w]
    assert "#PSALDO 2019-01 2440: filen anger −900 kr, #TRANS ger −1\u202f000 kr (skillnad 100 kr)" in warning
    assert "7410" not in warning and "2019-02" not in warning


def test_a_july_to_june_years_earlier_months_are_never_shown_as_the_previous_year(db):
    from portfolio.ledger.tertial import load_report
    from portfolio.periods import Period

    import_sie(db, SYSTEM, NORSTEDTS_4E, new_organisation=True)
    report = load_report(db, 2010, Period.HELAR)
    assert (
        "föregående år: visas inte: 2009 års månader hör till samma räkenskapsår 2009-07-01 – 2010-06-30"
        in (report.source_text)
    )
    assert "Räkenskapsåret 2009-07-01 – 2010-06-30 är inte ett kalenderår" in report.source_text
    assert report.statement["previous_year_ore"].drop_nulls().abs().sum() == 0
    earlier = load_report(db, 2009, Period.HELAR)
    assert "Räkenskapsåret 2009-07-01 – 2010-06-30 är inte ett kalenderår" in earlier.source_text
    assert "föregående år: saknas" in earlier.source_text
