"""Read queries about a process's versions: who deployed and signed, what still runs on each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select

from .draft_store import drafts
from .model import InstanceStatus
from .orm import process_instances, process_versions

UNFINISHED = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR)

_HISTORY = (
    select(
        process_versions.c.id,
        process_versions.c.version,
        process_versions.c.name,
        process_versions.c.deployed_at,
        process_versions.c.deployed_by,
        drafts.c.id.label("draft"),
        drafts.c.decided_by.label("approved_by"),
        drafts.c.decided_at.label("approved_at"),
        drafts.c.comment,
    )
    .outerjoin(
        drafts,
        (drafts.c.process_id == process_versions.c.process_id)
        & (drafts.c.deployed_version == process_versions.c.version),
    )
    .where(process_versions.c.process_id == bindparam("process_id"))
    .order_by(process_versions.c.version.desc())
)
_UNFINISHED_BY_VERSION = (
    select(process_instances.c.version_id, func.count())
    .where(
        process_instances.c.process_id == bindparam("process_id"),
        process_instances.c.status.in_([s.value for s in UNFINISHED]),
    )
    .group_by(process_instances.c.version_id)
)
_UNFINISHED = (
    select(
        process_instances.c.id,
        process_instances.c.business_key,
        process_instances.c.status,
        process_versions.c.version,
    )
    .join(process_versions, process_versions.c.id == process_instances.c.version_id)
    .where(
        process_instances.c.process_id == bindparam("process_id"),
        process_instances.c.status.in_([s.value for s in UNFINISHED]),
    )
    .order_by(process_instances.c.started_at)
)


def version_history(connection: Any, process_id: str) -> list[dict[str, Any]]:
    """Every version, newest first: deployed by and when, signed by whom, what runs on it."""
    counts = dict(connection.execute(_UNFINISHED_BY_VERSION, {"process_id": process_id}).all())
    return [
        {
            "version": row.version,
            "name": row.name,
            "deployed_at": row.deployed_at,
            "deployed_by": row.deployed_by,
            "approved_by": row.approved_by,
            "approved_at": row.approved_at,
            "comment": row.comment,
            "draft": row.draft,
            "unfinished": counts.get(row.id, 0),
        }
        for row in connection.execute(_HISTORY, {"process_id": process_id})
    ]


def unfinished_instances(connection: Any, process_id: str) -> list[dict[str, Any]]:
    """The instances of a process not yet finished, oldest first, with their version."""
    return [
        dict(row._mapping) for row in connection.execute(_UNFINISHED, {"process_id": process_id})
    ]
