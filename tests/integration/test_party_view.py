"""Bräcke's own view of 2019 on the seeded database, against figures worked out here from the
seed documents (../shared/seeds, ../shared/DOMAIN.md), not from the code under test; the command
line, the exports, and the review that stores which view it refers to."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard.cli import main
from portfolio import store as core_store
from portfolio.auth import Role, User
from portfolio.errors import InvalidInputError
from portfolio.ledger import keys, party_exports, party_service, party_store, tertial_store
from portfolio.ledger.tertial import review_report
from portfolio.periods import Period
from registers.database import open_database
from tests.conftest import SHARED
from tests.present import present
from tests.stored import bracke_t1_2019_review

DOMAIN = (SHARED / "DOMAIN.md").read_text(encoding="utf-8")
BUDGET_DECISION = next(
    line
    for p in sorted((SHARED / "seeds").glob("*.txt"))
    for line in p.read_text(encoding="utf-8").splitlines()
    if "Basfinansiering för 2019 fastställs till" in line
)
BRACKE_CEO = User(
    id=None, email="kc@bracke.se", name="Kommunchef Bräcke", role=Role.KOMMUNCHEF, party="BRACKE"
)


def _kr(text: str) -> int:
    return int(re.sub(r"\D", "", text)) * 100


def _populations_2018() -> dict[str, int]:
    """'Östersund 63 200, Krokom 15 000, …' from DOMAIN.md's allocation keys."""
    sentence = DOMAIN.split("rounded to hundreds (public SCB statistics; illustrative, editable):")[1]
    sentence = sentence.split(".")[0]
    return {
        m[1]: int(m[2].replace(" ", "")) for m in re.finditer(r"([A-ZÅÄÖ][a-zåäö]+) (\d+ \d{3})", sentence)
    }


def _link2_municipal(column: str) -> int:
    """The Totalt row of LINK2's final report table: 'budget kommunerna' or 'outcome kommunerna'."""
    table = DOMAIN.split("### LINK2 budget vs outcome (final report, kr)")[1].split("\n\n")[1]
    header, _, *rows = [[c.strip(" *") for c in line.strip("|").split("|")] for line in table.splitlines()]
    total = next(r for r in rows if r[0] == "Totalt")
    return _kr(total[header.index(column)])


def _largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    whole = sum(weights.values())
    quotas = {k: Fraction(total * w, whole) for k, w in weights.items()}
    parts = {k: int(q) for k, q in quotas.items()}
    for k in sorted(quotas, key=lambda k: quotas[k] - parts[k], reverse=True)[: total - sum(parts.values())]:
        parts[k] += 1
    return parts


BASE_FUNDING = _kr(BUDGET_DECISION.split("fastställs till")[1].split("kr")[0]) // 9
POPULATIONS = _populations_2018()
BRACKE_BUDGET = _largest_remainder(_link2_municipal("budget kommunerna"), POPULATIONS)["Bräcke"]
BRACKE_ACTUAL = _largest_remainder(_link2_municipal("outcome kommunerna"), POPULATIONS)["Bräcke"]


def test_the_expected_figures_come_from_the_documents():
    assert BASE_FUNDING == 10_160_000  # 914 400 kr / 9 parties
    assert len(POPULATIONS) == 8 and POPULATIONS["Bräcke"] == 6_500
    assert _link2_municipal("budget kommunerna") == 56_500_000
    assert _link2_municipal("outcome kommunerna") == 51_021_200


def test_brackes_2019_view_is_base_funding_plus_its_population_share_of_link2s_budget_and_outcome(seeded):
    view = party_service.load_view(seeded, "Bräcke", 2019, Period.HELAR)
    assert view.party == "BRACKE" and view.party_name == "Bräcke kommun"
    rows = {r["item"]: r for r in view.rows.iter_rows(named=True)}
    assert (rows["basfinansiering"]["budget_ore"], rows["basfinansiering"]["actual_ore"]) == (
        BASE_FUNDING,
    ) * 2
    link2 = rows["LINK2 budget"]
    assert (link2["budget_ore"], link2["actual_ore"]) == (BRACKE_BUDGET, BRACKE_ACTUAL)
    assert link2["deviation_ore"] == BRACKE_BUDGET - BRACKE_ACTUAL
    assert rows["Serverdrift Åre"]["budget_ore"] == rows["Serverdrift Åre"]["actual_ore"] == 0
    assert view.totals.budget_ore == BASE_FUNDING + BRACKE_BUDGET  # 129 720,21 kr
    assert view.totals.actual_ore == BASE_FUNDING + BRACKE_ACTUAL
    # The document's 5 212 + 5 212 ≠ 10 425 is shown, not hidden.
    assert any("1 kr" in note for note in view.rounding_notes)


def test_every_party_s_shares_sum_to_what_each_item_splits(seeded):
    views = [party_service.load_view(seeded, p, 2019, Period.HELAR) for p in core_store.party_codes(seeded)]
    budget = sum(v.totals.budget_ore for v in views)
    assert budget == 91_440_000 + 281_000_000  # base funding and LINK2's whole budget
    link2 = [v.rows.filter(v.rows["item"] == "LINK2 budget").row(0, named=True) for v in views]
    # The parties' outcome shares sum to the financiers' columns, which the final report rounds:
    # 5 212 + 5 212 is 1 kr short of the 10 425 kr line, and that krona stays visible.
    assert sum(r["actual_ore"] for r in link2) == link2[0]["item_actual_ore"] - link2[0]["rounding_ore"]
    assert link2[0]["rounding_ore"] == 100


def test_cli_prints_brackes_2019_view_as_json_one_row_per_item(seeded_path, capsys):
    args = [
        "report",
        "party",
        "--party",
        "Bräcke",
        "--year",
        "2019",
        "--format",
        "json",
        "--db",
        str(seeded_path),
    ]
    assert main(args) == 0
    rows = {r["item"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"basfinansiering", "LINK2 budget", "Serverdrift Åre"}
    assert rows["basfinansiering"]["budgeted_share"] == rows["basfinansiering"]["actual_share"] == 101_600
    assert rows["LINK2 budget"]["key"] == "LINK2 region/kommuner 2019"
    assert rows["LINK2 budget"]["budgeted_share"] == pytest.approx(BRACKE_BUDGET / 100)
    assert rows["LINK2 budget"]["actual_share"] == pytest.approx(BRACKE_ACTUAL / 100)


def test_cli_refuses_an_unknown_party_in_swedish(seeded_path, capsys):
    assert main(["report", "party", "--party", "Stockholm", "--year", "2019", "--db", str(seeded_path)]) == 1
    assert "Okänd part 'Stockholm'" in capsys.readouterr().err


def test_cli_says_when_nothing_is_allocated_in_a_year(seeded_path, capsys):
    assert main(["report", "party", "--party", "Bräcke", "--year", "2031", "--db", str(seeded_path)]) == 1
    assert "Inget fördelas 2031" in capsys.readouterr().err


def test_the_table_and_the_xlsx_hold_the_same_figures(seeded, seeded_path, tmp_path, capsys):
    assert main(["report", "party", "--party", "BRACKE", "--year", "2019", "--db", str(seeded_path)]) == 0
    table = capsys.readouterr().out
    assert "Bräcke kommun – vad parten betalar 2019 (helår)" in table
    assert "129\u202f720,21 kr" in table
    headings = table.splitlines()[1].split()
    assert headings[:3] == ["Post", "Fördelningsnyckel", "Budgeterad"]
    view = party_service.load_view(seeded, "bracke", 2019, Period.HELAR)
    sheet = load_workbook(io.BytesIO(party_exports.party_xlsx(view)))["Partsvy"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["basfinansiering"][2:4] == (101_600, 101_600)
    assert rows["Summa"][2] * 100 == BASE_FUNDING + BRACKE_BUDGET
    assert rows["LINK2 budget"][3] * 100 == BRACKE_ACTUAL


def test_a_review_stores_which_party_view_it_refers_to_and_notices_later_changes(seeded):
    review_report(seeded, BRACKE_CEO, year=2019, period=Period.T1, comment="Granskat")
    stored = party_store.review_view(seeded, 2019, "T1", "BRACKE")
    assert stored is not None
    assert (stored["party"], stored["year"], stored["period"]) == ("BRACKE", 2019, "T1")
    assert stored["budget_ore"] == BASE_FUNDING + BRACKE_BUDGET
    assert stored["actual_ore"] == BASE_FUNDING + BRACKE_ACTUAL
    audit = seeded.execute(
        "SELECT after FROM audit_log WHERE entity = 'tertialrapport' AND action = 'granska' ORDER BY id DESC"
    ).fetchone()
    assert json.loads(audit[0])["partsvy"]["fingerprint"] == stored["fingerprint"]
    # A new population for Bräcke changes its share: the stored view no longer matches.
    keys.set_population(
        seeded,
        User(id=None, email="admin@x.se", name="A", role=Role.ADMIN),
        party="BRACKE",
        year=2018,
        population=6_600,
        version=0,
    )
    now = party_service.load_view(seeded, "BRACKE", 2019, Period.T1)
    assert now.totals.fingerprint != stored["fingerprint"]


def test_an_unknown_party_is_refused_before_anything_is_read(seeded):
    with pytest.raises(InvalidInputError, match="Okänd part"):
        party_service.load_view(seeded, "Oslo", 2019, Period.HELAR)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) saknas")
def test_the_pdf_is_tagged_swedish_and_holds_brackes_figures(seeded, tmp_path):
    data = party_exports.party_pdf(party_service.load_view(seeded, "Bräcke", 2019, Period.HELAR))
    root = PdfReader(io.BytesIO(data)).root_object
    assert "/StructTreeRoot" in root and root["/Lang"] == "sv-SE"
    pdf = tmp_path / "partsvy.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bräcke kommun – vad parten betalar 2019" in text
    assert "129 720,21 kr" in text.replace("\u202f", " ")


def test_a_database_from_before_upgrades_and_its_earlier_reviews_refer_to_no_view(seeded_path):
    old = open_database(seeded_path)
    old.executescript(
        "DROP TABLE tertial_review_views; DELETE FROM _migrations WHERE migration_set = 'party_view';"
    )
    bracke_t1_2019_review(old)
    old.close()
    upgraded = open_database(seeded_path)
    assert party_store.review_view(upgraded, 2019, "T1", "BRACKE") is None
    assert tertial_store.get_review(upgraded, 2019, "T1", "BRACKE") is not None
    review_report(upgraded, BRACKE_CEO, year=2019, period=Period.T1, comment="Igen")
    assert (
        present(party_store.review_view(upgraded, 2019, "T1", "BRACKE"))["budget_ore"]
        == BASE_FUNDING + BRACKE_BUDGET
    )
