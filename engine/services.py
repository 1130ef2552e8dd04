"""The engine's service layer: every command the web UI, the CLI and the worker call.

Each public method is one unit of work: load, act through the runtime, settle
the records, commit. Errors are engine errors (engine/errors.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import audit
from .definitions import SourceFile, parse_definitions
from .errors import InvalidState, NotAllowed
from .model import InstanceStatus, ProcessInstance, ProcessVersion, TaskStatus
from .payload import check_payload
from .runtime import Runtime
from .serialization import SpecBundle, spec_from_dict
from .settle import SYSTEM_ACTOR, advance_and_settle, close_open_tasks, record
from .unit_of_work import UnitOfWork

DataValidator = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Deployment:
    """What deploying one process did: a new version, or nothing (same content)."""

    process_id: str
    version: int
    created: bool


@dataclass(frozen=True)
class InstanceState:
    """Where an instance stands after a command."""

    instance_id: str
    process_id: str
    version: int
    status: InstanceStatus
    error: str | None = None
    ready_tasks: tuple[str, ...] = ()


class ProcessEngine:
    """Deploy processes, run instances, and keep their records and audit trail."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        runtime: Runtime,
        *,
        known_services: Callable[[], list[str]] | None = None,
        spec_cache_size: int = 256,
    ) -> None:
        self.uow = uow_factory
        self.runtime = runtime
        self.known_services = known_services
        self._specs: dict[int, tuple[int, SpecBundle]] = {}  # version id -> (number, specs)
        self._spec_cache_size = spec_cache_size

    # -- definitions ----------------------------------------------------------

    def deploy(
        self,
        files: Sequence[SourceFile],
        *,
        user: str,
        attachments: dict[str, dict[str, str]] | None = None,
    ) -> list[Deployment]:
        """Store each changed process in `files` as a new version; same content is a no-op."""
        services = self.known_services() if self.known_services else None
        definitions = parse_definitions(files, known_services=services)
        results = []
        with self.uow() as uow:
            for definition in definitions:
                extra = (attachments or {}).get(definition.process_id)
                if extra:
                    definition = replace(definition, attachments=extra)
                existing = uow.versions.by_hash(definition.process_id, definition.content_hash)
                if existing is not None:
                    results.append(Deployment(definition.process_id, existing.version, False))
                    continue
                version = ProcessVersion(
                    process_id=definition.process_id,
                    version=uow.versions.latest_number(definition.process_id) + 1,
                    name=definition.name,
                    content_hash=definition.content_hash,
                    spec=definition.spec,
                    sources=definition.sources,
                    attachments=definition.attachments,
                    deployed_at=uow.now,
                    deployed_by=user,
                )
                uow.versions.add(version)
                uow.audit.record(
                    audit.SYSTEM_STREAM,
                    occurred_at=uow.now,
                    actor=user,
                    action="deploy",
                    process_id=version.process_id,
                    details={
                        "version": version.version,
                        "content_hash": version.content_hash,
                        "files": sorted({**version.sources, **version.attachments}),
                    },
                )
                results.append(Deployment(version.process_id, version.version, True))
            uow.commit()
        return results

    # -- instances ------------------------------------------------------------

    def start(
        self,
        process_id: str,
        *,
        user: str,
        data: dict[str, Any] | None = None,
        business_key: str | None = None,
        version: int | None = None,
    ) -> InstanceState:
        """Start an instance of the latest (or given) version and run it to its first wait."""
        data = check_payload(data or {})
        with self.uow() as uow:
            process_version = uow.versions.find(process_id, version)
            version_number, specs = self._spec(uow, process_version.id)
            workflow = self.runtime.create(specs, data)
            instance = ProcessInstance(
                id=str(uuid.uuid4()),
                version_id=process_version.id,
                process_id=process_id,
                business_key=business_key,
                status=InstanceStatus.RUNNING,
                state=b"",
                started_by=user,
                started_at=uow.now,
                updated_at=uow.now,
            )
            uow.instances.add(instance)
            uow.audit.start_stream(instance.id)
            record(
                uow,
                instance,
                "start",
                actor=user,
                details={
                    "version": version_number,
                    "data": data,
                    "business_key": business_key,
                },
            )
            ready = advance_and_settle(
                uow,
                self.runtime,
                instance,
                workflow,
                actor=user,
                timers_before=set(),
                open_tasks=[],
            )
            uow.commit()
            return _state_of(instance, version_number, ready)

    def claim(self, task_id: str, *, user: str) -> None:
        """Take an open task so that nobody else works on it."""
        with self.uow() as uow:
            task = _open_task(uow, task_id)
            if task.assignee not in (None, user):
                raise NotAllowed(f"task {task_id} is claimed by {task.assignee}")
            if task.assignee == user:
                return
            task.assignee = user
            instance = uow.instances.get(task.instance_id)
            record(uow, instance, "claim", actor=user, task_id=task_id)
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    def release(self, task_id: str, *, user: str) -> None:
        """Give back a claimed task so that others can take it."""
        with self.uow() as uow:
            task = _open_task(uow, task_id)
            if task.assignee != user:
                raise NotAllowed(f"task {task_id} is not claimed by {user}")
            task.assignee = None
            instance = uow.instances.get(task.instance_id)
            record(uow, instance, "release", actor=user, task_id=task_id)
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    def complete(
        self,
        task_id: str,
        *,
        user: str,
        data: dict[str, Any],
        validate: DataValidator | None = None,
    ) -> InstanceState:
        """Complete a human task with `data` (checked by `validate`), then run on."""
        data = check_payload(data)
        if validate is not None:
            data = check_payload(validate(data))
        with self.uow() as uow:
            open_tasks = uow.tasks.open_alongside(task_id)
            task = next((t for t in open_tasks if t.id == task_id), None) or _open_task(
                uow, task_id
            )
            if task.assignee not in (None, user):
                raise NotAllowed(f"task {task_id} is claimed by {task.assignee}")
            instance = uow.instances.get(task.instance_id)
            workflow, version_number = self._load(uow, instance)
            timers_before = self.runtime.timer_ids(workflow)
            self.runtime.complete_human_task(workflow, task_id, data)
            task.status, task.completed_by, task.completed_at = (
                TaskStatus.COMPLETED,
                user,
                uow.now,
            )
            task.assignee = task.assignee or user
            record(
                uow,
                instance,
                "complete",
                actor=user,
                task_id=task_id,
                details={"element": task.spec_id, "data": data},
            )
            ready = advance_and_settle(
                uow,
                self.runtime,
                instance,
                workflow,
                actor=user,
                timers_before=timers_before,
                open_tasks=open_tasks,
            )
            uow.commit()
            return _state_of(instance, version_number, ready)

    def cancel(self, instance_id: str, *, user: str, reason: str) -> InstanceState:
        """Stop an instance for good; its open tasks and timers are cancelled."""
        if not reason or not reason.strip():
            raise InvalidState("a reason is required to cancel an instance")
        with self.uow() as uow:
            instance = uow.instances.get(instance_id)
            if InstanceStatus(instance.status).is_final:
                raise InvalidState(f"instance {instance_id} is already {instance.status}")
            workflow, version_number = self._load(uow, instance)
            self.runtime.cancel(workflow)
            instance.state = self.runtime.snapshot(workflow)
            instance.status, instance.cancel_reason = InstanceStatus.CANCELLED, reason.strip()
            instance.ended_at = instance.updated_at = uow.now
            close_open_tasks(uow, instance, actor=user)
            record(uow, instance, "cancel", actor=user, reason=reason.strip())
            uow.commit()
            return _state_of(instance, version_number)

    def retry(
        self, instance_id: str, *, user: str, data: dict[str, Any] | None = None
    ) -> InstanceState:
        """Run the failed task of an instance in error again, optionally with corrected data."""
        data = check_payload(data or {})
        with self.uow() as uow:
            instance = uow.instances.get(instance_id)
            if instance.status != InstanceStatus.ERROR:
                raise InvalidState(f"instance {instance_id} is {instance.status}, not in error")
            workflow, version_number = self._load(uow, instance)
            elements = self.runtime.reset_failed_tasks(workflow, data)
            record(
                uow,
                instance,
                "retry",
                actor=user,
                details={
                    "elements": elements,
                    "data": data,
                    "previous_error": instance.error_message,
                },
            )
            ready = advance_and_settle(uow, self.runtime, instance, workflow, actor=user)
            uow.commit()
            return _state_of(instance, version_number, ready)

    def fire_due_timers(self, *, limit: int = 100) -> int:
        """Fire every timer due by the clock's now; return how many fired."""
        with self.uow() as uow:
            due = uow.timers.due(uow.now, limit)
        fired = 0
        for instance_id, timer_id in due:
            with self.uow() as uow:
                instance = uow.instances.get(instance_id)
                workflow, _ = self._load(uow, instance)
                element = self.runtime.fire_timer(workflow, timer_id)
                record(
                    uow,
                    instance,
                    "timer_fired",
                    actor=SYSTEM_ACTOR,
                    task_id=timer_id,
                    details={"element": element},
                )
                advance_and_settle(uow, self.runtime, instance, workflow, actor=SYSTEM_ACTOR)
                uow.commit()
                fired += 1
        return fired

    # -- audit ----------------------------------------------------------------

    def verify_audit(self) -> audit.Verification:
        """Check every audit chain; the result names the first bad event, if any."""
        result = audit.Verification()
        with self.uow() as uow:
            heads = {head.stream: head for head in uow.audit.heads()}
            for stream in sorted(set(heads) | uow.audit.stream_names()):
                events = list(uow.audit.events_of(stream))
                result.streams += 1
                result.events += len(events)
                result.problems.extend(audit.verify_stream(heads.get(stream), events))
        return result

    # -- helpers --------------------------------------------------------------

    def _load(self, uow: UnitOfWork, instance: ProcessInstance) -> tuple[Any, int]:
        """The instance's workflow, and the number of the version it runs on."""
        number, specs = self._spec(uow, instance.version_id)
        return self.runtime.restore(specs, instance.state), number

    def _spec(self, uow: UnitOfWork, version_id: int) -> tuple[int, SpecBundle]:
        # Versions never change once deployed, so their parsed specs are cached.
        cached = self._specs.get(version_id)
        if cached is None:
            if len(self._specs) >= self._spec_cache_size:
                self._specs.pop(next(iter(self._specs)))
            version = uow.versions.get(version_id)
            cached = self._specs[version_id] = (version.version, spec_from_dict(version.spec))
        return cached


def _open_task(uow: UnitOfWork, task_id: str) -> Any:
    task = uow.tasks.get(task_id)
    if task.status != TaskStatus.READY:
        raise InvalidState(f"task {task_id} is {task.status}")
    return task


def _state_of(
    instance: ProcessInstance, version: int, ready: list[str] | None = None
) -> InstanceState:
    return InstanceState(
        instance_id=instance.id,
        process_id=instance.process_id,
        version=version,
        status=InstanceStatus(instance.status),
        error=instance.error_message,
        ready_tasks=tuple(ready or ()),
    )
