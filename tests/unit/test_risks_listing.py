"""Which risks the risk page lists and in what order, without a database."""

from __future__ import annotations

import polars as pl
import pytest

from registers.risks import listing

RISKS = pl.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "register_id": [10, 10, 20, 20],
        "title": ["Leverantören går i konkurs", "Nyckelperson slutar", "Dataintrång", "Försenad upphandling"],
        "description": ["Avtalet saknar vite", None, "Lösenord läcker", "Överprövning"],
        "owner": ["Anna Berg", "Erik Lund", None, "anna berg"],
        "status": ["öppen", "öppen", "stängd", "bevakas"],
        "probability": [4, 2, 3, 1],
        "consequence": [4, 2, 3, 4],
        "score": [16, 4, 9, 4],
        "band": ["röd", "grön", "gul", "grön"],
        "residual_probability": [2, None, 1, 1],
        "residual_consequence": [2, None, 3, 1],
        "residual_score": [4, None, 3, 1],
        "residual_band": ["grön", None, "grön", "grön"],
        "next_review": ["2026-03-01", None, "2026-01-15", "2026-02-01"],
    }
)
ACTIONS = pl.DataFrame(
    {
        "id": [100, 101, 102, 103],
        "risk_id": [1, 1, 3, 4],
        "days_late": [5, 12, None, 2],
    },
    schema={"id": pl.Int64, "risk_id": pl.Int64, "days_late": pl.Int64},
)
INHERENT = listing.view_columns("inherent")
RESIDUAL = listing.view_columns("residual")


def ids(frame: pl.DataFrame) -> list[int]:
    return frame["id"].to_list()


def test_the_views_read_the_inherent_or_the_residual_columns():
    assert INHERENT == ("probability", "consequence", "score", "band")
    assert RESIDUAL == ("residual_probability", "residual_consequence", "residual_score", "residual_band")


def test_scope_keeps_chosen_registers_and_statuses_and_nothing_chosen_keeps_all():
    assert ids(listing.in_scope(RISKS, [], [])) == [1, 2, 3, 4]
    assert ids(listing.in_scope(RISKS, [20], [])) == [3, 4]
    assert ids(listing.in_scope(RISKS, [], ["öppen"])) == [1, 2]
    assert ids(listing.in_scope(RISKS, [20], ["öppen", "bevakas"])) == [4]
    assert ids(listing.in_scope(RISKS, [10], ["stängd"])) == []


def test_late_actions_are_counted_per_risk_with_the_most_days():
    late = listing.late_per_risk(ACTIONS).sort("risk_id")
    assert late.rows() == [(1, 2, 12), (4, 1, 2)]


def test_the_list_carries_each_risks_late_actions_and_none_where_nothing_is_late():
    shown = listing.listed(RISKS, ACTIONS, INHERENT, sort_by="id")
    assert shown.select("id", "late", "max_late").rows() == [
        (1, 2, 12),
        (2, None, None),
        (3, None, None),
        (4, 1, 2),
    ]


def test_a_matrix_cell_narrows_the_list_on_the_views_own_levels():
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, probability=1, consequence=4)) == [4]
    assert ids(listing.listed(RISKS, ACTIONS, RESIDUAL, probability=1, consequence=1)) == [4]
    assert ids(listing.listed(RISKS, ACTIONS, RESIDUAL, probability=1, sort_by="id")) == [3, 4]
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, consequence=4, sort_by="id")) == [1, 4]


def test_bands_filter_on_the_views_band():
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, bands=["grön"], sort_by="id")) == [2, 4]
    assert ids(listing.listed(RISKS, ACTIONS, RESIDUAL, bands=["grön"], sort_by="id")) == [1, 3, 4]
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, bands=["röd", "gul"], sort_by="id")) == [1, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [1, 2, 3, 4]),
        ("   ", [1, 2, 3, 4]),
        ("konkurs", [1]),  # title
        ("LÖSENORD", [3]),  # description, any case
        ("anna berg", [1, 4]),  # owner, any case
        ("  erik ", [2]),  # the text is trimmed
        ("vite", [1]),
        ("a.b", []),  # literal, not a pattern
        ("saknas helt", []),
    ],
)
def test_search_looks_in_title_description_and_owner_ignoring_case(text, expected):
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, search=text, sort_by="id")) == expected


def test_search_reads_the_fields_joined_by_a_space_and_skips_a_missing_owner():
    # Risk 3 has no owner; its title and description, joined, still match.
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT, search="dataintrång lösenord", sort_by="id")) == [3]


def test_filters_combine():
    shown = listing.listed(
        listing.in_scope(RISKS, [10, 20], ["öppen", "bevakas"]),
        ACTIONS,
        INHERENT,
        bands=["grön"],
        search="anna",
    )
    assert ids(shown) == [4]


def test_risk_values_sort_highest_first_and_other_keys_ascending_with_empty_values_last():
    assert ids(listing.sort_risks(RISKS, "score"))[:2] == [1, 3]
    assert ids(listing.sort_risks(RISKS, "residual_score")) == [1, 3, 4, 2]
    assert ids(listing.sort_risks(RISKS, "next_review")) == [3, 4, 1, 2]
    assert ids(listing.sort_risks(RISKS, "title")) == [3, 4, 1, 2]
    assert ids(listing.sort_risks(RISKS.reverse(), "id")) == [1, 2, 3, 4]
    assert ids(listing.listed(RISKS, ACTIONS, INHERENT))[:2] == [1, 3]  # the list's default


def test_every_sort_key_is_a_column_of_the_risks():
    for key in listing.SORT_KEYS:
        assert listing.sort_risks(RISKS, key).height == RISKS.height


def test_late_actions_are_the_late_ones_latest_first():
    assert listing.late_actions(ACTIONS)["id"].to_list() == [101, 100, 103]


def test_the_actions_of_the_listed_risks():
    assert ids(listing.actions_of(ACTIONS, RISKS.filter(pl.col("id").is_in([1, 4])))) == [100, 101, 103]
    assert listing.actions_of(ACTIONS, RISKS.head(0)).height == 0


def test_the_detail_view_offers_the_listed_risks_or_all_and_keeps_the_chosen_one():
    assert listing.detail_choices([2, 1], [1, 2, 3], None) == ([2, 1], False)
    assert listing.detail_choices([], [1, 2, 3], None) == ([1, 2, 3], False)
    assert listing.detail_choices([2, 1], [1, 2, 3], 3) == ([2, 1, 3], True)
    assert listing.detail_choices([2, 1], [1, 2, 3], 1) == ([2, 1], False)
    assert listing.detail_choices([2, 1], [1, 2, 3], 9) == ([2, 1], False)  # deleted or another project's
