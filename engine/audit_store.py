"""The audit trail's repository: events appended to hash chains, written in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from . import audit
from .database import Connect
from .direct import execute
from .errors import ConcurrencyConflict
from .model import AuditEvent, AuditStream
from .orm import audit_events, audit_streams
from .tracked import from_values

STALE_HEAD = "the audit chain was extended by someone else at the same time; retry"

_EVENT_COLUMNS = (*audit.HASHED_FIELDS, "hash")


# Every field of an event as `record` begins it: fields not given are None.
_EVENT_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(column.name for column in audit_events.columns),
    "seq": 0,
    "prev_hash": "",
    "hash": "",
}


def _event_row(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _EVENT_COLUMNS}


_INSERT_EVENT = insert(audit_events)
_INSERT_EVENT_RETURNING_ID = insert(audit_events).returning(audit_events.c.id)
_LAST_DETAILS = (
    select(audit_events.c.details)
    .where(
        audit_events.c.task_id == bindparam("task_id"),
        audit_events.c.action == bindparam("action"),
    )
    .order_by(audit_events.c.id.desc())
    .limit(1)
)
_STARTED_BY_CASE = select(audit_events.c.details).where(
    audit_events.c.instance_id == bindparam("instance_id"),
    audit_events.c.action == "start",
)
_LOCK_HEAD = (
    select(audit_streams.c.length, audit_streams.c.head_hash)
    .where(audit_streams.c.stream == bindparam("stream"))
    .with_for_update()
)
_INSERT_HEAD = insert(audit_streams)
_PERFORMERS = select(audit_events.c.actor, audit_events.c.on_behalf_of).where(
    audit_events.c.instance_id == bindparam("instance_id"),
    audit_events.c.task_id == bindparam("task_id"),
    audit_events.c.action == "complete",
)
_MOVE_HEAD = (
    update(audit_streams)
    .where(
        audit_streams.c.stream == bindparam("key_"),
        audit_streams.c.length == bindparam("guard_"),
    )
    .values(length=bindparam("length"), head_hash=bindparam("head_hash"))
)


class AuditRepository:
    """Append events to their stream's chain; read chains back for verification.

    Events are written in one statement when the unit of work commits (or at once by
    `record_now`), then each moved head with `WHERE length = :old`: a head that moved
    under us is a lost race (ConcurrencyConflict), never a forked chain.
    """

    def __init__(self, session: Session, connection: Connect) -> None:
        self.session = session  # for the auditor's cold reads
        self._connection = connection
        self._heads: dict[str, AuditStream] = {}
        self._stored_length: dict[str, int | None] = {}  # None: a head row to insert
        self._pending: list[AuditEvent] = []

    def record(
        self, stream: str, *, occurred_at: datetime, actor: str, action: str, **fields: Any
    ) -> AuditEvent:
        """Append an event to the end of `stream`'s chain."""
        event = from_values(
            AuditEvent,
            {
                **_EVENT_DEFAULTS,
                "details": {},
                "stream": stream,
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                **fields,
            },
        )
        audit.chain(event, self._head(stream))
        self._pending.append(event)
        return event

    def flush(self) -> None:
        """Write the events recorded so far in one statement (the unit of work calls this)."""
        if self._pending:
            rows = [_event_row(event) for event in self._pending]
            execute(self._connection(), _INSERT_EVENT, rows)
            self._pending.clear()

    def flush_heads(self) -> None:
        """Write the heads the events moved (the unit of work calls this, after `flush`)."""
        connection = self._connection()
        for stream, head in self._heads.items():
            stored = self._stored_length[stream]
            if stored == head.length:
                continue
            values = {"length": head.length, "head_hash": head.head_hash}
            if stored is None:
                execute(connection, _INSERT_HEAD, {"stream": stream, **values})
            else:
                moved = execute(
                    connection, _MOVE_HEAD, {**values, "key_": stream, "guard_": stored}
                )
                if moved.rowcount != 1:
                    raise ConcurrencyConflict(STALE_HEAD)
            self._stored_length[stream] = head.length

    def last_details(self, task_id: str, action: str) -> dict[str, Any] | None:
        """The details of the latest committed `action` event on a task, if any."""
        return execute(
            self._connection(), _LAST_DETAILS, {"task_id": task_id, "action": action}
        ).scalar()

    def record_now(
        self, stream: str, *, occurred_at: datetime, actor: str, action: str, **fields: Any
    ) -> AuditEvent:
        """Append an event and write it at once, so that it has an id rows can refer to.

        The events recorded before it are written first: ids keep the chain's order.
        """
        event = self.record(stream, occurred_at=occurred_at, actor=actor, action=action, **fields)
        self._pending.pop()
        self.flush()
        inserted = execute(self._connection(), _INSERT_EVENT_RETURNING_ID, _event_row(event))
        event.id = inserted.scalar_one()
        return event

    def start_stream(self, stream: str) -> None:
        """Begin a new chain (for a new instance): no existing head to look up or lock."""
        self._heads[stream] = from_values(
            AuditStream, {"stream": stream, "length": 0, "head_hash": audit.GENESIS_HASH}
        )
        self._stored_length[stream] = None

    def know_head(self, stream: str, length: int, head_hash: str) -> None:
        """Take the head of `stream` as read (and locked) with its instance's row."""
        if stream not in self._heads:
            self._heads[stream] = from_values(
                AuditStream, {"stream": stream, "length": length, "head_hash": head_hash}
            )
            self._stored_length[stream] = length

    def _head(self, stream: str) -> AuditStream:
        head = self._heads.get(stream)
        if head is None:
            # Lock only this stream's head: independent instances never wait here.
            row = execute(self._connection(), _LOCK_HEAD, {"stream": stream}).first()
            if row is None:
                self.start_stream(stream)
            else:
                self.know_head(stream, row.length, row.head_hash)
            head = self._heads[stream]
        return head

    def started_by_case(self, instance_id: str) -> str | None:
        """The case whose act started this one (its start event says), if another did."""
        details = execute(
            self._connection(), _STARTED_BY_CASE, {"instance_id": instance_id}
        ).scalar()
        return (details or {}).get("started_by_instance")

    def performers(self, instance_id: str, task_id: str) -> set[str]:
        """Everyone who completed `task_id`, or had it completed for them, in any round."""
        rows = execute(
            self._connection(), _PERFORMERS, {"instance_id": instance_id, "task_id": task_id}
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
