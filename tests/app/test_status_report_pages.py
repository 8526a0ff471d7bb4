"""Status reports on the project page: a draft copied forward, published with a frozen snapshot,
corrected as a new version; the history, trend and snapshot for every reader; the overview."""

from __future__ import annotations

import pytest

from portfolio import accounts, store
from portfolio.reporting import service
from portfolio.reporting import store as reporting_store
from registers.database import open_database
from registers.risks import service as risks_service
from registers.risks import store as risks_store
from tests.app.conftest import open_section, texts
from tests.present import present

DIMENSIONS = ("time", "cost", "scope", "risk", "benefit", "overall")
PUBLISH = "FormSubmitter:project_report_form-Spara och publicera"


def open_link2(at):
    """LINK2 on the Projekt page, at its Statusrapporter tab."""
    return open_section(at.selectbox(key="project_select").set_value("GNS/8/2018").run(), "Statusrapporter")


def start_t2(at):
    at.selectbox(key="project_report_period").set_value("T2 2019").run()
    at.button(key="project_report_start").click().run()
    assert not at.exception
    return at


def fill(at, **statuses):
    for key in DIMENSIONS:
        at.selectbox(key=f"project_report_{key}").set_value(statuses.get(key, "grön"))
    return at


@pytest.mark.parametrize("role", ["projektledare", "admin"])
def test_leader_and_admin_publish_a_t2_report_that_the_overview_shows(app_as, app_env, role):
    at = start_t2(open_link2(app_as(role, "app_pages/project.py")))
    fill(at, overall="gul")
    at.text_area(key="project_report_overall_reason").input("Förlängning till 2019-10-31")
    at.button(key=PUBLISH).click().run()
    assert not at.exception
    assert "Rapporten för T2 2019 är publicerad (version 1) med fruset underlag." in texts(at)
    assert "Förlängning till 2019-10-31" in texts(at)

    conn = open_database(app_env)
    frame = reporting_store.published_frame(conn)
    assert frame.select("period", "year", "overall_status").rows() == [("T2", 2019, "gul")]
    assert frame["snapshot"][0] is not None

    at.switch_page("app_pages/overview.py").run()
    row = at.dataframe(key="overview_table").value
    link2 = row[row["Kod"] == "GNS/8/2018"].iloc[0]
    assert "Förlängning" in link2["Kommentar"]
    assert link2["Status"].startswith("▲ Gul")


def test_an_empty_dimension_is_refused_and_the_draft_is_kept(app_as, app_env):
    at = start_t2(open_link2(app_as("projektledare", "app_pages/project.py")))
    fill(at)
    at.selectbox(key="project_report_risk").set_value(None)
    at.text_area(key="project_report_next").input("Utbilda superanvändare")
    at.button(key=PUBLISH).click().run()
    assert "Utkastet är sparat men inte publicerat" in at.error[0].value
    assert "Risk" in at.error[0].value
    conn = open_database(app_env)
    assert reporting_store.published_frame(conn).height == 0
    draft = reporting_store.draft_for(conn, store.project_id_for(conn, "GNS/8/2018"), 2019, "T2")
    assert draft is not None and draft["next_steps"] == "Utbilda superanvändare"


def test_a_correction_needs_a_reason_and_both_versions_stay_visible(app_as, app_env):
    at = start_t2(open_link2(app_as("projektledare", "app_pages/project.py")))
    fill(at).button(key=PUBLISH).click().run()
    at.button(key="project_report_start").click().run()
    fill(at, cost="röd")
    at.text_area(key="project_report_cost_reason").input("Licensen blev dyrare")
    at.button(key=PUBLISH).click().run()
    assert not at.exception
    assert "skriv skälet till rättelsen" in at.error[0].value, texts(at)
    at.text_input(key="project_report_reason").input("Kostnaden var fel bedömd")
    at.button(key=PUBLISH).click().run()
    assert "version 2" in at.success[0].value
    history = next(t.value for t in at.table if "Skäl till rättelse" in t.value.columns)
    assert history["Version"].tolist() == ["2", "1"]
    assert history.iloc[0]["Kostnad"].endswith("– Licensen blev dyrare")
    assert history.iloc[0]["Skäl till rättelse"] == "Kostnaden var fel bedömd"


def test_the_history_shows_the_snapshot_as_published_not_todays_risks(app_as, app_env):
    conn = open_database(app_env)
    leader = accounts.persona_user(conn, "projektledare")
    pid = store.project_id_for(conn, "GNS/8/2018")
    draft = service.start_draft(conn, leader, pid, 2019, "T2")
    full = {"reported_on": "2019-09-20", **{f"{d}_status": "grön" for d in DIMENSIONS}}
    service.save_draft(conn, leader, draft, full, version=1)
    report_id = service.publish(conn, leader, draft, version=2)
    risk = present(reporting_store.published(conn, report_id))["snapshot"]["risks"][0]
    current = risks_store.get_risk(conn, risk["id"])
    risks_service.close_risk(conn, leader, risk["id"], version=current["version"], note="Hanterad")

    reader = open_link2(app_as("namnd", "app_pages/project.py"))
    assert not reader.exception
    risks = next(t.value for t in reader.table if "Riskvärde" in t.value.columns)
    assert risk["title"] in risks["Risk"].tolist()
    with pytest.raises(KeyError):
        reader.selectbox(key="project_report_period")


def test_a_report_from_before_snapshots_is_labelled_ej_sparat(app_as, app_env):
    conn = open_database(app_env)
    with conn.conn:
        conn.execute(
            "INSERT INTO status_reports (project_id, reported_on, time_status, time_reason,"
            " cost_status, cost_reason, scope_status, scope_reason, overall_status, overall_reason,"
            " next_steps, created_at, year, period, published_at) VALUES (?, '2019-06-03',"
            " 'grön', '', 'grön', '', 'grön', '', 'gul', 'Sen start', '',"
            " '2019-06-03T08:00:00+00:00', 2019, 'T1', '2019-06-03T08:00:00+00:00')",
            [store.project_id_for(conn, "GNS/8/2018")],
        )
    at = open_link2(app_as("kommunchef", "app_pages/project.py"))
    assert not at.exception
    assert "Ej sparat: rapporten lämnades innan publicerade rapporter fick ett fruset underlag" in texts(at)


@pytest.mark.parametrize("role", ["namnd", "kommunchef"])
def test_readers_see_no_report_form(app_as, role):
    at = open_link2(app_as(role, "app_pages/project.py"))
    assert not at.exception
    assert "Statusrapporter" in [h.value for h in at.header]
    with pytest.raises(KeyError):
        at.button(key="project_report_start")


def test_a_leader_sees_no_form_on_another_project(app_as):
    at = app_as("projektledare", "app_pages/project.py")
    at = open_section(at.selectbox(key="project_select").set_value("GNS/03/2019").run(), "Statusrapporter")
    assert "Statusrapporter" in [h.value for h in at.header]
    with pytest.raises(KeyError):
        at.selectbox(key="project_report_period")
