"""Fire due timers, safely alongside other workers and the people acting on instances."""

from __future__ import annotations

from enum import StrEnum

from ..errors import ConcurrencyConflict, InvalidState, NotFound
from ..model import InstanceStatus
from ..settle import SYSTEM_ACTOR, advance_and_settle, record
from ..unit_of_work import UnitOfWork
from .base import EngineBase


class TimerOutcome(StrEnum):
    FIRED = "fired"
    SKIPPED = "skipped"  # already fired, or being fired, by another worker: nothing to do
    DROPPED = "dropped"  # its instance has ended or it waits no more: the stale row is removed
    CONFLICT = "conflict"  # the instance changed meanwhile; still due, so the next sweep retries


class TimerCommands(EngineBase):
    """Timers: list what is due, fire one, or fire everything due."""

    def due_timers(self, *, limit: int = 100) -> list[tuple[str, str]]:
        """(instance id, timer id) of the timers due by the clock's now, earliest first."""
        with self.reader() as uow:
            return uow.timers.due(uow.now, limit)

    def fire_timer(self, instance_id: str, timer_id: str) -> TimerOutcome:
        """Fire one timer if it is still due and no other worker has it.

        Locks are taken instance first, then the timer (SKIP LOCKED on PostgreSQL: a
        timer another worker holds is skipped, not waited for), the order every command
        that changes an instance can share. A timer whose instance was cancelled or
        completed, or which no longer waits, is dropped rather than fired.
        """
        try:
            with self.uow() as uow:
                try:
                    instance = uow.instances.lock(instance_id)
                except NotFound:
                    return TimerOutcome.SKIPPED
                if uow.timers.claim_due(timer_id, uow.now) is None:
                    return TimerOutcome.SKIPPED
                if InstanceStatus(instance.status).is_final:
                    return self._drop(uow, timer_id)
                workflow, _ = self._load(uow, instance)
                waiting = self.runtime.timer_ids(workflow)
                try:
                    element = self.runtime.fire_timer(workflow, timer_id)
                except InvalidState:
                    return self._drop(uow, timer_id)
                record(
                    uow,
                    instance,
                    "timer_fired",
                    actor=SYSTEM_ACTOR,
                    task_id=timer_id,
                    details={"element": element},
                )
                advance_and_settle(
                    uow,
                    self.runtime,
                    instance,
                    workflow,
                    actor=SYSTEM_ACTOR,
                    timers_before=waiting,  # touch only this instance's timers that changed
                    governance=self._governance(uow, instance.version_id),
                )
                uow.commit()
                return TimerOutcome.FIRED
        except ConcurrencyConflict:
            return TimerOutcome.CONFLICT

    def fire_due_timers(self, *, limit: int = 100) -> int:
        """Fire every timer due by the clock's now (up to `limit`); return how many fired."""
        outcomes = [self.fire_timer(*due) for due in self.due_timers(limit=limit)]
        return outcomes.count(TimerOutcome.FIRED)

    @staticmethod
    def _drop(uow: UnitOfWork, timer_id: str) -> TimerOutcome:
        uow.timers.remove({timer_id})
        uow.commit()
        return TimerOutcome.DROPPED
