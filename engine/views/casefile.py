"""The case file's records: an instance's (or several instances') trail, and what names it.

Plain queries; the folding of notices and the wording of each act are the pages' job
(web/case_file.py). Each function takes an un-entered unit of work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..model import AuditEvent, HumanTask, ProcessInstance, ProcessVersion
from ..unit_of_work import UnitOfWork
from .common import event_dict, iso

MAX_INSTANCES = 500  # a customer's case file covers at most this many instances, newest


def case_records(uow: UnitOfWork, instance_ids: list[str]) -> dict[str, Any]:
    """Everything a case file of `instance_ids` shows, in the order things happened.

    `events` (audit events of every instance, oldest first), `instances` (their rows),
    `tasks` (task names by id), `people` (full names by username), `roles` (role
    descriptions by name), `processes` (process names by id).
    """
    with uow.read_only():
        rows = uow.session.execute(
            select(ProcessInstance, ProcessVersion.name, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(ProcessInstance.id.in_(instance_ids))
            .order_by(ProcessInstance.started_at, ProcessInstance.id)
        ).all()
        events = uow.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id.in_(instance_ids))
            # Acts of one moment (a step that started another case) in the order they
            # were recorded, across the cases' streams: the id, not the stream's name.
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        tasks = uow.session.execute(
            select(HumanTask.id, HumanTask.name).where(HumanTask.instance_id.in_(instance_ids))
        )
        directory = uow.directory.load()
        return {
            "instances": [
                {
                    "id": instance.id,
                    "process_id": instance.process_id,
                    "process_name": name or instance.process_id,
                    "version": version,
                    "business_key": instance.business_key,
                    "status": str(instance.status),
                    "started_by": instance.started_by,
                    "started_at": iso(instance.started_at),
                    "ended_at": iso(instance.ended_at),
                    # the order's number, as people know the case (its id means nothing)
                    "order_number": (instance.summary or {}).get("order_number"),
                }
                for instance, name, version in rows
            ],
            "events": [event_dict(e) for e in events],
            "tasks": {task_id: name for task_id, name in tasks},
            "people": {u.username: u.name for u in directory.users.values()},
            "roles": {r.name: r.description or r.name for r in directory.roles.values()},
            "processes": {instance.process_id: name for instance, name, _ in rows if name},
        }


def instances_of(uow: UnitOfWork, business_keys: list[str]) -> list[str]:
    """The ids of the instances about these business keys (a customer's code), newest first."""
    with uow.read_only():
        return list(
            uow.session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.business_key.in_(business_keys))
                .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id)
                .limit(MAX_INSTANCES)
            )
        )
