"""Time as the engine sees it: injectable so that tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def day_bounds(now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The day `now` falls in where the reader is, as UTC moments: its first and the
    next day's first (23 or 25 hours apart on the days the clocks change)."""
    today = now.astimezone(zone).date()
    first, next_first = (
        datetime.combine(day, time(), tzinfo=zone) for day in (today, today + timedelta(days=1))
    )
    return first.astimezone(UTC), next_first.astimezone(UTC)


class FakeClock:
    """A clock that moves only when told to (for tests and benchmarks)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


# The engine's time while it validates submitted form data, so that date rules in forms
# ("not in the past") follow the same clock as the engine (a fake one in tests).
_FORM_TIME: ContextVar[datetime | None] = ContextVar("raciflow_form_time", default=None)


def form_time() -> datetime:
    """The time a form is judged at: the engine's clock while it validates, else the wall."""
    return _FORM_TIME.get() or datetime.now(UTC)


def at_time(now: datetime, validate: Callable[[T], R], data: T) -> R:
    """Run `validate(data)` with `form_time()` answering `now`."""
    token = _FORM_TIME.set(now)
    try:
        return validate(data)
    finally:
        _FORM_TIME.reset(token)
