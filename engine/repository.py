"""Repositories of process versions, instances and their human tasks.

Versions (cold: deploys, and a cache miss) use the ORM session; instances and tasks
(every command) use prebuilt SQLAlchemy Core statements on the session's connection,
with changes written at commit (engine/tracked.py). Timers: engine/timer_store.py;
the audit trail: engine/audit_store.py.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from .database import Connect
from .direct import execute
from .errors import ConcurrencyConflict, NotFound
from .model import (
    OPEN_TASK_STATUSES,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
)
from .orm import audit_streams, human_tasks, process_instances, process_versions
from .tracked import TrackedRows, update_by_key

if TYPE_CHECKING:
    from .audit_store import AuditRepository


class VersionRepository:
    def __init__(self, session: Session, connection: Connect) -> None:
        self.session = session
        self._connection = connection  # for the lookups every start and notice makes

    def add(self, version: ProcessVersion) -> None:
        self.session.add(version)

    def get(self, version_id: int) -> ProcessVersion:
        version = self.session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"process version {version_id} does not exist")
        return version

    def find(self, process_id: str, version: int | None = None) -> ProcessVersion:
        """The given version of `process_id`, or its latest."""
        return self.get(self.find_id(process_id, version))

    def find_id(self, process_id: str, version: int | None = None) -> int:
        """The id of the given version of `process_id`, or of its latest (every start asks)."""
        if version is None:
            params, statement = {"process_id": process_id}, _LATEST_VERSION_ID
        else:
            params, statement = {"process_id": process_id, "version": version}, _VERSION_ID
        found = execute(self._connection(), statement, params).scalar()
        if found is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"process '{process_id}'{suffix} is not deployed")
        return found

    def name_of(self, version_id: int) -> str:
        """The BPMN name of a version's process (notices name it)."""
        return execute(self._connection(), _VERSION_NAME, {"id": version_id}).scalar_one()

    def by_hash(self, process_id: str, content_hash: str) -> ProcessVersion | None:
        return self.session.scalars(
            select(ProcessVersion).where(
                ProcessVersion.process_id == process_id,
                ProcessVersion.content_hash == content_hash,
            )
        ).first()

    def latest_number(self, process_id: str) -> int:
        return self.session.scalar(
            select(func.coalesce(func.max(ProcessVersion.version), 0)).where(
                ProcessVersion.process_id == process_id
            )
        )


_OF_PROCESS = process_versions.c.process_id == bindparam("process_id")
_LATEST_VERSION_ID = (
    select(process_versions.c.id)
    .where(_OF_PROCESS)
    .order_by(process_versions.c.version.desc())
    .limit(1)
)
_VERSION_ID = select(process_versions.c.id).where(
    _OF_PROCESS, process_versions.c.version == bindparam("version")
)
_VERSION_NAME = select(process_versions.c.name).where(process_versions.c.id == bindparam("id"))


class InstanceRepository:
    """Process instances, on SQLAlchemy Core (engine/tracked.py): read once, written at commit.

    An instance row carries a revision: every UPDATE says `WHERE revision = :old` and
    bumps it, and one that matches no row means another writer got there first
    (ConcurrencyConflict). Commands lock the row before reading, so that this is a
    last line of defence rather than the usual way a race ends.
    """

    def __init__(self, connection: Connect, audit: AuditRepository) -> None:
        self._connection = connection
        self._audit = audit
        self.rows: TrackedRows[ProcessInstance] = TrackedRows(process_instances, ProcessInstance)

    def add(self, instance: ProcessInstance) -> None:
        instance.revision = 1
        self.rows.add(instance)

    def get(self, instance_id: str) -> ProcessInstance:
        instance = self.rows.get(instance_id)
        if instance is None:
            row = execute(self._connection(), _INSTANCE, {"id": instance_id}).first()
            if row is None:
                raise NotFound(f"instance {instance_id} does not exist")
            instance = self.rows.adopt(row)
        return instance

    def lock(self, instance_id: str) -> ProcessInstance:
        """Load an instance to change it or its tasks: its row stays locked until the end.

        Every command that changes an instance, its tasks or its timers calls this (or
        TaskRepository.lock) before reading any of them, so writers of one instance take
        their turns and each reads what the one before it committed (see docs/engine.md,
        "Concurrency"). SQLite has no row locks: its units of work are serialised whole.
        """
        instance = self.lock_where(_LOCK, _LOCK_ALONE, {"id": instance_id})
        if instance is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return instance

    def lock_where(
        self, with_head: Select[Any], alone: Select[Any], params: dict[str, Any]
    ) -> ProcessInstance | None:
        """Lock and read an instance with its audit chain's head (one statement), as committed
        when the lock was granted; the instance alone if its chain has no head row yet."""
        connection = self._connection()
        row = execute(connection, with_head, params).first()
        if row is not None:
            self._audit.know_head(row[0], row.head_length, row.head_hash)
        else:
            row = execute(connection, alone, params).first()
            if row is None:
                return None
        return self.rows.adopt(row[: len(self.rows.columns)], refresh=True)

    def flush(self, touched: Collection[str] = ()) -> None:
        """Write new and changed instances, and bump the revision of those `touched` (whose
        tasks changed); each must still have the revision it was read with."""
        connection = self._connection()
        new = self.rows.new_rows()
        if new:
            execute(connection, _INSERT_INSTANCE, new)
        for instance, changed, snapshot in list(self.rows.changes(touched)):
            old = snapshot[_REVISION]
            instance.revision = changed["revision"] = old + 1
            statement = update_by_key(process_instances, frozenset(changed), "revision")
            result = execute(connection, statement, {**changed, "key_": instance.id, "guard_": old})
            if result.rowcount != 1:
                raise ConcurrencyConflict(STALE)
        self.rows.mark_written()


STALE = "the instance was changed by someone else at the same time; reload and retry"
_REVISION = process_instances.c.keys().index("revision")

_INSTANCE = select(process_instances).where(process_instances.c.id == bindparam("id"))
_INSERT_INSTANCE = insert(process_instances)
_WITH_HEAD = select(
    process_instances,
    audit_streams.c.length.label("head_length"),
    audit_streams.c.head_hash.label("head_hash"),
).join_from(process_instances, audit_streams, audit_streams.c.stream == process_instances.c.id)
# FOR UPDATE of both rows: on PostgreSQL a writer that waited for the lock re-reads both
# as the writer before it committed them (its chain's head included).
_LOCK = _WITH_HEAD.where(process_instances.c.id == bindparam("id")).with_for_update()
_LOCK_ALONE = _INSTANCE.with_for_update()
_OWNER = select(human_tasks.c.instance_id).where(human_tasks.c.id == bindparam("task_id"))
_LOCK_BY_TASK = _WITH_HEAD.where(
    process_instances.c.id == _OWNER.scalar_subquery()
).with_for_update()
_LOCK_ALONE_BY_TASK = (
    select(process_instances)
    .where(process_instances.c.id == _OWNER.scalar_subquery())
    .with_for_update()
)


class TaskRepository:
    """The human-task projection, on SQLAlchemy Core like InstanceRepository.

    Task rows carry no revision of their own: a command changes tasks only under its
    instance's lock, and bumps the instance's revision in the same commit.
    """

    def __init__(self, connection: Connect, instances: InstanceRepository) -> None:
        self._connection = connection
        self._instances = instances
        self.rows: TrackedRows[HumanTask] = TrackedRows(human_tasks, HumanTask)
        self._open_at_lock: dict[str, list[HumanTask]] = {}  # by instance id

    def add(self, task: HumanTask) -> None:
        self.rows.add(task)

    def get(self, task_id: str) -> HumanTask:
        task = self.rows.get(task_id)
        if task is None:
            row = execute(self._connection(), _TASK, {"id": task_id}).first()
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            task = self.rows.adopt(row)
        return task

    def get_with_instance(self, task_id: str) -> tuple[HumanTask, ProcessInstance]:
        """A task and its instance, in one SELECT unless both are loaded already."""
        task = self.rows.get(task_id)
        if task is not None:
            return task, self._instances.get(task.instance_id)
        row = execute(self._connection(), _TASK_WITH_INSTANCE, {"id": task_id}).first()
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        width = len(self.rows.columns)
        return self.rows.adopt(row[:width]), self._instances.rows.adopt(row[width:])

    def lock(self, task_id: str) -> tuple[HumanTask, ProcessInstance]:
        """Load a task to change it: its instance's row is locked first, then the task is
        read with the instance's other open tasks (one statement; see open_alongside)."""
        # A task never moves to another instance: reading its instance id in the lock is safe.
        params = {"task_id": task_id}
        instance = self._instances.lock_where(_LOCK_BY_TASK, _LOCK_ALONE_BY_TASK, params)
        if instance is None:
            raise NotFound(f"task {task_id} does not exist")
        rows = execute(
            self._connection(), _TASK_AND_OPEN, {"task_id": task_id, "instance_id": instance.id}
        )
        task = None
        still_open = []
        for row in rows:
            found = self.rows.adopt(row, refresh=True)
            if found.id == task_id:
                task = found
            if row.status in _OPEN:
                still_open.append(found)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        self._open_at_lock[instance.id] = still_open
        return task, instance

    def open_alongside(self, task_id: str) -> list[HumanTask]:
        """The open tasks of the instance that `task_id` belongs to, in one query (none
        right after `lock(task_id)`: it read them)."""
        task = self.rows.get(task_id)
        if task is not None and task.instance_id in self._open_at_lock:
            return list(self._open_at_lock[task.instance_id])
        return self._adopt_all(_OPEN_ALONGSIDE, {"task_id": task_id})

    def open_for_instance(self, instance_id: str) -> list[HumanTask]:
        found = self._adopt_all(_OPEN_TASKS, {"instance_id": instance_id})
        # Unsaved changes win: drop tasks closed earlier in this unit of work.
        return [task for task in found if task.status in OPEN_TASK_STATUSES]

    def signed_for_instance(self, instance_id: str) -> list[HumanTask]:
        """The instance's tasks whose submitted data a member of A signed."""
        return self._adopt_all(_SIGNED_TASKS, {"instance_id": instance_id})

    def flush(self) -> None:
        """Write new tasks in one statement, and changed ones grouped by what changed."""
        connection = self._connection()
        new = self.rows.new_rows()
        if new:
            execute(connection, _INSERT_TASK, new)
        by_shape: dict[frozenset[str], list[dict[str, Any]]] = {}
        for task, changed, _ in self.rows.changes():
            by_shape.setdefault(frozenset(changed), []).append({**changed, "key_": task.id})
        for shape, params in by_shape.items():
            execute(connection, update_by_key(human_tasks, shape), params)
        self.rows.mark_written()

    def touched_instances(self) -> set[str]:
        """The instances whose loaded tasks changed (their revision moves with them)."""
        return {task.instance_id for task, _, _ in self.rows.changes()}

    def inbox_changes(self, fields: tuple[str, ...]) -> list[HumanTask]:
        """Open tasks loaded here whose `fields` changed (before flush forgets what changed)."""
        return [
            task
            for task, changed, _ in self.rows.changes()
            if TaskStatus(task.status).is_open and not changed.keys().isdisjoint(fields)
        ]

    def _adopt_all(self, statement: Select[Any], params: dict[str, Any]) -> list[HumanTask]:
        return [self.rows.adopt(row) for row in execute(self._connection(), statement, params)]


_OPEN = frozenset(status.value for status in OPEN_TASK_STATUSES)
# "status IN (…open…)" spelled as ORs: SQLAlchemy renders an IN list anew at every
# execution (an "expanding" parameter), even a constant one; these run per command.
_IS_OPEN = or_(*(human_tasks.c.status == status for status in sorted(_OPEN)))
_TASK = select(human_tasks).where(human_tasks.c.id == bindparam("id"))
_INSERT_TASK = insert(human_tasks)
_TASK_WITH_INSTANCE = (
    select(human_tasks, process_instances)
    .join_from(human_tasks, process_instances, process_instances.c.id == human_tasks.c.instance_id)
    .where(human_tasks.c.id == bindparam("id"))
)
_TASK_AND_OPEN = select(human_tasks).where(
    human_tasks.c.instance_id == bindparam("instance_id"),
    or_(human_tasks.c.id == bindparam("task_id"), _IS_OPEN),
)
_OPEN_TASKS = select(human_tasks).where(
    human_tasks.c.instance_id == bindparam("instance_id"), _IS_OPEN
)
_OPEN_ALONGSIDE = select(human_tasks).where(
    human_tasks.c.instance_id
    == select(human_tasks.c.instance_id)
    .where(human_tasks.c.id == bindparam("task_id"))
    .scalar_subquery(),
    _IS_OPEN,
)
_SIGNED_TASKS = select(human_tasks).where(
    human_tasks.c.instance_id == bindparam("instance_id"),
    human_tasks.c.status == TaskStatus.COMPLETED.value,
    human_tasks.c.signed_off_by.is_not(None),
)
