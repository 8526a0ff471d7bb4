"""The seed loads, is idempotent, reproduces the documents' figures, and refuses bad records."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio import store
from portfolio.db import connect, migrate
from portfolio.errors import InvalidInputError
from registers.database import ALL_MIGRATIONS, open_database
from seed.loader import DATA_DIR, seed_database


def table_counts(db) -> dict[str, int]:
    return {t: store.count(db, t) for t in db.table_names() if not t.startswith(("_", "sqlite_"))}


def test_seeding_twice_changes_nothing(seeded):
    before = table_counts(seeded)
    assert sum(seed_database(seeded).values()) == 0
    assert table_counts(seeded) == before


def test_link2_reproduces_the_final_reports_figures(seeded):
    projects = store.projects_frame(seeded)
    link2 = projects.filter(projects["code"] == "GNS/8/2018").row(0, named=True)
    assert link2["budget_ore"] == 2_810_000_00
    assert link2["actual_ore"] == 3_489_986_00
    lines = store.budget_lines_frame(seeded, link2["id"])
    budget_lines = lines.filter(lines["kind"] == "budget")
    assert budget_lines["budget_total_ore"].sum() == 2_810_000_00
    assert budget_lines["outcome_total_ore"].sum() == 2_756_425_00
    stated = store.stated_totals(seeded, link2["id"])
    assert stated is not None and stated["extra_ore"] == 734_986_00  # the report's own sum


def test_the_2019_statement_is_the_annual_reports(seeded):
    statement = store.reported_statement(seeded, 2019, "helår")
    lines = statement.filter(statement["kind"] != "summa")
    assert len(lines) == 16
    assert lines["actual_ore"].sum() == -50_00000
    assert lines["budget_ore"].sum() == -101_00000
    net = statement.filter(statement["line"] == "Verksamhetens nettokostnader").row(0, named=True)
    assert (net["actual_ore"], net["budget_ore"], net["previous_year_ore"]) == (
        -50_00000,
        -101_00000,
        -88_00000,
    )


def test_t1_2019_and_base_funding_are_the_minutes(seeded):
    results = store.period_results_frame(seeded)
    t1 = results.filter((results["period"] == "T1") & (results["year"] == 2019))
    assert -219_00000 in t1["result_ore"].to_list()
    funding = store.funding_frame(seeded)
    assert funding.filter(funding["kind"] == "basfinansiering")["amount_ore"].to_list() == [914_400_00]


def test_every_seeded_project_names_its_source(seeded):
    sources = store.projects_frame(seeded)["source"].to_list()
    assert all(sources)


def test_a_bad_record_names_file_record_and_field_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    text = (data / "projects.yaml").read_text(encoding="utf-8")
    (data / "projects.yaml").write_text(text.replace("phase: avslutad", "phase: klar", 1), encoding="utf-8")
    db = open_database(tmp_path / "x.db")
    with pytest.raises(InvalidInputError) as exc:
        seed_database(db, data)
    message = "\n".join(exc.value.messages)
    assert "projects.yaml" in message and "GNS/8/2018" in message and "phase" in message
    assert store.count(db, "projects") == 0 and store.count(db, "audit_log") == 0


def test_count_is_zero_for_a_table_not_made_yet_and_the_rows_of_one_that_is(tmp_path):
    db = connect(tmp_path / "count.db")
    assert store.count(db, "parties") == 0
    migrate(db, store.MIGRATIONS)
    db.execute("INSERT INTO parties (code, name, kind) VALUES ('R', 'Regionen', 'region')")
    db.execute("INSERT INTO parties (code, name, kind) VALUES ('K', 'Kommunen', 'kommun')")
    assert store.count(db, "parties") == 2


def test_the_seed_command_fails_with_the_message_and_exit_code(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "parties.yaml").write_text("- code: x\n", encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; from seed.loader import *; from registers.database import open_database;"
            f" seed_database(open_database(r'{tmp_path / 'y.db'}'), Path(r'{data}'))",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "parties.yaml" in out.stderr


def test_a_database_from_an_earlier_schema_is_migrated_not_recreated(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    core = ALL_MIGRATIONS[0]
    first_only = type(core)(core.name, core.steps[:1])
    migrate(old, first_only)  # the schema as the first release made it
    old.execute("INSERT INTO parties (code, name, kind, source) VALUES ('RJH', 'Region', 'region', 'x')")
    old.conn.commit()
    old.close()
    db = open_database(path)
    assert "status_reports" in db.table_names()
    assert store.parties_frame(db)["code"].to_list() == ["RJH"]


def test_projects_json_lists_link2_with_its_budget_and_actual(seeded_path):
    out = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "projects", "--db", str(seeded_path), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    link2 = next(p for p in json.loads(out.stdout) if p["code"] == "GNS/8/2018")
    assert (link2["budget"], link2["actual"], link2["deviation"]) == (2810000, 3489986, -679986)
