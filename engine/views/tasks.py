"""Tasks as inboxes show them: open work by role, sign-offs, consultations, one task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    Consultation,
    HumanTask,
    TaskStatus,
)
from ..unit_of_work import UnitOfWork
from .common import (
    acting_roles,
    claimants_for,
    has_roles,
    iso,
    not_their_own,
    not_their_request,
    not_worked_before,
    task_dict,
)


def open_tasks(
    uow: UnitOfWork,
    *,
    user: str | None = None,
    instance_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Open human tasks (of one instance, if given), oldest first.

    With `user`: the tasks they may work, unclaimed or claimed by them or by someone
    they stand in for today. Under a RACI matrix that means tasks of an R role they
    hold, or hold as a deputy today.
    """
    query = select(HumanTask).where(HumanTask.status == TaskStatus.READY)
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    with uow.read_only():
        if user is not None:
            query = query.where(
                or_(HumanTask.assignee.in_(claimants_for(uow, user)), HumanTask.assignee.is_(None)),
                has_roles("R", acting_roles(uow, user) | {ANYONE}),
            )
        query = query.order_by(HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)
        return [task_dict(task) for task in uow.session.scalars(query)]


def claimed_by(uow: UnitOfWork, user: str) -> dict[str, int]:
    """How many open tasks `user` has claimed and not finished, and how many of them are
    urgent: what deactivating them gives back to the queue."""
    claimed = select(func.count(), func.count().filter(HumanTask.urgent)).where(
        HumanTask.assignee == user, HumanTask.status == TaskStatus.READY
    )
    with uow.read_only():
        tasks, urgent = uow.session.execute(claimed).one()
    return {"tasks": tasks, "urgent": urgent}


def signoffs_for(uow: UnitOfWork, user: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Work waiting for `user`'s sign-off (A), never their own."""
    with uow.read_only():
        query = (
            select(HumanTask)
            .where(
                HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
                not_their_own(user, HumanTask.performer, HumanTask.performer_for),
                not_their_request(user, HumanTask.id),
                not_worked_before(user, HumanTask.id),
                has_roles("A", acting_roles(uow, user)),
            )
            .order_by(HumanTask.submitted_at, HumanTask.id)
            .limit(limit)
        )
        return [
            {**task_dict(t), "performer": t.performer, "signoff_due_at": iso(t.signoff_due_at)}
            for t in uow.session.scalars(query)
        ]


def consultations_for(uow: UnitOfWork, user: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Open consultations addressed to a role `user` acts for (C)."""
    with uow.read_only():
        query = (
            select(Consultation, HumanTask)
            .join(HumanTask, HumanTask.id == Consultation.task_id)
            .where(
                Consultation.role.in_(acting_roles(uow, user)),
                or_(Consultation.routed_to.is_(None), Consultation.routed_to == user),
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
                "requested_at": iso(c.requested_at),
                "task": task_dict(t),
            }
            for c, t in uow.session.execute(query)
        ]


def task_detail(uow: UnitOfWork, task_id: str) -> dict[str, Any]:
    """One task with its sign-off state and consultation answers."""
    with uow.read_only():
        task = uow.tasks.get(task_id)
        return {
            **task_dict(task),
            "performer": task.performer,
            "performer_for": task.performer_for,
            "returns_to": task.returns_to,
            "submitted_data": task.submitted_data,
            "signoff_due_at": iso(task.signoff_due_at),
            "signed_off_by": task.signed_off_by,
            "signed_off_at": iso(task.signed_off_at),
            "rework_count": task.rework_count,
            "rejection_reason": task.rejection_reason,
            "completed_by": task.completed_by,
            "completed_at": iso(task.completed_at),
            "consultations": [
                {
                    "id": c.id,
                    "role": c.role,
                    "routed_to": c.routed_to,
                    "requested_at": iso(c.requested_at),
                    "answered_by": c.answered_by,
                    "answered_for": c.answered_for,
                    "answered_at": iso(c.answered_at),
                    "comment": c.comment,
                    "overridden_by": c.overridden_by,
                    "override_reason": c.override_reason,
                }
                for c in uow.consultations.for_task(task_id)
            ],
        }
