"""Survey statistics (LINK2's user survey): counts, means, distributions and privacy suppression.

Two input shapes are accepted wherever it makes sense:

- respondents: one row per answer, ``respondent_id, group, statement, answer`` (answer may be
  null when the respondent skipped the statement);
- counts: ``statement, group, answer, count``, as a report gives them.

Privacy: a group with fewer than ``min_group_size`` respondents is never shown on its own.
``suppressed_groups`` adds further groups (smallest first) until the hidden groups together reach
the minimum, so the total minus the shown groups cannot reveal a small group either. Hidden
groups still count in the survey's total. ``statement_stats`` refuses a selection that contains
a hidden group, and leaves out the figures of a statement answered by fewer than the minimum.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

__all__ = [
    "COUNTS_SCHEMA",
    "MIN_GROUP_SIZE",
    "diverging_layout",
    "group_shares",
    "response_rate",
    "statement_stats",
    "suppressed_groups",
    "to_counts",
]

MIN_GROUP_SIZE = 5
RESPONSE_COLUMNS = ("respondent_id", "group", "statement", "answer")
COUNT_COLUMNS = ("statement", "group", "answer", "count")
COUNTS_SCHEMA = {"statement": pl.String, "group": pl.String, "answer": pl.Int64, "count": pl.Int64}
SHOWN_IN_MESSAGE = 5  # offending rows named in an error message


def _require_columns(df: pl.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"Kolumner saknas i {what}: " + ", ".join(missing))


def _check_points(points: int) -> None:
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError("Svarsskalan måste ha minst 2 svarsalternativ")


def _is_respondents(data: pl.DataFrame) -> bool:
    return "respondent_id" in data.columns


def _rows_text(rows: pl.DataFrame, detail: str | None = None) -> str:
    # rows holds at most SHOWN_IN_MESSAGE rows; naming them is a message, not data processing.
    shown = rows.head(SHOWN_IN_MESSAGE)
    parts = [
        f"rad {row['row']}" + (f" ({detail} {row[detail]})" if detail else "")
        for row in shown.iter_rows(named=True)
    ]
    more = f" och {rows.height - shown.height} till" if rows.height > shown.height else ""
    return ", ".join(parts) + more


def _raise_if_any(rows: pl.DataFrame, message: str, detail: str | None = None) -> None:
    if rows.height:
        raise ValueError(f"{message}: {_rows_text(rows, detail)}")


def _integer_answers(df: pl.DataFrame, column: str) -> pl.DataFrame:
    """Check that ``column`` holds whole numbers and cast it to Int64."""
    dtype = df.schema[column]
    if dtype.is_integer() or dtype == pl.Null:
        return df.with_columns(pl.col(column).cast(pl.Int64))
    if dtype.is_float():
        _raise_if_any(
            df.filter(pl.col(column).is_not_null() & (pl.col(column) != pl.col(column).floor())),
            f"Värdet i kolumnen {column} måste vara ett heltal på",
            column,
        )
        return df.with_columns(pl.col(column).cast(pl.Int64))
    raise ValueError(f"Kolumnen {column} måste innehålla heltal")


def _check_range(df: pl.DataFrame, points: int) -> None:
    _raise_if_any(
        df.filter(pl.col("answer").is_not_null() & ~pl.col("answer").is_between(1, points)),
        f"Svar utanför skalan 1–{points} på",
        "answer",
    )


def to_counts(responses: pl.DataFrame, points: int) -> pl.DataFrame:
    """Count answers per statement, group and answer value from one row per respondent answer.

    Refuses answers outside 1..points, a respondent answering a statement twice and a
    respondent in two groups. Skipped answers (null) are not counted. Statements keep the
    order in which they first appear.
    """
    _check_points(points)
    _require_columns(responses, RESPONSE_COLUMNS, "svaren")
    rows = _integer_answers(responses.select(RESPONSE_COLUMNS).with_row_index("row", offset=1), "answer")
    _raise_if_any(
        rows.filter(pl.any_horizontal(pl.col("respondent_id", "group", "statement").is_null())),
        "Svarande, grupp och påstående måste anges på",
    )
    _check_range(rows, points)

    duplicates = rows.filter(pl.len().over("respondent_id", "statement") > 1).unique(
        ["respondent_id", "statement"], keep="first", maintain_order=True
    )
    if duplicates.height:
        first = duplicates.row(0, named=True)
        raise ValueError(
            f"Svarande {first['respondent_id']} har svarat mer än en gång på påståendet "
            f"'{first['statement']}' (rad {first['row']})"
        )
    in_two_groups = rows.filter(pl.col("group").n_unique().over("respondent_id") > 1)
    if in_two_groups.height:
        raise ValueError(f"Svarande {in_two_groups['respondent_id'][0]} förekommer i mer än en grupp")

    return (
        rows.lazy()
        .drop_nulls("answer")
        .with_columns(order=pl.col("row").min().over("statement"))
        .group_by("order", "statement", "group", "answer")
        .agg(count=pl.len().cast(pl.Int64))
        .sort("order", "group", "answer")
        .select(pl.col("statement").cast(pl.String), pl.col("group").cast(pl.String), "answer", "count")
        .collect()
    )


def _normalise_counts(counts: pl.DataFrame, points: int) -> pl.DataFrame:
    """Validate a counts frame and sum any repeated (statement, group, answer) rows."""
    _require_columns(counts, COUNT_COLUMNS, "antalen")
    rows = counts.select(COUNT_COLUMNS).with_row_index("row", offset=1)
    rows = _integer_answers(_integer_answers(rows, "answer"), "count")
    _raise_if_any(
        rows.filter(pl.any_horizontal(pl.col(COUNT_COLUMNS).is_null())),
        "Påstående, grupp, svar och antal måste anges på",
    )
    _check_range(rows, points)
    _raise_if_any(rows.filter(pl.col("count") < 0), "Antalet får inte vara negativt på", "count")
    return (
        rows.lazy()
        .with_columns(order=pl.col("row").min().over("statement"))
        .group_by("order", "statement", "group", "answer")
        .agg(pl.col("count").sum())
        .sort("order", "group", "answer")
        .select(pl.col("statement").cast(pl.String), pl.col("group").cast(pl.String), "answer", "count")
        .collect()
    )


def _counts(data: pl.DataFrame, points: int) -> pl.DataFrame:
    _check_points(points)
    return to_counts(data, points) if _is_respondents(data) else _normalise_counts(data, points)


def _group_sizes(data: pl.DataFrame) -> pl.LazyFrame:
    """Respondents per group: exact from respondents; from counts, the most answered statement."""
    if _is_respondents(data):
        _require_columns(data, ("respondent_id", "group"), "svaren")
        return (
            data.lazy()
            .group_by(pl.col("group").cast(pl.String))
            .agg(n=pl.col("respondent_id").n_unique().cast(pl.Int64))
        )
    _require_columns(data, ("statement", "group", "count"), "antalen")
    return (
        data.lazy()
        .group_by(pl.col("group").cast(pl.String), "statement")
        .agg(n=pl.col("count").sum().cast(pl.Int64))
        .group_by("group")
        .agg(pl.col("n").max())
    )


def _with_suppression(sizes: pl.LazyFrame, min_group_size: int) -> pl.LazyFrame:
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int):
        raise ValueError("Minsta gruppstorlek måste vara ett heltal")
    if min_group_size < 1:
        raise ValueError("Minsta gruppstorlek måste vara minst 1")
    small = pl.col("n") < min_group_size
    # Smallest first: a group is also hidden while the groups hidden before it are too few
    # together, so that "total minus shown groups" never isolates fewer than the minimum.
    hidden_before = pl.col("n").cum_sum() - pl.col("n")
    return sizes.sort("n", "group").with_columns(
        suppressed=small | (small.any() & (hidden_before < min_group_size))
    )


def suppressed_groups(data: pl.DataFrame, min_group_size: int = MIN_GROUP_SIZE) -> list[str]:
    """Groups that must not be shown on their own (too few respondents), sorted by name.

    Groups under the minimum, plus the smallest other groups needed to make the hidden groups
    reach the minimum together. Accepts respondents or counts.
    """
    hidden = (
        _with_suppression(_group_sizes(data), min_group_size).filter("suppressed").sort("group").collect()
    )
    return hidden["group"].to_list()


def group_shares(data: pl.DataFrame, min_group_size: int = MIN_GROUP_SIZE) -> pl.DataFrame:
    """Respondents per group and their share of all respondents, with a ``suppressed`` flag."""
    return (
        _with_suppression(_group_sizes(data), min_group_size)
        .with_columns(share=pl.col("n") / pl.col("n").sum())
        .sort(["n", "group"], descending=[True, False])
        .select("group", "n", "share", "suppressed")
        .collect()
    )


def statement_stats(
    data: pl.DataFrame,
    points: int,
    groups: list[str] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> pl.DataFrame:
    """Per statement: n, exact and display mean, and count and share per answer value.

    ``groups=None`` pools every respondent. A selection of groups is refused with a ValueError
    when it names an unknown group or a group that ``suppressed_groups`` hides; the whole survey
    is refused when it has fewer respondents than the minimum. A statement answered by fewer
    than the minimum gets ``suppressed`` true and null figures. ``mean`` is unrounded,
    ``mean_display`` rounded half up to two decimals from the exact integers.
    """
    counts = _counts(data, points)
    sizes = _with_suppression(_group_sizes(data), min_group_size).collect()
    if groups is None:
        total = int(sizes["n"].sum())
        if total < min_group_size:
            raise ValueError(f"Enkäten har {total} svarande; resultat visas först från {min_group_size}")
        selected = counts
    else:
        if not groups:
            raise ValueError("Välj minst en grupp")
        known = set(sizes["group"].to_list())
        unknown = [g for g in groups if g not in known]
        if unknown:
            raise ValueError("Gruppen finns inte i enkäten: " + ", ".join(unknown))
        hidden = set(sizes.filter("suppressed")["group"].to_list())
        refused = [g for g in groups if g in hidden]
        if refused:
            raise ValueError(
                "Gruppen kan inte visas separat eftersom den eller andra små grupper har färre "
                f"än {min_group_size} svarande (de ingår i totalen): " + ", ".join(refused)
            )
        selected = counts.filter(pl.col("group").is_in(groups))

    answers = range(1, points + 1)
    too_few = pl.col("n") < min_group_size
    return (
        selected.lazy()
        .group_by("statement", maintain_order=True)
        .agg(
            pl.col("count").sum().alias("n"),
            (pl.col("answer") * pl.col("count")).sum().alias("answer_sum"),
            *[pl.col("count").filter(pl.col("answer") == k).sum().alias(f"count_{k}") for k in answers],
        )
        .filter(pl.col("n") > 0)
        .with_columns(
            too_few.alias("suppressed"),
            pl.when(~too_few).then(pl.col("answer_sum") / pl.col("n")).alias("mean"),
            # Half up, from integers: (2·sum·100 + n) // (2·n) / 100.
            pl.when(~too_few)
            .then(((pl.col("answer_sum") * 200 + pl.col("n")) // (2 * pl.col("n"))) / 100)
            .alias("mean_display"),
            pl.when(~too_few).then(pl.col("answer_sum")).alias("answer_sum"),
            *[pl.when(~too_few).then(pl.col(f"count_{k}")).alias(f"count_{k}") for k in answers],
            *[
                pl.when(~too_few).then(pl.col(f"count_{k}") / pl.col("n")).alias(f"share_{k}")
                for k in answers
            ],
        )
        .select(
            "statement",
            "n",
            "suppressed",
            "answer_sum",
            "mean",
            "mean_display",
            *[f"count_{k}" for k in answers],
            *[f"share_{k}" for k in answers],
        )
        .collect()
    )


def response_rate(respondents: int, population: int) -> Decimal:
    """Share of the population who answered, as an exact Decimal (229 of 3 200 → 0.0715625)."""
    for value, what in ((respondents, "Antalet svarande"), (population, "Antalet tillfrågade")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{what} måste vara ett heltal")
    if population <= 0:
        raise ValueError("Antalet tillfrågade måste vara större än noll")
    if not 0 <= respondents <= population:
        raise ValueError("Antalet svarande måste vara mellan 0 och antalet tillfrågade")
    return Decimal(respondents) / Decimal(population)


def diverging_layout(stats: pl.DataFrame, points: int) -> pl.DataFrame:
    """Segments of a diverging stacked bar per statement, from ``statement_stats`` rows.

    Answers below the midpoint go on the negative side with negative shares, answers above it on
    the positive side; on an odd scale the middle answer is split in half across both sides
    (on 1–6 the midpoint lies between 3 and 4, so there is no middle answer). ``position`` counts
    outward from the midpoint (stack in that order); ``side_total`` is the side's signed sum.
    Suppressed statements are left out.
    """
    _check_points(points)
    share_columns = [f"share_{k}" for k in range(1, points + 1)]
    _require_columns(stats, ("statement", *share_columns), "statistiken")
    twice_mid = points + 1  # twice the midpoint, to stay in integers
    answer = pl.col("answer")
    long = (
        stats.lazy()
        .filter(pl.col("suppressed").not_() if "suppressed" in stats.columns else pl.lit(True))
        .with_row_index("order")
        .unpivot(
            on=share_columns,
            index=["order", "statement"],
            variable_name="answer",
            value_name="share",
        )
        .with_columns(
            answer=pl.col("answer").str.strip_prefix("share_").cast(pl.Int64),
            share=pl.col("share").cast(pl.Float64),
        )
        .with_columns(position=((twice_mid - 2 * answer).abs() + 1) // 2)
    )
    negative = long.filter(2 * answer < twice_mid).with_columns(
        side=pl.lit("negativ"), share=0.0 - pl.col("share")
    )
    positive = long.filter(2 * answer > twice_mid).with_columns(side=pl.lit("positiv"))
    middle = long.filter(2 * answer == twice_mid)
    middle_negative = middle.with_columns(side=pl.lit("negativ"), share=(0.0 - pl.col("share")) / 2)
    middle_positive = middle.with_columns(side=pl.lit("positiv"), share=pl.col("share") / 2)
    return (
        pl.concat([negative, middle_negative, middle_positive, positive], how="diagonal")
        .with_columns(side_total=pl.col("share").sum().over("order", "side"))
        .sort("order", "side", "position")
        .select("statement", "answer", "side", "position", "share", "side_total")
        .collect()
    )
