"""Read models: plain queries returning dicts, for lists and inboxes.

They read the task projection and the instance table, never workflow state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from .model import (
    OPEN_TASK_STATUSES,
    AuditEvent,
    Consultation,
    HumanTask,
    ProcessVersion,
    TaskRole,
    TaskStatus,
)
from .unit_of_work import UnitOfWork


def open_tasks(
    uow: UnitOfWork,
    *,
    user: str | None = None,
    instance_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Open human tasks (of one instance, if given), oldest first.

    With `user`: the tasks they may work, claimed by them or by nobody. Under a
    RACI matrix that means tasks of an R role they hold, or hold as a deputy today.
    """
    query = select(HumanTask).where(HumanTask.status == TaskStatus.READY)
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    with uow:
        if user is not None:
            query = query.where(
                or_(HumanTask.assignee == user, HumanTask.assignee.is_(None)),
                or_(
                    ~_has_roles(),  # an ungoverned task: anyone may take it
                    _has_roles("R", _acting_roles(uow, user)),
                ),
            )
        query = query.order_by(HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)
        return [_task_dict(task) for task in uow.session.scalars(query)]


def signoffs_for(uow: UnitOfWork, user: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Work waiting for `user`'s sign-off (A), never their own."""
    with uow:
        query = (
            select(HumanTask)
            .where(
                HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
                HumanTask.performer != user,
                _has_roles("A", _acting_roles(uow, user)),
            )
            .order_by(HumanTask.submitted_at, HumanTask.id)
            .limit(limit)
        )
        return [
            {**_task_dict(t), "performer": t.performer, "signoff_due_at": _iso(t.signoff_due_at)}
            for t in uow.session.scalars(query)
        ]


def consultations_for(uow: UnitOfWork, user: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Open consultations addressed to a role `user` acts for (C)."""
    with uow:
        query = (
            select(Consultation, HumanTask)
            .join(HumanTask, HumanTask.id == Consultation.task_id)
            .where(
                Consultation.role.in_(_acting_roles(uow, user)),
                Consultation.answered_at.is_(None),
                Consultation.overridden_by.is_(None),
                HumanTask.status.in_(OPEN_TASK_STATUSES),
            )
            .order_by(Consultation.requested_at, Consultation.id)
            .limit(limit)
        )
        return [
            {
                "id": c.id,
                "role": c.role,
                "requested_at": _iso(c.requested_at),
                "task": _task_dict(t),
            }
            for c, t in uow.session.execute(query)
        ]


def _acting_roles(uow: UnitOfWork, user: str) -> set[str]:
    """The roles `user` holds, and those of the people they stand in for today."""
    directory = uow.directory.load()
    if not directory.is_active(user):
        return set()
    people = [user, *directory.principals_of(user, uow.now.date())]
    return {role for person in people for role in directory.users[person].roles}


def _has_roles(letter: str | None = None, roles: set[str] | None = None) -> Any:
    query = select(TaskRole.task_id).where(TaskRole.task_id == HumanTask.id)
    if letter is not None:
        query = query.where(TaskRole.letter == letter, TaskRole.role.in_(roles or set()))
    return query.exists()


def instance(uow: UnitOfWork, instance_id: str) -> dict[str, Any]:
    with uow:
        found = uow.instances.get(instance_id)
        version = uow.versions.get(found.version_id)
        return {
            "id": found.id,
            "process_id": found.process_id,
            "version": version.version,
            "business_key": found.business_key,
            "status": str(found.status),
            "started_by": found.started_by,
            "started_at": found.started_at.isoformat(),
            "ended_at": found.ended_at.isoformat() if found.ended_at else None,
            "error_task": found.error_task,
            "error_message": found.error_message,
            "cancel_reason": found.cancel_reason,
        }


def task_detail(uow: UnitOfWork, task_id: str) -> dict[str, Any]:
    """One task with its sign-off state and consultation answers."""
    with uow:
        task = uow.tasks.get(task_id)
        return {
            **_task_dict(task),
            "performer": task.performer,
            "performer_for": task.performer_for,
            "submitted_data": task.submitted_data,
            "signoff_due_at": _iso(task.signoff_due_at),
            "signed_off_by": task.signed_off_by,
            "signed_off_at": _iso(task.signed_off_at),
            "rework_count": task.rework_count,
            "rejection_reason": task.rejection_reason,
            "completed_by": task.completed_by,
            "completed_at": _iso(task.completed_at),
            "consultations": [
                {
                    "id": c.id,
                    "role": c.role,
                    "requested_at": _iso(c.requested_at),
                    "answered_by": c.answered_by,
                    "answered_for": c.answered_for,
                    "answered_at": _iso(c.answered_at),
                    "comment": c.comment,
                    "overridden_by": c.overridden_by,
                    "override_reason": c.override_reason,
                }
                for c in uow.consultations.for_task(task_id)
            ],
        }


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
    with uow:
        return [
            {
                "id": e.id,
                "stream": e.stream,
                "seq": e.seq,
                "occurred_at": _iso(e.occurred_at),
                "actor": e.actor,
                "action": e.action,
                "instance_id": e.instance_id,
                "process_id": e.process_id,
                "task_id": e.task_id,
                "raci_role": e.raci_role,
                "on_behalf_of": e.on_behalf_of,
                "reason": e.reason,
                "details": e.details,
            }
            for e in uow.session.scalars(query)
        ]


def process_versions(uow: UnitOfWork, process_id: str | None = None) -> list[dict[str, Any]]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
    if process_id is not None:
        query = query.where(ProcessVersion.process_id == process_id)
    with uow:
        return [
            {
                "process_id": v.process_id,
                "version": v.version,
                "name": v.name,
                "content_hash": v.content_hash,
                "deployed_at": v.deployed_at.isoformat(),
                "deployed_by": v.deployed_by,
            }
            for v in uow.session.scalars(query)
        ]


def _task_dict(task: HumanTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_id": task.process_id,
        "element": task.spec_id,
        "name": task.name,
        "lane": task.lane,
        "status": str(task.status),
        "assignee": task.assignee,
        "business_key": task.business_key,
        "created_at": task.created_at.isoformat(),
        "due_at": task.due_at.isoformat() if task.due_at else None,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
