from collections.abc import Mapping, Sequence
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from registers.surveys.logic import (
    diverging_layout,
    group_shares,
    response_rate,
    statement_stats,
    suppressed_groups,
    to_counts,
)

TRAINING = "Jag har fått tillräcklig utbildning"
SUPPORT = "Jag vet vart jag ska vända mig"

# Hand data on the 1–6 scale, every respondent answering both statements.
Answers = Mapping[str, Mapping[str, Sequence[int | None]]]

ANSWERS: Answers = {
    "kommunerna": {TRAINING: [1, 2, 2, 3, 4, 6], SUPPORT: [5, 6, 6, 4, 5, 6]},
    "vårdavdelningar": {TRAINING: [3, 3, 4, 2, 1], SUPPORT: [6, 5, 5, 4, 6]},
}


ANSWER_SCHEMA = {"respondent_id": pl.String, "group": pl.String, "statement": pl.String, "answer": pl.Int64}


def answer_rows(*rows: tuple[str, str, str, int | None]) -> pl.DataFrame:
    """Answers row by row: (respondent, group, statement, answer)."""
    return pl.DataFrame(rows, schema=ANSWER_SCHEMA, orient="row")


def respondents(answers: Answers) -> pl.DataFrame:
    """The answers in respondent shape; the i-th answer of a group is its respondent i's."""
    return answer_rows(
        *(
            (f"{group[:3]}-{i}", group, statement, value)
            for group, by_statement in answers.items()
            for statement, values in by_statement.items()
            for i, value in enumerate(values)
        )
    )


def counts(rows: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["statement", "group", "answer", "count"], orient="row")


HAND_COUNTS = counts(
    [
        (TRAINING, "kommunerna", 1, 1),
        (TRAINING, "kommunerna", 2, 2),
        (TRAINING, "kommunerna", 3, 1),
        (TRAINING, "kommunerna", 4, 1),
        (TRAINING, "kommunerna", 6, 1),
        (TRAINING, "vårdavdelningar", 1, 1),
        (TRAINING, "vårdavdelningar", 2, 1),
        (TRAINING, "vårdavdelningar", 3, 2),
        (TRAINING, "vårdavdelningar", 4, 1),
        (SUPPORT, "kommunerna", 4, 1),
        (SUPPORT, "kommunerna", 5, 2),
        (SUPPORT, "kommunerna", 6, 3),
        (SUPPORT, "vårdavdelningar", 4, 1),
        (SUPPORT, "vårdavdelningar", 5, 2),
        (SUPPORT, "vårdavdelningar", 6, 2),
    ]
)


def test_to_counts_counts_answers_per_statement_group_and_value() -> None:
    assert_frame_equal(to_counts(respondents(ANSWERS), 6), HAND_COUNTS, check_dtypes=False)


def test_pooled_means_match_hand_computation() -> None:
    stats = statement_stats(respondents(ANSWERS), 6)
    # Training: (1+2+2+3+4+6) + (3+3+4+2+1) = 18 + 13 = 31 over 11 → 2.8181… → 2.82
    # Support:  (5+6+6+4+5+6) + (6+5+5+4+6) = 32 + 26 = 58 over 11 → 5.2727… → 5.27
    assert stats["statement"].to_list() == [TRAINING, SUPPORT]
    assert stats["n"].to_list() == [11, 11]
    assert stats["answer_sum"].to_list() == [31, 58]
    assert stats["mean"].to_list() == pytest.approx([31 / 11, 58 / 11])
    assert stats["mean_display"].to_list() == [2.82, 5.27]
    training = stats.row(0, named=True)
    assert [training[f"count_{k}"] for k in range(1, 7)] == [2, 3, 3, 2, 0, 1]
    assert [training[f"share_{k}"] for k in range(1, 7)] == pytest.approx(
        [2 / 11, 3 / 11, 3 / 11, 2 / 11, 0, 1 / 11]
    )


def test_both_input_shapes_give_the_same_statistics() -> None:
    from_respondents = statement_stats(respondents(ANSWERS), 6)
    from_counts = statement_stats(HAND_COUNTS, 6)
    assert_frame_equal(from_respondents, from_counts)
    one_group = statement_stats(HAND_COUNTS, 6, groups=["kommunerna"])
    assert one_group["mean"].to_list() == pytest.approx([3.0, 32 / 6])
    assert_frame_equal(statement_stats(respondents(ANSWERS), 6, groups=["kommunerna"]), one_group)


def test_display_mean_rounds_half_up() -> None:
    # 1+1+2+2+2+3+3+3 = 17 over 8 = 2.125 → 2.13 (half up; binary rounding would give 2.12).
    data = respondents({"kommunerna": {TRAINING: [1, 1, 2, 2, 2, 3, 3, 3]}})
    stats = statement_stats(data, 6)
    assert stats["mean"].item() == 2.125
    assert stats["mean_display"].item() == 2.13


def test_skipped_answers_are_not_counted() -> None:
    data = respondents({"kommunerna": {TRAINING: [1, 2, 3, 4, 5, None], SUPPORT: [6] * 6}})
    stats = statement_stats(data, 6)
    assert stats["n"].to_list() == [5, 6]
    assert stats["mean"].to_list() == [3.0, 6.0]


def test_a_group_below_five_respondents_is_suppressed() -> None:
    data = respondents({**ANSWERS, "stab": {TRAINING: [6, 6], SUPPORT: [1, 1]}})
    # stab (2) is too small; with it alone hidden, "total − shown groups" would reveal it, so
    # the next smallest, vårdavdelningar (5), is hidden too: 2 + 5 = 7 ≥ 5.
    assert suppressed_groups(data) == ["stab", "vårdavdelningar"]


def test_small_groups_that_together_reach_five_need_no_further_suppression() -> None:
    data = counts([(TRAINING, "a", 1, 2), (TRAINING, "b", 1, 3), (TRAINING, "c", 1, 6)])
    assert suppressed_groups(data) == ["a", "b"]
    assert suppressed_groups(data, min_group_size=3) == ["a", "b"]  # a < 3; b added: 2 + 3
    assert suppressed_groups(data, min_group_size=2) == []


def test_stats_refuse_a_single_small_group() -> None:
    data = respondents({**ANSWERS, "stab": {TRAINING: [6, 6], SUPPORT: [1, 1]}})
    with pytest.raises(ValueError, match=r"kan inte visas separat.*stab"):
        statement_stats(data, 6, groups=["stab"])
    with pytest.raises(ValueError, match="vårdavdelningar"):
        statement_stats(data, 6, groups=["kommunerna", "vårdavdelningar"])


def test_small_groups_still_count_in_the_total() -> None:
    data = respondents({**ANSWERS, "stab": {TRAINING: [6, 6], SUPPORT: [1, 1]}})
    stats = statement_stats(data, 6)
    # Training: 31 + 12 = 43 over 13.
    assert stats["n"].to_list() == [13, 13]
    assert stats["answer_sum"].to_list() == [43, 60]
    assert statement_stats(data, 6, groups=["kommunerna"])["n"].to_list() == [6, 6]


def test_a_survey_with_fewer_than_five_respondents_is_refused() -> None:
    data = respondents({"kommunerna": {TRAINING: [1, 2, 3, 4]}})
    with pytest.raises(ValueError, match="Enkäten har 4 svarande"):
        statement_stats(data, 6)


def test_a_statement_with_too_few_answers_has_no_figures() -> None:
    data = respondents(
        {"kommunerna": {TRAINING: [1, 2, 3, 4, 5, 6], SUPPORT: [6, 6, None, None, None, None]}}
    )
    stats = statement_stats(data, 6)
    support = stats.row(1, named=True)
    assert (support["n"], support["suppressed"]) == (2, True)
    assert support["mean"] is None
    assert support["answer_sum"] is None
    assert support["share_6"] is None
    assert support["count_6"] is None
    assert stats.row(0, named=True)["mean"] == 3.5


def test_unknown_or_empty_group_selection_is_refused() -> None:
    with pytest.raises(ValueError, match="finns inte i enkäten: chefer"):
        statement_stats(HAND_COUNTS, 6, groups=["chefer"])
    with pytest.raises(ValueError, match="Välj minst en grupp"):
        statement_stats(HAND_COUNTS, 6, groups=[])


def test_group_shares_in_both_shapes() -> None:
    expected = [("kommunerna", 6, 6 / 11, False), ("vårdavdelningar", 5, 5 / 11, False)]
    assert group_shares(respondents(ANSWERS)).rows() == expected
    assert group_shares(HAND_COUNTS).rows() == expected


def test_group_shares_flags_suppressed_groups() -> None:
    data = respondents({**ANSWERS, "stab": {TRAINING: [6, 6], SUPPORT: [1, 1]}})
    shares = group_shares(data)
    assert shares.select("group", "suppressed").rows() == [
        ("kommunerna", False),
        ("vårdavdelningar", True),
        ("stab", True),
    ]
    assert shares["share"].sum() == pytest.approx(1.0)


def test_duplicate_answer_names_the_respondent() -> None:
    data = answer_rows(
        ("r1", "kommunerna", TRAINING, 1),
        ("r2", "kommunerna", TRAINING, 2),
        ("r2", "kommunerna", TRAINING, 3),
    )
    with pytest.raises(ValueError, match="Svarande r2 har svarat mer än en gång"):
        to_counts(data, 6)


def test_answer_outside_the_scale_names_the_row() -> None:
    data = answer_rows(
        ("r1", "kommunerna", TRAINING, 1),
        ("r2", "kommunerna", TRAINING, 6),
        ("r3", "kommunerna", TRAINING, 7),
    )
    with pytest.raises(ValueError, match=r"utanför skalan 1–6 på: rad 3 \(answer 7\)"):
        to_counts(data, 6)
    with pytest.raises(ValueError, match=r"rad 2 \(answer 6\)"):
        to_counts(data, 5)


def test_answer_outside_the_scale_in_counts_is_refused() -> None:
    with pytest.raises(ValueError, match=r"rad 1 \(answer 0\)"):
        statement_stats(counts([(TRAINING, "kommunerna", 0, 5)]), 6)


def test_fractional_answers_and_negative_counts_are_refused() -> None:
    data = pl.DataFrame({"respondent_id": ["r1"], "group": ["a"], "statement": [TRAINING], "answer": [2.5]})
    with pytest.raises(ValueError, match="måste vara ett heltal"):
        to_counts(data, 6)
    with pytest.raises(ValueError, match="Antalet får inte vara negativt på: rad 1"):
        statement_stats(counts([(TRAINING, "a", 1, -1)]), 6)


def test_a_respondent_in_two_groups_is_refused() -> None:
    data = answer_rows(("r1", "kommunerna", TRAINING, 1), ("r1", "stab", SUPPORT, 2))
    with pytest.raises(ValueError, match="Svarande r1 förekommer i mer än en grupp"):
        to_counts(data, 6)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="saknas i svaren: answer"):
        to_counts(pl.DataFrame({"respondent_id": [1], "group": ["a"], "statement": ["s"]}), 6)


def test_response_rate_is_exact() -> None:
    # LINK2: 229 answers of about 3 200 users.
    assert response_rate(229, 3_200) == Decimal("0.0715625")
    assert response_rate(0, 10) == 0


@pytest.mark.parametrize(
    ("answered", "population", "message"),
    [(1, 0, "större än noll"), (11, 10, "mellan 0 och"), (-1, 10, "mellan 0 och")],
)
def test_impossible_response_rates_are_refused(answered: int, population: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        response_rate(answered, population)


def test_diverging_layout_splits_an_even_scale_between_three_and_four() -> None:
    stats = statement_stats(respondents(ANSWERS), 6)
    layout = diverging_layout(stats, 6).filter(pl.col("statement") == TRAINING)
    # Training counts 1–6: 2, 3, 3, 2, 0, 1 of 11. Negative: 3, 2, 1 outward; positive: 4, 5, 6.
    assert layout.select("answer", "side", "position").rows() == [
        (3, "negativ", 1),
        (2, "negativ", 2),
        (1, "negativ", 3),
        (4, "positiv", 1),
        (5, "positiv", 2),
        (6, "positiv", 3),
    ]
    assert layout["share"].to_list() == pytest.approx([-3 / 11, -3 / 11, -2 / 11, 2 / 11, 0, 1 / 11])
    totals = dict(layout.select("side", "side_total").unique().iter_rows())
    assert totals == pytest.approx({"negativ": -8 / 11, "positiv": 3 / 11})


def test_diverging_layout_halves_the_middle_answer_on_an_odd_scale() -> None:
    data = respondents({"kommunerna": {TRAINING: [1, 2, 3, 3, 4, 5, 5, 5]}})
    layout = diverging_layout(statement_stats(data, 5), 5)
    # 1–5 counts 1, 1, 2, 1, 3 of 8; the middle answer 3 (2/8) is split 1/8 to each side.
    assert layout.select("answer", "side", "position").rows() == [
        (3, "negativ", 0),
        (2, "negativ", 1),
        (1, "negativ", 2),
        (3, "positiv", 0),
        (4, "positiv", 1),
        (5, "positiv", 2),
    ]
    assert layout["share"].to_list() == pytest.approx([-1 / 8, -1 / 8, -1 / 8, 1 / 8, 1 / 8, 3 / 8])
    totals = dict(layout.select("side", "side_total").unique().iter_rows())
    assert totals == pytest.approx({"negativ": -3 / 8, "positiv": 5 / 8})


def test_diverging_layout_leaves_out_suppressed_statements() -> None:
    data = respondents(
        {"kommunerna": {TRAINING: [1, 2, 3, 4, 5, 6], SUPPORT: [6, 6, None, None, None, None]}}
    )
    layout = diverging_layout(statement_stats(data, 6), 6)
    assert layout["statement"].unique().to_list() == [TRAINING]
