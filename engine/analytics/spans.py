"""The calendar blocks of the roll-up: days, weeks, months, quarters and years of start.

Days are numbered from 1970-01-01 (UTC). A week starts on a Monday and is kept only
when it lies within one month; a month, quarter or year starts on its first day. Each
block above a day adds up smaller ones (`parts`): weeks and months their days, quarters
their months, years their quarters. A period of whole days is read as the fewest
blocks: whole years, quarters and months, and within the rest of a month whole weeks,
then days (`covering`). So a year reads a few dozen blocks, not 365 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the roll-up's day keys)."""
    return (day - EPOCH).days


def day_of(moment: datetime) -> int:
    """The day number of a moment's UTC day."""
    return day_number(moment.astimezone(UTC).date())


def _day(number: int) -> date:
    return EPOCH + timedelta(days=number)


def midnight(number: int) -> datetime:
    """The start of day `number`, in UTC."""
    return datetime.combine(_day(number), time(), UTC)


def _months_on(number: int, months: int) -> int:
    """The first day of the month `months` after the month of day `number`."""
    day = _day(number)
    years, month = divmod(day.month - 1 + months, 12)
    return day_number(date(day.year + years, month + 1, 1))


@dataclass(frozen=True)
class Span:
    name: str
    parts: str | None  # the span whose blocks it adds up; None for a day
    months: int = 0  # its length in months (0: a day or a week)

    def start(self, number: int) -> int:
        """The first day of this span's block holding day `number`."""
        if self.name == DAY:
            return number
        if self.name == WEEK:
            return number - _day(number).weekday()
        day = _day(number)
        month = (day.month - 1) // self.months * self.months + 1
        return day_number(date(day.year, month, 1))

    def end(self, first: int) -> int:
        """The day after the block starting on `first`."""
        if self.name == DAY:
            return first + 1
        if self.name == WEEK:
            return first + 7
        return _months_on(first, self.months)


DAY, WEEK, MONTH, QUARTER, YEAR = "day", "week", "month", "quarter", "year"
SPANS = {
    DAY: Span(DAY, None),
    WEEK: Span(WEEK, DAY),
    MONTH: Span(MONTH, DAY, 1),
    QUARTER: Span(QUARTER, MONTH, 3),
    YEAR: Span(YEAR, QUARTER, 12),
}
_CALENDAR = (SPANS[YEAR], SPANS[QUARTER], SPANS[MONTH])


def covering(first: int, end: int) -> dict[str, list[int]]:
    """The blocks that read days [first, end): span name -> first days of its blocks."""
    found: dict[str, list[int]] = {}
    cursor = first
    while cursor < end:
        whole = next(
            (s for s in _CALENDAR if s.start(cursor) == cursor and s.end(cursor) <= end), None
        )
        if whole is not None:
            found.setdefault(whole.name, []).append(cursor)
            cursor = whole.end(cursor)
            continue
        rest = min(SPANS[MONTH].end(SPANS[MONTH].start(cursor)), end)
        while cursor < rest:
            span = SPANS[WEEK] if _week_fits(cursor, rest) else SPANS[DAY]
            found.setdefault(span.name, []).append(cursor)
            cursor = span.end(cursor)
    return found


def _week_fits(cursor: int, rest: int) -> bool:
    return SPANS[WEEK].start(cursor) == cursor and cursor + 7 <= rest


def rebuilt(first: int, end: int) -> Iterator[tuple[Span, int]]:
    """The blocks above a day to add up again after days [first, end) changed, each
    after its parts: (span, first day)."""
    week = SPANS[WEEK]
    for monday in range(week.start(first), end, 7):
        if SPANS[MONTH].start(monday) == SPANS[MONTH].start(monday + 6):  # within a month
            yield week, monday
    for span in _CALENDAR[::-1]:  # months, then quarters, then years
        cursor = span.start(first)
        while cursor < end:
            yield span, cursor
            cursor = span.end(cursor)
