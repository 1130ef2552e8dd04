"""What every group of engine commands shares.

Each public command is one unit of work: load, act through the runtime,
settle the records, commit. Errors are engine errors (engine/errors.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Engine

from raci import policy
from raci.directory import Acting
from raci.messages import N_, Message, message_of, said

from ..attachments import AttachmentRule, missing
from ..caches import DEFINITIONS
from ..case_notes_store import CaseNotes
from ..clock import at_time
from ..errors import InvalidState, InvalidTaskData, InvalidText, NotFound
from ..governance import Governance, RaciRefusal
from ..incidents import report_incident
from ..loaded_versions import LoadedVersion, loaded_version
from ..model import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from ..payload import check_payload
from ..process_limits import ProcessLimits
from ..runtime import Runtime
from ..settle import advance_and_settle, record
from ..unit_of_work import UnitOfWork


@dataclass(frozen=True)
class InstanceState:
    """Where an instance stands after a command."""

    instance_id: str
    process_id: str
    version: int
    status: InstanceStatus
    error: str | None = None
    ready_tasks: tuple[str, ...] = ()
    held_for_signoff: str | None = None  # a task whose changed data waits for a new sign-off
    replayed: bool = False  # a start asked for again with its request key: started before


DataValidator = Callable[[dict[str, Any]], dict[str, Any]]
FormLookup = Callable[[str, str], DataValidator | None]  # (process id, task id) -> validator
# Submitted data judged against the business records: (session, data, the task's case
# data) -> messages by field; found by (process id, task id). See `EngineBase._checked`.
RecordCheck = Callable[[Any, dict[str, Any], dict[str, Any]], dict[str, list[str]]]
RecordCheckLookup = Callable[[str, str], RecordCheck | None]
START_FORM = "start"  # the task id under which a process's start form is looked up


class EngineBase:
    """What every group of commands shares: units of work, the runtime, loaded versions."""

    # What forms need on their case, (process, task) -> rules (commands/case_notes.py).
    attachment_rules: Callable[[str, str], Sequence[AttachmentRule]] | None = None

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        runtime: Runtime,
        *,
        known_services: Callable[[], list[str]] | None = None,
        forms: FormLookup | None = None,
        record_checks: RecordCheckLookup | None = None,
        process_limits: ProcessLimits | None = None,
        database: Engine | None = None,
    ) -> None:
        self.uow = partial(self._open_uow, uow_factory)
        self.database = database  # the SQLAlchemy engine, for instrumentation (tests, bench)
        # A unit of work for reading only: never takes the write lock (unit_of_work.py).
        self.reader = partial(self._open_reader, uow_factory)
        self.runtime = runtime
        self.known_services = known_services
        self.forms = forms
        self.record_checks = record_checks
        self.process_limits = process_limits or ProcessLimits()

    def _open_uow(self, factory: Callable[[], UnitOfWork]) -> UnitOfWork:
        uow = factory()
        # Services may start another process in the same transaction (process chaining).
        uow.start_process = partial(self._start_child, uow)
        # Messages and signals an instance throws reach others in the same transaction.
        deliver = getattr(self, "_deliver_thrown", None)
        if deliver is not None:
            uow.deliver_thrown = partial(deliver, uow)
        return uow

    def _open_reader(self, factory: Callable[[], UnitOfWork]) -> UnitOfWork:
        return factory().read_only()

    def _start_in(
        self,
        uow: UnitOfWork,
        process_id: str,
        *,
        user: str,
        data: dict[str, Any],
        business_key: str | None = None,
        version: int | None = None,
        parent: str | None = None,
        by_timer: bool = False,
        requested_by: str | None = None,
        instance_id: str | None = None,
    ) -> tuple[ProcessInstance, int, list[str]]:
        """Create an instance in `uow` and run it to its first wait.

        A child starts in its parent's name, and a start timer in the system's: no
        directory user starts either. A child's case belongs to whoever asked for its
        parent (`requested_by`): the call agent who took an order follows its release,
        and signs none of it, whoever's act started it."""
        version_id = self._find_version(uow, process_id, version)
        loaded = self._version(uow, version_id)
        governance = self._governance(uow, version_id)
        if governance is not None and parent is None and not by_timer:
            governance.require_actor(user)
        workflow = self.runtime.create(loaded.specs, data)
        instance = ProcessInstance(
            id=instance_id or str(uuid.uuid4()),
            version_id=version_id,
            process_id=process_id,
            business_key=business_key,
            status=InstanceStatus.RUNNING,
            state=b"",
            started_by=requested_by or user,
            started_at=uow.now,
            updated_at=uow.now,
        )
        uow.instances.add(instance)
        uow.audit.start_stream(instance.id)
        details = {"version": loaded.number, "data": data, "business_key": business_key}
        if parent is not None:
            details["started_by_instance"] = parent
        if instance.started_by != user:
            details["requested_by"] = instance.started_by
        record(uow, instance, "start", actor=user, details=details)
        ready = advance_and_settle(
            uow,
            self.runtime,
            instance,
            workflow,
            actor=user,
            timers_before=set(),
            open_tasks=[],
            governance=governance,
        )
        return instance, loaded.number, ready

    def _start_child(
        self,
        uow: UnitOfWork,
        process_id: str,
        data: dict[str, Any],
        *,
        user: str,
        parent: str,
        business_key: str | None = None,
    ) -> str:
        # The parent's trail names the case it starts, before that case's own acts, as the
        # child's names its parent: whoever follows an emergency order can go on to its
        # release, and a file of both reads in the order things happened. What refuses a
        # start is asked first, so that the event names no case that never began.
        payload = check_payload(data)
        self._find_version(uow, process_id)
        child = str(uuid.uuid4())
        details = {"instance": child, "process_id": process_id, "business_key": business_key}
        parent_instance = uow.instances.get(parent)
        record(uow, parent_instance, "case_started", actor=user, details=details)
        self._start_in(
            uow,
            process_id,
            user=user,
            data=payload,
            business_key=business_key,
            parent=parent,
            requested_by=parent_instance.started_by,
            instance_id=child,
        )
        return child

    def _form(self, process_id: str, task_id: str) -> DataValidator | None:
        validate = self.forms(process_id, task_id) if self.forms else None
        if validate is None:
            return None
        return partial(at_time, self.runtime.clock.now(), validate)  # date rules: our clock

    def _checked(
        self,
        uow: UnitOfWork,
        process_id: str,
        task_id: str,
        data: dict[str, Any],
        case: Callable[[], dict[str, Any]],
        validate: DataValidator | None = None,
    ) -> dict[str, Any]:
        """`data` as the task's form loads it, also judged against the records (a serial
        that does not exist, a line the order does not hold) on every surface alike: what
        the form accepts but the records refuse would stop the case at its service, after
        the work was handed in and perhaps signed. InvalidTaskData names every mistake
        of one submit, the form's and the records', by field. `case` gives the data the
        task sees, asked only when a check needs it."""
        validate = validate or self._form(process_id, task_id)
        check = self.record_checks(process_id, task_id) if self.record_checks else None
        errors: dict[str, list[str]] = {}
        loaded = data
        if validate is not None:
            try:
                loaded = validate(data)
            except InvalidTaskData as invalid:
                errors = dict(invalid.errors)
        if check is not None:  # on the data as sent, read as the form reads it, at our time
            errors.update(at_time(uow.now, lambda sent: check(uow.session, sent, case()), data))
        if errors:
            raise InvalidTaskData(errors)
        return check_payload(loaded)

    def _case_data(
        self, uow: UnitOfWork, instance: ProcessInstance, task_id: str
    ) -> dict[str, Any]:
        """The data `task_id` sees; its workflow stays cached for the command that runs it."""
        workflow, _ = self._load(uow, instance)
        data = self.runtime.data_of(workflow, task_id)
        uow.caches.workflows.keep(instance.id, instance.version_id, instance.state, workflow)
        return data

    def _load(self, uow: UnitOfWork, instance: ProcessInstance) -> tuple[Any, int]:
        """The instance's workflow, and the number of the version it runs on."""
        version = self._version(uow, instance.version_id)
        workflow = uow.caches.workflows.take(instance.id, instance.version_id, instance.state)
        if workflow is None:
            workflow = self.runtime.restore(version.specs, instance.state)
        return workflow, version.number

    def _find_version(self, uow: UnitOfWork, process_id: str, number: int | None = None) -> int:
        """The id of version `number` of `process_id` (its latest if None), from a
        catalogue each process keeps until the next deploy (engine/caches.py)."""
        catalogue = uow.revisions.cached(DEFINITIONS, uow.caches.catalogue, dict)
        key = (process_id, number)
        found = catalogue.get(key)
        if found is None:  # NotFound is not cached: a deploy may yet make it
            found = catalogue[key] = uow.versions.find_id(process_id, number)
        return found

    def _version(self, uow: UnitOfWork, version_id: int) -> LoadedVersion:
        return loaded_version(uow, version_id)

    def _governance(self, uow: UnitOfWork, version_id: int) -> Governance | None:
        """The RACI rules for a version's instances; None for an ungoverned version."""
        matrix = self._version(uow, version_id).matrix
        if matrix is None:
            return None
        directory = uow.directory.load()
        return Governance(matrix, directory, uow.now.date(), self.runtime.services.scopes())

    def _run_task(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        data: dict[str, Any],
        open_tasks: list[HumanTask],
        governance: Governance | None,
        acts: Callable[[], None],
        *,
        actor: str,
        on_behalf_of: str | None = None,
    ) -> InstanceState:
        """Finish `task` in the workflow with `data`, record `acts`, run on, settle, commit.

        `actor` is who made the process move on (the performer, or the approver who
        signed): services that run next act in their name. The acts are recorded
        after the workflow step so that the audit chain's head is locked only for
        the writing, not for the computing.
        """
        workflow, version_number = self._load(uow, instance)
        timers_before = self.runtime.timer_ids(workflow)
        self.runtime.complete_human_task(workflow, task.id, data)
        acts()
        task.status, task.completed_at = TaskStatus.COMPLETED, uow.now
        task.completed_by = task.performer or task.assignee
        uow.task_roles.remove_for([task.id])
        ready = advance_and_settle(
            uow,
            self.runtime,
            instance,
            workflow,
            actor=actor,
            timers_before=timers_before,
            open_tasks=open_tasks,
            governance=governance,
            on_behalf_of=on_behalf_of,
        )
        if instance.status == InstanceStatus.ERROR:
            report_incident(uow, instance, task, governance, actor=actor)
        uow.commit()
        return state_of(instance, version_number, ready)

    @contextmanager
    def refusals_recorded(self, user: str, action: str) -> Iterator[None]:
        """Record a RACI refusal in the audit trail (its own transaction), then re-raise."""
        try:
            yield
        except RaciRefusal as refusal:
            with self.uow() as uow:
                task = uow.tasks.get(refusal.task_id)
                instance = uow.instances.get(task.instance_id)
                record(
                    uow,
                    instance,
                    "refused",
                    actor=user,
                    task_id=task.id,
                    raci_role=refusal.letter,
                    reason=str(refusal),
                    details={
                        "element": task.spec_id,
                        "attempted": action,
                        **said(message_of(refusal)),
                    },
                )
                uow.commit()
            raise

    def _acting_r(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, user: str
    ) -> dict[str, Any]:
        """Audit fields for an R act; refused if the user may not work the task."""
        acting = working_as(self._governance(uow, instance.version_id), task, user)
        if acting is None:
            return {}
        return {"raci_role": "R", "on_behalf_of": acting.on_behalf_of}

    def _require_actor(self, uow: UnitOfWork, instance: ProcessInstance, user: str) -> None:
        """Refuse anyone but an active directory user acting on a governed instance."""
        governance = self._governance(uow, instance.version_id)
        if governance is not None:
            governance.require_actor(user)

    def _governed_task(
        self, uow: UnitOfWork, task_id: str
    ) -> tuple[HumanTask, ProcessInstance, Governance]:
        task = uow.tasks.get(task_id)
        instance = uow.instances.get(task.instance_id)
        governance = self._governance(uow, instance.version_id)
        if governance is None:
            raise NotFound(f"task {task_id} has no RACI matrix")
        return task, instance, governance


def pick(tasks: list[HumanTask], task_id: str, status: TaskStatus) -> HumanTask | None:
    return next((t for t in tasks if t.id == task_id and t.status == status), None)


def open_task(uow: UnitOfWork, task_id: str, status: TaskStatus = TaskStatus.READY) -> Any:
    task = uow.tasks.get(task_id)
    if task.status != status:
        raise InvalidState(Message(N_("the task is %(status)s"), status=task.status))
    return task


def state_of(
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


MAX_REASON = 2000  # characters of a reason or comment an act records (the forms' maxlength)


def required(text: str | None, missing: str, *, at_most: int = MAX_REASON) -> str:
    """`text` without its surrounding spaces; refused when blank (`missing`, an N_ msgid,
    says what is needed) or longer than `at_most` characters."""
    if not text or not text.strip():
        raise InvalidText(Message(missing))
    text = text.strip()
    if len(text) > at_most:
        raise InvalidText(
            Message(
                N_("The text is %(length)s characters long: at most %(most)s are allowed."),
                length=len(text),
                most=at_most,
            )
        )
    return text


def record_act(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task: HumanTask,
    action: str,
    *,
    letter: str,
    acting: Acting,
    reason: str | None = None,
    **details: Any,
) -> None:
    """Record a RACI act on `task`: its letter, who acted (and for whom), the reason."""
    record(
        uow,
        instance,
        action,
        actor=acting.user,
        task_id=task.id,
        raci_role=letter,
        on_behalf_of=acting.on_behalf_of,
        reason=reason,
        details={"element": task.spec_id, **details},
    )


def record_completion(
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
        **as_r(acting),
    )


def as_r(acting: Acting | None) -> dict[str, Any]:
    if acting is None:
        return {}
    return {"raci_role": "R", "on_behalf_of": acting.on_behalf_of}


def require_attachments(
    uow: UnitOfWork,
    engine: EngineBase,
    instance_id: str,
    process_id: str,
    task: str,
    data: dict[str, Any],
) -> None:
    """Refuse a form's data while a file it needs is not on the case (InvalidTaskData)."""
    needed = engine.attachment_rules(process_id, task) if engine.attachment_rules else ()
    if not needed:
        return
    lacking = missing(needed, data, CaseNotes(uow.session).attachments(instance_id))
    if lacking:
        raise InvalidTaskData({"_schema": [rule.refusal for rule in lacking]})


def files_seen(uow: UnitOfWork, instance_id: str) -> dict[str, Any]:
    """The case's files as a sign-off records them (what the signer could see): each one's
    id, name and SHA-256; nothing when the case has none."""
    files = CaseNotes(uow.session).attachments(instance_id)
    if not files:
        return {}
    return {"attachments": [{k: f[k] for k in ("id", "name", "sha256")} for f in files]}


def working_as(
    governance: Governance | None, task: HumanTask, user: str, *, claimed_by: str | None = None
) -> Acting | None:
    """How `user` does `task`'s work (R): refused if they may not; None if ungoverned.

    `claimed_by`: the claimant whose task `user` carries on, as their deputy.
    """
    if governance is None:
        return None
    return governance.check(
        task,
        policy.may_work,
        governance.row(task),
        user,
        governance.today,
        routed_to=task.routed_to,
        claimed_by=claimed_by,
    )
