"""Ändringslogg: filters work, and people who are not admin do not see others' account entries."""

from __future__ import annotations

from portfolio import accounts, store
from portfolio.audit_view import visible_to
from registers.schema import open_database


def test_admin_filters_the_log_by_entity(app_as):
    at = app_as("admin", "app_pages/audit.py")
    at.multiselect(key="audit_entities").set_value(["projekt"]).run()
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["Typ"]) == {"projekt"}


def test_others_do_not_see_other_peoples_account_entries(app_env):
    conn = open_database(app_env)
    leader = accounts.persona_login(conn, "projektledare")
    accounts.persona_login(conn, "namnd")
    shown = store.audit_frame(conn, visible_to(store.AuditQuery(entities=("användare",)), leader))
    assert set(shown["entity_id"]) == {str(leader.id)}
    admin = accounts.persona_user(conn, "admin")
    everything = store.audit_frame(conn, visible_to(store.AuditQuery(entities=("användare",)), admin))
    assert len(set(everything["entity_id"])) > 1


def test_filters_by_project_and_date_in_sql(app_env):
    conn = open_database(app_env)
    link2 = store.audit_frame(conn, store.AuditQuery(projects=("GNS/8/2018",)))
    assert link2.height > 0 and set(link2["project"]) == {"GNS/8/2018"}
    assert store.audit_count(conn, store.AuditQuery(date_from="2999-01-01")) == 0
