"""Nobody's secret: when the step after a completion or sign-off fails, tell who must act.

The instance is already in error with the failed element and the message (engine.settle
records it). This tells the task's R roles, its A role and the admins, in the app and by
e-mail, and records each notice on the instance's trail (`notified`, after `incident`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from raci.directory import ADMIN_ROLE, Directory

from .governance import notify
from .model import HumanTask, ProcessInstance
from .settle import SYSTEM_ACTOR, record
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .governance import Governance


def report_incident(
    uow: UnitOfWork,
    instance: ProcessInstance,
    task: HumanTask,
    governance: Governance | None,
    *,
    actor: str,
) -> None:
    """Notify the R and A roles of `task` and the admins that the step after it failed."""
    directory = governance.directory if governance is not None else uow.directory.load()
    recipients = _recipients(directory, task, governance)
    act = "signed off" if task.signed_off_by else "completed"
    subject = f"{task.name}: the next step failed"
    body = (
        f"{task.name} in {instance.process_id}"
        f"{' ' + instance.business_key if instance.business_key else ''}"
        f" was {act} by {actor}, then '{instance.error_task}' failed: {instance.error_message}"
        " The instance waits in error for an administrator to retry it."
    )
    for username in recipients:
        notify(uow, directory, instance, task, username, subject, body)
        record(
            uow,
            instance,
            "notified",
            actor=SYSTEM_ACTOR,
            task_id=task.id,
            details={"element": task.spec_id, "recipient": username, "after": "incident"},
        )


def _recipients(directory: Directory, task: HumanTask, governance: Governance | None) -> list[str]:
    roles = [ADMIN_ROLE]
    if governance is not None:
        row = governance.row(task)
        roles += [*row.responsible, *([row.accountable] if row.accountable else [])]
    return sorted({user for role in roles for user in directory.members(role)})
