"""The audit trail, searched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..model import (
    AuditEvent,
)
from ..unit_of_work import UnitOfWork
from .common import event_dict


def audit_events(
    uow: UnitOfWork,
    *,
    instance_id: str | None = None,
    task_id: str | None = None,
    process_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit events matching every filter given, in the order they happened."""
    query = select(AuditEvent)
    for column, value in (
        (AuditEvent.instance_id, instance_id),
        (AuditEvent.task_id, task_id),
        (AuditEvent.process_id, process_id),
        (AuditEvent.actor, actor),
        (AuditEvent.action, action),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    query = query.order_by(AuditEvent.occurred_at, AuditEvent.id).limit(limit)
    with uow.read_only():
        return [event_dict(e) for e in uow.session.scalars(query)]
