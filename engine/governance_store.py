"""Repositories for RACI records: task roles, consultations, notifications, outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .errors import NotFound
from .model import Consultation, Notification, OutboxMail, TaskRole
from .orm import outbox


class TaskRoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_all(self, rows: Sequence[TaskRole]) -> None:
        self.session.add_all(rows)

    def remove_for(self, task_ids: Sequence[str]) -> None:
        """Drop the rows of closed tasks: the inbox index holds open work only."""
        if task_ids:
            self.session.execute(delete(TaskRole).where(TaskRole.task_id.in_(task_ids)))


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
