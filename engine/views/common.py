"""Helpers the read models share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..model import (
    AuditEvent,
    HumanTask,
    TaskRole,
)
from ..orm import process_instances
from ..unit_of_work import UnitOfWork


def task_dict(task: HumanTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_id": task.process_id,
        "element": task.spec_id,
        "name": task.name,
        "lane": task.lane,
        "status": str(task.status),
        "assignee": task.assignee,
        "routed_to": task.routed_to,
        "business_key": task.business_key,
        "created_at": task.created_at.isoformat(),
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "urgent": task.urgent,
    }


def event_dict(event: AuditEvent) -> dict[str, Any]:
    """An audit event as every read model shows it."""
    return {
        "id": event.id,
        "stream": event.stream,
        "seq": event.seq,
        "occurred_at": iso(event.occurred_at),
        "actor": event.actor,
        "action": event.action,
        "instance_id": event.instance_id,
        "process_id": event.process_id,
        "task_id": event.task_id,
        "raci_role": event.raci_role,
        "on_behalf_of": event.on_behalf_of,
        "reason": event.reason,
        "details": event.details,
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def acting_roles(uow: UnitOfWork, user: str) -> set[str]:
    """The roles `user` holds, and those of the people they stand in for today."""
    return uow.directory.acting_roles(user, uow.now.date())


def claimants_for(uow: UnitOfWork, user: str) -> list[str]:
    """Whose claimed tasks `user` works: their own, and those of the people they stand
    in for today (raci.policy.may_work: a deputy carries on the claimant's work)."""
    return [user, *uow.directory.principals_of(user, uow.now.date())]


def not_their_own(user: str, performer: Any, performer_for: Any) -> Any:
    """Work `user` neither did nor had done in their name: nobody signs off their own."""
    return and_(performer != user, or_(performer_for.is_(None), performer_for != user))


def not_their_request(user: str, task_id: Any) -> Any:
    """A task of a case `user` did not ask for: the requester signs none of its steps
    (raci.policy.may_sign_off), so their sign-off list does not offer them."""
    task = aliased(HumanTask)  # `task_id` may be a column of HumanTask itself
    asked = (
        select(process_instances.c.id)
        .join(task, task.instance_id == process_instances.c.id)
        .where(task.id == task_id, process_instances.c.started_by == user)
    )
    return ~asked.exists()


def not_worked_before(user: str, task_id: Any) -> Any:
    """Work `user` did not do (nor have done for them) in an earlier round: sent back and
    done again by someone else, it is still not theirs to sign (raci.policy.may_sign_off).
    Only work sent back has earlier rounds: the trail is read for those alone."""
    task = aliased(HumanTask)
    worked = (
        select(AuditEvent.id)
        .join(task, and_(task.instance_id == AuditEvent.instance_id, task.id == AuditEvent.task_id))
        .where(
            task.id == task_id,
            task.rework_count > 0,
            AuditEvent.action == "complete",
            or_(AuditEvent.actor == user, AuditEvent.on_behalf_of == user),
        )
    )
    return ~worked.exists()


def has_roles(letter: str, roles: set[str]) -> Any:
    """The task has `letter` for one of `roles` (a probe of task_roles' primary key)."""
    return (
        select(TaskRole.task_id)
        .where(
            TaskRole.task_id == HumanTask.id, TaskRole.letter == letter, TaskRole.role.in_(roles)
        )
        .exists()
    )
