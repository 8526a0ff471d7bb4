"""The main flows of each role in a real browser."""

from __future__ import annotations

from tests.browser.conftest import (
    enter_on_option,
    go_to,
    pick,
    press,
    screenshot,
    submit,
    type_date,
    wait_idle,
)


def test_project_leader_adds_a_risk_with_an_action_and_sees_it_in_the_matrix(page_as):
    page = page_as("projektledare", on="Riskregister")
    pick(page, "risks_add_register", "Informationssäkerhet")
    page.locator(".st-key-risks_add_title input").fill("Leverantören hinner inte leverera")
    pick(page, "risks_add_probability", "2")
    pick(page, "risks_add_consequence", "3")
    page.locator(".st-key-risks_add_action_description textarea").fill("Avtala om vite")
    page.locator(".st-key-risks_add_submit button").click()
    wait_idle(page)
    # The confirmation under the button (the grid's own copy of the title is drawn on a canvas).
    page.get_by_text("Risken 'Leverantören hinner inte leverera' lades till").wait_for()
    assert page.get_by_text("med 1 åtgärd").first.is_visible()
    screenshot(page, "flode-ny-risk")


def test_municipal_ceo_of_bracke_reviews_t1_2019(page_as):
    page = page_as("kommunchef", on="Tertialrapport")
    pick(page, "tertial_year", "2019")
    pick(page, "tertial_period", "Tertial 1")
    assert page.get_by_text("\u2212219 tkr").first.is_visible()
    page.locator(".st-key-tertial_review_comment textarea").fill("Granskat av Bräcke")
    submit(page, "tertial_review_submit", "markerad som granskad för Bräcke")
    assert page.get_by_text("1 av 9 parter").first.is_visible()
    screenshot(page, "flode-granskning")


def test_e_strateg_promotes_a_bruttolista_activity_and_sees_it_in_the_portfolio(page_as):
    page = page_as("admin", on="Bruttolista")
    pick(page, "bruttolista_choice", "")
    page.locator(".st-key-bruttolista_promote_code input").fill("GNS/20/2020")
    submit(page, "bruttolista_promote_submit", "är nu ärendet GNS/20/2020")
    go_to(page, "Portföljöversikt")
    page.get_by_text("Tabellen i textform").click()  # drawn when opened
    page.get_by_role("row").filter(has_text="GNS/20/2020").first.wait_for()
    assert page.get_by_role("row").filter(has_text="GNS/20/2020").count() == 1


def test_e_strateg_uploads_a_sie_file_and_sees_the_figures_change(page_as, tmp_path):
    from portfolio.ledger.generate import generate_sie

    sie = tmp_path / "huvudbok-2019.se"
    generate_sie(sie, rows=2_000, seed=7, year=2019)
    page = page_as("admin", on="Import av redovisning")
    page.locator(".st-key-ledger_import_file input[type=file]").set_input_files(str(sie))
    wait_idle(page)
    # The file is previewed first (organisation, type, fiscal year, what it replaces), then confirmed.
    submit(page, "ledger_import_review", "Granskning av filen", timeout=120_000)
    submit(page, "ledger_import_submit", "huvudbok-2019.se är importerad", timeout=120_000)
    go_to(page, "Tertialrapport")
    pick(page, "tertial_year", "2019")
    pick(page, "tertial_period", "Helår")
    assert page.get_by_text("importerad huvudbok").first.is_visible()
    screenshot(page, "flode-sie-import")


def test_project_leader_adds_a_measurement_and_the_status_changes(page_as):
    page = page_as("projektledare", on="Nyttoregister")
    pick(page, "benefits_edit_benefit", "Antal")
    type_date(page, "benefits_edit_baseline_date", "20190101")
    page.locator(".st-key-benefits_edit_baseline_value input").fill("6")
    type_date(page, "benefits_edit_target_date", "20210101")
    page.locator(".st-key-benefits_edit_target_value input").fill("20")
    submit(page, "benefits_edit_submit", "Nyttan är sparad")
    pick(page, "benefits_measure_benefit", "Antal")
    type_date(page, "benefits_measure_date", "20200101")
    page.locator(".st-key-benefits_measure_value input").fill("15")
    submit(page, "benefits_measure_submit", "Mätningen är sparad. Status nu")
    screenshot(page, "flode-matning")


def test_ceo_downloads_the_tertial_pdf(page_as):
    page = page_as("kommunchef", on="Tertialrapport")
    pick(page, "tertial_year", "2019")
    with page.expect_download() as download:
        page.locator(".st-key-tertial_download_pdf button").click()
    path = download.value.path()
    assert path is not None
    assert path.read_bytes()[:5] == b"%PDF-"


def test_committee_drills_from_the_overview_into_link2_and_its_risks(page_as):
    page = page_as("namnd", on="Portföljöversikt")
    pick(page, "overview_open_choice", "LINK2")
    press(page, "Öppna projektet")
    page.get_by_role(
        "heading", name="LINK2 – Införande av nytt IT-stöd för samordnad planering (Cosmic Link)"
    ).wait_for()
    go_to(page, "Riskregister")
    page.get_by_role("heading", name="Arbetsmiljö (5×5)").first.wait_for()
    assert page.get_by_role("heading", name="Informationssäkerhet (4×4)").first.is_visible()
    assert page.locator(".st-key-risks_add_submit").count() == 0  # the committee changes nothing


def test_the_risk_form_works_with_the_keyboard_only(page_as):
    page = page_as("projektledare", on="Riskregister")
    page.locator(".st-key-risks_add_title input").focus()
    page.keyboard.type("Nyckelperson slutar")
    for key, choice in (("risks_add_probability", "3"), ("risks_add_consequence", "2")):
        page.locator(f".st-key-{key} input").focus()
        page.keyboard.type(choice)
        enter_on_option(page, choice)
    page.locator(".st-key-risks_add_action_description textarea").focus()
    page.keyboard.type("Dokumentera rutinerna")
    page.locator(".st-key-risks_add_submit button").focus()
    page.keyboard.press("Enter")
    wait_idle(page)
    # The confirmation under the button (the grid's own copy of the title is drawn on a canvas).
    page.get_by_text("Risken 'Nyckelperson slutar' lades till").wait_for()
