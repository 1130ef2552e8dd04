"""Read models for process owners and auditors: instances, their traces, the audit trail.

Plain queries over the record tables; workflow state is never deserialized here.
Each function takes an un-entered unit of work, like the other read models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from ..governance import case_label
from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    AuditEvent,
    HumanTask,
    PendingTimer,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
)
from ..orm import task_roles
from ..unit_of_work import UnitOfWork
from .common import event_dict, iso
from .visibility import participation

# Which cases what someone typed names besides the start of their business key (a
# customer's name, an order's number): a condition on a case's id and business key, or
# None when the text names nothing. The deployment, which knows what a case is about,
# provides it (workflows.customer_search.cases_named); the engine does not.
CaseSearch = Callable[[str, Any, Any], ColumnElement[bool] | None]


@dataclass(frozen=True)
class InstanceQuery:
    """Filters of the instance list; None means "any"."""

    process_id: str | None = None
    status: str | None = None
    business_key: str | None = None  # a prefix; or, with `case_search`, what it finds
    case_search: CaseSearch | None = None
    # (process, end event) pairs: keep the cases that ended at one (`at_ends`), or those
    # that did not (a deployment's ends that fall short of a case's goal, say)
    ends: tuple[tuple[str, str], ...] = ()
    at_ends: bool = True
    started_by: tuple[str, ...] | None = None  # any of these usernames
    since: datetime | None = None  # started at or after
    until: datetime | None = None  # started before


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit explorer; `users` match the actor or whom they acted for.

    `instance_id` is a prefix of the id (lists show its first 8 characters);
    `business_keys` keeps the events of instances about those keys (a customer's code).
    """

    users: tuple[str, ...] | None = None
    process_id: str | None = None
    instance_id: str | None = None
    action: str | None = None
    business_keys: tuple[str, ...] | None = None
    without_actions: tuple[str, ...] = ()  # kinds left out (the notices that drown the acts)
    since: datetime | None = None
    until: datetime | None = None


def instances(
    uow: UnitOfWork,
    query: InstanceQuery,
    *,
    viewer: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of instances, newest first, and how many match in all.

    With `viewer`, only the instances that user takes part in (engine.views.visibility).
    """
    conditions = _instance_filters(query)
    with uow.read_only():
        if viewer is not None:
            conditions.append(participation(uow, viewer))
        total = uow.session.scalar(select(func.count(ProcessInstance.id)).where(*conditions))
        rows = uow.session.execute(
            select(ProcessInstance, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(*conditions)
            .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id)
            .limit(limit)
            .offset(offset)
        )
        items = [_instance_row(instance, version) for instance, version in rows]
    return {"items": items, "total": total or 0}


def instance_tasks(uow: UnitOfWork, instance_id: str) -> list[dict[str, Any]]:
    """Every human task the instance has had, open or not, in the order they opened.

    An open task names the roles whose move it is (`acting`): its R roles while it is
    ready, the A role it waits for while it waits for a sign-off; none if anyone may.
    """
    with uow.read_only():
        tasks = uow.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.created_at, HumanTask.id)
        ).all()
        acting = _acting_roles(uow, [t.id for t in tasks if TaskStatus(t.status).is_open])
        return [
            {
                "id": t.id,
                "element": t.spec_id,
                "name": t.name,
                "status": str(t.status),
                "assignee": t.assignee,
                "performer": t.performer,
                "created_at": iso(t.created_at),
                "due_at": iso(t.due_at),
                "acting": acting.get(t.id, []),
            }
            for t in tasks
        ]


def _acting_roles(uow: UnitOfWork, task_ids: list[str]) -> dict[str, list[str]]:
    """The roles whose move each open task is, from the inbox index (engine/governance_store)."""
    if not task_ids:
        return {}
    whose_move = {TaskStatus.READY.value: "R", TaskStatus.AWAITING_SIGNOFF.value: "A"}
    rows = uow.session.execute(
        select(task_roles.c.task_id, task_roles.c.role, task_roles.c.letter, task_roles.c.status)
        .where(task_roles.c.task_id.in_(task_ids), task_roles.c.role != ANYONE)
        .order_by(task_roles.c.task_id, task_roles.c.role)
    )
    acting: dict[str, list[str]] = {}
    for task_id, role, letter, status in rows:
        if whose_move.get(status) == letter:
            acting.setdefault(task_id, []).append(role)
    return acting


def diagram_facts(uow: UnitOfWork, instance_id: str) -> dict[str, Any]:
    """What the records say about where an instance stands, element by element.

    `done` holds elements with a completed human task or a fired timer, and the end
    event a completed instance reached; `active` those with an open human task;
    `waiting` those with a pending timer.
    """
    with uow.read_only():
        instance = uow.instances.get(instance_id)
        content_hash = uow.session.scalar(
            select(ProcessVersion.content_hash).where(ProcessVersion.id == instance.version_id)
        )
        tasks = uow.session.execute(
            select(HumanTask.spec_id, HumanTask.status).where(HumanTask.instance_id == instance_id)
        ).all()
        timers = uow.session.scalars(
            select(PendingTimer.spec_id).where(PendingTimer.instance_id == instance_id)
        )
        fired = uow.session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.instance_id == instance_id, AuditEvent.action == "timer_fired"
            )
        )
        return {
            "process_id": instance.process_id,
            "version_id": instance.version_id,
            "content_hash": content_hash,
            "status": str(instance.status),
            "error_element": instance.error_task,
            "done": {s for s, status in tasks if status == TaskStatus.COMPLETED}
            | {d.get("element") for d in fired if d.get("element")}
            | ({instance.outcome} if instance.outcome else set()),
            "active": {s for s, status in tasks if status in OPEN_TASK_STATUSES},
            "waiting": set(timers),
        }


def version_sources(uow: UnitOfWork, version_id: int) -> dict[str, str]:
    """The BPMN sources of a version, by file name."""
    with uow.read_only():
        return dict(uow.versions.get(version_id).sources)


def version_id(uow: UnitOfWork, process_id: str, version: int | None = None) -> int:
    """The id of a deployed version (the latest by default); NotFound if there is none."""
    with uow.read_only():
        return int(uow.versions.find(process_id, version).id or 0)


def audit_search(
    uow: UnitOfWork,
    query: AuditQuery,
    *,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = True,
) -> dict[str, Any]:
    """One page of matching audit events, and how many match in all."""
    conditions = _audit_filters(query)
    order = (AuditEvent.occurred_at, AuditEvent.id)
    if newest_first:
        order = (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    with uow.read_only():
        total = uow.session.scalar(select(func.count(AuditEvent.id)).where(*conditions))
        events = uow.session.scalars(
            select(AuditEvent).where(*conditions).order_by(*order).limit(limit).offset(offset)
        )
        return {"items": [event_dict(e) for e in events], "total": total or 0}


def case_labels(uow: UnitOfWork, instance_ids: set[str]) -> dict[str, str]:
    """How people know each of these cases (key, customer, order: governance.case_label),
    for the ones that have a name; an audit search's rows showed ids alone."""
    if not instance_ids:
        return {}
    with uow.read_only():
        found = uow.session.scalars(
            select(ProcessInstance).where(ProcessInstance.id.in_(sorted(instance_ids)))
        )
        return {i.id: label for i in found if (label := case_label(i))}


def audit_actions(uow: UnitOfWork) -> list[str]:
    """Every action the trail holds, for the explorer's choice of action."""
    with uow.read_only():
        return sorted(uow.session.scalars(select(AuditEvent.action).distinct()))


def _instance_filters(query: InstanceQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (ProcessInstance.process_id, query.process_id),
        (ProcessInstance.status, query.status),
    ):
        if value:
            conditions.append(column == value)
    if query.started_by:
        conditions.append(ProcessInstance.started_by.in_(query.started_by))
    if query.business_key:
        by_key = ProcessInstance.business_key.startswith(query.business_key, autoescape=True)
        found = (
            query.case_search(query.business_key, ProcessInstance.id, ProcessInstance.business_key)
            if query.case_search is not None
            else None
        )
        conditions.append(by_key if found is None else or_(by_key, found))
    if query.ends:
        # coalesce: a case with no end yet is one that did not end at these
        ended = func.coalesce(ProcessInstance.outcome, "")
        at = or_(*(and_(ProcessInstance.process_id == p, ended == e) for p, e in query.ends))
        conditions.append(at if query.at_ends else not_(at))
    if query.since is not None:
        conditions.append(ProcessInstance.started_at >= query.since)
    if query.until is not None:
        conditions.append(ProcessInstance.started_at < query.until)
    return conditions


def _audit_filters(query: AuditQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.users:
        conditions.append(
            or_(AuditEvent.actor.in_(query.users), AuditEvent.on_behalf_of.in_(query.users))
        )
    for column, value in (
        (AuditEvent.process_id, query.process_id),
        (AuditEvent.action, query.action),
    ):
        if value:
            conditions.append(column == value)
    if query.without_actions:
        conditions.append(AuditEvent.action.not_in(query.without_actions))
    if query.instance_id:
        conditions.append(AuditEvent.instance_id.startswith(query.instance_id, autoescape=True))
    if query.business_keys is not None:
        about = select(ProcessInstance.id).where(
            ProcessInstance.business_key.in_(query.business_keys)
        )
        conditions.append(AuditEvent.instance_id.in_(about))
    if query.since is not None:
        conditions.append(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.occurred_at < query.until)
    return conditions


def _instance_row(instance: ProcessInstance, version: int) -> dict[str, Any]:
    return {
        "id": instance.id,
        "process_id": instance.process_id,
        "version": version,
        "business_key": instance.business_key,
        "status": str(instance.status),
        "started_by": instance.started_by,
        "started_at": iso(instance.started_at),
        "updated_at": iso(instance.updated_at),
        "ended_at": iso(instance.ended_at),
        "outcome": instance.outcome,
        "error_message": instance.error_message,
        "summary": instance.summary or {},
    }
