"""The analytics read model: every figure aggregated in the database (SQLAlchemy Core).

Each function runs one grouped query over a `Scope` (a process, a period, maybe one
version) and returns plain rows; nothing loads events or tasks one by one into Python.
The period selects instances by their start ([since, until)); every task figure is
over the tasks of those instances. docs/analytics.md defines the figures and says
why the queries are shaped so (one pass per table, one sort per spread, indexes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from ..model import InstanceStatus, TaskStatus
from ..orm import consultations, human_tasks, process_instances
from .sql import epoch, spread, whole

WEEK = 7 * 24 * 3600
OPEN = (TaskStatus.READY.value, TaskStatus.AWAITING_SIGNOFF.value)
COMPLETED = InstanceStatus.COMPLETED.value
instances, tasks = process_instances, human_tasks
# Sorts for the percentiles of a year of tasks stay in memory (the default 4 MB spills).
WORK_MEM = "64MB"


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
        """Tasks of the scope's instances (joined on instance id). A task is created after
        its instance starts: the index on (process_id, created_at) skips earlier ones."""
        return and_(
            tasks.c.process_id == self.process_id,
            tasks.c.created_at >= self.since,
            self.instance_filter(),
        )


def tune(conn: Connection) -> None:
    """Settings for this read transaction only (PostgreSQL): room for the sorts."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


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


def flawed(scope: Scope, *, rework: bool, breach: bool) -> ColumnElement[bool]:
    """A task with a defect of a counted kind (none counted: never)."""
    kinds = [tasks.c.rework_count > 0] if rework else []
    if breach:
        kinds.append(breached(scope))
    return or_(false(), *kinds)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _tasks_of_scope() -> Any:
    return tasks.join(instances, instances.c.id == tasks.c.instance_id)


def instance_rows(conn: Connection, scope: Scope) -> list[Any]:
    """Per status: instances started in the period, and (median, p90) of start -> end."""
    cycle = _between(instances.c.started_at, instances.c.ended_at)
    return list(
        conn.execute(
            select(instances.c.status, func.count(), spread(cycle))
            .where(scope.instance_filter())
            .group_by(instances.c.status)
        )
    )


def weekly_completions(conn: Connection, scope: Scope) -> list[Any]:
    """(week index, completed, mean cycle time) by the week each instance ended in."""
    week = whole((epoch(instances.c.ended_at) - scope.week_zero) / WEEK).label("week")
    cycle = _between(instances.c.started_at, instances.c.ended_at)
    return list(
        conn.execute(
            select(week, func.count(), func.avg(cycle))
            .where(scope.instance_filter(), instances.c.status == COMPLETED)
            .group_by(week)
            .order_by(week)
        )
    )


def flawed_completions(conn: Connection, scope: Scope, *, rework: bool, breach: bool) -> int:
    """Completed instances with at least one task with a counted defect."""
    if not (rework or breach):
        return 0
    return conn.execute(
        select(func.count(tasks.c.instance_id.distinct()))
        .select_from(_tasks_of_scope())
        .where(
            scope.task_filter(),
            instances.c.status == COMPLETED,
            flawed(scope, rework=rework, breach=breach),
        )
    ).scalar_one()


def activity_rows(conn: Connection, scope: Scope, *, rework: bool, breach: bool) -> list[Any]:
    """One row per user task element: counts, (median, p90) of each duration, reworks,
    breaches, and the tasks done first time."""
    handed_in = func.coalesce(tasks.c.submitted_at, tasks.c.completed_at)
    done = tasks.c.status == TaskStatus.COMPLETED.value
    return list(
        conn.execute(
            select(
                tasks.c.spec_id.label("element"),
                func.max(tasks.c.name).label("name"),
                func.count().label("tasks"),
                _count_if(done).label("completed"),
                _count_if(tasks.c.status.in_(OPEN)).label("open"),
                spread(_between(tasks.c.created_at, tasks.c.claimed_at)).label("waiting"),
                func.count(tasks.c.claimed_at).label("waiting_count"),
                spread(_between(tasks.c.claimed_at, handed_in)).label("working"),
                func.count(_between(tasks.c.claimed_at, handed_in)).label("working_count"),
                spread(_between(tasks.c.submitted_at, tasks.c.signed_off_at)).label("sign_off"),
                func.count(tasks.c.signed_off_at).label("sign_off_count"),
                func.coalesce(func.sum(tasks.c.rework_count), 0).label("reworks"),
                _count_if(breached(scope)).label("breaches"),
                _count_if(and_(done, ~flawed(scope, rework=rework, breach=breach))).label(
                    "first_pass"
                ),
            )
            .select_from(_tasks_of_scope())
            .where(scope.task_filter())
            .group_by(tasks.c.spec_id)
            .order_by(func.min(tasks.c.created_at), tasks.c.spec_id)
        )
    )


def consultation_rows(conn: Connection, scope: Scope) -> list[Any]:
    """Per element: (median, p90) and count of requested -> answered consultations."""
    answer = _between(consultations.c.requested_at, consultations.c.answered_at)
    return list(
        conn.execute(
            select(tasks.c.spec_id, spread(answer), func.count(answer))
            .select_from(
                _tasks_of_scope().join(consultations, consultations.c.task_id == tasks.c.id)
            )
            .where(scope.task_filter())
            .group_by(tasks.c.spec_id)
        )
    )


def person_workload(conn: Connection, scope: Scope) -> list[Any]:
    """Per person: tasks open with them (claimed), done by them, and breached of those."""
    person = func.coalesce(tasks.c.completed_by, tasks.c.assignee).label("person")
    return list(
        conn.execute(
            select(
                person,
                _count_if(tasks.c.status.in_(OPEN)),
                _count_if(tasks.c.status == TaskStatus.COMPLETED.value),
                _count_if(breached(scope)),
            )
            .select_from(_tasks_of_scope())
            .where(scope.task_filter(), person.is_not(None))
            .group_by(person)
            .order_by(person)
        )
    )


def sign_off_rows(conn: Connection, scope: Scope) -> list[Any]:
    """Per A person: tasks signed, and (median, p90) of submitted -> signed."""
    delay = _between(tasks.c.submitted_at, tasks.c.signed_off_at)
    return list(
        conn.execute(
            select(tasks.c.signed_off_by, func.count(), spread(delay))
            .select_from(_tasks_of_scope())
            .where(scope.task_filter(), tasks.c.signed_off_by.is_not(None))
            .group_by(tasks.c.signed_off_by)
            .order_by(tasks.c.signed_off_by)
        )
    )


def all_queries() -> Sequence[str]:
    """The queries a process page runs, in order (bench/analytics.py times each)."""
    return (
        "instance_rows",
        "weekly_completions",
        "flawed_completions",
        "activity_rows",
        "consultation_rows",
        "person_workload",
        "sign_off_rows",
    )
