"""A period given as days, as the CLI and the API take it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def days(since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, the day after until 00:00) in UTC: both days included."""
    start = datetime.combine(since, time(), UTC)
    return start, datetime.combine(until + timedelta(days=1), time(), UTC)
