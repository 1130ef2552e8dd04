"""Processes whose start event is a timer: the worker starts their instances when due.

Deploying a version schedules its start timer (a date, a duration from the deploy, or a
cycle: `R3/PT24H`, `R/P1D`), replacing the schedule of the version before; a version
that starts otherwise clears it. Each time the timer is due the worker starts one
instance of the latest version, whose start event fires at once; a cycle's next
occurrence is a new instance one period later. See docs/events.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from ..event_store import StartTimer, StartTimers
from ..serialization import spec_from_dict
from ..settle import SYSTEM_ACTOR, advance_and_settle, record
from ..unit_of_work import UnitOfWork
from .base import EngineBase


class StartTimerCommands(EngineBase):
    """Schedule start timers at deploy; start the instances they call for."""

    def _schedule_start(self, uow: UnitOfWork, process_id: str, spec: dict[str, Any]) -> None:
        """Schedule (or clear) the start timer of the version of `process_id` just stored."""
        plan = self.runtime.start_schedule(spec_from_dict(spec), uow.now)
        store = StartTimers(uow.session)
        if plan is None:
            store.clear(process_id)
        else:
            due, cycles, every = plan
            store.set(StartTimer(process_id, due, cycles, every))

    def fire_start_timers(self, *, limit: int = 20) -> int:
        """Start an instance of every process whose start timer is due; return how many."""
        with self.reader() as uow:  # the worker asks every sweep: most times, nothing
            if not StartTimers(uow.session).any_due(uow.now):
                return 0
        started = 0
        for _ in range(limit):
            with self.uow() as uow:
                store = StartTimers(uow.session)
                due = store.due(uow.now, 1)
                if not due:
                    return started
                self._start_by_timer(uow, due[0])
                self._next_start(store, due[0], uow)
                uow.commit()
                started += 1
        return started

    def _start_by_timer(self, uow: UnitOfWork, timer: StartTimer) -> None:
        instance, _, _ = self._start_in(
            uow, timer.process_id, user=SYSTEM_ACTOR, data={}, by_timer=True
        )
        workflow, _ = self._load(uow, instance)
        waiting = self.runtime.timer_ids(workflow)
        element = self.runtime.fire_start_event(workflow)
        if element is None:  # the version changed under the schedule: started as it is
            return
        record(uow, instance, "timer_fired", actor=SYSTEM_ACTOR, details={"element": element})
        advance_and_settle(
            uow,
            self.runtime,
            instance,
            workflow,
            actor=SYSTEM_ACTOR,
            timers_before=waiting,
            governance=self._governance(uow, instance.version_id),
        )

    @staticmethod
    def _next_start(store: StartTimers, timer: StartTimer, uow: UnitOfWork) -> None:
        if timer.every_seconds is None or timer.cycles_left == 1:
            store.clear(timer.process_id)
            return
        due = timer.due_at + timedelta(seconds=timer.every_seconds)
        if due <= uow.now:  # the worker was away: the next one from now, not a burst
            due = uow.now + timedelta(seconds=timer.every_seconds)
        left = timer.cycles_left - 1 if timer.cycles_left > 0 else -1
        store.set(replace(timer, due_at=due, cycles_left=left))
