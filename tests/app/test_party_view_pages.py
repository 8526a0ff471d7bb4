"""'Partens egen vy' on Tertialrapport and Kostnadsfördelning under AppTest: every role sees it,
a municipal CEO's own party comes first, others can be chosen, and the review refers to it."""

from __future__ import annotations

import pytest

from portfolio.ledger import party_store
from registers.database import open_database
from tests.app.conftest import ROLES, duplicate_labels, texts
from tests.stored import bracke_t1_2019_review

TERTIAL = "app_pages/tertial.py"
ALLOCATION = "app_pages/allocation.py"
OWN_PARTY = {"kommunchef": "Bräcke kommun"}


def _rows(at, prefix: str) -> dict[str, dict[str, str]]:
    for frame in at.dataframe:
        if "Faktisk andel" in frame.value.columns:
            return {r["Post"]: r for r in frame.value.to_dict("records")}
    raise AssertionError(f"ingen partsvy på sidan ({prefix})")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_a_party_view_on_the_tertial_page_with_the_own_party_first(app_as, role):
    at = app_as(role, TERTIAL)
    assert not at.exception, [e.value for e in at.exception]
    party = OWN_PARTY.get(role, "Region Jämtland Härjedalen")
    assert at.selectbox(key="tertial_party").value == ("BRACKE" if role == "kommunchef" else "RJH")
    assert f"Vad betalar {party}?" in texts(at)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Partsvyn som Excel (.xlsx)", "Partsvyn som PDF"} <= labels
    assert not duplicate_labels(at)


def test_brackes_view_shows_budgeted_and_actual_shares_per_item(app_as):
    at = app_as("kommunchef", TERTIAL)
    rows = _rows(at, "tertial")
    # 101 600 kr base funding; LINK2: 6 500 / 130 600 of the municipalities' 565 000 kr budget
    # and of their 510 212 kr outcome (largest remainder, shown in whole kronor).
    assert (rows["basfinansiering"]["Budgeterad andel"], rows["basfinansiering"]["Faktisk andel"]) == (
        "101\u202f600 kr",
        "101\u202f600 kr",
    )
    assert (rows["LINK2 budget"]["Budgeterad andel"], rows["LINK2 budget"]["Faktisk andel"]) == (
        "28\u202f120 kr",
        "25\u202f393 kr",
    )
    assert rows["LINK2 budget"]["Avvikelse (budget − utfall)"] == "2\u202f727 kr"
    assert rows["Summa"]["Budgeterad andel"] == "129\u202f720 kr"
    assert rows["Summa"]["Faktisk andel"] == "126\u202f993 kr"


def test_a_committee_member_can_look_at_brackes_view_on_the_allocation_page(app_as):
    at = app_as("namnd", ALLOCATION)
    at.selectbox(key="allocation_party").set_value("BRACKE").run()
    assert not at.exception and not duplicate_labels(at)
    assert "Vad betalar Bräcke kommun?" in texts(at)
    assert _rows(at, "allocation")["LINK2 budget"]["Faktisk andel"] == "25\u202f393 kr"


def test_the_review_stores_and_shows_the_view_it_refers_to(app_as, app_env):
    at = app_as("kommunchef", TERTIAL)
    at.selectbox(key="tertial_period").set_value("T1").run()
    assert "Ingen granskning av T1 2019" in texts(at)
    at.button(key="tertial_review_submit").click().run()
    assert not at.exception
    shown = texts(at)
    assert "avser den här vyn: budgeterad andel 129\u202f720,21 kr" in shown
    assert "faktisk andel 126\u202f993,40 kr" in shown
    reviews = next(f.value for f in at.dataframe if "Avser partsvyn" in f.value.columns)
    basis = dict(zip(reviews["Part"], reviews["Avser partsvyn"], strict=True))
    assert basis["Bräcke kommun"] == "budgeterad 129\u202f720 kr, faktisk 126\u202f993 kr"
    assert basis["Bergs kommun"] == ""
    stored = party_store.review_view(open_database(app_env), 2019, "T1", "BRACKE")
    assert stored is not None and stored["budget_ore"] == 12_972_021


def test_a_review_made_before_views_were_stored_says_so(app_as, app_env):
    conn = open_database(app_env)
    bracke_t1_2019_review(conn)
    conn.close()
    at = app_as("kommunchef", TERTIAL)
    at.selectbox(key="tertial_period").set_value("T1").run()
    assert "gjordes innan granskningarna sparade vilken vy de avser" in texts(at)
