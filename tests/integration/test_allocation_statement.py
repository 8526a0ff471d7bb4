"""Allocation keys in the database: the seeded 2019 keys, versioned populations, the command
line, and parts that sum to the whole to the öre for any amount and any key (property-based)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.cli import main
from portfolio.auth import SYSTEM, Role, User
from portfolio.errors import InvalidInputError, PermissionDeniedError, StaleEditError
from portfolio.ledger import keys, keys_store
from portfolio.ledger.keys import (
    AllocationItemInput,
    EqualSpec,
    KeyInput,
    PayerSpec,
    PopulationSpec,
    SharesSpec,
    TwoLevelSpec,
)

MUNICIPALITIES = ("BERG", "BRACKE", "HARJEDALEN", "KROKOM", "RAGUNDA", "STROMSUND", "ARE", "OSTERSUND")
POP_2018 = {
    "OSTERSUND": 63_200,
    "KROKOM": 15_000,
    "STROMSUND": 11_700,
    "ARE": 11_400,
    "HARJEDALEN": 10_300,
    "BERG": 7_100,
    "BRACKE": 6_500,
    "RAGUNDA": 5_400,
}


def test_cli_allocates_the_2019_base_funding_equally_to_nine_parties(seeded_path, capsys):
    assert (
        main(
            [
                "allocate",
                "--year",
                "2019",
                "--item",
                "basfinansiering",
                "--format",
                "json",
                "--db",
                str(seeded_path),
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 9
    assert {r["amount"] for r in rows} == {101600}
    assert {r["party"] for r in rows} == {"RJH", *MUNICIPALITIES}


def test_cli_table_shows_party_names_and_the_sum(seeded_path, capsys):
    assert main(["allocate", "--year", "2019", "--item", "basfinansiering", "--db", str(seeded_path)]) == 0
    out = capsys.readouterr().out
    assert "Bräcke kommun" in out and "914\u202f400 kr" in out


def test_an_unknown_item_is_named_in_the_error(seeded_path, capsys):
    assert main(["allocate", "--year", "2019", "--item", "okänt", "--db", str(seeded_path)]) == 1
    assert "basfinansiering" in capsys.readouterr().err


def test_link2_region_pays_its_budget_lines_and_municipalities_split_theirs_by_population(seeded):
    _, amount, parts = keys.allocate_item(seeded, 2019, "LINK2 budget")
    assert amount == 281_000_000
    assert parts["RJH"] == 224_500_000
    municipal = {p: v for p, v in parts.items() if p != "RJH"}
    assert sum(municipal.values()) == 56_500_000
    total_pop = sum(POP_2018.values())
    for party, value in municipal.items():
        assert abs(value - 56_500_000 * POP_2018[party] / total_pop) < 1


def test_the_statement_per_party_sums_to_each_item(seeded):
    statement = keys.party_statement(seeded, 2019)
    for item in set(statement["item"].to_list()):
        part = statement.filter(statement["item"] == item)
        assert part["amount_ore"].sum() == part["item_total_ore"][0]
    bracke = statement.filter(statement["party"] == "BRACKE")
    assert bracke.filter(bracke["item"] == "basfinansiering")["amount_ore"][0] == 10_160_000


def test_a_population_edit_is_a_new_version_and_a_stale_one_is_refused(seeded):
    assert keys_store.current_populations(seeded, 2018)["BRACKE"] == (6_500, 0)
    assert keys.set_population(seeded, SYSTEM, party="BRACKE", year=2018, population=6_600, version=0) == 1
    with pytest.raises(StaleEditError):
        keys.set_population(seeded, SYSTEM, party="BRACKE", year=2018, population=6_700, version=0)
    assert keys_store.current_populations(seeded, 2018)["BRACKE"] == (6_600, 1)
    history = keys_store.population_history(seeded, 2018)
    assert history["population"].to_list() == [6_600]
    _, _, parts = keys.allocate_item(seeded, 2019, "LINK2 budget")
    assert sum(parts.values()) == 281_000_000


def test_population_and_keys_are_admin_only(seeded):
    ceo = User(id=None, email="kc@x.se", name="KC", role=Role.KOMMUNCHEF, party="BRACKE")
    with pytest.raises(PermissionDeniedError):
        keys.set_population(seeded, ceo, party="BRACKE", year=2018, population=1, version=0)
    with pytest.raises(PermissionDeniedError):
        keys.save_key(seeded, ceo, KeyInput(year=2019, name="x", spec=PayerSpec(party="BRACKE")))


def test_a_key_naming_an_unknown_party_or_a_taken_name_is_refused(seeded):
    with pytest.raises(InvalidInputError, match="Okänd part 'XYZ'"):
        keys.save_key(seeded, SYSTEM, KeyInput(year=2019, name="Ny", spec=PayerSpec(party="XYZ")))
    with pytest.raises(InvalidInputError, match="finns redan"):
        keys.save_key(seeded, SYSTEM, KeyInput(year=2019, name="Lika delar 2019", spec=EqualSpec()))


def test_a_custom_key_and_an_item_by_amount_are_saved_audited_and_allocated(seeded):
    audit_before = seeded.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    key_id = keys.save_key(
        seeded,
        SYSTEM,
        KeyInput(
            year=2020, name="DSO nytta", spec=SharesSpec(shares={"BRACKE": Decimal(1), "ARE": Decimal("2.5")})
        ),
    )
    keys.save_item(
        seeded,
        SYSTEM,
        AllocationItemInput(
            year=2020, name="Dataskyddsombud", source_kind="belopp", amount_ore="100 000", key_id=key_id
        ),
    )
    _, amount, parts = keys.allocate_item(seeded, 2020, "dataskyddsombud")
    assert amount == 10_000_000
    assert parts == {"BRACKE": 2_857_143, "ARE": 7_142_857}
    audited = seeded.execute(
        "SELECT entity FROM audit_log WHERE id > ? ORDER BY id", [audit_before]
    ).fetchall()
    assert audited == [("fördelningsnyckel",), ("fördelningspost",)]


def test_a_key_edit_from_an_old_version_is_refused(seeded):
    key_id = keys.save_key(seeded, SYSTEM, KeyInput(year=2020, name="Betalare", spec=PayerSpec(party="ARE")))

    def edit_version_1(payer: str) -> None:
        data = KeyInput(year=2020, name="Betalare", spec=PayerSpec(party=payer))
        keys.save_key(seeded, SYSTEM, data, key_id=key_id, version=1)

    edit_version_1("BERG")
    with pytest.raises(StaleEditError):
        edit_version_1("KROKOM")


parties = st.sampled_from(("RJH", *MUNICIPALITIES))
specs = st.one_of(
    st.builds(EqualSpec, parties=st.lists(parties, min_size=1, max_size=9, unique=True).map(tuple)),
    st.builds(
        PopulationSpec,
        population_year=st.just(2018),
        parties=st.lists(st.sampled_from(MUNICIPALITIES), min_size=0, max_size=8, unique=True).map(tuple),
    ),
    st.builds(
        SharesSpec,
        shares=st.dictionaries(
            parties, st.decimals(min_value=0, max_value=1000, places=3), min_size=1
        ).filter(lambda d: sum(d.values()) > 0),
    ),
    st.builds(PayerSpec, party=parties),
    st.builds(
        TwoLevelSpec,
        first=st.tuples(st.integers(0, 10**9), st.integers(1, 10**9)).map(
            lambda t: {"RJH": t[0], "kommunerna": t[1]}
        ),
        then=st.builds(PopulationSpec, population_year=st.just(2018)),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs, amount=st.integers(-(10**12), 10**12))
def test_any_amount_split_by_any_key_sums_to_the_whole_to_the_ore(seeded, spec, amount):
    parts = keys.apply_spec(seeded, spec, amount)
    assert sum(parts.values()) == amount
    assert all(isinstance(v, int) for v in parts.values())
    # No part is off its exact share by a whole öre or more.
    if isinstance(spec, EqualSpec):
        exact = abs(amount) / len(spec.parties)
        assert all(abs(abs(v) - exact) < 1 for v in parts.values())
