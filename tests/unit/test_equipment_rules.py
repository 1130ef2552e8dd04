"""Scheduling rules of equipment service requests (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflows.equipment_rules import (
    DueDateRefused,
    add_note,
    add_working_days,
    check_due_date,
    describe_request,
    is_working_day,
    least_loaded,
    local_today,
    sla_deadline,
)

MONDAY, FRIDAY, SATURDAY, SUNDAY = (date(2026, 11, d) for d in (2, 6, 7, 8))


def test_working_days_are_monday_to_friday():
    assert [is_working_day(date(2026, 11, d)) for d in range(2, 9)] == [True] * 5 + [False] * 2


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MONDAY, 0, MONDAY),
        (MONDAY, 1, date(2026, 11, 3)),
        (MONDAY, 4, FRIDAY),
        (MONDAY, 5, date(2026, 11, 9)),  # over the weekend
        (FRIDAY, 1, date(2026, 11, 9)),
        (SATURDAY, 0, date(2026, 11, 9)),  # asked at the weekend: counts from Monday
        (SUNDAY, 1, date(2026, 11, 10)),
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # across the year (no holiday calendar)
    ],
)
def test_adding_working_days_skips_weekends(start, days, expected):
    assert add_working_days(start, days) == expected


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(MONDAY, -1)


def test_today_is_the_greek_day():
    late_sunday_utc = datetime(2026, 11, 1, 22, 30, tzinfo=UTC)  # 00:30 on Monday in Athens
    assert local_today(late_sunday_utc) == MONDAY


MONDAY_MORNING = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # 09:00 in Athens


def test_a_due_date_today_or_ahead_on_a_working_day_is_accepted():
    assert check_due_date(MONDAY, MONDAY_MORNING) == MONDAY
    assert check_due_date(date(2026, 12, 31), MONDAY_MORNING) == date(2026, 12, 31)  # 59 days


@pytest.mark.parametrize(
    ("due_on", "now", "message"),
    [
        (date(2026, 10, 30), MONDAY_MORNING, "already over"),
        (MONDAY, datetime(2026, 11, 2, 16, 0, tzinfo=UTC), "already over"),  # 18:00 in Athens
        (SATURDAY, MONDAY_MORNING, "not a working day"),
        (date(2027, 1, 4), MONDAY_MORNING, "more than 60 days ahead"),
    ],
)
def test_a_due_date_no_technician_can_meet_is_refused(due_on, now, message):
    with pytest.raises(DueDateRefused, match=message):
        check_due_date(due_on, now)


def test_the_deadline_is_the_end_of_the_due_day_in_athens():
    assert sla_deadline(MONDAY).astimezone(UTC) == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    summer = sla_deadline(date(2026, 7, 1)).astimezone(UTC)  # EEST, UTC+3
    assert summer == datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
    assert sla_deadline(MONDAY).isoformat() == "2026-11-02T18:00:00+02:00"


def test_the_least_loaded_technician_gets_the_job():
    technicians = ["stelios.tech", "thanasis.tech"]
    assert least_loaded(technicians, {"stelios.tech": 2, "thanasis.tech": 1}) == "thanasis.tech"
    assert least_loaded(technicians, {"thanasis.tech": 1}) == "stelios.tech"  # none open
    assert least_loaded(technicians, {}) == "stelios.tech"  # a tie: by name
    assert least_loaded([], {"x": 1}) is None


def test_each_kind_of_request_reads_as_a_summary():
    assert describe_request("placement", "cooler", None, None) == "Placement of a cooler"
    assert describe_request("relocation", "cooler", "EQ-00001", "Terrace") == (
        "Relocation of EQ-00001 to Terrace"
    )
    assert describe_request("repair", "freezer", "EQ-00002", None) == "Repair of EQ-00002"
    with pytest.raises(ValueError, match="unknown kind"):
        describe_request("sale", None, None, None)


def test_notes_grow_line_by_line():
    assert add_note(None, "first") == "first"
    assert add_note("", "first") == "first"
    assert add_note("first", "second") == "first\nsecond"
