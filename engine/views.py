"""Read models: plain queries returning dicts, for lists and inboxes.

They read the task projection and the instance table, never workflow state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from .model import HumanTask, ProcessVersion, TaskStatus
from .unit_of_work import UnitOfWork


def open_tasks(
    uow: UnitOfWork, *, user: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Open human tasks, oldest first; with `user`, those claimed by them or by nobody."""
    query = select(HumanTask).where(HumanTask.status == TaskStatus.READY)
    if user is not None:
        query = query.where(or_(HumanTask.assignee == user, HumanTask.assignee.is_(None)))
    query = query.order_by(HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)
    with uow:
        return [_task_dict(task) for task in uow.session.scalars(query)]


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


def process_versions(uow: UnitOfWork) -> list[dict[str, Any]]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
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
