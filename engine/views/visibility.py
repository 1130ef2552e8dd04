"""The facts `raci.visibility` decides on: what a user has to do with a task or a case.

The rules themselves (who may see a task, a case, its trail) are pure Python in
raci/visibility.py; this module reads the facts from storage. `participation` is
the same case rule written as SQL, so that lists (the instances page, GET
/instances) show exactly the cases their detail pages open; the two share the
building blocks below.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, or_, select

from raci.visibility import OVERSIGHT_ROLES, CasePart, TaskPart

from ..loaded_versions import loaded_version
from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    AuditEvent,
    HumanTask,
    Notification,
    ProcessInstance,
)
from ..orm import task_roles
from ..unit_of_work import UnitOfWork
from .common import acting_roles

__all__ = ["OVERSIGHT_ROLES", "case_part", "participation", "task_access"]


def task_access(uow: UnitOfWork, task_id: str, user: str) -> TaskPart:
    """`user`'s part in a task. Letters come from the matrix of the task's version,
    so they hold for closed tasks too, and from the inbox index of an open task (a
    sign-off raised to a higher level). NotFound if there is no such task."""
    with uow.read_only():
        task, instance = uow.tasks.get_with_instance(task_id)
        matrix = loaded_version(uow, instance.version_id).matrix
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
        return TaskPart(matrix is not None, frozenset(letters), user in touched, started)


def _scoped_to_others(uow: UnitOfWork, task: HumanTask, user: str) -> set[str]:
    """The task's roles scoped to another person on its case (another BD's customer):
    holding such a role gives `user` no part in the task."""
    others = {role for role, person in (task.audience or {}).items() if person not in (None, user)}
    if not others:
        return set()
    stands_in_for = uow.directory.load().principals_of(user, uow.now.date())
    return {role for role in others if task.audience[role] not in stands_in_for}


def case_part(uow: UnitOfWork, instance_id: str, user: str) -> CasePart:
    """`user`'s part in a case. NotFound if there is no such instance."""
    with uow.read_only():
        instance = uow.instances.get(instance_id)
        acted, notified = uow.session.execute(
            select(
                _acted(user).where(AuditEvent.instance_id == instance_id).exists(),
                _notified(user).where(Notification.instance_id == instance_id).exists(),
            )
        ).one()
        held = uow.session.execute(
            _open_task_letters(uow, user)
            .with_only_columns(task_roles.c.role, task_roles.c.letter)
            .where(HumanTask.instance_id == instance_id)
        ).all()
        return CasePart(
            started=instance.started_by == user,
            acted=bool(acted),
            notified=bool(notified),
            letters=frozenset(letter for role, letter in held if role != ANYONE),
            open_to_anyone=any(role == ANYONE for role, _ in held),
        )


def participation(uow: UnitOfWork, user: str) -> ColumnElement[bool]:
    """The cases `user` may see without oversight, as a condition on process_instances:
    `raci.visibility.may_see_case` in SQL (they started it, acted in it, were told about
    it, or hold a letter on one of its open tasks, or it has ungoverned open work)."""
    acted = _acted(user).where(AuditEvent.instance_id == ProcessInstance.id).exists()
    notified = _notified(user).with_only_columns(Notification.instance_id)
    letters = _open_task_letters(uow, user).with_only_columns(HumanTask.instance_id)
    return or_(
        ProcessInstance.started_by == user,
        acted,
        ProcessInstance.id.in_(notified),
        ProcessInstance.id.in_(letters),
    )


def _acted(user: str) -> Select:
    """Audit events of acts by `user` or in their name (a refused attempt is no part)."""
    return select(AuditEvent.id).where(
        or_(
            and_(AuditEvent.actor == user, AuditEvent.action != "refused"),
            AuditEvent.on_behalf_of == user,
        )
    )


def _notified(user: str) -> Select:
    return select(Notification.id).where(Notification.username == user)


def _open_task_letters(uow: UnitOfWork, user: str) -> Select:
    """The inbox index rows of open tasks that give `user` a letter: a role they act for
    today (held, or held by someone they stand in for), unless the task scopes that role
    to another person on its case; or the ungoverned ANYONE role."""
    day = uow.now.date()
    directory = uow.directory.load()  # read once per unit of work (and cached across them)
    people = [user, *directory.principals_of(user, day)]
    person = _audience_person(uow, HumanTask.audience, task_roles.c.role)
    return (
        select(task_roles.c.role)
        .join(HumanTask, HumanTask.id == task_roles.c.task_id)
        .where(
            HumanTask.status.in_(OPEN_TASK_STATUSES),
            task_roles.c.role.in_(directory.acting_roles(user, day) | {ANYONE}),
            or_(HumanTask.audience.is_(None), person.is_(None), person.in_(people)),
        )
    )


def _audience_person(uow: UnitOfWork, audience: object, role: object) -> ColumnElement:
    """audience[role] as text (NULL when the role is not scoped, or scoped to nobody)."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return audience.op("->>", return_type=String)(role)  # type: ignore[attr-defined,no-any-return]
    path = literal('$."') + role + literal('"')  # type: ignore[operator]
    return func.json_extract(audience, path, type_=String)
