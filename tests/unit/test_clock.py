"""One clock: UTC in storage, Stockholm local time for people, no offsets in what they read."""

from __future__ import annotations

from datetime import UTC, datetime

from portfolio import clock


def test_now_is_utc_to_the_second():
    stamp = clock.now()
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5


def test_people_read_stockholm_time_without_an_offset():
    assert clock.local_text("2026-12-03T13:58:07+00:00") == "2026-12-03 14:58"
    assert clock.local_text("2026-07-01T10:00:00+00:00") == "2026-07-01 12:00"  # summer time
    assert "+00:00" not in clock.local_text(clock.now())


def test_a_stamp_without_offset_is_read_as_utc_and_nothing_is_shown_as_a_dash():
    assert clock.local_text("2026-12-03T13:58:07") == "2026-12-03 14:58"
    assert clock.local_text(None) == "–"


def test_a_naive_local_stamp_of_an_older_version_becomes_utc():
    assert clock.local_to_utc("2026-12-03T14:58:07") == "2026-12-03T13:58:07+00:00"
    assert clock.local_to_utc("2026-07-01T12:00:00") == "2026-07-01T10:00:00+00:00"
    assert clock.local_to_utc("2026-12-03T13:58:07+00:00") == "2026-12-03T13:58:07+00:00"
    assert clock.local_to_utc("2026-12-03") == "2026-12-03"


def test_today_is_the_swedish_date():
    from zoneinfo import ZoneInfo

    assert clock.today() == datetime.now(ZoneInfo("Europe/Stockholm")).date()


def test_a_column_of_stamps_is_shown_in_stockholm_time_like_one_stamp():
    import polars as pl

    stamps = ["2026-12-03T13:58:07+00:00", "2026-07-01T10:00:00+00:00", "2026-12-03T13:58:07", None]
    shown = pl.DataFrame({"at": stamps}).select(clock.local_column("at"))["at"].to_list()
    assert shown == [clock.local_text(s) if s else None for s in stamps]
    assert shown[:2] == ["2026-12-03 14:58", "2026-07-01 12:00"]
