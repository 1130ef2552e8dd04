"""Times are stored on SQLite as the text SQLAlchemy's own DATETIME writes (engine/orm.py):
queries compare that text, so a row written one way and a bound value written the other
must agree to the character."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from engine.orm import UTCDateTime

ATHENS = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 9, 30, tzinfo=UTC),  # no microseconds: still written
        datetime(2026, 12, 5, 1, 0, tzinfo=ATHENS),  # the day before in UTC
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year of three digits
    ],
)
def test_a_time_is_written_as_sqlalchemys_datetime_writes_it_in_utc(value):
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = DATETIME().bind_processor(dialect)
    assert ours(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))


def test_a_time_without_a_zone_is_refused():
    process = UTCDateTime().bind_processor(sqlite.dialect())
    with pytest.raises(ValueError, match="naive datetime"):
        process(datetime(2026, 12, 5, 9, 30))
    assert process(None) is None
