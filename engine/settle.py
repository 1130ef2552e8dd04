"""Bring an instance's stored records in line with its workflow after a change.

After any step the service layer calls `settle`: it stores the workflow state,
derives the instance status, updates the human-task projection and the pending
timers, and writes the audit events that follow from those changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from . import events
from .changes import BusinessTrail
from .kept_delivery import receive_kept
from .model import (
    ANYONE,
    AuditEvent,
    HumanTask,
    InstanceStatus,
    PendingTimer,
    ProcessInstance,
    TaskStatus,
)
from .read_models import projector
from .runtime import Runtime, StepFailure
from .scripting import ServiceContext
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .governance import Governance

SYSTEM_ACTOR = "system"
MAX_KEPT_ROUNDS = 10  # kept messages taken, run on, more kept messages taken, ...


def record(
    uow: UnitOfWork,
    instance: ProcessInstance,
    action: str,
    *,
    actor: str,
    task_id: str | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    raci_role: str | None = None,
    on_behalf_of: str | None = None,
) -> AuditEvent:
    """Append an event to the instance's audit stream."""
    return uow.audit.record(
        instance.id,
        occurred_at=uow.now,
        actor=actor,
        action=action,
        instance_id=instance.id,
        process_id=instance.process_id,
        task_id=task_id,
        reason=reason,
        raci_role=raci_role,
        on_behalf_of=on_behalf_of,
        details=details or {},
    )


def service_context(
    uow: UnitOfWork,
    runtime: Runtime,
    instance: ProcessInstance,
    actor: str,
    on_behalf_of: str | None = None,
    asked_by: str | None = None,
) -> ServiceContext:
    """What a service working on `instance` for `actor` gets: this unit of work's session
    and time, the means to start another process in it, and the instance's business trail.

    `asked_by`: whose request the services carry out, when not `actor`'s own. A retry runs
    the failed step as it was first asked (the complaint is opened by the BD who took it,
    not the admin who retried); the trail keeps `actor`, who did it."""
    trail = BusinessTrail(
        uow,
        instance,
        actor=actor,
        on_behalf_of=on_behalf_of,
        projector=projector(runtime.services.read_models()),
    )
    return ServiceContext(
        session=uow.session,
        now=uow.now,
        instance_id=instance.id,
        process_id=instance.process_id,
        business_key=instance.business_key,
        actor=asked_by or actor,
        starter=uow.start_process,
        trail=trail,
    )


def advance_and_settle(
    uow: UnitOfWork,
    runtime: Runtime,
    instance: ProcessInstance,
    workflow: Any,
    *,
    actor: str,
    timers_before: set[str] | None = None,
    open_tasks: list[HumanTask] | None = None,
    governance: Governance | None = None,
    on_behalf_of: str | None = None,
    asked_by: str | None = None,
) -> list[str]:
    """Run the workflow on to its next wait (or failure), then `settle` it.

    Services and decisions on the way act for `actor` (`on_behalf_of` someone), carrying
    out what `asked_by` asked if that was someone else (service_context).
    """
    context = service_context(uow, runtime, instance, actor, on_behalf_of, asked_by)
    failure = runtime.advance(workflow, context)
    for _ in range(MAX_KEPT_ROUNDS):  # messages kept for it, now that it waits for them
        if failure is not None or not receive_kept(uow, workflow, instance, actor):
            break
        failure = runtime.advance(workflow, context)
    thrown = events.take_thrown(workflow)  # before the state is stored: they leave it
    ready = settle(
        uow,
        runtime,
        instance,
        workflow,
        failure,
        actor=actor,
        timers_before=timers_before,
        open_tasks=open_tasks,
        governance=governance,
    )
    deliver = getattr(uow, "deliver_thrown", None)
    if thrown and deliver is not None:  # to other instances, in this transaction
        deliver(thrown, instance, actor)
    return ready


def settle(
    uow: UnitOfWork,
    runtime: Runtime,
    instance: ProcessInstance,
    workflow: Any,
    failure: StepFailure | None,
    *,
    actor: str,
    timers_before: set[str] | None = None,
    open_tasks: list[HumanTask] | None = None,
    governance: Governance | None = None,
) -> list[str]:
    """Persist `workflow` into `instance` and everything projected from it.

    `timers_before` (the workflow's waiting timers before the change) lets only
    the timers that changed be written; without it they are all rewritten.
    `open_tasks` (the instance's projected open tasks, if the caller has them)
    saves looking them up. New tasks of a `governance`ed version are routed by
    its RACI matrix. Returns the ids of the human tasks now open.
    """
    now = uow.now
    instance.state = runtime.snapshot(workflow)
    uow.stored_workflow(instance, workflow)
    instance.updated_at = now
    instance.summary = runtime.services.summary(instance.process_id, runtime.latest_data(workflow))
    ready = {task.task_id: task for task in runtime.ready_human_tasks(workflow)}
    timers = runtime.waiting_timers(workflow)
    open_ids = list(ready)
    _sync_tasks(
        uow,
        instance,
        dict(ready),
        now,
        existing=open_tasks,
        governance=governance,
        case_of=lambda task_id: runtime.data_of(workflow, task_id),
    )
    _sync_timers(uow, instance, timers, timers_before)
    if failure is not None:
        instance.status = InstanceStatus.ERROR
        instance.error_task, instance.error_message = failure.spec_id, failure.message
        record(
            uow,
            instance,
            "error",
            actor=actor,
            details={"element": failure.spec_id, "message": failure.message},
        )
    elif runtime.is_completed(workflow):
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = now
        instance.outcome = runtime.end_reached(workflow)
        details = {"element": instance.outcome} if instance.outcome else {}
        record(uow, instance, "instance_completed", actor=actor, details=details)
        if governance is not None:
            end = instance.outcome and runtime.element_name(workflow, instance.outcome)
            governance.tell_starter_ended(uow, instance, end or None, actor=actor)
    else:
        waits = ready or timers or events.waiting_names(workflow)
        instance.status = InstanceStatus.WAITING if waits else InstanceStatus.RUNNING
        instance.error_task = instance.error_message = None
    return open_ids


def close_open_tasks(uow: UnitOfWork, instance: ProcessInstance, *, actor: str) -> None:
    """Cancel every open task and timer of an instance that is being cancelled."""
    _sync_tasks(uow, instance, {}, uow.now, actor=actor)
    _sync_timers(uow, instance, [], None)


def _sync_timers(
    uow: UnitOfWork, instance: ProcessInstance, timers: list[Any], before: set[str] | None
) -> None:
    rows = {t.task_id: PendingTimer(t.task_id, instance.id, t.spec_id, t.due_at) for t in timers}
    if before is None:
        uow.timers.replace_for_instance(instance.id, list(rows.values()))
        return
    # A waiting timer's due time never changes, so only arrivals and departures matter.
    uow.timers.remove(before - rows.keys())
    uow.timers.add_all([row for timer_id, row in rows.items() if timer_id not in before])


def _sync_tasks(
    uow: UnitOfWork,
    instance: ProcessInstance,
    ready: dict[str, Any],
    now: Any,
    *,
    actor: str = SYSTEM_ACTOR,
    existing: list[HumanTask] | None = None,
    governance: Governance | None = None,
    case_of: Callable[[str], dict[str, Any]] | None = None,
) -> None:
    if existing is None:
        existing = uow.tasks.open_for_instance(instance.id)
    for task in existing:
        if not TaskStatus(task.status).is_open:  # closed by the command being settled
            continue
        info = ready.pop(task.id, None)
        if info is None:  # gone without being completed: interrupted or cancelled
            task.status = TaskStatus.CANCELLED
            task.completed_at = now
            uow.task_roles.remove_for([task.id])
            record(
                uow,
                instance,
                "task_cancelled",
                actor=actor,
                task_id=task.id,
                details={"element": task.spec_id},
            )
        else:
            task.due_at = info.due_at
            task.urgent = instance.urgent  # a case may become urgent on its way
    for info in ready.values():
        task = HumanTask(
            id=info.task_id,
            instance_id=instance.id,
            process_id=instance.process_id,
            spec_id=info.spec_id,
            name=info.name,
            lane=info.lane,
            status=TaskStatus.READY,
            created_at=now,
            due_at=info.due_at,
            business_key=instance.business_key,
            urgent=instance.urgent,
        )
        uow.tasks.add(task)
        details = {
            "element": info.spec_id,
            "name": info.name,
            "lane": info.lane,
            "due_at": info.due_at.isoformat() if info.due_at else None,
        }
        if governance is not None:
            details["raci"] = governance.roles_of(task)
        record(uow, instance, "task_ready", actor=SYSTEM_ACTOR, task_id=task.id, details=details)
        if governance is not None:
            case = partial(case_of, task.id) if case_of else dict
            governance.task_opened(uow, instance, task, case)
        else:
            uow.task_roles.add_for(task, [(ANYONE, "R")])
