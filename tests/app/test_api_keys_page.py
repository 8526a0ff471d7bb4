"""API-nycklar: every role creates a key (shown once), sees its own keys only, and revokes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard import api
from portfolio.apikeys import service
from portfolio.auth import SYSTEM
from portfolio.money import format_kr, to_ore
from registers.database import open_database
from tests.app.conftest import PERSONA_EMAILS, ROLES, duplicate_labels, frame_with, shown_under, texts

PAGE = "app_pages/api_keys.py"


def create(at, name: str):
    at.text_input(key="api_keys_name").input(name)
    return at.button(key="api_keys_create_submit").click().run()


def shown_keys(at) -> list[str]:
    return [c.value for c in at.code if c.value.startswith("pfj_")]


def stored_keys(path) -> list[tuple]:
    db = open_database(path, migrate=False)
    rows = db.execute(
        "SELECT k.id, u.email, k.name, k.key_hash, k.revoked_at"
        " FROM api_keys k JOIN users u ON u.id = k.user_id"
    ).fetchall()
    db.close()
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_every_role_creates_a_key_that_is_shown_once_and_reads_as_them(app_as, app_env, role):
    at = app_as(role, PAGE)
    assert not duplicate_labels(at)
    at = create(at, "Power BI")
    assert not at.exception
    assert shown_under(at, "api_keys_create_submit") == "Nyckeln Power BI är skapad."
    (key,) = shown_keys(at)
    assert key.startswith("pfj_")
    assert "visas bara den här gången" in texts(at)
    assert at.text_input(key="api_keys_name").value == ""
    db = open_database(app_env, migrate=False)
    found = service.user_for_key(db, key)
    db.close()
    assert found is not None and found.email == PERSONA_EMAILS[role]
    at.run()
    assert shown_keys(at) == []
    assert key not in texts(at)
    assert "Power BI" in frame_with(at, "Återkallad")["Namn"].to_list()


def test_a_refused_name_keeps_what_was_typed_and_creates_nothing(app_as, app_env):
    at = create(app_as("namnd", PAGE), "rad\tmed\x07styrtecken")
    assert any("Nyckelns namn" in e.value for e in at.error)
    assert shown_keys(at) == []
    assert at.text_input(key="api_keys_name").value == "rad\tmed\x07styrtecken"
    assert stored_keys(app_env) == []


def test_revoking_a_key_stops_it_and_is_confirmed_under_the_button(app_as, app_env):
    at = create(app_as("projektledare", PAGE), "Excel")
    (key,) = shown_keys(at)
    (key_id, *_) = stored_keys(app_env)[0]
    at.selectbox(key="api_keys_revoke_choice").set_value(key_id)
    at = at.button(key="api_keys_revoke_submit").click().run()
    assert not at.exception
    assert "Nyckeln Excel" in texts(at) and "är återkallad" in texts(at)
    assert stored_keys(app_env)[0][4] is not None
    db = open_database(app_env, migrate=False)
    assert service.user_for_key(db, key) is None
    db.close()
    revoked = frame_with(at, "Återkallad")
    assert revoked["Återkallad"].to_list()[0] != ""


def test_revoke_with_two_keys_confirms_under_its_button_and_keeps_the_other(app_as, app_env):
    at = create(app_as("kommunchef", PAGE), "Första")
    at = create(at, "Andra")
    first = next(r[0] for r in stored_keys(app_env) if r[2] == "Första")
    at.selectbox(key="api_keys_revoke_choice").set_value(first)
    at = at.button(key="api_keys_revoke_submit").click().run()
    assert "är återkallad" in (shown_under(at, "api_keys_revoke_submit") or "")
    assert {r[2]: r[4] is None for r in stored_keys(app_env)} == {"Första": False, "Andra": True}
    assert at.selectbox(key="api_keys_revoke_choice").value is None


def test_a_user_sees_only_their_own_keys(app_as, app_env):
    db = open_database(app_env)
    service.create_key(db, SYSTEM, owner_email=PERSONA_EMAILS["admin"], name="E-strategens nyckel")
    db.close()
    at = app_as("namnd", PAGE)
    assert "E-strategens nyckel" not in texts(at)
    assert "Du har inga API-nycklar ännu." in texts(at)


def test_a_key_name_with_markup_is_shown_as_written(app_as, app_env):
    name = "**fet** [länk](http://example.com) <b>x</b>"
    at = create(app_as("namnd", PAGE), name)
    assert name in texts(at)
    assert frame_with(at, "Återkallad")["Namn"].to_list() == [name]


def test_the_page_shows_how_to_use_a_key_in_power_bi_and_excel(app_as):
    at = app_as("namnd", PAGE)
    shown = texts(at)
    assert "Från webben" in shown and "Power BI" in shown and "Bearer <din nyckel>" in shown
    assert "/api/v1/tertial" in frame_with(at, "Adress")["Adress"].to_list()


def test_the_page_is_under_om_tjansten_for_every_role():
    from dashboard.navigation import PAGES

    spec = next(p for p in PAGES if p.path == PAGE)
    assert (spec.section, spec.title, spec.url_path, spec.admin_only) == (
        "Om tjänsten",
        "API-nycklar",
        "api-nycklar",
        False,
    )


def test_a_project_leaders_key_reads_the_projects_and_money_the_overview_shows_them(app_as, app_env):
    overview = app_as("projektledare", "app_pages/overview.py").dataframe(key="overview_table").value
    (key,) = shown_keys(create(app_as("projektledare", PAGE), "Power BI"))
    with TestClient(Starlette(routes=api.ROUTES)) as client:
        rows = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {key}"}).json()

    def kr(kronor):
        return format_kr(None if kronor is None else to_ore(Decimal(str(kronor))))

    assert len(rows) == len(overview) == 21
    for column, field in (("Budget", "budget"), ("Utfall", "actual"), ("Avvikelse", "deviation")):
        assert {r["code"]: kr(r[field]) for r in rows} == dict(
            zip(overview["Kod"], overview[column], strict=True)
        )
