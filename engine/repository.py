"""Repositories: load and store engine records inside a unit of work's session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from . import audit
from .errors import NotFound
from .model import (
    OPEN_TASK_STATUSES,
    AuditEvent,
    AuditStream,
    HumanTask,
    PendingTimer,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
)
from .orm import audit_events


class VersionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, version: ProcessVersion) -> None:
        self.session.add(version)

    def get(self, version_id: int) -> ProcessVersion:
        version = self.session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"process version {version_id} does not exist")
        return version

    def find(self, process_id: str, version: int | None = None) -> ProcessVersion:
        """The given version of `process_id`, or its latest."""
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if version is None:
            query = query.order_by(ProcessVersion.version.desc()).limit(1)
        else:
            query = query.where(ProcessVersion.version == version)
        found = self.session.scalars(query).first()
        if found is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"process '{process_id}'{suffix} is not deployed")
        return found

    def by_hash(self, process_id: str, content_hash: str) -> ProcessVersion | None:
        return self.session.scalars(
            select(ProcessVersion).where(
                ProcessVersion.process_id == process_id,
                ProcessVersion.content_hash == content_hash,
            )
        ).first()

    def latest_number(self, process_id: str) -> int:
        return self.session.scalar(
            select(func.coalesce(func.max(ProcessVersion.version), 0)).where(
                ProcessVersion.process_id == process_id
            )
        )


class InstanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, instance: ProcessInstance) -> None:
        self.session.add(instance)

    def get(self, instance_id: str) -> ProcessInstance:
        instance = self.session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return instance

    def lock(self, instance_id: str) -> ProcessInstance:
        """Load an instance to change it or its tasks: its row stays locked until the end.

        Every command that changes an instance, its tasks or its timers calls this (or
        TaskRepository.lock) before reading any of them, so writers of one instance take
        their turns and each reads what the one before it committed (see docs/engine.md,
        "Concurrency"). SQLite has no row locks: its units of work are serialised whole.
        """
        instance = _lock_instance(self.session, ProcessInstance.id == instance_id)
        if instance is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return instance


def _lock_instance(session: Session, where: Any) -> ProcessInstance | None:
    return session.scalars(
        select(ProcessInstance)
        .where(where)
        .with_for_update()
        .execution_options(populate_existing=True)  # as committed when the lock was granted
    ).first()


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, task: HumanTask) -> None:
        self.session.add(task)

    def get(self, task_id: str) -> HumanTask:
        task = self.session.get(HumanTask, task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        return task

    def lock(self, task_id: str) -> tuple[HumanTask, ProcessInstance]:
        """Load a task to change it: its instance's row is locked first, then it is read."""
        # A task never moves to another instance: reading its instance id before the lock is safe.
        owner = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
        instance = _lock_instance(self.session, ProcessInstance.id == owner)
        if instance is None:
            raise NotFound(f"task {task_id} does not exist")
        task = self.session.scalars(
            select(HumanTask)
            .where(HumanTask.id == task_id)
            .execution_options(populate_existing=True)
        ).one()
        return task, instance

    def open_alongside(self, task_id: str) -> list[HumanTask]:
        """The open tasks of the instance that `task_id` belongs to, in one query."""
        instance_id = select(HumanTask.instance_id).where(HumanTask.id == task_id)
        return list(
            self.session.scalars(
                select(HumanTask).where(
                    HumanTask.instance_id == instance_id.scalar_subquery(),
                    HumanTask.status.in_(OPEN_TASK_STATUSES),
                )
            )
        )

    def open_for_instance(self, instance_id: str) -> list[HumanTask]:
        found = self.session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_TASK_STATUSES)
            )
        )
        # The session does not autoflush: drop tasks closed earlier in this unit of work.
        return [task for task in found if task.status in OPEN_TASK_STATUSES]

    def signed_for_instance(self, instance_id: str) -> list[HumanTask]:
        """The instance's tasks whose submitted data a member of A signed."""
        return list(
            self.session.scalars(
                select(HumanTask).where(
                    HumanTask.instance_id == instance_id,
                    HumanTask.status == TaskStatus.COMPLETED,
                    HumanTask.signed_off_by.is_not(None),
                )
            )
        )


class TimerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def replace_for_instance(self, instance_id: str, timers: list[PendingTimer]) -> None:
        self.session.execute(delete(PendingTimer).where(PendingTimer.instance_id == instance_id))
        self.session.add_all(timers)

    def remove(self, timer_ids: set[str]) -> None:
        if timer_ids:
            self.session.execute(delete(PendingTimer).where(PendingTimer.id.in_(timer_ids)))

    def is_pending(self, timer_id: str) -> bool:
        return self.session.get(PendingTimer, timer_id) is not None

    def add_all(self, timers: list[PendingTimer]) -> None:
        self.session.add_all(timers)

    def claim_due(self, timer_id: str, now: datetime) -> PendingTimer | None:
        """The timer if it is still pending and due, locked for this transaction; None if
        it is gone or another transaction holds it (SKIP LOCKED: workers never queue)."""
        return self.session.scalars(
            select(PendingTimer)
            .where(PendingTimer.id == timer_id, PendingTimer.due_at <= now)
            .with_for_update(skip_locked=True)
        ).first()

    def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(instance id, timer id) of timers due at `now`, earliest first."""
        rows = self.session.execute(
            select(PendingTimer.instance_id, PendingTimer.id)
            .where(PendingTimer.due_at <= now)
            .order_by(PendingTimer.due_at)
            .limit(limit)
        )
        return [(row.instance_id, row.id) for row in rows]


_EVENT_COLUMNS = (*audit.HASHED_FIELDS, "hash")


class AuditRepository:
    """Append events to their stream's chain; read chains back for verification."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._heads: dict[str, AuditStream] = {}
        self._pending: list[AuditEvent] = []

    def record(
        self, stream: str, *, occurred_at: datetime, actor: str, action: str, **fields: Any
    ) -> AuditEvent:
        """Append an event to the end of `stream`'s chain."""
        event = AuditEvent(
            stream=stream,
            seq=0,
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            prev_hash="",
            hash="",
            **fields,
        )
        audit.chain(event, self._head(stream))
        self._pending.append(event)
        return event

    def flush(self) -> None:
        """Write the events recorded so far in one statement (the unit of work calls this)."""
        if self._pending:
            # A bulk insert: append-only rows need none of the ORM's change tracking.
            rows = [
                {name: getattr(event, name) for name in _EVENT_COLUMNS} for event in self._pending
            ]
            self.session.execute(insert(audit_events), rows)
            self._pending.clear()

    def last_details(self, task_id: str, action: str) -> dict[str, Any] | None:
        """The details of the latest committed `action` event on a task, if any."""
        return self.session.scalars(
            select(audit_events.c.details)
            .where(audit_events.c.task_id == task_id, audit_events.c.action == action)
            .order_by(audit_events.c.id.desc())
            .limit(1)
        ).first()

    def record_now(
        self, stream: str, *, occurred_at: datetime, actor: str, action: str, **fields: Any
    ) -> AuditEvent:
        """Append an event and write it at once, so that it has an id rows can refer to.

        The events recorded before it are written first: ids keep the chain's order.
        """
        event = self.record(stream, occurred_at=occurred_at, actor=actor, action=action, **fields)
        self._pending.pop()
        self.flush()
        row = {name: getattr(event, name) for name in _EVENT_COLUMNS}
        event.id = self.session.execute(
            insert(audit_events).values(row).returning(audit_events.c.id)
        ).scalar_one()
        return event

    def start_stream(self, stream: str) -> None:
        """Begin a new chain (for a new instance): no existing head to look up or lock."""
        head = AuditStream(stream=stream, length=0, head_hash=audit.GENESIS_HASH)
        self.session.add(head)
        self._heads[stream] = head

    def _head(self, stream: str) -> AuditStream:
        head = self._heads.get(stream)
        if head is None:
            # Lock only this stream's head: independent instances never wait here.
            head = self.session.scalars(
                select(AuditStream).where(AuditStream.stream == stream).with_for_update()
            ).first()
            if head is None:
                head = AuditStream(stream=stream, length=0, head_hash=audit.GENESIS_HASH)
                self.session.add(head)
            self._heads[stream] = head
        return head

    def performers(self, instance_id: str, task_id: str) -> set[str]:
        """Everyone who completed `task_id`, or had it completed for them, in any round."""
        rows = self.session.execute(
            select(AuditEvent.actor, AuditEvent.on_behalf_of).where(
                AuditEvent.instance_id == instance_id,
                AuditEvent.task_id == task_id,
                AuditEvent.action == "complete",
            )
        )
        return {user for row in rows for user in row if user is not None}

    def heads(self) -> Iterator[AuditStream]:
        yield from self.session.scalars(select(AuditStream).order_by(AuditStream.stream))

    def stream_names(self) -> set[str]:
        return set(self.session.scalars(select(AuditEvent.stream).distinct()))

    def events_of(self, stream: str) -> Iterator[AuditEvent]:
        yield from self.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.stream == stream)
            .order_by(AuditEvent.seq, AuditEvent.id)
            .execution_options(yield_per=1000)
        )
