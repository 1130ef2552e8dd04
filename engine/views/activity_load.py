"""Per activity of a process version: how many tasks are open, and how long they wait.

A task waits from the moment it is ready until someone claims it; one not claimed yet
is still waiting (ready → now). The median is over the activity's open tasks. One
query reads every open task of the version with its first claim, found through the
instance's trail (indexed by instance): the open tasks are few next to the trail.

The process page overlays it on the diagram (web/activity_overlays.py); any other
per-activity picture (a heat map) can read the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from ..model import OPEN_TASK_STATUSES
from ..orm import audit_events, human_tasks, process_instances

_OPEN_TASKS = (
    select(
        human_tasks.c.spec_id,
        human_tasks.c.created_at,
        func.min(audit_events.c.occurred_at).label("claimed_at"),
    )
    .join(process_instances, process_instances.c.id == human_tasks.c.instance_id)
    .outerjoin(
        audit_events,
        and_(
            audit_events.c.instance_id == human_tasks.c.instance_id,
            audit_events.c.task_id == human_tasks.c.id,
            audit_events.c.action == "claim",
        ),
    )
    .where(
        process_instances.c.version_id == bindparam("version_id"),
        human_tasks.c.status.in_([s.value for s in OPEN_TASK_STATUSES]),
    )
    .group_by(human_tasks.c.id, human_tasks.c.spec_id, human_tasks.c.created_at)
)


@dataclass(frozen=True)
class ActivityLoad:
    """An activity's open tasks and the median time they waited to be taken up."""

    open: int
    median_wait: timedelta


def activity_load(connection: Any, version_id: int, now: datetime) -> dict[str, ActivityLoad]:
    """Each activity of the version that has open tasks, by its BPMN id."""
    waits: dict[str, list[timedelta]] = {}
    for spec_id, ready_at, claimed_at in connection.execute(
        _OPEN_TASKS, {"version_id": version_id}
    ):
        waits.setdefault(spec_id, []).append(waited(ready_at, claimed_at, now))
    return {activity: summary(found) for activity, found in waits.items()}


def waited(ready_at: datetime, claimed_at: datetime | None, now: datetime) -> timedelta:
    """How long a task waited: until its claim, or until now if nobody has claimed it."""
    return max((claimed_at or now) - ready_at, timedelta(0))


def summary(waits: Iterable[timedelta]) -> ActivityLoad:
    found = sorted(waits)
    return ActivityLoad(open=len(found), median_wait=median(found))
