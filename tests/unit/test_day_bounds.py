"""A reader's day, as the inbox's "due today" filter bounds it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.clock import day_bounds

ATHENS = ZoneInfo("Europe/Athens")


def test_a_day_in_athens_begins_in_utc_the_evening_before():
    late_evening_utc = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)  # 00:30 on the 7th there
    assert day_bounds(late_evening_utc, ATHENS) == (
        datetime(2026, 12, 6, 22, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 22, 0, tzinfo=UTC),
    )


def test_the_days_the_clocks_change_are_23_and_25_hours_long():
    spring, autumn = datetime(2027, 3, 28, 12, tzinfo=UTC), datetime(2027, 10, 31, 12, tzinfo=UTC)
    first, next_first = day_bounds(spring, ATHENS)
    assert next_first - first == timedelta(hours=23)
    first, next_first = day_bounds(autumn, ATHENS)
    assert next_first - first == timedelta(hours=25)


def test_in_utc_a_day_is_the_calendar_day():
    assert day_bounds(datetime(2026, 12, 6, 23, 59, tzinfo=UTC), UTC) == (
        datetime(2026, 12, 6, tzinfo=UTC),
        datetime(2026, 12, 7, tzinfo=UTC),
    )
