"""Who may see an instance or a task: the rules the web pages and the JSON API share.

Staff see the instances they take part in, and the tasks they have a working
part in; auditors, process owners and admins (OVERSIGHT_ROLES) see all. The web
and API layers know the signed-in user's roles and pass `oversight`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select

from ..matrices import matrix_of
from ..model import ANYONE, AuditEvent, HumanTask, Notification, ProcessInstance
from ..orm import task_roles
from ..unit_of_work import UnitOfWork
from .common import acting_roles

OVERSIGHT_ROLES = ("auditor", "process_owner")  # and admins, who hold every role
WORKING_LETTERS = frozenset({"R", "A", "C"})


@dataclass(frozen=True)
class TaskAccess:
    """What `user` has to do with one task: the facts the task rule decides on."""

    governed: bool  # the process has a RACI matrix (without one, anyone may work it)
    letters: frozenset[str]  # the letters of the roles the user acts for today
    acted: bool  # claimed, performed (or had it done in their name), signed, answered
    started: bool  # started the instance: it is their request, and their data

    def visible(self, *, oversight: bool) -> bool:
        """The task rule: oversight; R, A or C (own role or as a deputy); acted on it;
        started the instance; or an ungoverned process. An I role alone is not
        enough: it is told by notification and sees the instance, not the working
        task and the customer data on it (another BD's prospect, say)."""
        return (
            oversight
            or not self.governed
            or self.acted
            or self.started
            or bool(self.letters & WORKING_LETTERS)
        )


def task_access(uow: UnitOfWork, task_id: str, user: str) -> TaskAccess:
    """`user`'s part in a task. Letters come from the matrix of the task's version,
    so they hold for closed tasks too, and from the inbox index of an open task (a
    sign-off raised to a higher level). NotFound if there is no such task."""
    with uow:
        task = uow.tasks.get(task_id)
        instance = uow.instances.get(task.instance_id)
        matrix = matrix_of(uow.versions.get(instance.version_id))
        touched = {
            task.assignee,
            task.performer,
            task.performer_for,
            task.completed_by,
            task.signed_off_by,
        } | {c.answered_by for c in uow.consultations.for_task(task_id)}
        row = matrix.row_for(task.spec_id, task.name) if matrix else None
        roles = acting_roles(uow, user) - _scoped_to_others(uow, task, user)
        letters = frozenset(
            letter.value
            for role, held in (row.cells.items() if row else ())
            if role in roles
            for letter in held
        ) | {letter for role, letter in uow.task_roles.routed(task_id) if role in roles}
        started = instance.started_by == user
        return TaskAccess(matrix is not None, letters, user in touched, started)


def _scoped_to_others(uow: UnitOfWork, task: HumanTask, user: str) -> set[str]:
    """The task's roles scoped to another person on its case (another BD's customer):
    holding such a role gives `user` no part in the task."""
    others = {role for role, person in (task.audience or {}).items() if person not in (None, user)}
    if not others:
        return set()
    stands_in_for = uow.directory.load().principals_of(user, uow.now.date())
    return {role for role in others if task.audience[role] not in stands_in_for}


def takes_part(uow: UnitOfWork, instance_id: str, user: str) -> bool:
    """Whether `user` takes part in the instance (see `participation`)."""
    with uow:
        found = uow.session.scalar(
            select(ProcessInstance.id).where(
                ProcessInstance.id == instance_id, participation(uow, user)
            )
        )
    return found is not None


def participation(uow: UnitOfWork, user: str) -> ColumnElement[bool]:
    """The instances `user` takes part in, as a condition on process_instances.

    They started it; acted in it, or someone acted for them (a refused attempt is
    no part); were notified about it (I); or may act in it now: a role they act for
    (held, or held by someone they stand in for today) is R, A or C on an open task,
    or the task is ungoverned (anyone's). Holding a role alone shows nothing else:
    another business developer's requests stay theirs.
    """
    acted = (
        select(AuditEvent.id)
        .where(
            AuditEvent.instance_id == ProcessInstance.id,
            or_(
                and_(AuditEvent.actor == user, AuditEvent.action != "refused"),
                AuditEvent.on_behalf_of == user,
            ),
        )
        .exists()
    )
    notified = select(Notification.instance_id).where(Notification.username == user)
    roles = acting_roles(uow, user) | {ANYONE}
    may_act = (
        select(HumanTask.instance_id)
        .join(task_roles, task_roles.c.task_id == HumanTask.id)  # open tasks only
        .where(task_roles.c.letter.in_(("R", "A", "C")), task_roles.c.role.in_(roles))
    )
    return or_(
        ProcessInstance.started_by == user,
        acted,
        ProcessInstance.id.in_(notified),
        ProcessInstance.id.in_(may_act),
    )
