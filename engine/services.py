"""The engine's service layer: every command the web UI, the CLI and the worker call.

Each public method is one unit of work: load, act through the runtime, settle
the records, commit. Errors are engine errors (engine/errors.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from raci import policy
from raci.directory import Acting
from raci.matrix import ActivityRow, RaciMatrix

from . import audit
from .definitions import SourceFile, parse_definitions
from .errors import InvalidState, NotAllowed
from .governance import Governance, RaciRefusal, signoff_due
from .matrices import attach_matrices, matrix_of
from .model import HumanTask, InstanceStatus, ProcessInstance, ProcessVersion, TaskStatus
from .payload import check_payload
from .raci_commands import RaciCommands
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
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstanceState:
    """Where an instance stands after a command."""

    instance_id: str
    process_id: str
    version: int
    status: InstanceStatus
    error: str | None = None
    ready_tasks: tuple[str, ...] = ()


class ProcessEngine(RaciCommands):
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
        self._versions: dict[int, LoadedVersion] = {}  # by version id
        self._version_cache_size = spec_cache_size

    # -- definitions ----------------------------------------------------------

    def deploy(self, files: Sequence[SourceFile], *, user: str) -> list[Deployment]:
        """Store each changed process in `files`, with its RACI matrix, as a new version.

        Deploying the same content again is a no-op; an invalid process or
        matrix refuses the whole deploy and changes nothing.
        """
        services = self.known_services() if self.known_services else None
        definitions = parse_definitions(
            [f for f in files if not f.is_matrix], known_services=services
        )
        results = []
        with self.uow() as uow:
            checked = attach_matrices(
                definitions, [f for f in files if f.is_matrix], uow.directory.load()
            )
            for definition, warnings in checked:
                existing = uow.versions.by_hash(definition.process_id, definition.content_hash)
                if existing is not None:
                    results.append(
                        Deployment(definition.process_id, existing.version, False, tuple(warnings))
                    )
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
                        "warnings": warnings,
                    },
                )
                results.append(
                    Deployment(version.process_id, version.version, True, tuple(warnings))
                )
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
            loaded = self._version(uow, process_version.id)
            workflow = self.runtime.create(loaded.specs, data)
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
                    "version": loaded.number,
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
                governance=self._governance(uow, process_version.id),
            )
            uow.commit()
            return _state_of(instance, loaded.number, ready)

    def claim(self, task_id: str, *, user: str) -> None:
        """Take an open task so that nobody else works on it (R members only, if governed)."""
        with self.refusals_recorded(user, "claim"), self.uow() as uow:
            task = _open_task(uow, task_id)
            if task.assignee not in (None, user):
                raise NotAllowed(f"task {task_id} is claimed by {task.assignee}")
            if task.assignee == user:
                return
            instance = uow.instances.get(task.instance_id)
            acting = self._acting_r(uow, instance, task, user)
            task.assignee = user
            record(uow, instance, "claim", actor=user, task_id=task_id, **acting)
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
        """Complete a human task with `data` (checked by `validate`), then run on.

        Under a RACI matrix the user must act for an R role and every C role
        must have answered (unless the activity is advisory or A overrode);
        then, unless the activity needs no sign-off, the work waits for A.
        """
        data = check_payload(data)
        if validate is not None:
            data = check_payload(validate(data))
        with self.refusals_recorded(user, "complete"), self.uow() as uow:
            open_tasks = uow.tasks.open_alongside(task_id)
            task = _pick(open_tasks, task_id, TaskStatus.READY) or _open_task(uow, task_id)
            if task.assignee not in (None, user):
                raise NotAllowed(f"task {task_id} is claimed by {task.assignee}")
            task.assignee = task.assignee or user
            instance = uow.instances.get(task.instance_id)
            governance = self._governance(uow, instance.version_id)
            if governance is None:
                return self._run_task(
                    uow,
                    instance,
                    task,
                    data,
                    open_tasks,
                    None,
                    acts=lambda: _record_completion(uow, instance, task, user, data),
                )
            row = governance.row(task)
            acting = governance.check(task, policy.may_work, row, user, governance.today)
            _require_consultations(uow, task, row)
            if not policy.needs_signoff(row, governance.directory, acting):
                self_approved = row.accountable is not None

                def acts() -> None:
                    _record_completion(
                        uow,
                        instance,
                        task,
                        user,
                        data,
                        acting,
                        "self-approved" if self_approved else None,
                    )
                    if self_approved:
                        record(
                            uow,
                            instance,
                            "approve",
                            actor=user,
                            task_id=task.id,
                            raci_role="A",
                            details={"element": task.spec_id, "self_approval": True},
                        )
                    governance.notify_informed(
                        uow,
                        instance,
                        task,
                        after="signoff" if self_approved else "completion",
                        actor=user,
                    )

                return self._run_task(uow, instance, task, data, open_tasks, governance, acts)
            task.status = TaskStatus.AWAITING_SIGNOFF
            task.performer, task.performer_for = user, acting.on_behalf_of
            task.submitted_data, task.submitted_at = data, uow.now
            task.signoff_due_at = signoff_due(row, uow.now)
            _record_completion(uow, instance, task, user, data, acting, "pending")
            record(
                uow,
                instance,
                "signoff_requested",
                actor=SYSTEM_ACTOR,
                task_id=task.id,
                raci_role="A",
                details={
                    "element": task.spec_id,
                    "role": row.accountable,
                    "due_at": task.signoff_due_at.isoformat() if task.signoff_due_at else None,
                },
            )
            governance.notify_informed(uow, instance, task, after="completion", actor=user)
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()
            still_open = [t.id for t in open_tasks if t.status == TaskStatus.READY]
            return _state_of(instance, self._version(uow, instance.version_id).number, still_open)

    def _run_task(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        data: dict[str, Any],
        open_tasks: list[HumanTask],
        governance: Governance | None,
        acts: Callable[[], None],
    ) -> InstanceState:
        """Finish `task` in the workflow with `data`, record `acts`, run on, settle, commit.

        The acts are recorded after the workflow step so that the audit chain's
        head is locked only for the writing, not for the computing.
        """
        workflow, version_number = self._load(uow, instance)
        timers_before = self.runtime.timer_ids(workflow)
        self.runtime.complete_human_task(workflow, task.id, data)
        acts()
        task.status, task.completed_at = TaskStatus.COMPLETED, uow.now
        task.completed_by = task.performer or task.assignee
        if governance is not None:
            uow.task_roles.remove_for([task.id])
        ready = advance_and_settle(
            uow,
            self.runtime,
            instance,
            workflow,
            actor=task.completed_by or SYSTEM_ACTOR,
            timers_before=timers_before,
            open_tasks=open_tasks,
            governance=governance,
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
        version = self._version(uow, instance.version_id)
        return self.runtime.restore(version.specs, instance.state), version.number

    def _version(self, uow: UnitOfWork, version_id: int) -> LoadedVersion:
        # Versions never change once deployed, so their parsed specs and matrix are cached.
        cached = self._versions.get(version_id)
        if cached is None:
            if len(self._versions) >= self._version_cache_size:
                self._versions.pop(next(iter(self._versions)))
            version = uow.versions.get(version_id)
            cached = self._versions[version_id] = LoadedVersion(
                version.version, spec_from_dict(version.spec), matrix_of(version)
            )
        return cached

    def _governance(self, uow: UnitOfWork, version_id: int) -> Governance | None:
        """The RACI rules for a version's instances; None for an ungoverned version."""
        matrix = self._version(uow, version_id).matrix
        if matrix is None:
            return None
        return Governance(matrix, uow.directory.load(), uow.now.date())


@dataclass(frozen=True)
class LoadedVersion:
    """A deployed version as the engine runs it: its number, parsed specs, RACI matrix."""

    number: int
    specs: SpecBundle
    matrix: RaciMatrix | None


def _pick(tasks: list[HumanTask], task_id: str, status: TaskStatus) -> HumanTask | None:
    return next((t for t in tasks if t.id == task_id and t.status == status), None)


def _record_completion(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task: HumanTask,
    user: str,
    data: dict[str, Any],
    acting: Acting | None = None,
    signoff: str | None = None,
) -> None:
    details: dict[str, Any] = {"element": task.spec_id, "data": data}
    if signoff is not None:
        details["signoff"] = signoff
    record(
        uow,
        instance,
        "complete",
        actor=user,
        task_id=task.id,
        details=details,
        **_as_r(acting),
    )


def _as_r(acting: Acting | None) -> dict[str, Any]:
    if acting is None:
        return {}
    return {"raci_role": "R", "on_behalf_of": acting.on_behalf_of}


def _require_consultations(uow: UnitOfWork, task: HumanTask, row: ActivityRow) -> None:
    if row.rules.advisory:
        return
    waiting = [c.role for c in uow.consultations.for_task(task.id) if c.is_open]
    if waiting:
        raise RaciRefusal(
            "C",
            f"'{task.name}' waits for consultation with {', '.join(waiting)}"
            " (or an override by the accountable role)",
            task.id,
        )


def _open_task(uow: UnitOfWork, task_id: str, status: TaskStatus = TaskStatus.READY) -> Any:
    task = uow.tasks.get(task_id)
    if task.status != status:
        raise InvalidState(f"task {task_id} is {task.status.replace('_', ' ')}")
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
