"""Ändringslogg: filters work, and people who are not admin do not see others' account entries."""

from __future__ import annotations

import re

from portfolio import accounts, audit_store
from portfolio.audit_view import visible_to
from registers.database import open_database


def test_admin_filters_the_log_by_entity(app_as):
    at = app_as("admin", "app_pages/audit.py")
    at.multiselect(key="audit_entities").set_value(["projekt"]).run()
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["Typ"]) == {"projekt"}


def test_others_do_not_see_other_peoples_account_entries(app_env):
    conn = open_database(app_env)
    leader = accounts.persona_login(conn, "projektledare")
    accounts.persona_login(conn, "namnd")
    shown = audit_store.audit_frame(conn, visible_to(audit_store.AuditQuery(entities=("användare",)), leader))
    assert set(shown["entity_id"]) == {str(leader.id)}
    admin = accounts.persona_user(conn, "admin")
    everything = audit_store.audit_frame(
        conn, visible_to(audit_store.AuditQuery(entities=("användare",)), admin)
    )
    assert len(set(everything["entity_id"])) > 1


def test_filters_by_project_and_date_in_sql(app_env):
    conn = open_database(app_env)
    link2 = audit_store.audit_frame(conn, audit_store.AuditQuery(projects=("GNS/8/2018",)))
    assert link2.height > 0 and set(link2["project"]) == {"GNS/8/2018"}
    assert audit_store.audit_count(conn, audit_store.AuditQuery(date_from="2999-01-01")) == 0


def test_the_log_shows_changes_as_readable_lines_in_swedish_time(app_as):
    at = app_as("admin", "app_pages/audit.py")
    table = at.dataframe[0].value
    assert len(table) > 0
    assert table["Tid"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()
    changes = [v for v in [*table["Före"], *table["Efter"]] if v]
    assert changes and all(not v.lstrip().startswith(("{", "[")) for v in changes)
    assert any(v.startswith("detaljer: ") and "; behov: " in v for v in changes)  # Swedish field names
    shown = table.to_csv()
    for word in (r"\bNone\b", r"\bnull\b", r"\btrue\b", r"\bfalse\b", r"\+00:00"):
        assert not re.search(word, shown), word


def test_readable_change_says_ja_nej_and_dash_and_shows_times_in_swedish_time():
    from portfolio.audit_view import readable_change

    text = readable_change(
        '{"aktiv": true, "parti": null, "projekt": [1, 2], "skapad": "2026-12-03T13:58:07+00:00"}'
    )
    assert text.splitlines() == ["aktiv: ja", "parti: –", "projekt: 1, 2", "skapad: 2026-12-03 14:58"]
