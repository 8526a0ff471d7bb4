"""portfolio.db's table readers: a filter given None is dropped only where the caller asks for it."""

from __future__ import annotations

import polars as pl
from sqlite_utils import Database

from portfolio.db import positioned_frame, table_frame

SCHEMA = {"id": pl.Int64, "parent_id": pl.Int64, "year": pl.Int64, "position": pl.Int64}


def _db() -> Database:
    db = Database(memory=True)
    db.table("lines").insert_all(
        [
            {"id": 1, "parent_id": 1, "year": 2019, "position": 2},
            {"id": 2, "parent_id": 1, "year": 2020, "position": 1},
            {"id": 3, "parent_id": 2, "year": 2019, "position": 1},
        ],
        pk="id",
    )
    return db


def test_a_parents_rows_in_position_order_and_none_for_no_parent():
    db = _db()
    assert positioned_frame(db, "lines", "parent_id", 1, SCHEMA)["id"].to_list() == [2, 1]
    # A missing parent has no rows; it must not read every parent's rows.
    assert positioned_frame(db, "lines", "parent_id", None, SCHEMA).height == 0


def test_where_is_strict_and_given_drops_a_filter_of_none():
    db = _db()
    assert table_frame(db, "lines", SCHEMA, order_by="id", where={"year": None}).height == 0
    assert table_frame(db, "lines", SCHEMA, order_by="id", given={"year": 2019})["id"].to_list() == [1, 3]
    assert table_frame(db, "lines", SCHEMA, order_by="id", given={"year": None}).height == 3
