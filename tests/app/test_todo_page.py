"""Att göra: the first page after login for every role, each persona's own items as links."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

import pytest

from portfolio import users_store
from portfolio.todo import service as todo
from portfolio.todo.logic import MISSED, Reminder
from portfolio.todo.model import Kind, TodoItem
from registers.database import open_database
from tests.app.conftest import PERSONA_EMAILS, ROLES, rendered, texts
from tests.present import present
from tests.stored import action_4_due


def links(at) -> list[tuple[str, str, dict[str, str]]]:
    """Every page link: (label as read, page address, its query string's parameters)."""
    return [
        (p.proto.label.replace("\\", ""), p.proto.page, dict(parse_qsl(p.proto.query_string)))
        for p in at.get("page_link")
    ]


@pytest.mark.parametrize("role", ROLES)
def test_att_gora_is_the_first_page_after_login_for_every_role(app_as, role):
    at = app_as(role)
    assert not at.exception
    assert [t.value for t in at.title] == ["Att göra"]


def test_the_project_leader_sees_link2s_late_action_and_benefits_each_linking_to_its_page(app_env, app_as):
    conn = open_database(app_env)
    leader = present(users_store.find_user(conn, PERSONA_EMAILS["projektledare"]))[0]
    action_4_due(conn, leader, date(2020, 1, 10))
    conn.close()
    at = app_as("projektledare")
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert "Försenade åtgärder (1)" in headings
    assert "Nyttor att mäta (12)" in headings
    found = links(at)
    late = [link for link in found if link[0].startswith("GNS/8/2018: E-learning")]
    assert len(late) == 1
    assert "försenad" in late[0][0] and "(senast 2020-01-10)" in late[0][0]
    assert late[0][1:] == ("riskregister", {"projekt": "GNS/8/2018", "risk": "4"})
    benefit = next(link for link in found if "Antal genomförda SIP" in link[0])
    assert benefit[1:] == ("nyttoregister", {"projekt": "GNS/8/2018"})
    assert "E-postpåminnelser är inte inställda på den här servern" in texts(at)


def test_the_namnd_sees_what_changed_since_the_last_meeting_with_a_link_to_it(app_as):
    at = app_as("namnd")
    assert not at.exception
    assert "Ändrat sedan sammanträdet 2020-02-14" in [s.value for s in at.subheader]
    assert ("Sammanträdet 2020-02-14", "sammantraden", {"datum": "2020-02-14"}) in links(at)
    assert "Påminnelser med e-post" not in [s.value for s in at.subheader]


def test_the_kommunchef_sees_the_review_pending_for_bracke_with_a_link_to_the_report(app_as):
    at = app_as("kommunchef")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Granskning av tertialrapporter (1)", "Påminnelser med e-post"]
    [(label, page, params)] = links(at)
    assert label.startswith("Granska tertialrapporten helår 2019 för Bräcke kommun – försenad ")
    assert (page, params) == ("tertialrapport", {"ar": "2019", "period": "helår"})


def test_the_admin_sees_the_projects_that_have_not_reported_and_the_missing_reviews(app_as):
    at = app_as("admin")
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert headings[0].startswith("Projekt som inte har rapporterat (")
    assert headings[1] == "Granskningar som saknas (1)"
    labels = [label for label, _, _ in links(at)]
    assert any(
        label.startswith("GNS/11/2018 Gemensamt dataskyddsombud (DSO): statusrapport helår")
        for label in labels
    )
    assert "Nyttor att mäta" not in " ".join(headings)


def test_a_sent_reminder_is_listed_for_its_user_and_for_the_admin_with_its_recipient(app_env, app_as):
    conn = open_database(app_env)
    leader = present(users_store.find_user(conn, PERSONA_EMAILS["projektledare"]))[0]
    item = TodoItem(kind=Kind.ACTION, key="åtgärd:4:2020-01-10", text="x", page="app_pages/risks.py")
    reminder = Reminder(
        user_id=present(leader.id), email=leader.email, name=leader.name, item=item, stage=MISSED
    )
    todo.record_sent(conn, [reminder], "Påminnelse från portfolj: 1 sak att göra, 1 försenad")
    conn.close()
    mine = app_as("projektledare").table[0].value
    assert list(mine.columns) == ["Skickad", "Ämne"]
    assert [rendered(v) for v in mine["Ämne"]] == ["Påminnelse från portfolj: 1 sak att göra, 1 försenad"]
    everyone = app_as("admin").table[0].value
    assert [rendered(v) for v in everyone["Till"]] == [PERSONA_EMAILS["projektledare"]]
    assert not app_as("kommunchef").table


def test_a_large_portfolio_gives_the_admin_one_screenful_of_links_per_kind(app_env, app_as):
    from seed.synthetic import Size, generate

    db = open_database(app_env)
    generate(db, Size(160, 0, 0))
    db.close()
    at = app_as("admin")
    assert not at.exception
    heading = at.subheader[0].value
    total = int(heading.rsplit("(", 1)[1].rstrip(")"))
    assert total > 50
    assert f"Visar 50 av {total}; hela listan: `portfolj todo --user" in texts(at)
    reports = [label for label, _, _ in links(at) if ": statusrapport " in label]
    assert len(reports) == 50
