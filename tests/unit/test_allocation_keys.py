"""Key specifications: what a valid key is, in Swedish when it is not, and JSON round trips."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from portfolio.errors import InvalidInputError
from portfolio.ledger.keys import (
    AllocationItemInput,
    EqualSpec,
    KeyInput,
    PayerSpec,
    PopulationSpec,
    SharesSpec,
    TwoLevelSpec,
    key_text,
    spec_from_form,
    spec_from_json,
)


def test_a_two_level_key_must_name_its_group_in_the_first_level():
    with pytest.raises(InvalidInputError) as info:
        spec_from_json(
            {
                "kind": "tvåsteg",
                "first": {"RJH": 1},
                "group": "kommunerna",
                "then": {"kind": "befolkning", "population_year": 2018},
            }
        )
    assert any("kommunerna" in m and "första fördelningen" in m for m in info.value.messages)


def test_shares_must_have_something_positive():
    with pytest.raises(ValidationError, match="större än noll"):
        SharesSpec(shares={"BRACKE": Decimal(0)})


def test_an_unknown_kind_is_refused_in_swedish():
    with pytest.raises(InvalidInputError) as info:
        spec_from_json({"kind": "lotteri"})
    assert info.value.messages[0].startswith("Fördelningsnyckeln")


def test_a_party_code_must_look_like_one():
    with pytest.raises(ValidationError):
        PayerSpec(party="Åre kommun")


def test_an_item_by_amount_needs_the_amount_and_keeps_it_in_ore():
    with pytest.raises(ValidationError, match="Ange beloppet"):
        AllocationItemInput(year=2019, name="x", source_kind="belopp", key_id=1)
    item = AllocationItemInput(year=2019, name="x", source_kind="belopp", amount_ore="1 234,50", key_id=1)
    assert item.amount_ore == 123_450


specs = st.one_of(
    st.builds(EqualSpec, parties=st.lists(st.sampled_from(["RJH", "ARE", "BERG"]), unique=True).map(tuple)),
    st.builds(PopulationSpec, population_year=st.integers(2000, 2030)),
    st.builds(
        SharesSpec,
        shares=st.dictionaries(
            st.sampled_from(["ARE", "BERG"]), st.decimals(min_value=1, max_value=99, places=2), min_size=1
        ),
    ),
    st.builds(PayerSpec, party=st.sampled_from(["ARE", "RJH"])),
    st.builds(
        TwoLevelSpec,
        first=st.just({"RJH": 3, "kommunerna": 1}),
        then=st.builds(PopulationSpec, population_year=st.just(2018)),
    ),
)


@given(specs)
def test_every_key_survives_its_stored_json_form(spec):
    stored = spec.model_dump(mode="json")
    assert spec_from_json(stored) == spec
    assert KeyInput(year=2019, name="n", spec=stored).spec == spec


NAMES = {"RJH": "Region Jämtland Härjedalen", "BERG": "Bergs kommun", "OSD": "Östersunds kommun"}


def test_key_text_counts_every_party_when_equal_shares_name_none():
    assert key_text({"kind": "lika", "parties": []}, NAMES) == "Lika delar mellan 3 parter"
    assert key_text({"kind": "lika", "parties": ["BERG", "OSD"]}, NAMES) == "Lika delar mellan 2 parter"


def test_key_text_names_the_parties_of_shares_and_the_payer():
    shares = {"kind": "andelar", "shares": {"RJH": "2", "BERG": "1", "XYZ": "1"}}
    assert key_text(shares, NAMES) == "Andelar: Region Jämtland Härjedalen 2, Bergs kommun 1, XYZ 1"
    assert key_text({"kind": "betalare", "party": "OSD"}, NAMES) == "Östersunds kommun betalar allt"
    assert key_text({"kind": "befolkning", "population_year": 2018}, NAMES) == (
        "Efter befolkning 2018 bland kommunerna"
    )


def test_key_text_of_two_levels_gives_the_first_split_its_basis_then_the_second_level():
    spec = TwoLevelSpec.model_validate(
        {
            "first": {"RJH": 50_000_000, "kommunerna": 50_000_000},
            "then": {"kind": "befolkning", "population_year": 2018},
            "basis": "LINK2-avtalet",
        }
    ).model_dump(mode="json")
    assert key_text(spec, NAMES) == (
        "Först Region Jämtland Härjedalen 500\u202f000 kr, kommunerna 500\u202f000 kr (från LINK2-avtalet);"
        " sedan kommunerna: efter befolkning 2018 bland kommunerna"
    )


def form_spec(kind: str, **fields):
    values: dict[str, Any] = {
        "chosen_parties": ["BERG"],
        "population_year": 2018.0,
        "shares_text": "",
        "payer": "OSD",
        "region_weight": "",
        "municipal_weight": "",
    } | fields
    return spec_from_form(kind, **values)


def test_the_new_key_form_takes_only_the_fields_its_kind_uses():
    assert form_spec("lika") == {"kind": "lika", "parties": ["BERG"]}
    assert form_spec("befolkning") == {"kind": "befolkning", "parties": ["BERG"], "population_year": 2018}
    assert form_spec("betalare") == {"kind": "betalare", "party": "OSD"}


def test_a_two_level_key_from_the_form_splits_region_and_municipalities_then_by_population():
    spec = form_spec("tvåsteg", region_weight="500 000", municipal_weight="")
    assert spec == {
        "kind": "tvåsteg",
        "first": {"RJH": 50_000_000, "kommunerna": 0},
        "group": "kommunerna",
        "then": {"kind": "befolkning", "population_year": 2018},
    }


def test_shares_are_read_one_a_line_with_decimal_comma_and_a_bad_line_is_named():
    spec = form_spec("andelar", shares_text="berg = 2,5\n\nRJH=1")
    assert spec == {"kind": "andelar", "shares": {"BERG": Decimal("2.5"), "RJH": Decimal("1")}}
    with pytest.raises(InvalidInputError) as caught:
        form_spec("andelar", shares_text="BERG=2\nRJH två")
    assert caught.value.messages == ["Rad 2: 'RJH två' ska skrivas PARTKOD=tal"]
