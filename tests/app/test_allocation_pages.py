"""Kostnadsfördelning under AppTest: every role, the statement per party, keys and populations."""

from __future__ import annotations

import pytest

from portfolio.ledger import keys_store
from registers.database import open_database
from tests.app.conftest import ROLES, frame_with, texts

PAGE = "app_pages/allocation.py"


@pytest.mark.parametrize("role", ROLES)
def test_allocation_page_renders_for_every_role_with_base_funding_split_equally(app_as, role):
    at = app_as(role, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    table = frame_with(at, "basfinansiering")
    parties = table[table["Part"] != "Summa"]
    assert len(parties) == 9
    assert set(parties["basfinansiering"]) == {"101\u202f600 kr"}
    assert table[table["Part"] == "Summa"].iloc[0]["basfinansiering"] == "914\u202f400 kr"
    assert "Delarna summerar exakt" in texts(at)


def test_the_municipal_ceo_sees_what_their_party_pays(app_as):
    at = app_as("kommunchef", PAGE)
    shown = texts(at)
    assert "Vad betalar Bräcke kommun?" in shown
    # 101 600 kr base funding + Bräcke's population share of LINK2's municipal budget.
    # Shown in whole kronor (129 720,21 kr in the data): öre of a computed share mean nothing to a reader.
    assert "129\u202f720 kr" in shown and "129\u202f720,21" not in shown


def test_applying_a_key_to_an_amount_shows_parts_that_sum_to_it(app_as):
    at = app_as("namnd", PAGE)
    at.radio(key="allocation_apply_what").set_value("belopp").run()
    at.text_input(key="allocation_apply_amount").input("1 000,01").run()
    shown = texts(at)
    assert "1\u202f000,01 kr" in shown
    table = at.table[-1].value
    assert table.iloc[-1]["Belopp"] == "1\u202f000,01 kr"


def test_admin_changes_a_population_as_a_new_version(app_as, app_env):
    at = app_as("admin", PAGE)
    at.selectbox(key="allocation_population_year").set_value(2018).run()
    at.selectbox(key="allocation_population_party").set_value("BRACKE")
    at.number_input(key="allocation_population_value").set_value(6600)
    at.text_input(key="allocation_population_note").input("SCB 2018-11-01")
    at.button(key="allocation_population_submit").click().run()
    assert not at.exception
    assert "version 1" in texts(at)
    conn = open_database(app_env)
    assert keys_store.current_populations(conn, 2018)["BRACKE"] == (6600, 1)


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_only_admin_can_edit_keys_and_populations(app_as, role):
    at = app_as(role, PAGE)
    keys = {b.key for b in at.button}
    assert "allocation_population_submit" not in keys
    assert "allocation_key_submit" not in keys


def test_a_key_name_with_markup_is_shown_as_written(app_as, app_env):
    from portfolio.accounts import persona_user
    from portfolio.ledger import keys
    from portfolio.models import parse

    conn = open_database(app_env)
    name = "**Fet** [länk](https://x.example) <b>"
    data = parse(keys.KeyInput, {"year": 2019, "name": name, "spec": {"kind": "lika"}})
    keys.save_key(conn, persona_user(conn, "admin"), data)
    conn.close()
    at = app_as("admin", PAGE)
    assert not at.exception
    shown = [m.value for m in at.markdown if "Lika delar" in m.value and "Fet" in m.value]
    assert shown and "\\*\\*Fet\\*\\*" in shown[0] and "**Fet**" not in shown[0], shown
