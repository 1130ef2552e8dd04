"""The worker carries on past a failing timer or a failing sweep, and stops when asked."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from engine.worker import Worker


def test_a_failing_timer_is_logged_rests_and_the_others_still_fire(engine, clock, caplog):
    ids = [engine.start("timer_wait", user="ana").instance_id for _ in range(3)]
    clock.advance(timedelta(hours=2))
    broken = ids[0]
    fire = engine.fire_timer

    def fire_unless_broken(instance_id, timer_id):
        if instance_id == broken:
            raise RuntimeError("state of\nthis instance is unreadable")
        return fire(instance_id, timer_id)

    engine.fire_timer = fire_unless_broken
    worker = Worker(engine, interval=0.5)
    with caplog.at_level(logging.WARNING, logger="raciflow.worker"):
        first = worker.sweep()
    assert (first.timers_fired, first.timers_failed) == (2, 1)
    [line] = caplog.messages
    assert broken in line and "RuntimeError: state of this instance is unreadable" in line

    assert worker.sweep().timers_failed == 0  # it rests instead of failing every sweep
    engine.fire_timer = fire
    time.sleep(1.05)  # its rest (twice the interval) is over
    assert worker.sweep().timers_fired == 1


def test_the_worker_outlives_a_failing_sweep_and_stops_when_asked(engine, clock, caplog):
    engine.start("timer_wait", user="ana")
    clock.advance(timedelta(hours=2))
    worker = Worker(engine, interval=0.01)
    due_timers, calls = engine.due_timers, []

    def database_down_once(**options):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        if len(calls) == 3:
            worker.stop()
        return due_timers(**options)

    engine.due_timers = database_down_once
    with caplog.at_level(logging.ERROR, logger="raciflow.worker"):
        totals = worker.run()
    assert totals.timers_fired == 1
    assert len(calls) == 3
    assert ["sweep failed" in message for message in caplog.messages] == [True]
