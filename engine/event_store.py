"""Kept messages, on SQLAlchemy Core: sent when nobody waited, delivered or expired later."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .orm import kept_messages, start_timers


@dataclass(frozen=True)
class KeptMessage:
    id: str
    name: str
    correlation: dict[str, Any]
    payload: Any
    sent_by: str
    sender_instance: str | None
    sent_at: datetime
    expires_at: datetime


class KeptMessages:
    """The messages waiting for a receiver, in the unit of work's transaction."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection

    def keep(
        self,
        name: str,
        correlation: dict[str, Any],
        payload: Any,
        *,
        sent_by: str,
        sender_instance: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> KeptMessage:
        message = KeptMessage(
            str(uuid.uuid4()), name, correlation, payload, sent_by, sender_instance, now, expires_at
        )
        self._connection().execute(insert(kept_messages), [message.__dict__])
        return message

    def waiting_for(self, names: set[str], now: datetime) -> list[KeptMessage]:
        """Unexpired messages named one of `names`, oldest first, locked for delivery."""
        statement = (
            select(kept_messages)
            .where(kept_messages.c.name.in_(sorted(names)), kept_messages.c.expires_at > now)
            .order_by(kept_messages.c.sent_at, kept_messages.c.id)
            .with_for_update(skip_locked=True)
        )
        return [KeptMessage(**row._mapping) for row in self._connection().execute(statement)]

    def any_expired(self, now: datetime) -> bool:
        """Whether a purge has anything to do (read only: no write lock for nothing)."""
        statement = select(kept_messages.c.id).where(kept_messages.c.expires_at <= now).limit(1)
        return self._connection().execute(statement).first() is not None

    def delivered(self, message_id: str) -> None:
        self._connection().execute(delete(kept_messages).where(kept_messages.c.id == message_id))

    def purge_expired(self, now: datetime) -> int:
        """Drop what expired unread; return how many."""
        result = self._connection().execute(
            delete(kept_messages).where(kept_messages.c.expires_at <= now)
        )
        return result.rowcount or 0


@dataclass(frozen=True)
class StartTimer:
    process_id: str
    due_at: datetime
    cycles_left: int  # -1: for ever
    every_seconds: float | None


class StartTimers:
    """When each process with a timer start event is next started by the worker."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection

    def set(self, timer: StartTimer) -> None:
        """Schedule `timer` for its process, replacing what an older version scheduled."""
        self.clear(timer.process_id)
        self._connection().execute(insert(start_timers), [timer.__dict__])

    def clear(self, process_id: str) -> None:
        self._connection().execute(
            delete(start_timers).where(start_timers.c.process_id == process_id)
        )

    def any_due(self, now: datetime) -> bool:
        """Whether a start timer is due (read only: no write lock for nothing)."""
        statement = select(start_timers.c.process_id).where(start_timers.c.due_at <= now).limit(1)
        return self._connection().execute(statement).first() is not None

    def due(self, now: datetime, limit: int) -> list[StartTimer]:
        """The start timers due at `now`, locked (SKIP LOCKED: workers share them)."""
        statement = (
            select(start_timers)
            .where(start_timers.c.due_at <= now)
            .order_by(start_timers.c.due_at, start_timers.c.process_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [StartTimer(**row._mapping) for row in self._connection().execute(statement)]
