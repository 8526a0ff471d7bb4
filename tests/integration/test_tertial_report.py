"""Tertial reports on the seeded database: the 2019 statement, T1 from the minutes, the ledger
taking over when imported, freeze, review, notes, and the xlsx and PDF exports."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from openpyxl import load_workbook
from PIL import Image

from dashboard.cli import main
from portfolio import store as core_store
from portfolio.auth import SYSTEM, Role, User
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.ledger import exports, tertial_store
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie_import import import_sie
from portfolio.ledger.tertial import (
    Scope,
    freeze_report,
    load_report,
    review_report,
)
from portfolio.periods import Period
from seed.loader import DATA_DIR
from tests.present import present
from tests.stored import note_2019

BRACKE_CEO = User(
    id=None, email="kc.bracke@gns.example", name="KC Bräcke", role=Role.KOMMUNCHEF, party="BRACKE"
)


def names(db) -> dict[str, str]:
    return dict(core_store.parties_frame(db).select("code", "name").iter_rows())


def report_2019(db_path, capsys, *options: str) -> tuple[int, str, str]:
    """`portfolj report tertial --year 2019 <options> --db <db_path>`: exit code, output, errors."""
    code = main(["report", "tertial", "--year", "2019", *options, "--db", str(db_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the seeded figures -------------------------------------------------------------------------


def test_the_2019_statement_equals_the_annual_report_line_by_line(seeded):
    finance = yaml.safe_load((DATA_DIR / "finance.yaml").read_text(encoding="utf-8"))["income_statement"]
    report = load_report(seeded, 2019, Period.HELAR)
    assert report.source == "rapporterad"
    rows = {r["line"]: r for r in report.statement.iter_rows(named=True)}
    for line in finance["lines"]:
        row = rows[line["line"]]
        assert row["actual_ore"] == line["actual"] * 100_000
        assert row["budget_ore"] == line["budget"] * 100_000
        assert row["previous_year_ore"] == line["previous_year"] * 100_000
        assert row["diff_budget_ore"] == line["diff_budget"] * 100_000, line["line"]
    assert report.statement["line"].to_list()[-1] == "Verksamhetens nettokostnader"
    assert report.result_ore == 5_100_000  # −50 − (−101) tkr


def test_cli_full_year_by_line_ends_with_the_net_cost_against_budget(seeded_path, capsys):
    code, out, err = report_2019(seeded_path, capsys, "--period", "helår", "--by", "line", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows[-1] == {
        "line": "Verksamhetens nettokostnader",
        "actual": -50000,
        "budget": -101000,
        "previous_year": -88000,
    }
    assert "rapporterade resultaträkning" in err


def test_t1_2019_shows_the_minutes_result_of_minus_219_tkr(seeded):
    report = load_report(seeded, 2019, Period.T1)
    assert report.result_ore == -21_900_000
    assert "−219 tkr" in report.result_text
    deviations = dict(report.objects.select("object", "deviation_ore").iter_rows())
    assert deviations == {"6663": 2_300_000, "6674": -25_800_000}


def test_cli_t1_by_line_says_there_is_no_statement_and_exits_non_zero(seeded_path, capsys):
    code, _, err = report_2019(seeded_path, capsys, "--period", "T1", "--by", "line", "--format", "json")
    assert code == 1
    assert "Ingen resultaträkning" in err and "−219 tkr" in err


def test_an_object_scope_without_a_ledger_shows_that_objects_reported_result(seeded):
    report = load_report(seeded, 2019, Period.T1, Scope.parse("objekt 6663"))
    assert report.result_ore == 2_300_000
    assert report.objects["object"].to_list() == ["6663"]


# --- with an imported ledger ----------------------------------------------------------------


@pytest.fixture
def with_ledger(seeded, tmp_path):
    made = generate_sie(
        tmp_path / "2019.se", rows=3_000, seed=11, year=2019, projects=("6663", "6674", "6676")
    )
    import_sie(seeded, SYSTEM, made.path)
    return seeded, made


def test_imported_ledger_rows_replace_the_reported_figures_and_say_so(with_ledger, capsys):
    db, made = with_ledger
    report = load_report(db, 2019, Period.T1)
    assert report.source == "huvudbok"
    assert "importerad huvudbok" in report.source_text
    objects = {r["object"]: r for r in report.objects.iter_rows(named=True)}
    assert objects["6674"]["actual_ore"] == made.actual_for("6674", Period.T1)
    assert objects["6674"]["project_code"] == "GNS/8/2018"


def test_a_project_scope_covers_its_objects(with_ledger):
    db, made = with_ledger
    report = load_report(db, 2019, Period.HELAR, Scope.parse("projekt GNS/8/2018"))
    assert report.objects["object"].to_list() == ["6674"]
    net = report.statement.row(-1, named=True)
    result_lines = -made.actual_for("6674", Period.HELAR)
    assert net["actual_ore"] == result_lines


def test_a_frozen_report_does_not_change_with_a_later_import_and_shows_the_difference(seeded, tmp_path):
    first = generate_sie(tmp_path / "a.se", rows=1_000, seed=1)
    import_sie(seeded, SYSTEM, first.path)
    report = load_report(seeded, 2019, Period.T1)
    for obj in report.comments_missing:
        note_2019(seeded, Period.T1, obj, "Förklarad.")
    report = load_report(seeded, 2019, Period.T1)
    freeze_report(seeded, SYSTEM, report, "§16")
    frozen = tertial_store.latest_snapshot(seeded, 2019, "T1", "nämnden")
    assert frozen is not None
    second = generate_sie(tmp_path / "b.se", rows=1_500, seed=2)
    import_sie(seeded, SYSTEM, second.path, replace=True)
    later = load_report(seeded, 2019, Period.T1)
    assert later.snapshot is not None and later.snapshot["payload"] == frozen["payload"]
    assert later.snapshot_diff is not None
    assert later.snapshot_diff.filter(later.snapshot_diff["change_actual_ore"] != 0).height > 0


def test_freezing_is_refused_while_a_large_deviation_lacks_a_comment(seeded):
    report = load_report(seeded, 2019, Period.T1)
    with pytest.raises(InvalidInputError) as info:
        freeze_report(seeded, SYSTEM, report)
    assert any("6674" in m for m in info.value.messages)
    assert tertial_store.latest_snapshot(seeded, 2019, "T1", "nämnden") is None


def test_a_forecast_needs_a_comment_and_a_stale_edit_is_refused(seeded):
    def note(comment: str, forecast_ore: int, version: int | None) -> None:
        note_2019(seeded, Period.T2, "6674", comment, forecast_ore, version)

    with pytest.raises(InvalidInputError):
        note("", 100, None)
    note("Första", 100, None)
    note("Andra", 200, 1)
    with pytest.raises(StaleEditError):
        note("Gammal", 1, 1)
    assert present(tertial_store.get_note(seeded, 2019, "T2", "6674"))["forecast_ore"] == 200


def test_a_municipal_ceo_reviews_for_their_own_party_only(seeded):
    review_report(seeded, BRACKE_CEO, year=2019, period=Period.T1, comment="OK")
    report = load_report(seeded, 2019, Period.T1)
    assert report.reviews["party"].to_list() == ["BRACKE"]
    audit = seeded.execute(
        "SELECT action, party FROM audit_log WHERE entity = 'tertialrapport' ORDER BY id DESC"
    ).fetchone()
    assert audit == ("granska", "BRACKE")
    for actor in (SYSTEM, User(id=None, email="l@x.se", name="L", role=Role.NAMND)):
        with pytest.raises(PermissionDeniedError):
            review_report(seeded, actor, year=2019, period=Period.T1, comment="")
    assert load_report(seeded, 2019, Period.T1).reviews.height == 1


def test_only_admin_freezes(seeded):
    report = load_report(seeded, 2019, Period.HELAR)
    with pytest.raises(PermissionDeniedError):
        freeze_report(seeded, BRACKE_CEO, report)


# --- exports ------------------------------------------------------------------------------------


def test_the_xlsx_export_opens_and_holds_the_figures(seeded, tmp_path):
    review_report(seeded, BRACKE_CEO, year=2019, period=Period.HELAR, comment="Granskat")
    data = exports.report_xlsx(load_report(seeded, 2019, Period.HELAR), names(seeded))
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    book = load_workbook(path)
    assert {"Rapport", "Resultaträkning", "Objekt", "Granskning"} <= set(book.sheetnames)
    sheet = book["Resultaträkning"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Försäljning"][1] == 4_454_000
    assert rows["Verksamhetens nettokostnader"][1:3] == (-50_000, -101_000)
    assert sheet["B2"].number_format.startswith("#,##0")
    reviews = {r[0]: r for r in book["Granskning"].iter_rows(min_row=2, values_only=True)}
    assert reviews["Bräcke kommun"][1] == "✓ granskad"
    assert reviews["Bergs kommun"][1] == "– ej granskad"


def test_the_xlsx_result_is_a_number_in_tkr_not_text(seeded, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(exports.report_xlsx(load_report(seeded, 2019, Period.T1), names(seeded)))
    facts = {row[0].value: row[1] for row in load_workbook(path)["Rapport"].iter_rows()}
    result = facts["Utfall mot budget"]
    assert result.value == -219 and result.data_type == "n"
    assert result.number_format == exports.TKR_FORMAT and '"\u2212"' in result.number_format


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) saknas")
@pytest.mark.parametrize("fonts", [True, None], ids=["systemets typsnitt", "inbyggd Helvetica"])
def test_the_pdf_handout_renders_to_a4_with_the_figures(seeded, tmp_path, fonts):
    data = exports.report_pdf(load_report(seeded, 2019, Period.T1), names(seeded), fonts=fonts)
    assert data.startswith(b"%PDF")
    pdf = tmp_path / "t1.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    png = next(tmp_path.glob("p*.png"))
    with Image.open(png) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.02
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 500  # text, table and chart bars were drawn
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "219 tkr" in text
        assert "Bräcke kommun" in text
        assert "ej granskad" in text


def test_without_system_fonts_the_pdf_falls_back_to_helvetica_and_still_renders(seeded, monkeypatch):
    monkeypatch.setattr(exports, "FONT_CANDIDATES", (("/finns/inte.ttf", "/finns/inte-bold.ttf"),))
    assert exports._font_files() is None
    data = exports.report_pdf(load_report(seeded, 2019, Period.HELAR), names(seeded))
    assert data.startswith(b"%PDF") and b"Helvetica" in data


def test_cli_writes_xlsx_and_pdf_files(seeded_path, tmp_path, capsys):
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"rapport.{fmt}"
        code, text, _ = report_2019(
            seeded_path, capsys, "--period", "helår", "--format", fmt, "--out", str(out)
        )
        assert code == 0 and out.stat().st_size > 1000
        assert "Årsbokslut 2019" in text
