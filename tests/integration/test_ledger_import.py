"""SIE and CSV/Excel import: all or nothing, idempotent, logged; every bad input named by line."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from dashboard.cli import main
from portfolio.auth import SYSTEM, Role, User
from portfolio.db import Database, migrate, write
from portfolio.errors import ImportRejectedError, PermissionDeniedError
from portfolio.ledger import columns_store, imports_store, store
from portfolio.ledger import sie_import as sie_import_module
from portfolio.ledger.csv_import import import_lines
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.organisations import add_organisation
from portfolio.ledger.sie import Balance, read_all
from portfolio.ledger.sie_import import import_sie, remove_import
from portfolio.ledger.tertial import load_report
from portfolio.periods import Period
from registers.database import open_database
from tests.present import present

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "sie-samples"
# The organisations whose files these tests import: the test body's, the generator's and BL's.
LISTED = ("212000-0001", "232100-0214", "556265-1892")


@pytest.fixture(autouse=True)
def _listed_organisations(request):
    """Put the tests' organisations on the list in a fresh database, as the admin would."""
    if "db" in request.fixturenames:
        db = request.getfixturevalue("db")
        for org in LISTED:
            add_organisation(db, SYSTEM, org, f"Organisation {org}")


OVN = SAMPLES / "transaktioner_ovnbolag.se"
BL = SAMPLES / "BL0001_typ4.SE"

HEAD = (
    '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN "Testnämnden"\n#ORGNR 212000-0001\n'
    '#RAR 0 20190101 20191231\n#DIM 6 "Projekt"\n#OBJEKT 6 6674 "LINK2"\n'
)
GOOD_VOUCHER = '#VER A 1 20190115 "Konsult"\n{\n#TRANS 7410 {6 6674} 1000.00\n#TRANS 2440 {} -1000.00\n}\n'


def sie_bytes(body: str, head: str = HEAD, encoding: str = "cp437") -> bytes:
    return (head + body).encode(encoding)


def counts(db: Database) -> dict[str, int]:
    tables = ("ledger_imports", "ledger_rows", "ledger_columns", "ledger_budget", "audit_log")
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def refused(db: Database, data: bytes, **kwargs) -> list[str]:
    before = counts(db)
    with pytest.raises(ImportRejectedError) as info:
        import_sie(db, SYSTEM, io.BytesIO(data), file_name="fel.se", **kwargs)
    assert counts(db) == before, "a refused file must change nothing"
    return info.value.messages


# --- a generated file with known totals -------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate_sie(tmp_path_factory.mktemp("sie") / "gen.se", rows=20_000, seed=7, year=2019)


def test_a_generated_file_gives_each_projects_budget_and_actual_per_tertial_to_the_ore(
    db, generated, monkeypatch
):
    # Small batches: the month sums are added up batch by batch on the writer thread.
    monkeypatch.setattr(sie_import_module, "BATCH_ROWS", 3_000)
    summary = import_sie(db, SYSTEM, generated.path)
    assert summary.trans_rows == generated.trans_rows
    assert summary.vouchers == generated.vouchers
    assert summary.ignored_rows > 0  # the #RTRANS/#BTRANS rows were read but not summed
    for period in Period:
        objects = {r["object"]: r for r in load_report(db, 2019, period).objects.iter_rows(named=True)}
        for project in generated.projects:
            assert objects[project]["actual_ore"] == generated.actual_for(project, period), (project, period)
            assert objects[project]["budget_ore"] == generated.budget_for(project, period), (project, period)


def test_the_committee_statement_sums_every_trans_row_and_the_budget_totals_once(db, generated):
    import_sie(db, SYSTEM, generated.path)
    report = load_report(db, 2019, Period.T2)
    net = report.statement.row(-1, named=True)
    expected_actual = -sum(v for (a, m), v in generated.account_months.items() if m <= 8 and a[0] in "345678")
    expected_budget = -sum(v for (a, m), v in generated.budget_account_months.items() if m <= 8)
    assert net["line"] == "Verksamhetens nettokostnader"
    assert net["actual_ore"] == expected_actual
    assert net["budget_ore"] == expected_budget
    assert report.source == "huvudbok"


def test_a_database_from_before_the_columnar_copy_gives_the_same_report_after_migrating(db, generated):
    import_sie(db, SYSTEM, generated.path)
    expected = load_report(db, 2019, Period.T2)
    # Put the database back as the first ledger schema left it: month totals in a table.
    with write(db, audited=False):
        db.executescript(
            """
            CREATE TABLE ledger_month_totals (
                import_id INTEGER NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
                account TEXT NOT NULL, object TEXT, amount_ore INTEGER NOT NULL);
            INSERT INTO ledger_month_totals
                SELECT import_id, date / 10000, date / 100 % 100, account, object, SUM(amount_ore)
                FROM ledger_rows GROUP BY import_id, date / 100, account, object;
            DROP TABLE ledger_columns;
            DELETE FROM _migrations WHERE migration_set = 'ledger' AND name = 'm002_columnar_copy';
            """
        )
    assert migrate(db, store.MIGRATIONS) == ["ledger:m002_columnar_copy"]
    migrated = load_report(db, 2019, Period.T2)
    assert migrated.statement.equals(expected.statement)
    assert migrated.objects.equals(expected.objects)
    assert "ledger_month_totals" not in db.table_names()


def test_texts_with_swedish_letters_quotes_and_backslashes_are_stored_as_written(db):
    body = (
        '#VER A 1 20190115 "Lön"\n{\n'
        '#TRANS 7010 {6 6674} 1000.00 20190115 "Lön åäö \\"extra\\" C:\\mapp"\n'
        "#TRANS 2440 {} -1000.00\n}\n"
    )
    import_sie(db, SYSTEM, io.BytesIO(sie_bytes(body)), file_name="text.se")
    texts = [r[0] for r in db.execute("SELECT text FROM ledger_rows WHERE account = '7010'").fetchall()]
    assert texts == ['Lön åäö "extra" C:\\mapp']


def test_importing_the_same_file_twice_changes_nothing(db, generated):
    first = import_sie(db, SYSTEM, generated.path)
    before = counts(db)
    again = import_sie(db, SYSTEM, generated.path)
    assert again.already_imported and again.import_id == first.import_id
    assert counts(db) == before


def test_the_import_log_records_file_fingerprint_who_when_and_counts(db, generated):
    actor = User(id=None, email="ekonom@gns.example", name="Ekonom", role=Role.ADMIN)
    summary = import_sie(db, actor, generated.path)
    row = present(imports_store.get_import(db, summary.import_id))
    assert row["file_name"] == "gen.se"
    assert len(row["fingerprint"]) == 64
    assert row["user_email"] == "ekonom@gns.example"
    assert row["imported_at"]
    assert (row["vouchers"], row["trans_rows"]) == (generated.vouchers, generated.trans_rows)
    assert row["first_date"].startswith("2019-01") and row["last_date"].startswith("2019-12")
    assert "CP437" in row["encoding_message"]
    audit = db.execute("SELECT action, entity, entity_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert audit == ("importera", "huvudbok", str(summary.import_id))


def test_a_new_file_for_the_same_year_replaces_the_earlier_one(db, tmp_path):
    a = generate_sie(tmp_path / "a.se", rows=500, seed=1)
    b = generate_sie(tmp_path / "b.se", rows=700, seed=2)
    first = import_sie(db, SYSTEM, a.path)
    before = counts(db)
    with pytest.raises(ImportRejectedError) as info:
        import_sie(db, SYSTEM, b.path)
    assert counts(db) == before
    assert any("--replace" in m for m in info.value.messages)
    second = import_sie(db, SYSTEM, b.path, replace=True)
    assert second.superseded == (first.import_id,)
    assert present(imports_store.get_import(db, first.import_id))["superseded_by"] == second.import_id
    assert db.execute("SELECT COUNT(*) FROM ledger_rows").fetchone()[0] == b.trans_rows


def test_progress_is_reported_up_to_the_whole_file(db, generated):
    seen: list[tuple[int, int]] = []
    import_sie(db, SYSTEM, generated.path, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == generated.path.stat().st_size
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_only_admin_may_import(db, generated):
    ceo = User(id=None, email="kc@gns.example", name="KC", role=Role.KOMMUNCHEF, party="BRACKE")
    with pytest.raises(PermissionDeniedError):
        import_sie(db, ceo, generated.path)
    assert counts(db)["ledger_imports"] == 0


def test_removing_an_import_takes_its_rows_out_and_keeps_the_log(db, generated):
    summary = import_sie(db, SYSTEM, generated.path)
    remove_import(db, SYSTEM, summary.import_id)
    assert db.execute("SELECT COUNT(*) FROM ledger_rows").fetchone()[0] == 0
    assert present(imports_store.get_import(db, summary.import_id))["removed_at"]


# --- bad input: refused (or warned) with a line number, nothing changed -------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        pytest.param(
            GOOD_VOUCHER + '#VER A 2 20190116 "Avbruten"\n{\n#TRANS 7410 {} 5.00\n',
            14,
            "avkortad",
            id="truncated",
        ),
        pytest.param(
            GOOD_VOUCHER + "#TRANS 7410 {} 5.00\n",
            14,
            "utanför en verifikation",
            id="trans_outside_a_voucher",
        ),
        pytest.param(
            '#VER A 1 20190115 "x"\n{\n#TRANS 7410 {} 1000,50\n#TRANS 2440 {} -1000.50\n}\n',
            11,
            "decimalkomma",
            id="decimal_comma",
        ),
        pytest.param(
            '#VER A 1 20190115 "x"\n{\n#TRANS 7410 {} 10.005\n#TRANS 2440 {} -10.005\n}\n',
            11,
            "fler än två decimaler",
            id="three_decimals",
        ),
        pytest.param(
            '#VER A 1 20190115 "x"\n{\n#TRANS 7410 {6 6674 100.00\n#TRANS 2440 {} -100.00\n}\n',
            11,
            "avslutas aldrig",
            id="object_list_not_closed",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(db, body, line, message):
    messages = refused(db, sie_bytes(body))
    assert any(m.startswith(f"Rad {line}:") and message in m for m in messages), messages


def test_an_unbalanced_voucher_is_refused_unless_allowed(db):
    body = '#VER A 1 20190115 "x"\n{\n#TRANS 7410 {6 6674} 100.00\n#TRANS 2440 {} -90.00\n}\n'
    messages = refused(db, sie_bytes(body))
    assert any(m.startswith("Rad 9:") and "obalanserad" in m for m in messages), messages
    assert any("--allow-unbalanced" in m for m in messages)
    summary = import_sie(db, SYSTEM, io.BytesIO(sie_bytes(body)), file_name="ok.se", allow_unbalanced=True)
    assert any("obalanserad" in w and w.startswith("Rad 9:") for w in summary.warnings)
    assert present(imports_store.get_import(db, summary.import_id))["unbalanced"] == 1


def test_an_unknown_dimension_is_warned_about_and_the_file_imported(db):
    body = '#VER A 1 20190115 "x"\n{\n#TRANS 7410 {9 "X1" 6 6674} 100.00\n#TRANS 2440 {} -100.00\n}\n'
    summary = import_sie(db, SYSTEM, io.BytesIO(sie_bytes(body)), file_name="dim.se")
    assert any(w.startswith("Rad 11:") and "dimension 9" in w for w in summary.warnings), summary.warnings
    assert load_report(db, 2019, Period.T1).objects["actual_ore"].to_list() == [100_00]


def test_a_file_in_another_encoding_than_it_declares_is_read_and_the_reader_says_so(db):
    head = HEAD.replace('"LINK2"', '"Östersunds länk"')
    summary = import_sie(
        db, SYSTEM, io.BytesIO(sie_bytes(GOOD_VOUCHER, head, "latin-1")), file_name="latin.se"
    )
    assert "Latin-1" in summary.encoding_message
    assert any(w.startswith("Rad 2:") and "PC8" in w for w in summary.warnings), summary.warnings
    assert columns_store.object_names(db)[("6", "6674")] == "Östersunds länk"


def test_a_file_that_is_not_sie_is_refused(db):
    messages = refused(db, b"%PDF-1.4 inte en SIE-fil\n")
    assert any("SIE" in m for m in messages)


def test_the_command_line_refuses_a_bad_file_with_exit_code_1(tmp_path, capsys):
    bad = tmp_path / "fel.se"
    bad.write_bytes(sie_bytes(GOOD_VOUCHER + "#TRANS 7410 {} 5.00\n"))
    open_database(tmp_path / "cli.db").close()  # commands never create a database; seed does
    assert main(["import-sie", str(bad), "--db", str(tmp_path / "cli.db")]) == 1
    err = capsys.readouterr().err
    assert "inget ändrades" in err and "Rad 14:" in err


# --- CSV and Excel ------------------------------------------------------------------------------

CSV_GOOD = (
    "år;månad;konto;projekt;belopp;text;typ\n"
    "2019;1;5010;6674;1 000,50;Lön;utfall\n"
    "2019;2;7410;GNS/03/2019;200;Konsult;utfall\n"
    "2019;1;5010;6674;900;Budget;budget\n"
)


def test_a_csv_file_imports_outcome_and_budget_lines(seeded):
    summary = import_lines(seeded, SYSTEM, CSV_GOOD.encode(), file_name="rader.csv")
    assert (summary.trans_rows, summary.budget_rows) == (2, 1)
    objects = {r["object"]: r for r in load_report(seeded, 2019, Period.T1).objects.iter_rows(named=True)}
    assert objects["6674"]["actual_ore"] == 1_000_50
    assert objects["6674"]["budget_ore"] == 900_00
    assert objects["6676"]["actual_ore"] == 200_00  # the project GNS/03/2019 is object 6676
    assert import_lines(seeded, SYSTEM, CSV_GOOD.encode(), file_name="rader.csv").already_imported


def test_a_csv_with_a_missing_column_is_refused(seeded):
    before = counts(seeded)
    with pytest.raises(ImportRejectedError) as info:
        import_lines(seeded, SYSTEM, b"ar;manad;projekt;belopp;text\n2019;1;6674;5;x\n", file_name="fel.csv")
    assert info.value.messages[0].startswith("Rad 1: kolumnen 'konto' saknas")
    assert counts(seeded) == before


def test_csv_errors_name_every_bad_row_and_nothing_is_written(seeded):
    text = (
        "år,månad,konto,objekt,belopp,text\n"
        "2019,13,5010,6674,10,a\n"
        "2019,1,50x0,6674,10,b\n"
        '2019,1,5010,6674,"10,005",c\n'
        "2019,1,5010,GNS/99/2019,10,d\n"
        "2019,1,5010,6674,10,ok\n"
    )
    before = counts(seeded)
    with pytest.raises(ImportRejectedError) as info:
        import_lines(seeded, SYSTEM, text.encode(), file_name="fel.csv")
    messages = info.value.messages
    assert [m.split(":")[0] for m in messages] == ["Rad 2", "Rad 3", "Rad 4", "Rad 5"]
    assert "1–12" in messages[0] and "fler än två decimaler" in messages[2] and "finns inte" in messages[3]
    assert counts(seeded) == before


def test_the_command_line_imports_a_csv_and_refuses_a_bad_one_naming_the_row(seeded_path, tmp_path, capsys):
    good, bad = tmp_path / "rader.csv", tmp_path / "fel.csv"
    good.write_text(CSV_GOOD, encoding="utf-8")
    bad.write_text("år;månad;konto;objekt;belopp;text\n2019;13;5010;6674;10;a\n", encoding="utf-8")
    assert main(["import-lines", str(bad), "--db", str(seeded_path)]) == 1
    assert "Rad 2:" in capsys.readouterr().err
    assert main(["import-lines", str(good), "--db", str(seeded_path)]) == 0
    assert "Tabellfil (CSV) med 3 rader." in capsys.readouterr().out
    assert load_report(open_database(seeded_path), 2019, Period.T1).objects.filter(
        pl.col("object") == "6674"
    )["actual_ore"].to_list() == [1_000_50]


def test_an_excel_file_imports_like_a_csv(seeded, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["År", "Månad", "Konto", "Objekt", "Belopp", "Text"])
    sheet.append([2019, 3, 5010, "6663", 1234.5, "Drift"])
    path = tmp_path / "rader.xlsx"
    book.save(path)
    summary = import_lines(seeded, SYSTEM, path)
    assert summary.trans_rows == 1
    objects = {r["object"]: r for r in load_report(seeded, 2019, Period.T1).objects.iter_rows(named=True)}
    assert objects["6663"]["actual_ore"] == 1_234_50


# --- the real sample files (skipped when ../shared/sie-samples is absent) ------------------------

OBJECTS_RE = re.compile(r'"([^"]*)"|(\S+)')


def _objects(inner: str) -> dict[str, str]:
    items = [a or b for a, b in OBJECTS_RE.findall(inner)]
    return dict(zip(items[::2], items[1::2], strict=False))


def _independent_project_totals(path: Path, months: int) -> dict[str, tuple[int, int]]:
    """Budget and actual per dimension-6 object, parsed here with plain regular expressions."""
    text = path.read_bytes().decode("cp437")
    actual: dict[str, int] = defaultdict(int)
    budget: dict[str, int] = defaultdict(int)
    voucher_date = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#VER"):
            voucher_date = line.split()[3]
        m = re.match(r"#TRANS\s+(\d+)\s+\{([^}]*)\}\s+(-?[\d.]+)(?:\s+(\d{8}))?", line)
        if m and m.group(1)[0] in "345678":
            date = m.group(4) or voucher_date
            project = _objects(m.group(2)).get("6")
            if project and int(date[4:6]) <= months:
                actual[project] += int(Decimal(m.group(3)) * 100)
        m = re.match(r"#PBUDGET\s+0\s+(\d{6})\s+(\d+)\s+\{([^}]*)\}\s+(-?[\d.]+)", line)
        if m:
            project = _objects(m.group(3)).get("6")
            if project and int(m.group(1)[4:]) <= months:
                budget[project] += int(Decimal(m.group(4)) * 100)
    return {p: (budget.get(p, 0), actual.get(p, 0)) for p in set(actual) | set(budget)}


@pytest.mark.skipif(not OVN.exists(), reason="../shared/sie-samples finns inte")
@pytest.mark.parametrize("period", ["T1", "helår"])
def test_the_unseen_sample_file_gives_each_projects_figures_to_the_ore(tmp_path, capsys, period):
    db_path = str(tmp_path / "ovn.db")
    open_database(db_path).close()
    # The sample's #ORGNR is the placeholder 555555-5555: the admin names the organisation.
    assert (
        main(["import-sie", str(OVN), "--db", db_path, "--organisation", "212000-0001", "--new-organisation"])
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "report",
                "tertial",
                "--year",
                "2011",
                "--period",
                period,
                "--by",
                "project",
                "--format",
                "json",
                "--db",
                db_path,
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    got = {
        r["project"]: (round(Decimal(str(r["budget"])) * 100), round(Decimal(str(r["actual"])) * 100))
        for r in rows
    }
    expected = _independent_project_totals(OVN, 4 if period == "T1" else 12)
    assert expected, "the sample has project rows"
    assert got == expected


@pytest.mark.skipif(not OVN.exists(), reason="../shared/sie-samples finns inte")
def test_the_sample_files_facts_hold_after_import(db):
    summary = import_sie(db, SYSTEM, OVN, organisation="212000-0001")
    assert (summary.vouchers, summary.trans_rows) == (163, 671)
    sums = dict(db.execute("SELECT account, SUM(amount_ore) FROM ledger_rows GROUP BY account").fetchall())
    balances = [b for b in read_all(OVN).balances if isinstance(b, Balance) and b.year_index == 0]
    ib = {b.account: b.amount_ore for b in balances if b.kind == "IB"}
    ub = {b.account: b.amount_ore for b in balances if b.kind == "UB"}
    for account, closing in ub.items():
        assert ib.get(account, 0) + sums.get(account, 0) == closing, account


@pytest.mark.skipif(not BL.exists(), reason="../shared/sie-samples finns inte")
def test_rtrans_and_btrans_are_left_out_so_the_bl_sample_balances(db):
    summary = import_sie(db, SYSTEM, BL)
    assert (summary.vouchers, summary.trans_rows, summary.ignored_rows) == (84, 405, 9)
    sums = dict(db.execute("SELECT account, SUM(amount_ore) FROM ledger_rows GROUP BY account").fetchall())
    balances = [b for b in read_all(BL).balances if b.year_index == 0]
    ib = {b.account: b.amount_ore for b in balances if b.kind == "IB"}
    ub = {b.account: b.amount_ore for b in balances if b.kind == "UB"}
    assert len(ub) == 28
    for account, closing in ub.items():
        assert ib.get(account, 0) + sums.get(account, 0) == closing, account
