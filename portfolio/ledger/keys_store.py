"""The allocation's tables: keys per year (`allocation_keys`), the versioned population
figures they may use (`allocation_population`, over the core's `party_population`) and what is
allocated with which key (`allocation_items`). The tables are created by the ledger's migrations
in `store.py`; `keys.py` holds the rules.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.db import Database, first_value, frame, table_frame, table_insert, to_json, update_if_unchanged

KEY_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "year": pl.Int64,
    "name": pl.String,
    "kind": pl.String,
    "spec": pl.String,
    "note": pl.String,
    "source": pl.String,
    "version": pl.Int64,
}


def keys_frame(db: Database, year: int | None = None) -> pl.DataFrame:
    """Allocation keys, for one year or all."""
    return table_frame(db, "allocation_keys", KEY_SCHEMA, order_by="year, name", given={"year": year})


def get_key(db: Database, key_id: int) -> dict[str, Any] | None:
    """One allocation key as a dict (spec parsed), or None."""
    cur = db.execute(
        "SELECT id, year, name, kind, spec, note, source, version FROM allocation_keys WHERE id = ?", [key_id]
    )
    row = cur.fetchone()
    if row is None:
        return None
    data = dict(zip(KEY_SCHEMA, row, strict=True))
    data["spec"] = json.loads(data["spec"])
    return data


def key_id_by_name(db: Database, year: int, name: str) -> int | None:
    """The id of a year's key by name (any case), or None."""
    return first_value(
        db, "SELECT id FROM allocation_keys WHERE year = ? AND lower(name) = lower(?)", [year, name], int
    )


def insert_key(
    db: Database, *, year: int, name: str, kind: str, spec: Any, note: str | None, source: str | None
) -> int:
    """Insert an allocation key; returns its id."""
    return table_insert(
        db,
        "allocation_keys",
        {"year": year, "name": name, "kind": kind, "spec": to_json(spec), "note": note, "source": source},
    )


def update_key(
    db: Database, key_id: int, *, name: str, kind: str, spec: Any, note: str | None, expected_version: int
) -> bool:
    """Update a key made from `expected_version`; False when it changed meanwhile."""
    values = {"name": name, "kind": kind, "spec": to_json(spec), "note": note}
    return update_if_unchanged(db, "allocation_keys", values, where={"id": key_id}, version=expected_version)


POPULATION_SCHEMA: dict[str, Any] = {
    "party_code": pl.String,
    "year": pl.Int64,
    "version": pl.Int64,
    "population": pl.Int64,
    "source": pl.String,
    "user_email": pl.String,
    "changed_at": pl.String,
    "note": pl.String,
}


def population_history(db: Database, year: int | None = None) -> pl.DataFrame:
    """Every version of every population figure (newest version last)."""
    return table_frame(
        db,
        "allocation_population",
        POPULATION_SCHEMA,
        order_by="year, party_code, version",
        given={"year": year},
    )


def current_populations(db: Database, year: int) -> dict[str, tuple[int, int]]:
    """Party → (population, version) for a year: the latest version, else the core's figure (version 0)."""
    result = {
        str(p): (int(n), 0)
        for p, n in db.execute(
            "SELECT party_code, population FROM party_population WHERE year = ?", [year]
        ).fetchall()
    }
    for party, population, version in db.execute(
        "SELECT a.party_code, a.population, a.version FROM allocation_population a"
        " WHERE a.year = ? AND a.version = (SELECT MAX(version) FROM allocation_population b"
        " WHERE b.party_code = a.party_code AND b.year = a.year)",
        [year],
    ).fetchall():
        result[str(party)] = (int(population), int(version))
    return result


def insert_population_version(
    db: Database,
    *,
    party: str,
    year: int,
    version: int,
    population: int,
    source: str | None,
    user_email: str,
    note: str | None,
) -> bool:
    """Add a version of a population figure; False when that version already exists."""
    cur = db.execute(
        "INSERT OR IGNORE INTO allocation_population VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [party, year, version, population, source, user_email, clock.now(), note],
    )
    return cur.rowcount > 0


ITEM_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "year": pl.Int64,
    "name": pl.String,
    "source_kind": pl.String,
    "ref": pl.String,
    "amount_ore": pl.Int64,
    "key_id": pl.Int64,
    "key_name": pl.String,
    "note": pl.String,
    "source": pl.String,
}


def items_frame(db: Database, year: int | None = None) -> pl.DataFrame:
    """What is allocated in a year (or all years), with its key's name."""
    where, params = (" WHERE i.year = ?", [year]) if year is not None else ("", [])
    return frame(
        db,
        "SELECT i.id, i.year, i.name, i.source_kind, i.ref, i.amount_ore, i.key_id, k.name, i.note, i.source"
        f" FROM allocation_items i JOIN allocation_keys k ON k.id = i.key_id{where} ORDER BY i.year, i.id",
        params,
        ITEM_SCHEMA,
    )


def insert_item(
    db: Database,
    *,
    year: int,
    name: str,
    source_kind: str,
    ref: str | None,
    amount_ore: int | None,
    key_id: int,
    note: str | None,
    source: str | None,
) -> int | None:
    """Insert an allocation item unless one with that name exists; returns its id or None."""
    cur = db.execute(
        "INSERT OR IGNORE INTO allocation_items (year, name, source_kind, ref, amount_ore, key_id, note,"
        " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [year, name, source_kind, ref, amount_ore, key_id, note, source],
    )
    return cur.lastrowid if cur.rowcount > 0 else None


def delete_item(db: Database, item_id: int) -> dict[str, Any] | None:
    """Delete an item; returns what it was."""
    cur = db.execute(
        "SELECT year, name, source_kind, ref, amount_ore, key_id FROM allocation_items WHERE id = ?",
        [item_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    db.execute("DELETE FROM allocation_items WHERE id = ?", [item_id])
    return dict(zip(["year", "name", "source_kind", "ref", "amount_ore", "key_id"], row, strict=True))
