"""The analytics read model's SQL (SQLAlchemy Core): the rows behind a set of instances.

Three narrow reads per set — the instances, their tasks, their consultations — that
engine/analytics/facts.py adds up. They serve the roll-up (a few days of finished
instances at a time) and the live part of a report (the instances not rolled up yet:
open ones, recently ended ones); a report's bulk comes from the roll-up's sums, added
up in the database (engine/analytics/rollup.py). docs/analytics.md, "Roll-ups".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Connection, String, and_, any_, bindparam, select, text
from sqlalchemy.sql.elements import ColumnElement

from ..orm import consultations, human_tasks, process_instances

instances, tasks = process_instances, human_tasks
# Sorts and hashes of a roll-up of many days stay in memory (the default 4 MB spills).
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


@dataclass(frozen=True)
class Rows:
    """What facts.py adds up, for one set of instances."""

    instances: Sequence[Any]
    tasks: Sequence[Any]
    consultations: Sequence[Any]


def tune(conn: Connection) -> None:
    """Settings for this transaction only (PostgreSQL): room for the sorts."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


_INSTANCE_COLUMNS = (
    instances.c.id,
    instances.c.version_id,
    instances.c.status,
    instances.c.started_at,
    instances.c.ended_at,
)
_TASK_COLUMNS = (  # in the order facts.add_rows unpacks them
    tasks.c.instance_id,
    tasks.c.spec_id,
    tasks.c.name,
    tasks.c.status,
    tasks.c.created_at,
    tasks.c.due_at,
    tasks.c.claimed_at,
    tasks.c.submitted_at,
    tasks.c.completed_at,
    tasks.c.signoff_due_at,
    tasks.c.signed_off_at,
    tasks.c.signed_off_by,
    tasks.c.completed_by,
    tasks.c.assignee,
    tasks.c.rework_count,
)
_CONSULTATION_COLUMNS = (
    consultations.c.instance_id,
    tasks.c.spec_id,
    consultations.c.requested_at,
    consultations.c.answered_at,
)
_CONSULTATIONS = consultations.join(tasks, tasks.c.id == consultations.c.task_id)
# Ids per IN list: within SQLite's and PostgreSQL's limits on bound parameters.
IDS_AT_ONCE = 5000


def _one_of(column: Any, ids: list[str], conn: Connection) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY(:ids)`), not thousands
    of parameters to render and bind."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(String)))
    return column.in_(ids)


def rows_of(conn: Connection, where: ColumnElement[bool]) -> Rows:
    """The instances `where` picks (a condition on process_instances), with their tasks
    and their consultations. Tasks are read by their instances' ids, through the index
    on instance_id: a join lets PostgreSQL scan every task for a few thousand cases."""
    found = conn.execute(select(*_INSTANCE_COLUMNS).where(where)).all()
    ids = [row.id for row in found]
    tasks_of, consulted = [], []
    for start in range(0, len(ids), IDS_AT_ONCE):
        chunk = ids[start : start + IDS_AT_ONCE]
        tasks_of += conn.execute(
            select(*_TASK_COLUMNS).where(_one_of(tasks.c.instance_id, chunk, conn))
        ).all()
        consulted += conn.execute(
            select(*_CONSULTATION_COLUMNS)
            .select_from(_CONSULTATIONS)
            .where(_one_of(tasks.c.instance_id, chunk, conn))
        ).all()
    return Rows(instances=found, tasks=tasks_of, consultations=consulted)
