"""Risk scoring: score = sannolikhet × konsekvens on a 4×4 or 5×5 scale, banded low/medium/high."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import polars as pl

__all__ = [
    "SCALES",
    "Band",
    "Thresholds",
    "band",
    "band_expr",
    "band_expr_by",
    "band_text",
    "band_text_expr",
    "default_thresholds",
    "late_actions",
    "late_text",
    "level_label",
    "matrix_counts",
    "matrix_grid",
    "score",
    "top_risks",
    "with_lateness",
]

SCALES = (4, 5)
DONE_STATUS = "klar"


@dataclass(frozen=True)
class _BandStyle:
    label: str
    symbol: str
    colour: str
    text_colour: str


class Band(StrEnum):
    """Risk band; show ``label`` and ``symbol`` with the colour, never the colour alone.

    Colours meet WCAG 2.1 AA (≥ 4.5:1) against their ``text_colour``: green #1E7B34 with white
    text (5.3:1), yellow #F5C518 with black text (12.9:1), red #B42318 with white text (6.6:1).
    """

    GRON = "grön"
    GUL = "gul"
    ROD = "röd"

    @property
    def label(self) -> str:
        """Swedish label: Låg, Medel or Hög."""
        return _BAND_STYLES[self].label

    @property
    def symbol(self) -> str:
        """A distinct shape per band: ● low, ▲ medium, ■ high."""
        return _BAND_STYLES[self].symbol

    @property
    def colour(self) -> str:
        """Background colour as hex."""
        return _BAND_STYLES[self].colour

    @property
    def text_colour(self) -> str:
        """Text colour to use on ``colour`` (black or white), AA contrast."""
        return _BAND_STYLES[self].text_colour


_BAND_STYLES = {
    Band.GRON: _BandStyle("Låg", "●", "#1E7B34", "#FFFFFF"),
    Band.GUL: _BandStyle("Medel", "▲", "#F5C518", "#000000"),
    Band.ROD: _BandStyle("Hög", "■", "#B42318", "#FFFFFF"),
}


@dataclass(frozen=True)
class Thresholds:
    """Scores from ``yellow_from`` are yellow, from ``red_from`` red, below both green."""

    yellow_from: int
    red_from: int

    def __post_init__(self) -> None:
        if not 2 <= self.yellow_from < self.red_from:
            raise ValueError(
                "Gränsen för gul måste vara minst 2 och lägre än gränsen för röd "
                f"(nu gul från {self.yellow_from}, röd från {self.red_from})"
            )


def _check_scale(scale: int) -> int:
    if scale not in SCALES:
        raise ValueError(f"Skalan måste vara 4 (4×4) eller 5 (5×5), inte {scale}")
    return scale


def default_thresholds(scale: int) -> Thresholds:
    """Default bands: 4×4 green 1–3, yellow 4–8, red 9–16; 5×5 green 1–4, yellow 5–11, red 12–25.

    On 4×4 red starts where both factors are at least 3 (3×3); on 5×5 where a score of 12 means
    e.g. sannolikhet 3 × konsekvens 4, the common cut in municipal work-environment matrices.
    """
    if _check_scale(scale) == 4:
        return Thresholds(yellow_from=4, red_from=9)
    return Thresholds(yellow_from=5, red_from=12)


def _check_level(value: object, what: str, scale: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale:
        raise ValueError(f"{what} måste vara mellan 1 och {scale}")
    return value


def score(probability: int, consequence: int, scale: int) -> int:
    """Risk score = probability × consequence, each validated to lie in 1..scale."""
    _check_scale(scale)
    return _check_level(probability, "Sannolikheten", scale) * _check_level(
        consequence, "Konsekvensen", scale
    )


def band(score: int, thresholds: Thresholds) -> Band:
    """Band for a score under the given thresholds (the one rule, `band_expr_by`, on one value)."""
    if isinstance(score, bool) or not isinstance(score, int) or score < 1:
        raise ValueError(f"Riskvärdet måste vara ett positivt heltal, inte {score}")
    return Band(pl.select(band_expr(pl.lit(score), thresholds)).item())


def band_expr(score: pl.Expr, thresholds: Thresholds) -> pl.Expr:
    """Polars expression giving the band value ("grön", "gul", "röd") of a score column."""
    return band_expr_by(score, pl.lit(thresholds.yellow_from), pl.lit(thresholds.red_from))


def _require_columns(df: pl.DataFrame, columns: list[str]) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError("Kolumner saknas: " + ", ".join(missing))


def matrix_counts(
    df: pl.DataFrame,
    prob_col: str,
    cons_col: str,
    scale: int,
    thresholds: Thresholds | None = None,
) -> pl.DataFrame:
    """Count risks in every cell of the scale × scale matrix, zero-filled, with score and band.

    Rows with no probability or consequence (not yet assessed) are left out; values outside
    1..scale are refused. Columns: ``prob_col``, ``cons_col``, ``score``, ``band``, ``count``.
    """
    _check_scale(scale)
    _require_columns(df, [prob_col, cons_col])
    limits = thresholds or default_thresholds(scale)
    assessed = df.lazy().select(pl.col(prob_col).cast(pl.Int64), pl.col(cons_col).cast(pl.Int64)).drop_nulls()
    outside = assessed.filter(~pl.col(prob_col).is_between(1, scale) | ~pl.col(cons_col).is_between(1, scale))
    n_outside = outside.select(pl.len()).collect().item()
    if n_outside:
        raise ValueError(f"{n_outside} risker har sannolikhet eller konsekvens utanför 1–{scale}")
    levels = pl.LazyFrame({"level": pl.int_range(1, scale + 1, eager=True)})
    grid = levels.select(pl.col("level").alias(prob_col)).join(
        levels.select(pl.col("level").alias(cons_col)), how="cross"
    )
    counts = assessed.group_by(prob_col, cons_col).agg(pl.len().cast(pl.Int64).alias("count"))
    return (
        grid.join(counts, on=[prob_col, cons_col], how="left")
        .with_columns(
            score=pl.col(prob_col) * pl.col(cons_col),
            count=pl.col("count").fill_null(0),
        )
        .with_columns(band=band_expr(pl.col("score"), limits))
        .select(prob_col, cons_col, "score", "band", "count")
        .sort(prob_col, cons_col)
        .collect()
    )


def late_actions(
    actions: pl.DataFrame,
    today: date,
    status_col: str = "status",
    due_col: str = "due_date",
) -> pl.DataFrame:
    """Actions not "klar" whose due date is before ``today``, with ``days_late``, latest first."""
    return (
        with_lateness(actions, today, status_col, due_col)
        .drop("late_text")
        .filter(pl.col("days_late").is_not_null())
        .sort("days_late", descending=True, maintain_order=True)
    )


def band_expr_by(score: pl.Expr, yellow_from: pl.Expr, red_from: pl.Expr) -> pl.Expr:
    """Band value of a score column when every row carries its own register's thresholds."""
    return (
        pl.when(score.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(score >= red_from)
        .then(pl.lit(Band.ROD.value))
        .when(score >= yellow_from)
        .then(pl.lit(Band.GUL.value))
        .otherwise(pl.lit(Band.GRON.value))
    )


def band_text(value: str | None) -> str:
    """A band as symbol and word ("■ Hög"); "– Ej bedömd" when there is no score."""
    if not value:
        return "– Ej bedömd"
    b = Band(value)
    return f"{b.symbol} {b.label}"


def band_text_expr(band_col: pl.Expr) -> pl.Expr:
    """Polars expression turning band values into symbol + word, never colour alone."""
    mapping = {b.value: f"{b.symbol} {b.label}" for b in Band}
    return band_col.replace_strict(mapping, default="– Ej bedömd", return_dtype=pl.String)


_LEVEL_WORDS = {
    ("sannolikhet", 4): ("Mycket liten", "Liten", "Stor", "Mycket stor"),
    ("konsekvens", 4): ("Liten", "Måttlig", "Betydande", "Allvarlig"),
    ("sannolikhet", 5): ("Mycket liten", "Liten", "Måttlig", "Stor", "Mycket stor"),
    ("konsekvens", 5): ("Mycket liten", "Liten", "Måttlig", "Stor", "Mycket allvarlig"),
}


def level_label(kind: str, level: int | None, scale: int) -> str:
    """A level with its word on the register's scale: "3 – Stor"; "Ej bedömd" for None."""
    if level is None:
        return "Ej bedömd"
    words = _LEVEL_WORDS[(kind, _check_scale(scale))]
    _check_level(level, kind.capitalize(), scale)
    return f"{level} – {words[level - 1]}"


def matrix_grid(counts: pl.DataFrame, prob_col: str, cons_col: str, scale: int) -> pl.DataFrame:
    """The text twin of a heat map: one row per probability (highest first), one column per consequence.

    Each cell reads like "2 ▲ Medel" so that the table carries the same figures as the chart.
    """
    _check_scale(scale)
    _require_columns(counts, [prob_col, cons_col, "band", "count"])
    mapping = {b.value: f"{b.symbol} {b.label}" for b in Band}
    cells = counts.with_columns(
        cell=pl.format("{} {}", pl.col("count"), pl.col("band").replace_strict(mapping)),
        column=pl.format("Konsekvens {}", pl.col(cons_col)),
    )
    columns = [f"Konsekvens {c}" for c in range(1, scale + 1)]
    return (
        cells.pivot(on="column", index=prob_col, values="cell")
        .sort(prob_col, descending=True)
        .select(pl.format("Sannolikhet {}", pl.col(prob_col)).alias("Sannolikhet"), *columns)
    )


def late_text(days_late: int | None) -> str:
    """ "Försenad, 12 dagar" (or "1 dag"); empty when not late (the rule of `with_lateness`)."""
    return str(pl.select(_late_text_expr(pl.lit(days_late, dtype=pl.Int64))).item())


def _late_text_expr(days_late: pl.Expr) -> pl.Expr:
    return (
        pl.when(days_late == 1)
        .then(pl.lit("Försenad, 1 dag"))
        .when(days_late > 1)
        .then(pl.format("Försenad, {} dagar", days_late))
        .otherwise(pl.lit(""))
    )


def _as_date(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    # ISO text as the database stores it, or a real date column
    return column.str.to_date("%Y-%m-%d", strict=False) if dtype == pl.String else column.cast(pl.Date)


def with_lateness(
    actions: pl.DataFrame,
    today: date,
    status_col: str = "status",
    due_col: str = "due_date",
) -> pl.DataFrame:
    """Every action with ``days_late`` (null unless late) and ``late_text`` ("Försenad, 12 dagar")."""
    _require_columns(actions, [status_col, due_col])
    is_done = (pl.col(status_col).str.strip_chars().str.to_lowercase() == DONE_STATUS).fill_null(False)
    due = _as_date(pl.col(due_col), actions.schema[due_col])
    days = (pl.lit(today) - due).dt.total_days()
    late = ~is_done & due.is_not_null() & (due < pl.lit(today))
    return actions.with_columns(
        days_late=pl.when(late).then(days).otherwise(pl.lit(None, dtype=pl.Int64)),
    ).with_columns(late_text=_late_text_expr(pl.col("days_late")))


def residual_review_due(risk_status: str, action_statuses: Sequence[str], action_changed_last: bool) -> bool:
    """Whether the residual risk should be reassessed: an open risk whose actions are now all done.

    `action_changed_last`: an action was changed after the risk itself was last saved, so the
    residual levels were set before the last action was done.
    """
    return (
        risk_status != "stängd"
        and bool(action_statuses)
        and all(s.strip().lower() == DONE_STATUS for s in action_statuses)
        and action_changed_last
    )


_BAND_RANK = {Band.ROD.value: 3, Band.GUL.value: 2, Band.GRON.value: 1}


def top_risks(
    risks: pl.DataFrame,
    n: int,
    *,
    score_col: str = "score",
    band_col: str = "band",
    scale_col: str = "scale",
) -> pl.DataFrame:
    """The ``n`` most serious risks: red before yellow before green, then by share of the scale's maximum.

    Comparing shares (score / scale²) lets a 4×4 and a 5×5 register be ranked together.
    """
    _require_columns(risks, [score_col, band_col, scale_col])
    return (
        risks.lazy()
        .filter(pl.col(score_col).is_not_null())
        .with_columns(
            _rank=pl.col(band_col).replace_strict(_BAND_RANK, default=0, return_dtype=pl.Int64),
            score_share=pl.col(score_col) / (pl.col(scale_col) * pl.col(scale_col)),
        )
        .sort(["_rank", "score_share"], descending=[True, True], maintain_order=True)
        .drop("_rank")
        .head(n)
        .collect()
    )
