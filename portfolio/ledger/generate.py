"""A synthetic SIE 4 file with known totals: for tests and for the import benchmark.

Deterministic for a given seed; streams to the file, so two million rows take little memory.
The generator keeps the totals a correct importer must reproduce: net cost per project
(dimension 6) and tertial for `#TRANS` rows on result accounts, the year-0 `#PBUDGET`
per project and tertial, and the committee's totals per account.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.periods import Period

__all__ = ["GeneratedLedger", "generate_sie", "main"]

# Accounts of the Kommun-Bas default, one or two per report line, with the ledger's sign:
# revenues are negative, costs positive.
REVENUE_ACCOUNTS = ("3110", "3510", "3690")
COST_ACCOUNTS = ("4010", "5010", "5410", "6110", "6410", "7010", "7410", "7610", "7910", "8410")
BALANCING_ACCOUNTS = ("1930", "2440")
DEFAULT_PROJECTS = ("6663", "6674", "6676")
COST_CENTRES = ("10", "20", "30")
# Rows per write() call: large enough that the file layer is not the bottleneck.
FLUSH_LINES = 20_000


@dataclass
class GeneratedLedger:
    """What was written, and the totals a correct import must reproduce (öre, ledger sign)."""

    path: Path
    year: int
    vouchers: int = 0
    trans_rows: int = 0
    budget_rows: int = 0
    # (project, period) → net cost of #TRANS on result accounts dated in the period.
    actual: dict[tuple[str, Period], int] = field(default_factory=dict)
    # (project, period) → year-0 #PBUDGET for months in the period.
    budget: dict[tuple[str, Period], int] = field(default_factory=dict)
    # (account, month) → #TRANS sum, every row (with or without objects).
    account_months: dict[tuple[str, int], int] = field(default_factory=dict)
    # (account, month) → year-0 budget for the committee (the totals, never added twice).
    budget_account_months: dict[tuple[str, int], int] = field(default_factory=dict)
    projects: tuple[str, ...] = DEFAULT_PROJECTS

    def actual_for(self, project: str, period: Period) -> int:
        """Net cost of a project in a period, in öre (0 when it has none)."""
        return self.actual.get((project, period), 0)

    def budget_for(self, project: str, period: Period) -> int:
        """Budget of a project in a period, in öre (0 when it has none)."""
        return self.budget.get((project, period), 0)


def _kr(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    whole, rest = divmod(abs(ore), 100)
    return f"{sign}{whole}.{rest:02d}"


def _header(year: int, projects: Sequence[str]) -> list[str]:
    lines = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        '#PROGRAM "portfolj generator" 1.0',
        f"#GEN {year + 1}0115",
        '#FNAMN "Syntetisk nämnd för Åre och Östersund"',
        "#ORGNR 232100-0214",
        f"#RAR 0 {year}0101 {year}1231",
        f"#RAR -1 {year - 1}0101 {year - 1}1231",
        "#KPTYP KOMMUNBAS",
        '#DIM 1 "Ansvar"',
        '#DIM 6 "Projekt"',
    ]
    lines += [f'#OBJEKT 1 {cc} "Kostnadsställe {cc}"' for cc in COST_CENTRES]
    lines += [f'#OBJEKT 6 {p} "Projekt {p} för Åre"' for p in projects]
    for account in (*REVENUE_ACCOUNTS, *COST_ACCOUNTS, *BALANCING_ACCOUNTS):
        lines.append(f'#KONTO {account} "Konto {account}"')
    return lines


def _period_of(month: int) -> tuple[Period, ...]:
    """The accumulated periods a month belongs to."""
    return tuple(p for p in Period if month <= p.last_month)


def generate_sie(
    path: str | Path,
    *,
    rows: int = 10_000,
    seed: int = 1,
    year: int = 2019,
    projects: Sequence[str] = DEFAULT_PROJECTS,
    corrections: bool = True,
) -> GeneratedLedger:
    """Write a balanced SIE 4 file of about `rows` #TRANS rows and return its known totals.

    With `corrections`, some vouchers carry an `#RTRANS` with its `#TRANS` twin and a
    `#BTRANS` (a removed row): only the `#TRANS` rows count.
    """
    rng = random.Random(seed)
    out = Path(path)
    result = GeneratedLedger(path=out, year=year, projects=tuple(projects))
    actual: dict[tuple[str, Period], int] = defaultdict(int)
    budget: dict[tuple[str, Period], int] = defaultdict(int)
    account_months: dict[tuple[str, int], int] = defaultdict(int)
    budget_months: dict[tuple[str, int], int] = defaultdict(int)
    result_accounts = (*REVENUE_ACCOUNTS, *COST_ACCOUNTS)
    periods_by_month = {m: _period_of(m) for m in range(1, 13)}
    randrange = rng.randrange
    choice = rng.choice
    random_ = rng.random

    with out.open("w", encoding="cp437", newline="\n") as fh:
        buf = _header(year, projects)
        # Budget: per project, month and a few accounts, plus the {} totals per account and
        # month that repeat them (and some budget without a project).
        for account in ("3110", "5010", "7410", "8410"):
            for month in range(1, 13):
                period = f"{year}{month:02d}"
                total = 0
                for project in projects:
                    amount = randrange(-500_000, 4_000_000)
                    if account == "3110":
                        amount = -abs(amount)
                    total += amount
                    buf.append(f'#PBUDGET 0 {period} {account} {{1 "10" 6 "{project}"}} {_kr(amount)}')
                    result.budget_rows += 1
                    for p in periods_by_month[month]:
                        budget[(project, p)] += amount
                unallocated = randrange(0, 1_000_000)
                total += unallocated
                buf.append(f"#PBUDGET 0 {period} {account} {{}} {_kr(total)}")
                result.budget_rows += 1
                budget_months[(account, month)] += total
                # The previous year's budget must never be counted as this year's.
                buf.append(f"#PBUDGET -1 {year - 1}{month:02d} {account} {{}} {_kr(total * 2)}")
                result.budget_rows += 1
        fh.write("\n".join(buf) + "\n")
        buf = []

        number = 0
        written = 0
        while written < rows:
            number += 1
            month = randrange(1, 13)
            day = randrange(1, 29)
            date = f"{year}{month:02d}{day:02d}"
            periods = periods_by_month[month]
            n = 1 + randrange(4)
            buf.append(f'#VER A {number} {date} "Verifikation {number}"')
            buf.append("{")
            balance = 0
            for _ in range(n):
                account = choice(result_accounts)
                amount = randrange(1, 2_500_000)
                if account[0] == "3":
                    amount = -amount
                r = random_()
                if r < 0.7:
                    project = choice(projects)
                    cc = choice(COST_CENTRES)
                    objects = f'{{"1" "{cc}" "6" "{project}"}}' if r < 0.35 else f"{{1 {cc} 6 {project}}}"
                    for p in periods:
                        actual[(project, p)] += amount
                elif r < 0.85:
                    objects = f'{{"1" "{choice(COST_CENTRES)}"}}'
                else:
                    objects = "{}"
                balance += amount
                account_months[(account, month)] += amount
                if r < 0.5:
                    buf.append(f"\t#TRANS {account} {objects} {_kr(amount)}")
                else:
                    buf.append(f'\t#TRANS {account} {objects} {_kr(amount)} {date} "Rad {number}"')
            if corrections and number % 97 == 0:
                # A corrected row: the #RTRANS and its #TRANS twin, and a removed #BTRANS.
                twin = randrange(1, 100_000)
                buf.append(f"\t#RTRANS 5010 {{}} {_kr(twin)} {date}")
                buf.append(f"\t#TRANS 5010 {{}} {_kr(twin)} {date}")
                buf.append(f"\t#BTRANS 5010 {{}} {_kr(twin * 3)} {date}")
                balance += twin
                account_months[("5010", month)] += twin
                n += 1
            buf.append(f"\t#TRANS {choice(BALANCING_ACCOUNTS)} {{}} {_kr(-balance)}")
            buf.append("}")
            written += n + 1
            if len(buf) >= FLUSH_LINES:
                fh.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            fh.write("\n".join(buf) + "\n")
        result.vouchers = number
        result.trans_rows = written

    result.actual = dict(actual)
    result.budget = dict(budget)
    result.account_months = dict(account_months)
    result.budget_account_months = dict(budget_months)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m portfolio.ledger.generate FIL --rows N --seed S`: write a test file."""
    parser = argparse.ArgumentParser(description="Skriv en syntetisk SIE 4-fil med kända summor.")
    parser.add_argument("file")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2019)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = generate_sie(args.file, rows=args.rows, seed=args.seed, year=args.year)
    seconds = time.perf_counter() - started
    print(
        f"{made.trans_rows} #TRANS-rader i {made.vouchers} verifikationer skrivna till {made.path}"
        f" på {seconds:.1f} s",
        file=sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
