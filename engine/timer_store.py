"""Pending timers, on SQLAlchemy Core: arrivals and departures are written at commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from .database import Connect
from .direct import execute
from .model import PendingTimer
from .orm import pending_timers


class TimerRepository:
    """Pending timers: arrivals and departures are kept until commit, then written in bulk."""

    def __init__(self, connection: Connect) -> None:
        self._connection = connection
        self._added: dict[str, PendingTimer] = {}
        self._removed: set[str] = set()
        self._cleared: set[str] = set()  # instances whose every stored timer goes

    def replace_for_instance(self, instance_id: str, timers: list[PendingTimer]) -> None:
        self._cleared.add(instance_id)
        self._added = {k: t for k, t in self._added.items() if t.instance_id != instance_id}
        self.add_all(timers)

    def remove(self, timer_ids: set[str]) -> None:
        for timer_id in timer_ids:
            if self._added.pop(timer_id, None) is None:
                self._removed.add(timer_id)

    def is_pending(self, timer_id: str) -> bool:
        if timer_id in self._added:
            return True
        if timer_id in self._removed:
            return False
        row = execute(self._connection(), _TIMER, {"id": timer_id}).first()
        return row is not None and row.instance_id not in self._cleared

    def add_all(self, timers: list[PendingTimer]) -> None:
        for timer in timers:
            self._removed.discard(timer.id)
            self._added[timer.id] = timer

    def claim_due(self, timer_id: str, now: datetime) -> PendingTimer | None:
        """The timer if it is still pending and due, locked for this transaction; None if
        it is gone or another transaction holds it (SKIP LOCKED: workers never queue)."""
        row = execute(self._connection(), _CLAIM_TIMER, {"id": timer_id, "now": now}).first()
        return None if row is None else PendingTimer(**row._mapping)

    def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(instance id, timer id) of timers due at `now`, earliest first."""
        rows = execute(self._connection(), _DUE_TIMERS, {"now": now, "limit": limit})
        return [(row.instance_id, row.id) for row in rows]

    def flush(self) -> None:
        connection = self._connection()
        if self._cleared:
            rows = [{"instance_id": id_} for id_ in sorted(self._cleared)]
            execute(connection, _DELETE_TIMERS_OF, rows)
        if self._removed:
            execute(connection, _DELETE_TIMERS, [{"id": id_} for id_ in sorted(self._removed)])
        if self._added:
            rows = [
                {"id": t.id, "instance_id": t.instance_id, "spec_id": t.spec_id, "due_at": t.due_at}
                for t in self._added.values()
            ]
            execute(connection, _INSERT_TIMER, rows)
        self._added, self._removed, self._cleared = {}, set(), set()


_TIMER = select(pending_timers).where(pending_timers.c.id == bindparam("id"))
_CLAIM_TIMER = (
    select(pending_timers)
    .where(pending_timers.c.id == bindparam("id"), pending_timers.c.due_at <= bindparam("now"))
    .with_for_update(skip_locked=True)
)
_DUE_TIMERS = (
    select(pending_timers.c.instance_id, pending_timers.c.id)
    .where(pending_timers.c.due_at <= bindparam("now"))
    .order_by(pending_timers.c.due_at)
    .limit(bindparam("limit"))
)
_INSERT_TIMER = insert(pending_timers)
# One executemany each: cheaper than an IN list SQLAlchemy re-renders per execution.
_DELETE_TIMERS = delete(pending_timers).where(pending_timers.c.id == bindparam("id"))
_DELETE_TIMERS_OF = delete(pending_timers).where(
    pending_timers.c.instance_id == bindparam("instance_id")
)
