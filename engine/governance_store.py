"""Repositories for RACI records: task roles, consultations, notifications, outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from .errors import NotFound
from .model import Consultation, Notification, OutboxMail, TaskRole
from .orm import outbox, task_roles


class TaskRoleRepository:
    """Each open task's roles by letter, written in one statement when the unit of work
    commits (after its tasks: the rows refer to them)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: list[TaskRole] = []

    def add_all(self, rows: Sequence[TaskRole]) -> None:
        self._pending.extend(rows)

    def remove_for(self, task_ids: Sequence[str]) -> None:
        """Drop the rows of closed tasks: the inbox index holds open work only."""
        if task_ids:
            self._pending = [row for row in self._pending if row.task_id not in task_ids]
            self.session.execute(delete(task_roles).where(task_roles.c.task_id.in_(task_ids)))

    def flush(self) -> None:
        if self._pending:
            rows = [
                {"task_id": r.task_id, "role": r.role, "letter": r.letter} for r in self._pending
            ]
            self.session.execute(insert(task_roles), rows)
            self._pending.clear()


class ConsultationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, consultation: Consultation) -> None:
        self.session.add(consultation)

    def get(self, consultation_id: int) -> Consultation:
        found = self.session.get(Consultation, consultation_id)
        if found is None:
            raise NotFound(f"consultation {consultation_id} does not exist")
        return found

    def for_task(self, task_id: str) -> list[Consultation]:
        return list(
            self.session.scalars(
                select(Consultation)
                .where(Consultation.task_id == task_id)
                .order_by(Consultation.id)
            )
        )


class NotificationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, notification: Notification) -> None:
        self.session.add(notification)

    def for_user(self, username: str, *, unread_only: bool = False) -> list[Notification]:
        query = select(Notification).where(Notification.username == username)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return list(self.session.scalars(query.order_by(Notification.id.desc())))

    def mark_read(self, username: str, ids: Sequence[int], now: datetime) -> int:
        result = self.session.execute(
            update(Notification)
            .where(
                Notification.username == username,
                Notification.id.in_(ids),
                Notification.read_at.is_(None),
            )
            .values(read_at=now)
        )
        return result.rowcount


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, mail: OutboxMail) -> None:
        self.session.add(mail)

    def due(self, limit: int, max_attempts: int) -> list[OutboxMail]:
        """Unsent mails, oldest first; locked so that two workers never send one twice."""
        query = (
            select(OutboxMail)
            .where(outbox.c.sent_at.is_(None), outbox.c.attempts < max_attempts)
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))
