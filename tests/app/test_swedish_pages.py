"""Swedish all the way, as the AppTest sees it: no developer remarks about how a document was read,
jump links on the project page, times in Swedish local time."""

from __future__ import annotations

import re

import pytest

from dashboard.navigation import pages_for
from portfolio.auth import Role
from tests.app.conftest import texts


def open_link2(at):
    return at.selectbox(key="project_select").set_value("GNS/8/2018").run()


def test_the_project_page_hides_remarks_on_how_the_documents_were_read(app_as):
    shown = texts(open_link2(app_as("namnd", "app_pages/project.py")))
    for remark in ("textversionen", "kryssrutorna", "tolkning", "seed-dokument", "actual_end_date"):
        assert remark not in shown, remark
    assert "(bedömd)" in shown  # what a judged row means is said in words a reader uses
    assert "dokumentet anger inte ja eller nej" in shown


def test_the_project_page_starts_with_links_to_its_sections(app_as):
    at = open_link2(app_as("namnd", "app_pages/project.py"))
    links = next(m.value for m in at.markdown if m.value.startswith("Gå till:"))
    for anchor in ("#fakta", "#statusrapporter", "#budget-och-utfall", "#tidplan", "#projektets-livscykel"):
        assert f"]({anchor})" in links
    headers = {h.value for h in [*at.header, *at.subheader]}
    assert {"Fakta", "Statusrapporter", "Budget och utfall", "Tidplan", "Projektets livscykel"} <= headers


def test_risk_history_times_are_swedish_local_time(app_as):
    at = app_as("projektledare", "app_pages/risks.py")
    history = next(d.value for d in at.dataframe if "Ändring" in d.value.columns)
    assert "Tid" in history.columns and "Tid (UTC)" not in history.columns
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", t) for t in history["Tid"])


@pytest.mark.parametrize("role", ["namnd", "admin"])
def test_no_table_draws_an_empty_cell_as_none(app_as, role):
    # st.dataframe draws a missing value as a grey "None" on its canvas, where no browser scan sees it.
    missing = []
    for spec in pages_for(Role.NAMND if role == "namnd" else Role.ADMIN):
        at = app_as(role, spec.path)
        missing += [
            f"{spec.title}: tabell {i + 1}"
            for i, d in enumerate(at.dataframe)
            if not d.proto.HasField("placeholder")  # "" (an empty cell) is a choice too
        ]
    assert not missing, missing
