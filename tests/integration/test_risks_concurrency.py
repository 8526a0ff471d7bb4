"""Many writers on one database file: every edit is saved or refused as stale, none lost, none locked."""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import sys
import time
import types
from pathlib import Path

import pytest

from portfolio.auth import Role, User
from portfolio.errors import StaleEditError
from registers.database import open_database
from registers.risks import service
from registers.risks.model import parse_risk

WRITERS = 8
EDITS = 100
ADMIN = User(id=None, email="skrivare@gns.example", name="Skrivare", role=Role.ADMIN)


def _edit_many(args: tuple[str, int, int]) -> tuple[int, int, list[str]]:
    """One process: read the risk, change it from the version read, count saved and refused edits."""
    path, risk_id, worker = args
    db = open_database(path)
    saved = refused = 0
    errors: list[str] = []
    for i in range(EDITS):
        try:
            current = service.risk(db, risk_id)
            data = parse_risk(
                {
                    **{k: current[k] for k in ("register_id", "probability", "consequence", "status")},
                    "title": f"Skrivare {worker} ändring {i}",
                    "status_note": f"{worker}-{i}",
                }
            )
            time.sleep(random.uniform(0, 0.004))  # a user's think time between reading and saving
            service.update_risk(db, ADMIN, risk_id, data, version=current["version"])
            saved += 1
        except StaleEditError:
            refused += 1
        except sqlite3.OperationalError as exc:  # must never happen: counted and reported by the test
            errors.append(str(exc))
    db.close()
    return saved, refused, errors


def test_eight_writers_times_hundred_edits_are_each_saved_or_refused(
    seeded_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(seeded_path)
    risk_id = int(service.risks_with_bands(db)["id"][0])
    start_version = service.risk(db, risk_id)["version"]
    audit_before = db.execute(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'risk' AND entity_id = ?", [str(risk_id)]
    ).fetchone()[0]
    db.close()

    # A fork server (not fork: pytest may run threads) that has already imported the app, so the
    # eight writers start at once instead of each importing polars and pydantic on a small machine.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    # AppTest leaves the Streamlit script as __main__; the writers must not re-run it on start.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    with ctx.Pool(WRITERS) as pool:
        jobs = pool.map_async(_edit_many, [(str(seeded_path), risk_id, w) for w in range(WRITERS)])
        results = jobs.get(timeout=120)

    saved = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    errors = [e for r in results for e in r[2]]
    assert errors == []  # no "database is locked" reached a writer
    assert saved + refused == WRITERS * EDITS
    assert saved > 0

    db = open_database(seeded_path)
    final = service.risk(db, risk_id)
    # every saved edit is one version step and one audit row: none lost, none doubled
    assert final["version"] == start_version + saved
    audit_rows = db.execute(
        "SELECT after FROM audit_log WHERE entity = 'risk' AND entity_id = ? ORDER BY id", [str(risk_id)]
    ).fetchall()
    assert len(audit_rows) == audit_before + saved
    assert f'"title": "{final["title"]}"' in audit_rows[-1][0]
    notes = [row[0] for row in audit_rows[audit_before:]]
    assert len(set(notes)) == saved
