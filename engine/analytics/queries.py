"""The analytics read model: every figure aggregated in the database (SQLAlchemy Core).

Each function runs one grouped query over a `Scope` (a process, a period, maybe one
version) and returns plain rows; nothing loads events or tasks one by one into Python.
The period selects instances by their start ([since, until)); every task figure is
over the tasks of those instances. docs/analytics.md defines the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..model import InstanceStatus, TaskStatus
from ..orm import consultations, human_tasks, process_instances
from .sql import epoch, median_of, p90_of, whole

WEEK = 7 * 24 * 3600
OPEN = (TaskStatus.READY.value, TaskStatus.AWAITING_SIGNOFF.value)
instances, tasks = process_instances, human_tasks


@dataclass(frozen=True)
class Scope:
    """Which instances a report covers: a process's, started in [since, until), one
    version's if `version_id`; `as_of` is when open work is judged overdue."""

    process_id: str
    since: datetime
    until: datetime
    as_of: datetime
    version_id: int | None = None
    week_zero: float = 0.0  # epoch seconds of the Monday 00:00 UTC that starts week 0

    def instance_filter(self) -> ColumnElement[bool]:
        conditions = [
            instances.c.process_id == self.process_id,
            instances.c.started_at >= self.since,
            instances.c.started_at < self.until,
        ]
        if self.version_id is not None:
            conditions.append(instances.c.version_id == self.version_id)
        return and_(*conditions)

    def task_filter(self) -> ColumnElement[bool]:
        """Tasks of the scope's instances (joined on instance id)."""
        return and_(tasks.c.process_id == self.process_id, self.instance_filter())


def _between(start: Any, end: Any) -> ColumnElement[float]:
    return epoch(end) - epoch(start)


def breached(scope: Scope) -> ColumnElement[bool]:
    """A task past a due time: R's work (due_at) handed in after it, or still not handed
    in at `as_of`; or A's sign-off (signoff_due_at) given after it, or still awaited at
    `as_of`. One breach per task at most."""
    handed_in = func.coalesce(tasks.c.submitted_at, tasks.c.completed_at)
    late_work = and_(
        tasks.c.due_at.is_not(None),
        or_(
            handed_in > tasks.c.due_at,
            and_(tasks.c.status == TaskStatus.READY.value, tasks.c.due_at < scope.as_of),
        ),
    )
    late_sign_off = and_(
        tasks.c.signoff_due_at.is_not(None),
        or_(
            tasks.c.signed_off_at > tasks.c.signoff_due_at,
            and_(
                tasks.c.status == TaskStatus.AWAITING_SIGNOFF.value,
                tasks.c.signoff_due_at < scope.as_of,
            ),
        ),
    )
    return or_(late_work, late_sign_off)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _tasks_of_scope(scope: Scope) -> Any:
    return tasks.join(instances, instances.c.id == tasks.c.instance_id)


def status_counts(conn: Connection, scope: Scope) -> dict[str, int]:
    """Instances started in the period, by status."""
    rows = conn.execute(
        select(instances.c.status, func.count())
        .where(scope.instance_filter())
        .group_by(instances.c.status)
    )
    return {status: count for status, count in rows}


def cycle_times(conn: Connection, scope: Scope) -> Any:
    """Median, p90 and count of start -> end of the period's completed instances."""
    cycle = _between(instances.c.started_at, instances.c.ended_at)
    return conn.execute(
        select(median_of(cycle), p90_of(cycle), func.count()).where(
            scope.instance_filter(), instances.c.status == InstanceStatus.COMPLETED.value
        )
    ).one()


def weekly_completions(conn: Connection, scope: Scope) -> list[Any]:
    """(week index, completed, mean cycle time) by the week each instance ended in."""
    week = whole((epoch(instances.c.ended_at) - scope.week_zero) / WEEK).label("week")
    cycle = _between(instances.c.started_at, instances.c.ended_at)
    return list(
        conn.execute(
            select(week, func.count(), func.avg(cycle))
            .where(scope.instance_filter(), instances.c.status == InstanceStatus.COMPLETED.value)
            .group_by(week)
            .order_by(week)
        )
    )


def instance_defects(conn: Connection, scope: Scope, *, rework: bool, breach: bool) -> Any:
    """Completed instances none of whose tasks had a counted defect, and the task totals."""
    per_instance = (
        select(
            tasks.c.instance_id,
            func.count().label("steps"),
            func.sum(tasks.c.rework_count).label("reworks"),
            _count_if(breached(scope)).label("breaches"),
        )
        .select_from(_tasks_of_scope(scope))
        .where(scope.task_filter())
        .group_by(tasks.c.instance_id)
        .subquery()
    )
    flawed = literal(False)
    if rework:
        flawed = or_(flawed, per_instance.c.reworks > 0)
    if breach:
        flawed = or_(flawed, per_instance.c.breaches > 0)
    clean_completed = and_(
        instances.c.status == InstanceStatus.COMPLETED.value,
        or_(per_instance.c.instance_id.is_(None), ~flawed),
    )
    return conn.execute(
        select(
            _count_if(clean_completed),
            func.coalesce(func.sum(per_instance.c.steps), 0),
            func.coalesce(func.sum(per_instance.c.reworks), 0),
            func.coalesce(func.sum(per_instance.c.breaches), 0),
        )
        .select_from(
            instances.outerjoin(per_instance, per_instance.c.instance_id == instances.c.id)
        )
        .where(scope.instance_filter())
    ).one()


def activity_rows(conn: Connection, scope: Scope, *, rework: bool, breach: bool) -> list[Any]:
    """One row per user task element: counts, durations' median/p90, reworks, breaches."""
    waiting = _between(tasks.c.created_at, tasks.c.claimed_at)
    working = _between(
        tasks.c.claimed_at, func.coalesce(tasks.c.submitted_at, tasks.c.completed_at)
    )
    sign_off = _between(tasks.c.submitted_at, tasks.c.signed_off_at)
    done = tasks.c.status == TaskStatus.COMPLETED.value
    flawless = done
    if rework:
        flawless = and_(flawless, tasks.c.rework_count == 0)
    if breach:
        flawless = and_(flawless, ~breached(scope))
    return list(
        conn.execute(
            select(
                tasks.c.spec_id.label("element"),
                func.max(tasks.c.name).label("name"),
                func.count().label("tasks"),
                _count_if(done).label("completed"),
                _count_if(tasks.c.status.in_(OPEN)).label("open"),
                median_of(waiting).label("waiting_median"),
                p90_of(waiting).label("waiting_p90"),
                func.count(tasks.c.claimed_at).label("waiting_count"),
                median_of(working).label("working_median"),
                p90_of(working).label("working_p90"),
                func.count(working).label("working_count"),
                median_of(sign_off).label("sign_off_median"),
                p90_of(sign_off).label("sign_off_p90"),
                func.count(tasks.c.signed_off_at).label("sign_off_count"),
                func.sum(tasks.c.rework_count).label("reworks"),
                _count_if(breached(scope)).label("breaches"),
                _count_if(flawless).label("first_pass"),
            )
            .select_from(_tasks_of_scope(scope))
            .where(scope.task_filter())
            .group_by(tasks.c.spec_id)
            .order_by(func.min(tasks.c.created_at), tasks.c.spec_id)
        )
    )


def consultation_rows(conn: Connection, scope: Scope) -> list[Any]:
    """Per element: median, p90 and count of requested -> answered consultations."""
    answer = _between(consultations.c.requested_at, consultations.c.answered_at)
    return list(
        conn.execute(
            select(tasks.c.spec_id, median_of(answer), p90_of(answer), func.count(answer))
            .select_from(
                _tasks_of_scope(scope).join(consultations, consultations.c.task_id == tasks.c.id)
            )
            .where(scope.task_filter())
            .group_by(tasks.c.spec_id)
        )
    )


def person_workload(conn: Connection, scope: Scope) -> list[Any]:
    """Per person: tasks open with them (claimed), done by them, and overdue of those."""
    person = func.coalesce(tasks.c.completed_by, tasks.c.assignee).label("person")
    done = tasks.c.status == TaskStatus.COMPLETED.value
    return list(
        conn.execute(
            select(
                person,
                _count_if(tasks.c.status.in_(OPEN)),
                _count_if(done),
                _count_if(breached(scope)),
            )
            .select_from(_tasks_of_scope(scope))
            .where(scope.task_filter(), person.is_not(None))
            .group_by(person)
            .order_by(person)
        )
    )


def element_workload(conn: Connection, scope: Scope) -> list[Any]:
    """Per element: open, done and overdue tasks (spread over its R roles by the caller)."""
    return list(
        conn.execute(
            select(
                tasks.c.spec_id,
                _count_if(tasks.c.status.in_(OPEN)),
                _count_if(tasks.c.status == TaskStatus.COMPLETED.value),
                _count_if(breached(scope)),
            )
            .select_from(_tasks_of_scope(scope))
            .where(scope.task_filter())
            .group_by(tasks.c.spec_id)
        )
    )


def sign_off_rows(conn: Connection, scope: Scope) -> list[Any]:
    """Per A person: tasks signed, median and p90 of submitted -> signed."""
    delay = _between(tasks.c.submitted_at, tasks.c.signed_off_at)
    return list(
        conn.execute(
            select(tasks.c.signed_off_by, func.count(), median_of(delay), p90_of(delay))
            .select_from(_tasks_of_scope(scope))
            .where(scope.task_filter(), tasks.c.signed_off_by.is_not(None))
            .group_by(tasks.c.signed_off_by)
            .order_by(tasks.c.signed_off_by)
        )
    )


def all_queries() -> Sequence[str]:
    """The names of the queries a process page runs (bench/analytics.py times each)."""
    return (
        "status_counts",
        "cycle_times",
        "weekly_completions",
        "instance_defects",
        "activity_rows",
        "consultation_rows",
        "person_workload",
        "element_workload",
        "sign_off_rows",
    )
