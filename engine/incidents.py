"""Nobody's secret: when the step after a completion or sign-off fails, tell who must act.

The instance is already in error with the failed element and the message (engine.settle
records it). This tells the task's R roles, its A role and the admins, in the app and by
e-mail, and records each notice on the instance's trail (`notified`, after `incident`).
A case whose first step fails at its start has no task yet: its starter reads it on the
page, and the admins, who retry it, are told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from raci.directory import ADMIN_ROLE, Directory
from raci.messages import N_, Message

from .definitions import activities
from .governance import deliver, person_name, process_name
from .loaded_versions import loaded_version
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
    subject = Message(N_("%(task)s: the next step failed"), task=task.name)
    # The step by its name; the error's own words (English, technical) stay on the
    # instance's page, where the administrator who retries it reads them.
    body = Message(
        N_(
            "%(task)s in %(process)s %(key)s was %(done)s by %(user)s, then the step"
            " '%(step)s' failed. The instance waits in error for an administrator to retry"
            " it; its page says what went wrong."
        ),
        task=task.name,
        process=process_name(uow, instance),
        key=instance.business_key or "",
        done=Message(N_("signed off") if task.signed_off_by else N_("completed")),
        user=person_name(directory, actor),
        step=_step_name(uow, instance),
    )
    _tell(uow, directory, instance, recipients, subject, body, task)


def report_failed_start(uow: UnitOfWork, instance: ProcessInstance, *, actor: str) -> None:
    """Notify the admins that the first step of a case just started failed."""
    directory = uow.directory.load()
    subject = Message(N_("%(process)s: the first step failed"), process=process_name(uow, instance))
    body = Message(
        N_(
            "%(process)s %(key)s was started by %(user)s, then its step '%(step)s' failed."
            " The instance waits in error for an administrator to retry it; its page says"
            " what went wrong."
        ),
        process=process_name(uow, instance),
        key=instance.business_key or "",
        user=person_name(directory, actor),
        step=_step_name(uow, instance),
    )
    _tell(uow, directory, instance, directory.members(ADMIN_ROLE), subject, body)


def _tell(
    uow: UnitOfWork,
    directory: Directory,
    instance: ProcessInstance,
    recipients: list[str],
    subject: Message,
    body: Message,
    task: HumanTask | None = None,
) -> None:
    """Tell each of `recipients` (in the app, by e-mail), each notice on the trail."""
    task_id = task.id if task is not None else None
    for username in recipients:
        deliver(uow, directory, username, subject, body, instance_id=instance.id, task_id=task_id)
        details = {"recipient": username, "after": "incident"}
        if task is not None:
            details = {"element": task.spec_id, **details}
        record(uow, instance, "notified", actor=SYSTEM_ACTOR, task_id=task_id, details=details)


def _recipients(directory: Directory, task: HumanTask, governance: Governance | None) -> list[str]:
    roles = [ADMIN_ROLE]
    if governance is not None:
        row = governance.row(task)
        roles += [*row.responsible, *([row.accountable] if row.accountable else [])]
    return sorted({user for role in roles for user in directory.members(role)})


def _step_name(uow: UnitOfWork, instance: ProcessInstance) -> str:
    """The failed element's BPMN name (its id if it has none, or is not found)."""
    element = instance.error_task or "?"
    elements = activities(*loaded_version(uow, instance.version_id).specs)
    return next((a.name for a in elements if a.id == element and a.name), element)
