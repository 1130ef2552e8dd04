"""Scheduling rules of equipment service requests: working days, due dates, deadlines, load.

Pure functions (no database): the services of the equipment request process call them
with what they read from the CRM tables and the directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ATHENS = ZoneInfo("Europe/Athens")  # where the technicians work: days end on Greek time
END_OF_WORKING_DAY = time(18, 0)
SCHEDULING_HORIZON = timedelta(days=60)  # further ahead than this is a typo, not a plan
KINDS = ("placement", "relocation", "repair")
ASSET_TYPES = ("cooler", "freezer", "dispenser")


class DueDateRefused(ValueError):
    """A due date a technician cannot be scheduled for."""


def local_today(now: datetime) -> date:
    """Return the day it is in Greece at `now` (an aware datetime)."""
    return now.astimezone(ATHENS).date()


def is_working_day(day: date) -> bool:
    """Return whether technicians work on `day` (Monday to Friday)."""
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """Return the working day `days` working days after `start` (0: start, or the next one)."""
    if days < 0:
        raise ValueError("the number of working days cannot be negative")
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    for _ in range(days):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return day


DUE_DATE_PROBLEMS = {  # why a due date is refused, as the scheduling form says it
    "over": "that day is over: choose a working day from today on (before 18:00)",
    "weekend": "technicians do not work at weekends",
    "too_far": "at most 60 days ahead",
}


def due_date_problem(due_on: date, now: datetime) -> str | None:
    """Why a technician cannot be booked for `due_on` (a DUE_DATE_PROBLEMS key), or None."""
    if sla_deadline(due_on) <= now:
        return "over"
    if not is_working_day(due_on):
        return "weekend"
    if due_on - local_today(now) > SCHEDULING_HORIZON:
        return "too_far"
    return None


def check_due_date(due_on: date, now: datetime) -> date:
    """Return `due_on` if a technician can still be booked for it, else raise DueDateRefused."""
    problem = due_date_problem(due_on, now)
    day = due_on.isoformat()
    if problem == "over":
        raise DueDateRefused(f"the due date {day} is already over")
    if problem == "weekend":
        raise DueDateRefused(f"the due date {day} is not a working day")
    if problem == "too_far":
        raise DueDateRefused(
            f"the due date {day} is more than {SCHEDULING_HORIZON.days} days ahead"
        )
    return due_on


def sla_deadline(due_on: date) -> datetime:
    """Return when the work is overdue: the end of the due day, Greek time."""
    return datetime.combine(due_on, END_OF_WORKING_DAY, tzinfo=ATHENS)


def least_loaded(technicians: Iterable[str], open_jobs: Mapping[str, int]) -> str | None:
    """Return the technician with the fewest open jobs (ties: by name), or None if none."""
    return min(technicians, key=lambda name: (open_jobs.get(name, 0), name), default=None)


def describe_request(
    kind: str, asset_type: str | None, asset_serial: str | None, new_location: str | None
) -> str:
    """Return the one-line summary a service request's notes start with."""
    if kind == "placement":
        return f"Placement of a {asset_type}"
    if kind == "relocation":
        return f"Relocation of {asset_serial} to {new_location}"
    if kind == "repair":
        return f"Repair of {asset_serial}"
    raise ValueError(f"unknown kind of equipment request: {kind}")


def add_note(notes: str | None, line: str) -> str:
    """Return `notes` with `line` appended on a line of its own."""
    return f"{notes}\n{line}" if notes else line
