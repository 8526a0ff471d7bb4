"""The synthetic SIE generator: deterministic, balanced, and its totals are what the reader sees."""

from __future__ import annotations

from collections import defaultdict

from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie import read_all
from portfolio.periods import Period
from tests.present import present


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    a = generate_sie(tmp_path / "a.se", rows=800, seed=5)
    b = generate_sie(tmp_path / "b.se", rows=800, seed=5)
    c = generate_sie(tmp_path / "c.se", rows=800, seed=6)
    assert a.path.read_bytes() == b.path.read_bytes() != c.path.read_bytes()


def test_the_file_reads_cleanly_and_its_known_totals_hold(tmp_path):
    made = generate_sie(tmp_path / "g.se", rows=3_000, seed=9, year=2020)
    sie = read_all(made.path)
    assert sie.problems == ()
    assert all(v.is_balanced for v in sie.vouchers)
    assert sum(len(v.trans_rows) for v in sie.vouchers) == made.trans_rows
    assert any(r.kind != "TRANS" for v in sie.vouchers for r in v.rows)
    actual: dict[tuple[str, Period], int] = defaultdict(int)
    for voucher in sie.vouchers:
        for row in voucher.trans_rows:
            project = dict(row.objects).get("6")
            month = present(row.date or voucher.date).month
            if project and row.account[0] in "345678":
                for period in Period:
                    if month <= period.last_month:
                        actual[(project, period)] += row.amount_ore
    assert dict(actual) == made.actual
    budget: dict[tuple[str, Period], int] = defaultdict(int)
    for balance in sie.period_balances:
        project = dict(balance.objects).get("6")
        if balance.kind == "PBUDGET" and balance.year_index == 0 and project:
            for period in Period:
                if int(balance.period[4:]) <= period.last_month:
                    budget[(project, period)] += balance.amount_ore
    assert dict(budget) == made.budget
