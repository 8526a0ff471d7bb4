"""Riskregister and Portföljens risker under AppTest: every role, the edit flows, stale edits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portfolio import store as core_store
from portfolio import users_store
from registers.database import open_database
from registers.risks import excel_import, service
from registers.risks import store as risk_store
from registers.risks.model import parse_action, parse_register, parse_risk
from tests.app.conftest import ROLES, duplicate_labels, shown_under, texts

RISKS = "app_pages/risks.py"
PORTFOLIO = "app_pages/portfolio_risks.py"
FORM_BUTTONS = {
    "risks_add_submit",
    "risks_edit_submit",
    "risks_close_submit",
    "risks_action_add_submit",
    "risks_action_edit_submit",
    "risks_import_submit",
    "risks_register_submit",
    "risks_edit_register_submit",
}


def frame(at, *columns: str):
    """The one data frame on the page with these columns (frames without selection carry no key)."""
    (found,) = [f.value for f in at.dataframe if set(columns) <= set(f.value.columns)]
    return found


def matrix(at, scale: int):
    """The text twin of the (only) register heat map with this scale."""
    wanted = ["Sannolikhet", *[f"Konsekvens {c}" for c in range(1, scale + 1)]]
    (table,) = [t.value for t in at.table if list(t.value.columns) == wanted]
    return table


def cell(at, scale: int, probability: int, consequence: int) -> str:
    table = matrix(at, scale)
    row = table[table["Sannolikhet"] == f"Sannolikhet {probability}"].iloc[0]
    return str(row[f"Konsekvens {consequence}"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "title"), [(RISKS, "Riskregister"), (PORTFOLIO, "Portföljens risker")])
def test_the_risk_pages_render_for_every_role(app_as, role: str, page: str, title: str) -> None:
    at = app_as(role, page)
    assert not at.exception, [e.value for e in at.exception]
    assert title in [t.value for t in at.title]


def test_the_register_opens_on_link2_with_both_matrices_and_the_eight_risks(app_as) -> None:
    at = app_as("namnd", RISKS)
    assert at.selectbox(key="risks_project").value == "GNS/8/2018"
    assert cell(at, 5, 4, 4) == "1 ■ Hög"  # "Stress på grund av otillräckliga kunskaper", hanteras
    assert cell(at, 4, 3, 3) == "1 ■ Hög"  # "Åtkomst och inloggningsproblem", inträffad
    shown = texts(at)
    assert "2** av 8 risker visas" in shown  # closed risks are left out by default
    assert "illustrativa" in shown
    at.multiselect(key="risks_filter_status").set_value([]).run()
    assert "8** av 8 risker visas" in texts(at)


@pytest.mark.parametrize("role", ["namnd", "kommunchef"])
def test_readers_see_no_forms(app_as, role: str) -> None:
    at = app_as(role, RISKS)
    assert not FORM_BUTTONS & {b.key for b in at.button}
    assert "Du kan läsa registret" in texts(at)
    assert {b.key for b in at.get("download_button")} >= {"risks_export", "risks_template"}


def test_the_project_leader_sees_every_form(app_as) -> None:
    at = app_as("projektledare", RISKS)
    assert {b.key for b in at.button} >= FORM_BUTTONS


def test_the_project_leader_adds_a_risk_with_an_action_and_sees_it_counted_in_the_matrix(
    app_as, app_env
) -> None:
    at = app_as("projektledare", RISKS)
    assert cell(at, 4, 2, 3) == "0 ▲ Medel"
    at.selectbox(key="risks_add_register").select_index(1).run()  # Informationssäkerhet, 4×4
    at.text_input(key="risks_add_title").input("Leverantören av LINK byter plattform")
    at.selectbox(key="risks_add_probability").set_value(2)
    at.selectbox(key="risks_add_consequence").set_value(3)
    at.text_area(key="risks_add_action_description").input("Begär leverantörens tidplan")
    at.date_input(key="risks_add_action_due").set_value(date.today() + timedelta(days=30))
    at.button(key="risks_add_submit").click().run()
    assert not at.exception
    assert "Risken 'Leverantören av LINK byter plattform' lades till" in texts(at)
    assert cell(at, 4, 2, 3) == "1 ▲ Medel"
    assert "Leverantören av LINK byter plattform" in frame(at, "Titel", "Nivå", "Restnivå")["Titel"].to_list()
    assert at.text_input(key="risks_add_title").value == ""  # the form is ready for the next risk
    db = open_database(app_env)
    risks = service.risks_with_bands(db)
    new = risks.filter(risks["title"] == "Leverantören av LINK byter plattform").row(0, named=True)
    assert (new["register"], new["score"], new["actions"], new["owner"]) == (
        "Informationssäkerhet",
        6,
        1,
        "Demo Projektledare LINK2",
    )
    log = db.execute(
        "SELECT user_email FROM audit_log WHERE entity = 'risk' AND entity_id = ?", [str(new["id"])]
    )
    assert log.fetchall() == [("projektledare.link2@gns.example",)]


def test_a_risk_without_probability_is_refused_and_nothing_saved(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.text_input(key="risks_add_title").input("Utan bedömning")
    at.button(key="risks_add_submit").click().run()
    assert "Sannolikhet: saknas; skriv en siffra" in texts(at)
    assert risk_store.count_rows(open_database(app_env))["risks"] == 8


def test_the_list_filters_to_one_cell_of_the_matrix(app_as) -> None:
    at = app_as("namnd", RISKS)
    at.multiselect(key="risks_filter_status").set_value([]).run()
    at.selectbox(key="risks_cell_probability").set_value(3).run()
    at.selectbox(key="risks_cell_consequence").set_value(4).run()
    listed = frame(at, "Titel", "Nivå", "Restnivå")
    assert sorted(listed["Id"].to_list()) == [3, 6]
    assert set(listed["Nivå"]) == {"■ Hög"}


def test_the_residual_switch_shows_risk_after_actions(app_as) -> None:
    at = app_as("namnd", RISKS)
    at.radio(key="risks_view").set_value("residual").run()
    assert cell(at, 5, 3, 3) == "1 ▲ Medel"  # residual 3×3 = 9 on the 5×5 scale
    assert cell(at, 5, 4, 4).startswith("0")
    assert "Restnivå" in frame(at, "Titel", "Nivå", "Restnivå").columns


def test_an_edit_is_saved_and_shown_in_the_risks_history(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(8).run()
    at.selectbox(key="risks_edit_status").set_value("hanteras")
    at.selectbox(key="risks_edit_owner").set_value("Marit Nilsson")
    at.button(key="risks_edit_submit").click().run()
    assert "Risken 8 sparades." in texts(at)
    stored = service.risk(open_database(app_env), 8)
    assert (stored["status"], stored["owner"], stored["version"]) == ("hanteras", "Marit Nilsson", 2)
    history = frame(at, "Ändring")
    assert "Ägare: – → Marit Nilsson; Status: inträffad → hanteras" in history["Ändring"].to_list()


def someone_else(app_env):
    """A second connection and the e-strateg, who saves while the form is open."""
    db = open_database(app_env)
    admin = users_store.find_user(db, "e-strateg@gns.example")
    assert admin is not None
    return db, admin[0]


def test_a_stale_edit_is_refused_showing_the_newer_values(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(8).run()
    # Someone else saves the same risk after the form was opened.
    db, admin = someone_else(app_env)
    current = service.risk(db, 8)
    other = parse_risk({**{k: current[k] for k in risk_store.RISK_FIELDS}, "title": "Inloggningen fallerar"})
    service.update_risk(db, admin, 8, other, version=current["version"])

    at.text_input(key="risks_edit_title").input("Min ändring")
    at.button(key="risks_edit_submit").click().run()
    shown = texts(at)
    assert "har ändrats av e-strateg@gns.example" in shown
    assert "Titel: Inloggningen fallerar" in shown
    assert service.risk(db, 8)["title"] == "Inloggningen fallerar"
    at.button(key="risks_edit_reload").click().run()
    assert at.text_input(key="risks_edit_title").value == "Inloggningen fallerar"


def registers_table(at):
    (table,) = [t.value for t in at.table if "Register" in t.value.columns]
    return table.set_index("Register")


def test_the_leader_raises_a_registers_red_threshold_and_the_matrix_follows(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_edit_register_id").set_value(2).run()
    assert at.number_input(key="risks_edit_register_red").value == 9
    at.number_input(key="risks_edit_register_red").set_value(10)
    at.button(key="risks_edit_register_submit").click().run()
    assert "Registret Informationssäkerhet sparades." in texts(at)
    assert cell(at, 4, 3, 3) == "1 ▲ Medel"  # score 9 was high, is now medium
    assert registers_table(at).loc["Informationssäkerhet", "■ Hög"] == "10–16"
    assert service.register(open_database(app_env), 2).red_from == 10


def test_a_register_changed_by_someone_else_is_not_overwritten(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_edit_register_id").set_value(2).run()
    db, admin = someone_else(app_env)
    stored = service.register(db, 2)
    renamed = parse_register(
        {"name": "Informationssäkerhet och IT", "scale": 4, "yellow_from": 4, "red_from": 9}
    )
    service.update_register(db, admin, 2, renamed, version=stored.version)

    at.number_input(key="risks_edit_register_red").set_value(12)
    at.button(key="risks_edit_register_submit").click().run()
    shown = texts(at)
    assert "har ändrats av e-strateg@gns.example" in shown
    assert "Namn: Informationssäkerhet och IT" in shown
    assert service.register(db, 2).red_from == 9


def test_the_leader_adds_and_updates_an_action_and_a_late_one_is_marked_in_text(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(4).run()
    at.text_area(key="risks_action_add_description").input("Repetitionsutbildning")
    at.date_input(key="risks_action_add_due").set_value(date.today() - timedelta(days=12))
    at.selectbox(key="risks_action_add_status").set_value("pågår")
    at.button(key="risks_action_add_submit").click().run()
    assert "Åtgärden lades till risken 4 och är vald nedan." in texts(at)
    late = frame(at, "Risk-id", "Försenad")
    assert "Försenad, 12 dagar" in late["Försenad"].to_list()
    assert "Försenad, 12 dagar" in texts(at)

    at.selectbox(key="risks_action_select").set_value(9).run()
    at.selectbox(key="risks_action_edit_status").set_value("klar")
    at.button(key="risks_action_edit_submit").click().run()
    assert service.action(open_database(app_env), 9)["status"] == "klar"
    assert "Försenad, 12 dagar" not in texts(at)


def test_the_leader_closes_a_risk(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(4).run()
    at.text_input(key="risks_close_note").input("Utbildningen genomförd")
    at.button(key="risks_close_submit").click().run()
    assert "Risken 4 är stängd." in texts(at)
    assert "risks_close_submit" not in {b.key for b in at.button}
    # The close form is gone; the message stands where it was, right after the edit form.
    assert shown_under(at, "risks_edit_submit") == "Risken 4 är stängd."
    assert service.risk(open_database(app_env), 4)["status"] == "stängd"


def test_the_portfolio_shows_flagged_risks_top_risks_and_late_actions(app_as, app_env) -> None:
    db = open_database(app_env)
    admin = users_store.find_user(db, "e-strateg@gns.example")
    assert admin is not None
    service.add_action(
        db,
        admin[0],
        8,
        parse_action({"description": "Ny inloggningsrutin", "due_date": date.today() - timedelta(3)}),
    )
    at = app_as("namnd", PORTFOLIO)
    shown = texts(at)
    assert "**2** risker från **1** projekt" in shown
    top = frame(at, "Risk", "Riskvärde")
    assert top["Risk"].to_list() == [
        "Stress på grund av otillräckliga kunskaper",
        "Åtkomst och inloggningsproblem",
    ]
    assert set(top["Nivå"]) == {"■ Hög"}
    assert cell(at, 5, 4, 4) == "1 ■ Hög" and cell(at, 4, 3, 3) == "1 ■ Hög"
    late = frame(at, "Åtgärd", "Försenad")
    assert late["Försenad"].to_list() == ["Försenad, 3 dagar"]
    assert "1 åtgärd i 1 projekt är försenad." in shown


def test_a_new_risk_the_filter_hides_stays_in_the_detail_view_and_the_next_edit_changes_only_it(
    app_as, app_env
) -> None:
    db = open_database(app_env)
    before = {
        a["id"]: a["status"] for a in service.actions_with_lateness(db, date.today()).iter_rows(named=True)
    }
    at = app_as("projektledare", RISKS)
    at.multiselect(key="risks_filter_register").set_value([1]).run()  # the 4×4 register is hidden
    at.selectbox(key="risks_add_register").set_value(2).run()
    at.text_input(key="risks_add_title").input("Dold av filtret")
    at.selectbox(key="risks_add_probability").set_value(2)
    at.selectbox(key="risks_add_consequence").set_value(2)
    at.text_area(key="risks_add_action_description").input("Den nya riskens åtgärd")
    at.button(key="risks_add_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    risks = service.risks_with_bands(open_database(app_env))
    new_id = risks.filter(risks["title"] == "Dold av filtret")["id"].item()
    assert at.selectbox(key="risks_selected").value == new_id
    assert "Dold av filtret" in [s.value for s in at.subheader]
    (new_action,) = [
        a
        for a in service.actions_with_lateness(open_database(app_env), date.today())["id"]
        if a not in before
    ]
    assert at.selectbox(key="risks_action_select").value == new_action

    at.selectbox(key="risks_action_edit_status").set_value("klar")
    at.button(key="risks_action_edit_submit").click().run()
    after = {
        a["id"]: a["status"]
        for a in service.actions_with_lateness(open_database(app_env), date.today()).iter_rows(named=True)
    }
    assert after[new_action] == "klar"
    assert {i: s for i, s in after.items() if i != new_action} == before  # no other risk's action changed
    assert at.selectbox(key="risks_selected").value == new_id


def test_no_two_controls_on_the_risk_page_share_a_label(app_as) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(4).run()
    assert duplicate_labels(at) == []


def test_a_new_risk_is_confirmed_under_its_button_and_the_form_is_empty_for_the_next(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.text_input(key="risks_add_title").input("Första nya risken")
    at.text_area(key="risks_add_description").input("Beskrivningen som inte ska följa med")
    at.selectbox(key="risks_add_probability").set_value(2)
    at.selectbox(key="risks_add_consequence").set_value(2)
    at.text_area(key="risks_add_action_description").input("Åtgärd som inte ska följa med")
    at.button(key="risks_add_submit").click().run()
    assert "Risken 'Första nya risken' lades till" in (shown_under(at, "risks_add_submit") or "")
    assert [
        at.text_input(key="risks_add_title").value,
        at.text_area(key="risks_add_description").value,
        at.selectbox(key="risks_add_probability").value,
        at.text_area(key="risks_add_action_description").value,
    ] == ["", "", None, ""]
    assert at.selectbox(key="risks_add_owner").value == "Demo Projektledare LINK2"  # the leader stays owner

    at.text_input(key="risks_add_title").input("Andra nya risken")
    at.selectbox(key="risks_add_probability").set_value(3)
    at.selectbox(key="risks_add_consequence").set_value(1)
    at.button(key="risks_add_submit").click().run()
    risks = service.risks_with_bands(open_database(app_env))
    second = risks.filter(risks["title"] == "Andra nya risken").row(0, named=True)
    assert (second["description"], second["actions"]) == (None, 0)


def test_when_every_action_is_done_the_leader_is_asked_to_reassess_the_residual_risk(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(4).run()  # its one action is done, residual 3×3
    assert "Bedöm restrisken på nytt" in texts(at)
    assert (
        at.selectbox(key="risks_residual_probability").value,
        at.selectbox(key="risks_residual_consequence").value,
    ) == (3, 3)
    at.selectbox(key="risks_residual_probability").set_value(2)
    at.button(key="risks_residual_submit").click().run()
    assert "risks_residual_submit" not in {b.key for b in at.button}  # answered: the form is gone
    assert "Restrisken för risk 4 är omprövad." in [s.value for s in at.success]
    stored = service.risk(open_database(app_env), 4)
    assert (stored["residual_probability"], stored["residual_consequence"]) == (2, 3)
    assert "Bedöm restrisken på nytt" not in texts(at)
    assert (
        at.selectbox(key="risks_edit_residual_probability").value == 2
    )  # the edit form shows the saved risk

    # A new action that is not done yet: no question; once it is done, the question again.
    at.text_area(key="risks_action_add_description").input("Uppföljande utbildning")
    at.button(key="risks_action_add_submit").click().run()
    assert "Bedöm restrisken på nytt" not in texts(at)
    at.selectbox(key="risks_action_edit_status").set_value("klar")
    at.button(key="risks_action_edit_submit").click().run()
    assert "Bedöm restrisken på nytt" in texts(at)
    assert at.selectbox(key="risks_residual_probability").value == 2  # starts from the current levels


def test_a_risk_reassessed_with_unchanged_levels_is_recorded_and_not_asked_again(app_as, app_env) -> None:
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(4).run()
    at.button(key="risks_residual_submit").click().run()
    assert "Bedöm restrisken på nytt" not in texts(at)
    assert "ompröva restrisk" in frame(at, "Ändring")["Händelse"].to_list()


def test_a_risk_title_with_markdown_is_shown_as_written(app_as, app_env) -> None:
    title = "![x](http://example.invalid/a.png)"
    db = open_database(app_env)
    leader = users_store.find_user(db, "projektledare.link2@gns.example")
    assert leader is not None
    risk_id = service.create_risk(
        db, leader[0], parse_risk({"register_id": 2, "title": title, "probability": 2, "consequence": 2})
    )
    at = app_as("projektledare", RISKS)
    at.selectbox(key="risks_selected").set_value(risk_id).run()
    markdown_sources = [
        str(e.value)
        for kind in ("markdown", "subheader", "caption", "success", "warning")
        for e in getattr(at, kind)
    ] + [str(t.value.to_csv()) for t in at.table]
    assert not [m for m in markdown_sources if title in m]  # nowhere given to Markdown as an image
    assert r"!\[x\](http\://example.invalid/a.png)" in [s.value for s in at.subheader]
    assert title in frame(at, "Titel", "Nivå", "Restnivå")["Titel"].to_list()  # the table shows it as text


def test_an_import_is_confirmed_under_its_button_and_the_file_is_not_offered_again(app_as, app_env) -> None:
    db = open_database(app_env)
    content = excel_import.export_register(db, core_store.project_id_for(db, "GNS/8/2018"), date.today())
    at = app_as("projektledare", RISKS)
    at.get("file_uploader")[0].set_value(("register.xlsx", content, "application/octet-stream")).run()
    at.button(key="risks_import_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (shown_under(at, "risks_import_submit") or "").startswith("Importen är klar: 0 nya")
    assert at.button(key="risks_import_submit").disabled  # the uploader is empty: no second import
