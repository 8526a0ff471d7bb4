"""Import av redovisning under AppTest: admin only; the log, mapping and links after an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.auth import SYSTEM
from portfolio.ledger.generate import generate_sie
from portfolio.ledger.sie_import import import_sie
from registers.database import open_database
from tests.app.conftest import shown_under, texts, texts_of_a_clean_run

PAGE = "app_pages/ledger_import.py"


def test_admin_sees_the_import_page_with_upload_and_mapping(app_as):
    at = app_as("admin", PAGE)
    shown = texts_of_a_clean_run(at)
    assert "Import av redovisning" in shown
    assert "Inga importer ännu" in shown
    assert {b.key for b in at.button} >= {"ledger_import_review", "ledger_mapping_save"}


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
    assert expected in [s.value for s in at.tabs[3].success]  # in the log's tab, where the button was
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


# --- issue 19: the file is previewed before the admin confirms --------------------------------

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "sie" / "real"


def _choose(at, path: Path, name: str | None = None):
    """As if the admin had uploaded `path` and pressed 'Granska filen' (AppTest cannot upload)."""
    at.session_state["ledger_import_pending"] = {
        "name": name or path.name,
        "data": path.read_bytes(),
        "allow": False,
        "preview": None,
    }
    return at.run()


def _live(db_path) -> list[int]:
    conn = open_database(db_path)
    try:
        return [
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM ledger_imports WHERE superseded_by IS NULL AND removed_at IS NULL ORDER BY id"
            )
        ]
    finally:
        conn.close()


def test_a_sie_1_file_is_previewed_as_refused_and_offers_no_import(app_as, app_env):
    at = _choose(app_as("admin", PAGE), REAL / "norstedts_bokslut_1.se")
    shown = texts_of_a_clean_run(at)
    assert "Granskning av filen (inget är importerat än)" in shown
    assert "Datakonsulterna AB, 556639-1537 (finns inte i listan över organisationer)" in shown
    assert "Kontrollsumma: stämmer (#KSUMMA 3033066896)" in shown
    assert "Filen är SIE typ 1" in shown and "SIE typ 4" in shown
    assert "ledger_import_submit" not in {b.key for b in at.button}
    assert _live(app_env) == []


def test_a_new_ledger_is_imported_only_after_its_organisation_is_confirmed(app_as, app_env):
    at = _choose(app_as("admin", PAGE), REAL / "norstedts_bokslut_4e.se")
    shown = texts(at)
    assert "Räkenskapsår: 2009-07-01 – 2010-06-30" in shown
    assert "inte ett kalenderår" in shown
    at.button(key="ledger_import_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "--new-organisation" in texts(at) and _live(app_env) == []
    at.checkbox(key="ledger_import_new_organisation").check()
    at.button(key="ledger_import_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "norstedts_bokslut_4e.se är importerad" in texts(at)
    assert len(_live(app_env)) == 1
    assert "556639-1537" in at.tabs[1].dataframe[0].value["Organisationsnummer"].to_list()
    log = at.tabs[3].dataframe[0].value
    assert log["Räkenskapsår"].to_list() == ["2009-07-01 – 2010-06-30"]
    assert log["Kontrollsumma"].to_list() == ["stämmer (#KSUMMA 854227682)"]


def test_a_replacement_shows_the_comparison_and_needs_its_own_confirmation(app_as, app_env, tmp_path):
    first = generate_sie(tmp_path / "bok.se", rows=400, seed=3, year=2019)
    conn = open_database(app_env)
    earlier = import_sie(conn, SYSTEM, first.path)
    conn.close()
    second = generate_sie(tmp_path / "bok2.se", rows=200, seed=4, year=2019)
    at = _choose(app_as("admin", PAGE), second.path)
    shown = texts(at)
    assert f"Ersätter import {earlier.import_id}." in shown
    assert f"Rader som försvinner ur huvudboken: {first.trans_rows}." in shown
    assert "Kontoklass" in shown and "7 Personal och avskrivningar" in shown
    at.button(key="ledger_import_submit").click().run()
    assert _live(app_env) == [earlier.import_id]
    at.checkbox(key="ledger_import_replace").check()
    at.button(key="ledger_import_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (now,) = _live(app_env)
    assert now != earlier.import_id


def test_the_admin_adds_an_organisation_on_its_tab(app_as, app_env):
    at = app_as("admin", PAGE)
    at.text_input(key="ledger_org_no").input("2120000001")
    at.text_input(key="ledger_org_name").input("Bräcke kommun")
    at.button(key="ledger_org_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Bräcke kommun är tillagd i listan över organisationer." in texts(at)
    assert "212000-0001" in at.tabs[1].dataframe[0].value["Organisationsnummer"].to_list()
