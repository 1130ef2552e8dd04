"""Several workers fire timers while instances are cancelled: nobody crashes, each timer fires once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from engine import build_engine
from engine.errors import ConcurrencyConflict, InvalidState

INSTANCES = 24


def timer_events(engine, instance_ids) -> Counter:
    with engine.uow() as uow:
        return Counter(
            instance_id
            for instance_id in instance_ids
            for event in uow.audit.events_of(instance_id)
            if event.action == "timer_fired"
        )


def test_two_workers_and_a_canceller_racing(engine, database_url, clock):
    ids = [engine.start("timer_wait", user="ana").instance_id for _ in range(INSTANCES)]
    clock.advance(timedelta(hours=2))  # every timer is due
    doomed = ids[::2]
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    cancelled: list[str] = []

    def worker() -> None:
        process_engine = build_engine(database_url, clock=clock)
        barrier.wait(10)
        try:
            for _ in range(100):  # sweep until nothing is due
                if not process_engine.due_timers(limit=1):
                    break
                process_engine.fire_due_timers(limit=5)
        except Exception as err:  # the defect: the first conflict ended the worker
            errors.append(err)

    def canceller() -> None:
        process_engine = build_engine(database_url, clock=clock)
        barrier.wait(10)
        for instance_id in doomed:
            try:
                process_engine.cancel(instance_id, user="ops", reason="customer withdrew")
                cancelled.append(instance_id)
            except (ConcurrencyConflict, InvalidState):
                pass  # a timer fired at that very moment: a clear refusal is fine

    threads = [threading.Thread(target=t) for t in (worker, worker, canceller)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert engine.fire_due_timers() == 0  # nothing left behind
    fired = timer_events(engine, ids)
    survivors = [i for i in ids if i not in cancelled]
    assert all(fired[i] == 1 for i in survivors), fired  # every due timer fired exactly once
    assert all(fired[i] <= 1 for i in cancelled)  # and no cancelled instance's twice
    assert engine.verify_audit().ok
