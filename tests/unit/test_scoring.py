from datetime import date

import polars as pl
import pytest

from registers.risks.scoring import (
    Band,
    Thresholds,
    band,
    default_thresholds,
    late_actions,
    matrix_counts,
    residual_review_due,
    score,
)


def contrast_ratio(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("probability", "consequence", "scale", "expected"),
    [(1, 1, 4, 1), (4, 4, 4, 16), (2, 3, 4, 6), (5, 5, 5, 25), (3, 4, 5, 12), (1, 5, 5, 5)],
)
def test_score_is_probability_times_consequence(
    probability: int, consequence: int, scale: int, expected: int
) -> None:
    assert score(probability, consequence, scale) == expected


@pytest.mark.parametrize(
    ("probability", "consequence", "scale", "message"),
    [
        (5, 1, 4, "Sannolikheten måste vara mellan 1 och 4"),
        (0, 1, 4, "Sannolikheten måste vara mellan 1 och 4"),
        (1, 5, 4, "Konsekvensen måste vara mellan 1 och 4"),
        (6, 1, 5, "Sannolikheten måste vara mellan 1 och 5"),
        (1, 0, 5, "Konsekvensen måste vara mellan 1 och 5"),
        (2.5, 1, 5, "Sannolikheten måste vara mellan 1 och 5"),
        (True, 1, 5, "Sannolikheten måste vara mellan 1 och 5"),
        (1, 1, 3, "Skalan måste vara 4"),
        (1, 1, 6, "Skalan måste vara 4"),
    ],
)
def test_invalid_levels_are_refused_in_swedish(
    probability: int, consequence: int, scale: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        score(probability, consequence, scale)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, Band.GRON), (3, Band.GRON), (4, Band.GUL), (8, Band.GUL), (9, Band.ROD), (16, Band.ROD)],
)
def test_four_by_four_bands_change_at_four_and_nine(value: int, expected: Band) -> None:
    assert band(value, default_thresholds(4)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4, Band.GRON), (5, Band.GUL), (11, Band.GUL), (12, Band.ROD), (25, Band.ROD)],
)
def test_five_by_five_bands_change_at_five_and_twelve(value: int, expected: Band) -> None:
    assert band(value, default_thresholds(5)) is expected


def test_custom_thresholds_move_the_band_boundaries() -> None:
    thresholds = Thresholds(yellow_from=3, red_from=6)
    assert [band(v, thresholds) for v in (2, 3, 5, 6)] == [Band.GRON, Band.GUL, Band.GUL, Band.ROD]


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="lägre än gränsen för röd"):
        Thresholds(yellow_from=9, red_from=4)


def test_band_refuses_a_score_below_one() -> None:
    with pytest.raises(ValueError, match="positivt heltal"):
        band(0, default_thresholds(4))


def test_bands_carry_swedish_text_and_distinct_symbols() -> None:
    assert [b.label for b in Band] == ["Låg", "Medel", "Hög"]
    assert len({b.symbol for b in Band}) == 3
    assert Band.ROD == "röd"


@pytest.mark.parametrize("value", list(Band))
def test_band_colours_meet_wcag_aa_against_their_text_colour(value: Band) -> None:
    assert contrast_ratio(value.text_colour, value.colour) >= 4.5


def test_matrix_counts_fills_every_cell_of_a_four_by_four_scale() -> None:
    risks = pl.DataFrame({"p": [1, 2, 2, 4, None], "c": [3, 1, 1, 4, 2]})
    matrix = matrix_counts(risks, "p", "c", 4)
    assert matrix.height == 16
    assert matrix["count"].sum() == 4  # the unassessed risk is left out
    cells = {(r["p"], r["c"]): r["count"] for r in matrix.iter_rows(named=True)}
    assert cells[(2, 1)] == 2
    assert cells[(1, 3)] == 1
    assert cells[(4, 4)] == 1
    assert cells[(3, 3)] == 0
    top = matrix.filter(p=4, c=4).row(0, named=True)
    assert (top["score"], top["band"]) == (16, "röd")


def test_matrix_counts_fills_every_cell_of_a_five_by_five_scale() -> None:
    matrix = matrix_counts(pl.DataFrame({"p": [5], "c": [5]}), "p", "c", 5)
    assert matrix.height == 25
    assert matrix.filter(pl.col("count") > 0).select("p", "c", "count").rows() == [(5, 5, 1)]
    assert matrix.filter(p=1, c=4)["band"].item() == "grön"
    assert matrix.filter(p=1, c=5)["band"].item() == "gul"


def test_matrix_counts_of_an_empty_register_is_all_zero() -> None:
    empty = pl.DataFrame(schema={"p": pl.Int64, "c": pl.Int64})
    matrix = matrix_counts(empty, "p", "c", 4)
    assert matrix.height == 16
    assert matrix["count"].sum() == 0


def test_matrix_counts_refuses_values_outside_the_scale() -> None:
    with pytest.raises(ValueError, match="utanför 1–4"):
        matrix_counts(pl.DataFrame({"p": [5], "c": [1]}), "p", "c", 4)


def test_late_actions_are_open_and_past_due() -> None:
    actions = pl.DataFrame(
        {
            "action": ["a", "b", "c", "d", "e", "f"],
            "status": ["pågår", "klar", "ej påbörjad", "pågår", None, "Klar"],
            "due_date": [
                date(2019, 5, 1),
                date(2019, 1, 1),
                date(2019, 6, 1),
                date(2019, 6, 3),
                date(2019, 5, 30),
                date(2019, 1, 1),
            ],
        }
    )
    late = late_actions(actions, today=date(2019, 6, 3))
    # "d" is due today, so not late; "b" and "f" are done.
    assert late.select("action", "days_late").rows() == [("a", 33), ("e", 4), ("c", 2)]


def test_late_actions_needs_status_and_due_date() -> None:
    with pytest.raises(ValueError, match="due_date"):
        late_actions(pl.DataFrame({"status": ["pågår"]}), today=date(2019, 6, 3))


@pytest.mark.parametrize(
    ("risk_status", "actions", "action_changed_last", "due"),
    [
        ("hanteras", ["klar", "klar"], True, True),
        ("hanteras", ["klar", "pågår"], True, False),  # an action is still open
        ("hanteras", [], True, False),  # no actions: nothing to follow
        ("hanteras", ["klar"], False, False),  # reassessed since the last action was done
        ("stängd", ["klar"], True, False),  # a closed risk is not reassessed
        ("öppen", [" Klar "], True, True),
    ],
)
def test_the_residual_risk_is_due_for_reassessment_when_every_action_is_done(
    risk_status, actions, action_changed_last, due
):
    assert residual_review_due(risk_status, actions, action_changed_last) is due
