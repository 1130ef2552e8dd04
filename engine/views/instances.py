"""Instances and the process versions they run on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..model import (
    ProcessVersion,
)
from ..unit_of_work import UnitOfWork


def instance(uow: UnitOfWork, instance_id: str) -> dict[str, Any]:
    with uow.read_only():
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
            "outcome": found.outcome,
            "summary": found.summary or {},
        }


def process_versions(uow: UnitOfWork, process_id: str | None = None) -> list[dict[str, Any]]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
    if process_id is not None:
        query = query.where(ProcessVersion.process_id == process_id)
    with uow.read_only():
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
