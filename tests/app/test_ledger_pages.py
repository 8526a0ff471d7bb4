"""Import av redovisning under AppTest: admin only; the log, mapping and links after an import."""

from __future__ import annotations

import pytest

from portfolio.auth import SYSTEM
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie_import import import_sie
from registers.schema import open_database
from tests.app.conftest import shown_under, texts

PAGE = "app_pages/ledger_import.py"


def test_admin_sees_the_import_page_with_upload_and_mapping(app_as):
    at = app_as("admin", PAGE)
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "Import av redovisning" in shown
    assert "Inga importer ännu" in shown
    assert {b.key for b in at.button} >= {"ledger_import_submit", "ledger_mapping_save"}


@pytest.mark.parametrize("role", ["namnd", "kommunchef", "projektledare"])
def test_other_roles_do_not_get_the_import_page(app_as, role):
    at = app_as(role, PAGE)  # the address exists for everyone; the page is not shown to other roles
    assert "är inte tillgänglig för rollen" in at.error[0].value
    assert not at.file_uploader


def test_the_log_shows_an_import_and_the_tertial_page_uses_the_ledger(app_as, app_env, tmp_path):
    made = generate_sie(tmp_path / "bok.se", rows=2_000, seed=3, year=2019)
    conn = open_database(app_env)
    import_sie(conn, SYSTEM, made.path)
    conn.close()
    at = app_as("admin", PAGE)
    assert not at.exception
    assert "bok.se" in texts(at) and "gäller" in texts(at)
    tertial = app_as("namnd", "app_pages/tertial.py")
    tertial.selectbox(key="tertial_year").set_value(2019).run()
    tertial.selectbox(key="tertial_period").set_value("T1").run()
    shown = texts(tertial)
    assert "importerad huvudbok" in shown
    assert "Personalkostnader" in shown


def test_the_mapping_tab_names_the_kommun_bas_default(app_as):
    at = app_as("admin", PAGE)
    assert "Standard: SKR:s Kommun-Bas" in texts(at)
    assert at.selectbox(key="ledger_mapping_org").value == "standard"


def test_removing_the_only_import_is_confirmed_under_its_button(app_as, app_env, tmp_path):
    made = generate_sie(tmp_path / "bok.se", rows=500, seed=3, year=2019)
    conn = open_database(app_env)
    summary = import_sie(conn, SYSTEM, made.path)
    conn.close()
    at = app_as("admin", PAGE)
    at.button(key="ledger_remove_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    expected = f"Import {summary.import_id} är borttagen ur huvudboken; loggen visar den som borttagen."
    assert expected in [s.value for s in at.tabs[2].success]  # in the log's tab, where the button was
    assert "ledger_remove_submit" not in {b.key for b in at.button}  # nothing left to remove


def test_an_object_link_is_confirmed_under_its_button_and_the_form_emptied(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_input(key="ledger_object_id").input("9999")
    at.selectbox(key="ledger_object_project").set_value("GNS/8/2018")
    at.button(key="ledger_object_submit").click().run()
    assert shown_under(at, "ledger_object_submit") == (
        "Objekt 9999 är kopplat till GNS/8/2018; tabellen ovan visar kopplingen."
    )
    assert at.text_input(key="ledger_object_id").value == ""
    (links,) = [d.value for d in at.dataframe if "Objekt" in d.value.columns]
    assert "9999" in links["Objekt"].astype(str).to_list()
