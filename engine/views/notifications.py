"""A user's notifications (RACI I, and work sent back to them), for the inbox and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..model import Notification
from ..unit_of_work import UnitOfWork
from .common import iso


def notifications_page(
    uow: UnitOfWork, user: str, *, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of `user`'s notifications, newest first, and how many there are."""
    mine = select(Notification).where(Notification.username == user)
    if unread_only:
        mine = mine.where(Notification.read_at.is_(None))
    with uow.read_only():
        total = uow.session.scalar(mine.with_only_columns(func.count(Notification.id)))
        page = mine.order_by(Notification.id.desc()).limit(limit).offset(offset)
        items = [_notification(n) for n in uow.session.scalars(page)]
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}


def notification(uow: UnitOfWork, user: str, notification_id: int) -> dict[str, Any] | None:
    """One of `user`'s notifications (None: no such one, or someone else's)."""
    mine = select(Notification).where(
        Notification.id == notification_id, Notification.username == user
    )
    with uow.read_only():
        found = uow.session.scalar(mine)
        return _notification(found) if found is not None else None


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "subject": n.subject,
        "body": n.body,
        "created_at": iso(n.created_at),
        "read_at": iso(n.read_at),
        "instance_id": n.instance_id,
        "task_id": n.task_id,
        "draft_id": n.draft_id,
    }
