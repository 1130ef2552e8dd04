"""Read models of the JSON API: filtered, paged lists, and what a user has to do with a record.

Plain queries returning dicts, like the rest of engine.views; each takes an
un-entered unit of work. A page is `{"items", "total", "limit", "offset"}`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import Select

from ..clock import day_bounds
from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    AuditEvent,
    HumanTask,
    TaskStatus,
)
from ..unit_of_work import UnitOfWork
from .common import acting_roles, claimants_for, event_dict, has_roles, iso, task_dict
from .instances import instance

DUE_WINDOWS = ("overdue", "today", "week")
TASK_SORTS = ("created", "-created", "due", "-due", "priority")  # priority: urgent, then due


def task_queue(
    uow: UnitOfWork,
    user: str,
    *,
    process_id: str | None = None,
    business_key: str | None = None,
    due: str | None = None,
    sort: str = "created",
    limit: int = 50,
    offset: int = 0,
    zone: tzinfo = UTC,
) -> dict[str, Any]:
    """Open tasks `user` may work (as R, or R's deputy today), unclaimed or claimed by
    them or by someone they stand in for today.

    `due`: "overdue" (due before now), "today" (before the next midnight in `zone`) or
    "week" (within seven days); tasks without a due time never match a window.
    """
    with uow.read_only():
        query = select(HumanTask).where(
            HumanTask.status == TaskStatus.READY,
            or_(HumanTask.assignee.in_(claimants_for(uow, user)), HumanTask.assignee.is_(None)),
            has_roles("R", acting_roles(uow, user) | {ANYONE}),  # ANYONE: ungoverned
        )
        if process_id is not None:
            query = query.where(HumanTask.process_id == process_id)
        if business_key is not None:
            query = query.where(HumanTask.business_key == business_key)
        if due is not None:
            query = query.where(HumanTask.due_at < _due_bound(uow.now, due, zone))
        ordered = query.order_by(*_task_order(sort), HumanTask.id)
        return _page(uow, query, ordered, task_dict, limit, offset)


def my_tasks(uow: UnitOfWork, user: str, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Tasks `user` has claimed (or someone they stand in for today has), and their
    submitted work still waiting for sign-off."""
    with uow.read_only():
        claimed = HumanTask.assignee.in_(claimants_for(uow, user))
        query = select(HumanTask).where(
            or_(
                and_(HumanTask.status == TaskStatus.READY, claimed),
                and_(HumanTask.status == TaskStatus.AWAITING_SIGNOFF, HumanTask.performer == user),
            )
        )
        ordered = query.order_by(HumanTask.created_at, HumanTask.id)
        return _page(uow, query, ordered, _worked_task, limit, offset)


def instance_detail(uow: UnitOfWork, instance_id: str) -> dict[str, Any]:
    """An instance (NotFound if unknown) with its open tasks, ready or awaiting sign-off."""
    found = instance(uow, instance_id)
    with uow.read_only():
        query = (
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_TASK_STATUSES))
            .order_by(HumanTask.created_at, HumanTask.id)
        )
        return {**found, "open_tasks": [_worked_task(t) for t in uow.session.scalars(query)]}


def roles_today(uow: UnitOfWork, user: str) -> set[str]:
    """The roles `user` may act for today: their own and those of whom they stand in for."""
    with uow.read_only():
        return acting_roles(uow, user)


def acting_for(uow: UnitOfWork, user: str) -> list[str]:
    """The users `user` stands in for today."""
    with uow.read_only():
        return uow.directory.principals_of(user, uow.now.date())


def audit_page(
    uow: UnitOfWork,
    *,
    filters: dict[str, Any],
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Audit events matching `filters` (column: value), in the order they happened."""
    query = select(AuditEvent)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(AuditEvent, column) == value)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    with uow.read_only():
        ordered = query.order_by(AuditEvent.occurred_at, AuditEvent.id)
        return _page(uow, query, ordered, event_dict, limit, offset)


def _page(
    uow: UnitOfWork, query: Select, ordered: Select, row: Any, limit: int | None, offset: int
) -> dict[str, Any]:
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    items = [row(r) for r in uow.session.scalars(ordered.limit(limit).offset(offset))]
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}


def _due_bound(now: datetime, window: str, zone: tzinfo) -> datetime:
    if window == "overdue":
        return now
    if window == "today":
        return day_bounds(now, zone)[1]
    if window == "week":
        return now + timedelta(days=7)
    raise ValueError(f"due must be one of {', '.join(DUE_WINDOWS)}")


def _task_order(sort: str) -> tuple[Any, ...]:
    if sort not in TASK_SORTS:
        raise ValueError(f"sort must be one of {', '.join(TASK_SORTS)}")
    if sort == "priority":  # as the inbox's "Emergencies, then due"
        return HumanTask.urgent.desc(), *_task_order("due")
    if sort.endswith("due"):  # tasks without a due time come last either way
        due = HumanTask.due_at.desc() if sort.startswith("-") else HumanTask.due_at
        return HumanTask.due_at.is_(None), due, HumanTask.created_at
    return (HumanTask.created_at.desc() if sort.startswith("-") else HumanTask.created_at,)


def _worked_task(task: HumanTask) -> dict[str, Any]:
    return {
        **task_dict(task),
        "performer": task.performer,
        "signoff_due_at": iso(task.signoff_due_at),
        "rework_count": task.rework_count,
        "rejection_reason": task.rejection_reason,
    }
