"""The read API over HTTP (Starlette's TestClient) on the seeded database: keys, roles, formats, refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard import api, navigation
from portfolio import accounts, status, store, users_store
from portfolio.apikeys import service as apikeys
from portfolio.auth import SYSTEM
from portfolio.db import revision
from registers.benefits import service as benefits
from registers.benefits import store as benefits_store
from registers.benefits.model import MeasurementInput, Point
from registers.database import open_database
from registers.risks import service as risks
from registers.risks.model import RiskInput

LINK2 = "GNS/8/2018"
PERSONA_EMAILS = {p.key: p.email for p in accounts.PERSONAS}
ROLES = tuple(PERSONA_EMAILS)
# One request for every endpoint, with the parameters it needs.
EVERY_ENDPOINT = (
    "/api/v1/projects",
    "/api/v1/projects/GNS/8/2018",
    "/api/v1/status-reports?project=GNS/8/2018",
    "/api/v1/risks?project=GNS/8/2018",
    "/api/v1/risks/1",
    "/api/v1/actions",
    "/api/v1/benefits?kind=effektmål",
    "/api/v1/measurements",
    "/api/v1/tertial?year=2019&period=T1&by=object",
    "/api/v1/allocation?year=2019",
    "/api/v1/meetings?year=2019",
    "/api/v1/decisions?project=GNS/8/2018",
)


@pytest.fixture
def reported(seeded_path: Path) -> Path:
    """The seeded database with a status report of LINK2 and a measurement of one of its goals."""
    db = open_database(seeded_path)
    leader = accounts.persona_user(db, "projektledare")
    link2 = store.project_id_for(db, LINK2)
    report = {
        "reported_on": date(2019, 6, 3),
        "time_status": "gul",
        "time_reason": "Driftstart flyttad",
        "cost_status": "grön",
        "scope_status": "grön",
        "overall_status": "gul",
        "overall_reason": "Försenad driftstart",
    }
    status.record(db, leader, link2, status.parse_report(report))
    goal = benefits.register(db, link2).row(0, named=True)
    current = benefits_store.get_benefit(db, goal["id"])
    plan = benefits.benefit_input(current).model_copy(
        update={
            "baseline": Point(date=date(2019, 1, 1), value=Decimal(6)),
            "target": Point(date=date(2021, 1, 1), value=Decimal(2)),
        }
    )
    benefits.update_benefit(db, leader, goal["id"], plan, version=current["version"])
    measured = MeasurementInput(measured_on=date(2020, 1, 1), value=Decimal("3.5"))
    benefits.add_measurement(db, leader, goal["id"], measured)
    db.close()
    return seeded_path


@pytest.fixture
def client(reported: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    seeded_path = reported
    monkeypatch.setenv("PORTFOLJ_DB", str(seeded_path))
    with TestClient(Starlette(routes=api.ROUTES)) as test_client:
        yield test_client


@pytest.fixture
def key_for(seeded_path: Path) -> Callable[[str], str]:
    """`key_for("projektledare")`: a new key of that persona, as the page would create it."""

    def make(role: str) -> str:
        db = open_database(seeded_path)
        try:
            email = PERSONA_EMAILS[role]
            found = users_store.find_user(db, email)
            assert found is not None
            return apikeys.create_key(db, found[0], owner_email=email, name=f"test {role}").key
        finally:
            db.close()

    return make


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def counts(path: Path) -> dict[str, int]:
    db = open_database(path, migrate=False)
    try:
        tables = ("projects", "status_reports", "risks", "risk_actions", "benefit_measurements", "audit_log")
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        db.close()


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", EVERY_ENDPOINT)
def test_without_a_key_every_endpoint_refuses_with_401_in_swedish_and_no_data(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"status": 401, "fel": api.UNAUTHORISED}
    assert "GNS/8/2018" not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer pfj_pahittad-nyckel"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"X-API-Key": "pfj_pahittad-nyckel"},
    ],
)
def test_an_unknown_key_gets_401_and_no_data(client, key_for, headers):
    key_for("admin")
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert "gäller inte" in response.json()["fel"]
    assert "LINK2" not in response.text


def test_the_key_may_be_sent_as_x_api_key(client, key_for):
    response = client.get("/api/v1/projects", headers={"X-API-Key": key_for("namnd")})
    assert response.status_code == 200
    assert LINK2 in [p["code"] for p in response.json()]


def test_a_revoked_key_gets_401(client, key_for, seeded_path):
    key = key_for("projektledare")
    assert client.get("/api/v1/projects", headers=bearer(key)).status_code == 200
    db = open_database(seeded_path)
    (key_id,) = db.execute("SELECT id FROM api_keys").fetchone()
    apikeys.revoke_key(db, SYSTEM, key_id)
    db.close()
    response = client.get("/api/v1/projects", headers=bearer(key))
    assert response.status_code == 401
    assert "återkallad" in response.json()["fel"]


def test_a_disabled_users_key_gets_401_at_once(client, key_for, seeded_path):
    key = key_for("kommunchef")
    assert client.get("/api/v1/risks", headers=bearer(key)).status_code == 200
    db = open_database(seeded_path)
    accounts.set_active(db, SYSTEM, PERSONA_EMAILS["kommunchef"], False)
    db.close()
    response = client.get("/api/v1/risks", headers=bearer(key))
    assert response.status_code == 401
    assert "Stress" not in response.text


def test_a_request_records_when_the_key_was_last_used(client, key_for, seeded_path):
    key = key_for("namnd")
    client.get("/api/v1/meetings", headers=bearer(key))
    db = open_database(seeded_path, migrate=False)
    (last_used,) = db.execute("SELECT last_used_at FROM api_keys").fetchone()
    db.close()
    assert last_used is not None and last_used.endswith("+00:00")


# --- what a key reads -----------------------------------------------------------------------------


def test_projects_give_link2s_budget_and_actual_in_kronor(client, key_for):
    response = client.get("/api/v1/projects", headers=bearer(key_for("namnd")))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    link2 = next(p for p in response.json() if p["code"] == LINK2)
    assert (link2["budget"], link2["actual"], link2["deviation"]) == (2810000, 3489986, -679986)
    assert link2["status"] == "gul" and link2["status_reason"]
    assert link2["actual_end_date"] == "2019-10-31"


def test_projects_are_what_the_command_line_lists(client, key_for, seeded_path, capsys):
    from dashboard.cli import main

    main(["projects", "--db", str(seeded_path), "--format", "json"])
    import json

    listed = json.loads(capsys.readouterr().out)
    answered = client.get("/api/v1/projects", headers=bearer(key_for("namnd"))).json()
    fields = ("code", "name", "kind", "phase", "status", "budget", "actual", "deviation")
    assert [{f: p[f] for f in fields} for p in answered] == [{f: p[f] for f in fields} for p in listed]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", EVERY_ENDPOINT)
def test_every_role_reads_every_endpoint(client, key_for, role, url):
    response = client.get(url, headers=bearer(key_for(role)))
    assert response.status_code == 200, response.text
    assert response.json()


@pytest.mark.parametrize("role", ROLES)
def test_a_key_reads_the_same_portfolio_as_every_other_role(client, key_for, role):
    mine = client.get("/api/v1/risks", headers=bearer(key_for(role))).json()
    admins = client.get("/api/v1/risks", headers=bearer(key_for("admin"))).json()
    assert mine == admins and len(mine) == 8


def test_a_key_reads_only_the_pages_its_role_sees(client, key_for, monkeypatch):
    tertial = next(p for p in navigation.PAGES if p.path == "app_pages/tertial.py")
    hidden = navigation.PageSpec(
        tertial.section, tertial.path, tertial.title, tertial.url_path, admin_only=True
    )
    monkeypatch.setattr(navigation, "PAGES", tuple(hidden if p is tertial else p for p in navigation.PAGES))
    url = "/api/v1/tertial?year=2019&period=T1"
    refused = client.get(url, headers=bearer(key_for("kommunchef")))
    assert refused.status_code == 403
    assert "Tertialrapport" in refused.json()["fel"] and "rows" not in refused.json()
    assert client.get(url, headers=bearer(key_for("admin"))).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    "url", ["/api/v1/projects", "/api/v1/risks/1", "/api/v1/status-reports", "/api/v1/x"]
)
def test_a_project_leaders_key_cannot_write(client, key_for, seeded_path, method, url):
    key = key_for("projektledare")
    before = counts(seeded_path)
    response = client.request(
        method, url, headers=bearer(key), json={"code": LINK2, "status": "röd", "title": "Ny risk"}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "bara för läsning" in response.json()["fel"]
    assert counts(seeded_path) == before


def test_a_project_leaders_key_sees_their_projects_risks_as_the_risk_page_does(client, key_for, seeded_path):
    db = open_database(seeded_path, migrate=False)
    shown = risks.risks_with_bands(db, store.project_id_for(db, LINK2))
    db.close()
    answered = client.get(f"/api/v1/risks?project={LINK2}", headers=bearer(key_for("projektledare"))).json()
    assert [r["title"] for r in answered] == shown["title"].to_list()
    assert [r["band"] for r in answered] == shown["band"].to_list()


def test_head_gives_the_headers_without_the_body(client, key_for):
    response = client.head("/api/v1/projects", headers=bearer(key_for("namnd")))
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 1000


def test_the_tertial_report_by_object_gives_link2s_deviation_and_its_source(client, key_for):
    response = client.get(
        "/api/v1/tertial?year=2019&period=T1&by=object", headers=bearer(key_for("kommunchef"))
    )
    body = response.json()
    assert body["title"] == "Tertialrapport T1 2019 – Nämnden totalt"
    assert body["result"] == -219000
    assert "protokoll" in body["source_text"]
    link2 = next(r for r in body["rows"] if r["project"] == LINK2)
    assert link2["deviation"] == -258000


def test_the_tertial_report_by_project_adds_up_each_projects_objects(client, key_for):
    body = client.get(
        "/api/v1/tertial?year=2019&period=T1&by=project", headers=bearer(key_for("namnd"))
    ).json()
    assert {r["project"]: r["deviation"] for r in body["rows"]} == {"6663": 23000, LINK2: -258000}
    assert all(r["budget"] is None for r in body["rows"])  # the minutes give deviations only


def test_the_tertial_report_by_line_gives_the_annual_income_statement(client, key_for):
    body = client.get(
        "/api/v1/tertial?year=2019&period=helår&by=line", headers=bearer(key_for("namnd"))
    ).json()
    sales = next(r for r in body["rows"] if r["line"] == "Försäljning")
    assert (sales["actual"], sales["budget"]) == (4454000, 2565000)
    assert body["result"] == 51000


def test_allocation_splits_each_item_on_the_parties_exactly(client, key_for):
    rows = client.get(
        "/api/v1/allocation?year=2019&item=basfinansiering", headers=bearer(key_for("kommunchef"))
    ).json()
    assert len(rows) == 9
    assert sum(r["amount"] for r in rows) == rows[0]["item_total"] == 914400
    assert "Bräcke kommun" in [r["party_name"] for r in rows]


def test_decisions_of_a_meeting_are_found_by_date(client, key_for):
    rows = client.get("/api/v1/decisions?date=2019-06-03", headers=bearer(key_for("namnd"))).json()
    assert rows and {r["date"] for r in rows} == {"2019-06-03"}
    assert "§17" in [r["paragraph"] for r in rows]


# --- CSV for Swedish Excel ------------------------------------------------------------------------


def test_csv_has_a_bom_semicolons_and_link2s_amounts(client, key_for):
    response = client.get("/api/v1/projects?format=csv", headers=bearer(key_for("namnd")))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    link2 = next(r for r in rows if r["code"] == LINK2)
    assert (link2["budget"], link2["actual"]) == ("2810000", "3489986")
    assert link2["financing_parties"].startswith("ARE, BERG")


def test_csv_escapes_a_risk_title_that_starts_like_a_formula(client, key_for, seeded_path):
    db = open_database(seeded_path)
    project_id = store.project_id_for(db, LINK2)
    register_id = risks.registers(db, project_id)[0].id
    title = '=HYPERLINK("http://example.com/x";"Klicka")'
    risks.create_risk(
        db, SYSTEM, RiskInput(register_id=register_id, title=title, probability=2, consequence=3)
    )
    db.close()
    response = client.get("/api/v1/risks?format=csv", headers=bearer(key_for("projektledare")))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "'" + title in [r["title"] for r in rows]
    assert title not in [r["title"] for r in rows]
    as_json = client.get("/api/v1/risks", headers=bearer(key_for("projektledare"))).json()
    assert title in [r["title"] for r in as_json]  # JSON keeps the text as written


def test_csv_writes_kronor_with_ore_with_a_decimal_comma():
    answer = api.Answer(
        rows=[{"a": 5212.5, "b": -219000, "c": True, "d": None}], columns=["a", "b", "c", "d"]
    )
    assert api.csv_bytes(answer).decode("utf-8-sig").splitlines() == ["a;b;c;d", "5212,5;-219000;ja;"]


def test_an_empty_csv_still_has_its_header(client, key_for):
    response = client.get("/api/v1/measurements?format=csv&project=6663", headers=bearer(key_for("namnd")))
    assert response.content.decode("utf-8-sig").splitlines() == [
        "id;benefit_id;measured_on;value;comment;measured_by;created_at"
    ]


def test_a_measured_value_is_a_number_in_json_and_has_a_decimal_comma_in_csv(client, key_for):
    key = key_for("projektledare")
    (measured,) = client.get(f"/api/v1/measurements?project={LINK2}", headers=bearer(key)).json()
    assert (measured["measured_on"], measured["value"]) == ("2020-01-01", 3.5)
    text = client.get("/api/v1/measurements?format=csv", headers=bearer(key)).content.decode("utf-8-sig")
    assert ";2020-01-01;3,5;" in text.splitlines()[1]


def test_status_reports_give_each_dimension_the_period_and_the_version_as_published(client, key_for):
    (report,) = client.get(f"/api/v1/status-reports?project={LINK2}", headers=bearer(key_for("namnd"))).json()
    assert report["project"] == LINK2 and report["reported_on"] == "2019-06-03"
    assert (report["year"], report["period"], report["version"]) == (2019, "T2", 1)  # after T1's deadline
    assert (report["overall_status"], report["time_reason"]) == ("gul", "Driftstart flyttad")
    assert {"risk_status", "benefit_status", "scope_reason"} <= report.keys()
    assert report["reporter"] == "Demo Projektledare LINK2"
    assert report["snapshot_saved"] is True  # recorded through the service, so its basis is frozen


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/okand",
        "/api/v1",
        "/api/v1/",
        "/api/v1/projects/GNS/99/2099",
        "/api/v1/risks/9999",
        "/api/v1/risks/abc",
        "/api/v2/projects",
    ],
)
def test_an_unknown_path_or_id_gets_404_in_swedish(client, key_for, url):
    response = client.get(url, headers=bearer(key_for("admin")))
    assert response.status_code == 404
    if url.startswith("/api/v1"):
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["status"] == 404
        assert "finns" in response.json()["fel"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/tertial?year=2030&period=T1", "ingen tertialrapport för 2030"),
        ("/api/v1/tertial?year=tjugo&period=T1", "inget år"),
        ("/api/v1/tertial?period=T1", "'year' saknas"),
        ("/api/v1/tertial?year=2019&period=T4", "Okänd period 'T4'"),
        ("/api/v1/tertial?year=2019", "'period' saknas"),
        (
            "/api/v1/tertial?year=2019&period=T1&by=party",
            "Okänt värde 'party' för 'by': ange line, project eller object.",
        ),
        ("/api/v1/tertial?year=2019&period=T1&scope=kommunen", "Okänt urval"),
        ("/api/v1/allocation?year=1999", "inga fördelningsposter för 1999"),
        ("/api/v1/allocation?year=2019&item=okänd", "ingen fördelningspost 'okänd'"),
        ("/api/v1/meetings?year=1900", "inga sammanträden 1900"),
        ("/api/v1/decisions?date=3 juni", "inget datum"),
        ("/api/v1/risks?project=GNS/99/2099", "inget projekt"),
        ("/api/v1/projects?format=xlsx", "Okänt värde 'xlsx' för 'format'"),
        ("/api/v1/projects?yaer=2019", "Okänd parameter 'yaer'"),
    ],
)
def test_a_bad_parameter_gets_400_in_swedish(client, key_for, url, message):
    response = client.get(url, headers=bearer(key_for("namnd")))
    assert response.status_code == 400
    assert message in response.json()["fel"]


def test_a_missing_database_gets_503_without_its_path(client, key_for, monkeypatch, tmp_path):
    key = key_for("namnd")
    monkeypatch.setenv("PORTFOLJ_DB", str(tmp_path / "finns-inte.db"))
    response = client.get("/api/v1/projects", headers=bearer(key))
    assert response.status_code == 503
    assert "Databasen" in response.json()["fel"] and "finns-inte" not in response.text
    assert not (tmp_path / "finns-inte.db").exists()


def test_reading_changes_no_data_and_leaves_page_caches_alone_within_a_minute(client, key_for, seeded_path):
    key = key_for("admin")
    client.get("/api/v1/projects", headers=bearer(key))
    db = open_database(seeded_path, migrate=False)
    before = revision(db), counts(seeded_path)
    for url in EVERY_ENDPOINT:
        assert client.get(url, headers=bearer(key)).status_code == 200
    assert (revision(db), counts(seeded_path)) == before
    db.close()


# --- the description ------------------------------------------------------------------------------


def test_the_openapi_description_lists_every_endpoint_and_needs_no_key(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/projects/{code}" in spec["paths"] and "/api/v1/risks/{risk_id}" in spec["paths"]
    tertial = spec["paths"]["/api/v1/tertial"]["get"]
    by = next(p for p in tertial["parameters"] if p["name"] == "by")
    assert by["schema"]["enum"] == ["line", "project", "object"]
    assert {p["name"] for p in tertial["parameters"] if p["required"]} == {"year", "period"}
    assert len(spec["paths"]) == len(api.ENDPOINTS)


def test_the_openapi_description_refuses_anything_but_get(client):
    assert client.post("/api/v1/openapi.json").status_code == 405
    head = client.head("/api/v1/openapi.json")
    assert head.status_code == 200 and head.content == b""
