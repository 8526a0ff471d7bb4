"""The pure party view: budget and outcome split per item, the outcome by financier, deviations."""

from __future__ import annotations

from portfolio.allocation import ByPopulation, EqualShares, NamedPayer, TwoLevel
from portfolio.ledger.party import ItemFigures, all_parties, party_frame, totals

POPULATION = ByPopulation({"A": 3, "B": 1})
TWO_LEVEL = TwoLevel(first={"R": 4, "kommunerna": 1}, group="kommunerna", then=POPULATION)


def two_level(
    item: str, *, budget_ore: int, actual_ore: int, region: int, municipalities: int
) -> ItemFigures:
    """An item split in two steps, whose outcome the ledger splits between the region R and the
    municipalities."""
    return ItemFigures(
        item=item,
        key_name="Två steg",
        key=TWO_LEVEL,
        budget_ore=budget_ore,
        actual_ore=actual_ore,
        actual_by_financier={"R": region, "kommunerna": municipalities},
    )


def test_the_municipal_share_of_the_outcome_is_split_by_population_not_by_the_budget_proportions():
    # Budget 5 000 kr: the region 4 000, the municipalities 1 000 (A 750, B 250). The outcome
    # 6 000 kr fell on the region (5 800) more than on the municipalities (200): A pays 150.
    item = two_level("Projekt", budget_ore=500_000, actual_ore=600_000, region=580_000, municipalities=20_000)
    view = party_frame([item], "A")
    row = view.row(0, named=True)
    assert (row["budget_ore"], row["actual_ore"], row["deviation_ore"]) == (75_000, 15_000, 60_000)
    everyone = all_parties([item], ["R", "A", "B"])
    assert dict(everyone.select("party", "actual_ore").iter_rows()) == {"R": 580_000, "A": 15_000, "B": 5_000}
    assert int(everyone["budget_ore"].sum()) == 500_000


def test_without_a_split_outcome_the_outcome_is_allocated_by_the_key_itself():
    item = ItemFigures(
        item="Post", key_name="Lika", key=EqualShares(("A", "B", "C")), budget_ore=100, actual_ore=200
    )
    frame = all_parties([item], ["A", "B", "C"])
    assert frame["budget_ore"].to_list() == [34, 33, 33]
    assert frame["actual_ore"].to_list() == [67, 67, 66]
    assert frame["deviation_ore"].to_list() == [-33, -34, -33]


def test_a_document_rounding_difference_is_kept_beside_the_parts_not_hidden():
    item = two_level("Resor", budget_ore=0, actual_ore=1_042_500, region=521_200, municipalities=521_200)
    frame = all_parties([item], ["R", "A", "B"])
    assert int(frame["actual_ore"].sum()) == 1_042_400
    assert set(frame["rounding_ore"].to_list()) == {100}


def test_a_party_an_item_does_not_touch_still_gets_its_row_with_zero():
    item = ItemFigures(
        item="Serverdrift", key_name="Åre betalar", key=NamedPayer("ARE"), budget_ore=900, actual_ore=0
    )
    view = party_frame([item], "BRACKE")
    assert view.height == 1
    assert view.row(0, named=True)["budget_ore"] == 0


def test_the_fingerprint_changes_when_any_share_changes_and_not_otherwise():
    first = ItemFigures(
        item="P", key_name="Lika", key=EqualShares(("A", "B")), budget_ore=1_000, actual_ore=1_000
    )
    later = ItemFigures(
        item="P", key_name="Lika", key=EqualShares(("A", "B")), budget_ore=1_000, actual_ore=1_002
    )
    before, same, after = (totals(party_frame([i], "A")) for i in (first, first, later))
    assert before == same
    assert before.fingerprint != after.fingerprint
    assert (after.budget_ore, after.actual_ore, after.deviation_ore) == (500, 501, -1)
