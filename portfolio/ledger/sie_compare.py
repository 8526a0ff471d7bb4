"""What a new SIE import would replace: the earlier ledger beside the new one, in figures.

Pure functions over the import log and the columnar month sums; the page and the command line
show the comparison before the admin confirms a replacement.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from portfolio.money import format_kr

__all__ = ["CLASS_NAMES", "Comparison", "LedgerFacts", "class_sums"]

CLASS_NAMES = {
    "1": "1 Tillgångar",
    "2": "2 Eget kapital och skulder",
    "3": "3 Intäkter",
    "4": "4 Material och varor",
    "5": "5 Övriga externa kostnader",
    "6": "6 Övriga externa kostnader",
    "7": "7 Personal och avskrivningar",
    "8": "8 Finansiella poster och resultat",
}


def class_sums(actual: pl.DataFrame) -> dict[str, int]:
    """#TRANS sums per account class (the account's first digit), in öre."""
    if actual.is_empty():
        return {}
    sums = (
        actual.lazy()
        .group_by(pl.col("account").str.slice(0, 1).alias("klass"))
        .agg(pl.col("amount_ore").sum())
        .collect()
    )
    return {str(k): int(v) for k, v in sums.iter_rows()}


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """One ledger's counts, dates and class sums (an earlier import, or the file being read)."""

    label: str
    vouchers: int
    trans_rows: int
    first_date: str | None
    last_date: str | None
    sums: dict[str, int]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The live import(s) a new file would replace, and the new file."""

    before: tuple[LedgerFacts, ...]
    after: LedgerFacts

    @property
    def rows_disappearing(self) -> int:
        """#TRANS rows of the earlier import(s) that leave the ledger on replacement."""
        return sum(f.trans_rows for f in self.before)

    def table(self) -> pl.DataFrame:
        """Per account class: before, after and the difference, in öre."""
        before: dict[str, int] = {}
        for facts in self.before:
            for k, v in facts.sums.items():
                before[k] = before.get(k, 0) + v
        classes = sorted({*before, *self.after.sums})
        return pl.DataFrame(
            {
                "klass": [CLASS_NAMES.get(k, k) for k in classes],
                "före_ore": [before.get(k, 0) for k in classes],
                "efter_ore": [self.after.sums.get(k, 0) for k in classes],
                "skillnad_ore": [self.after.sums.get(k, 0) - before.get(k, 0) for k in classes],
            },
            schema={
                "klass": pl.String,
                "före_ore": pl.Int64,
                "efter_ore": pl.Int64,
                "skillnad_ore": pl.Int64,
            },
        )

    def lines(self) -> list[str]:
        """The comparison as Swedish lines for the command line."""

        def one(f: LedgerFacts) -> str:
            period = f"{f.first_date} – {f.last_date}" if f.first_date else "inga transaktioner"
            return f"{f.label}: {f.vouchers} verifikationer, {f.trans_rows} rader, {period}"

        out = ["Jämförelse (före → efter):"]
        out += [f"  Före: {one(f)}" for f in self.before]
        out.append(f"  Efter: {one(self.after)}")
        out.append(f"  Rader som försvinner ur huvudboken: {self.rows_disappearing}")
        out.append("  Summa per kontoklass (före → efter, skillnad):")
        for klass, before, after, diff in self.table().iter_rows():
            out.append(f"    {klass}: {format_kr(before)} → {format_kr(after)} ({format_kr(diff)})")
        return out
