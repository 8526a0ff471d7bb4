"""The reporting cycle in a real browser: the project leader publishes a T2 report, the e-strateg
sees no report missing, the nämnd sees it on the overview (issue 17)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.browser.conftest import (
    PERSONA_LABELS,
    choose,
    go_to,
    open_tab,
    press,
    running_server,
    screenshot,
    wait_idle,
)


def _only_link2_reports_in_a_current_t2(db_path) -> str:
    """T2 of this year with its deadline a week ahead (at most the year's end); only LINK2 reports,
    and it has published helår 2019."""
    from portfolio import accounts, clock
    from portfolio.reporting import service
    from portfolio.reporting import store as reporting_store
    from portfolio.reporting.model import CalendarInput
    from registers.database import open_database

    db = open_database(db_path)
    admin = accounts.persona_user(db, "admin")
    today = clock.today()
    deadline = min(today + timedelta(days=7), date(today.year, 12, 31))
    service.set_period(
        db,
        admin,
        CalendarInput(year=today.year, period="T2", report_deadline=deadline, review_deadline=deadline),
    )
    for project in reporting_store.reporting_projects(db):
        service.set_must_report(db, admin, project["id"], project["code"] == "GNS/8/2018")
    # LINK2 reported for the period before, so nothing earlier is missing.
    link2 = next(p["id"] for p in reporting_store.reporting_projects(db) if p["code"] == "GNS/8/2018")
    draft = service.start_draft(db, admin, link2, 2019, "helår")
    statuses = {f"{d}_status": "grön" for d in ("time", "cost", "scope", "risk", "benefit", "overall")}
    service.save_draft(db, admin, draft, {"reported_on": "2020-01-31", **statuses}, version=1)
    service.publish(db, admin, draft, version=2)
    db.close()
    return f"T2 {today.year}"


def test_project_leader_publishes_a_t2_report_admin_sees_none_missing_and_the_committee_sees_it(
    tmp_path, browser
):
    with running_server(tmp_path) as server:
        period = _only_link2_reports_in_a_current_t2(server.db)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
        try:
            page = context.new_page()

            def sign_in(role: str) -> None:
                page.goto(server)
                page.get_by_role("button", name=PERSONA_LABELS[role]).click()
                page.get_by_role("heading", name="Att göra").wait_for()
                wait_idle(page)

            sign_in("projektledare")
            go_to(page, "Projekt")
            open_tab(page, "Statusrapporter")
            press(page, f"Börja rapport för {period}")
            for label in ("Tid", "Kostnad", "Omfattning/kvalitet", "Risk", "Nytta"):
                choose(page, label, "Grön")
            choose(page, "Totalt", "Gul")
            page.get_by_label("Skäl, totalt").fill("Utbildningen behöver förstärkas")
            press(page, "Spara och publicera")
            page.get_by_text(f"Rapporten för {period} är publicerad (version 1)").wait_for()
            screenshot(page, "projekt-publicerad-statusrapport")

            context.clear_cookies()
            sign_in("admin")
            go_to(page, "Rapportkalender")
            page.get_by_text("Ingen rapport saknas.").wait_for()

            context.clear_cookies()
            sign_in("namnd")
            go_to(page, "Portföljöversikt")
            # The grid is drawn on a canvas; its text copy is the table in the expander below it.
            page.get_by_text("Tabellen i textform").click()
            row = page.get_by_role("row").filter(has_text="GNS/8/2018").first
            assert f"{period}: publicerad" in row.inner_text()
            assert "Utbildningen behöver förstärkas" in row.inner_text()
            screenshot(page, "oversikt-efter-statusrapport")
        finally:
            context.close()
