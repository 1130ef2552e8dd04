"""The analytics roll-up changes no figure: a report reads the same before any roll-up,
after one, over a period that cuts days, per version, and as work goes on after it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.analytics import rollup
from engine.analytics.rollup import SETTLE
from engine.orm import (
    analytics_instances,
    analytics_rollups,
    analytics_spreads,
    process_instances,
)
from tests.scenarios.analytics_history import PROCESS, SINCE, UNTIL, make_history

LATER = SETTLE + timedelta(minutes=1)


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    make_history(crm)
    return crm


def report(crm, since=SINCE, until=UNTIL, version=None):
    return crm.engine.analytics(
        PROCESS, since=since, until=until, version=version, user="lena.owner"
    )


def rolled(crm, table, span: str) -> int:
    column = table.c.instances if table is analytics_instances else table.c["count"]
    with crm.engine.database.connect() as conn:
        return conn.execute(
            select(func.coalesce(func.sum(column), 0)).where(table.c.span == span)
        ).scalar_one()


def open_case(crm) -> str:
    with crm.engine.database.connect() as conn:
        return conn.execute(
            select(process_instances.c.id).where(process_instances.c.ended_at.is_(None))
        ).scalar_one()


def test_a_report_reads_the_same_from_the_roll_up(crm):
    crm.clock.advance(LATER)
    periods = [
        (SINCE, UNTIL),
        (datetime(2026, 11, 3, 12, tzinfo=UTC), datetime(2026, 11, 10, 6, tzinfo=UTC)),
        (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ]
    live = [report(crm, since, until) for since, until in periods] + [report(crm, version=1)]

    assert crm.engine.roll_up_analytics() == 4  # A, B, D completed, C cancelled; E is open

    assert [report(crm, since, until) for since, until in periods] + [
        report(crm, version=1)
    ] == live
    # The finished instances are in the roll-up, by day and by month of start.
    assert rolled(crm, analytics_instances, "day") == 4
    assert rolled(crm, analytics_instances, "month") == 4
    assert rolled(crm, analytics_spreads, "day") == rolled(crm, analytics_spreads, "month") > 0


def test_a_long_history_is_rolled_up_a_step_at_a_time(crm, monkeypatch):
    crm.clock.advance(LATER)
    before = report(crm)
    monkeypatch.setattr(rollup, "STEP", 2)  # two instances per transaction
    assert crm.engine.roll_up_analytics() == 4
    assert report(crm) == before
    assert rolled(crm, analytics_instances, "year") == 4


def test_work_done_after_a_roll_up_counts_at_once_and_is_rolled_up_later(crm):
    crm.clock.advance(LATER)
    crm.engine.roll_up_analytics()
    crm.approve(open_case(crm), "analyse_controller", "kostas.credit")  # E signed at last
    signed = report(crm)
    assert signed.counts.completed == 4 and signed.counts.running == 0

    assert crm.engine.roll_up_analytics() == 0  # E ended less than SETTLE ago: still live
    crm.clock.advance(LATER)
    assert crm.engine.roll_up_analytics() == 1
    assert report(crm) == signed
    assert rolled(crm, analytics_instances, "month") == 5


def test_a_roll_up_with_nothing_new_changes_nothing(crm):
    crm.clock.advance(LATER)
    crm.engine.roll_up_analytics()
    before = report(crm)
    crm.clock.advance(LATER)
    assert crm.engine.roll_up_analytics() == 0
    assert report(crm) == before
    with crm.engine.database.connect() as conn:
        marks = conn.execute(select(analytics_rollups.c.rolled_before)).scalars().all()
    assert marks and all(mark == crm.clock.now() - SETTLE for mark in marks)


def test_the_report_reads_finished_cases_from_the_roll_up_not_the_tasks(crm):
    crm.clock.advance(LATER)
    crm.engine.roll_up_analytics()
    with crm.engine.database.begin() as conn:  # forged week rows show: they are read
        conn.execute(
            analytics_instances.update()
            .where(analytics_instances.c.span == "week")
            .values(instances=analytics_instances.c.instances + 10)
        )
    # 2-30 November is four whole weeks (from Monday the 2nd): A, B, C, D's two weeks,
    # two rows each (by status and day ended).
    assert report(crm).counts.started == 5 + 4 * 10
    november = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    assert report(crm, *november).counts.started == 5  # the whole month: its own rows
    tuesday_to_monday = datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)
    assert report(crm, *tuesday_to_monday).counts.started == 2  # B and C, by their days


def test_two_workers_rolling_up_at_once_add_each_case_once(crm, monkeypatch):
    crm.clock.advance(LATER)
    crm.engine.roll_up_analytics()  # A, B, C, D
    crm.approve(open_case(crm), "analyse_controller", "kostas.credit")  # E ends
    crm.clock.advance(LATER)
    before = report(crm)
    adding = rollup.add_rows

    def slowly(*args, **kwargs):  # the first holds its lock a while: the second waits
        time.sleep(0.3)
        adding(*args, **kwargs)

    monkeypatch.setattr(rollup, "add_rows", slowly)
    with ThreadPoolExecutor(2) as pool:
        added = list(pool.map(lambda _: crm.engine.roll_up_analytics(), range(2)))
    assert sorted(added) == [0, 1]  # the second waited for the first's lock, then saw W
    assert report(crm) == before
    assert rolled(crm, analytics_instances, "day") == 5
