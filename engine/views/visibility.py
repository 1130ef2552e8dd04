"""Who may see an instance: the one rule the web pages and the JSON API share.

Staff see the instances they take part in; auditors and process owners see all
(the web and API layers decide that from the user's roles, before asking here).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from ..model import ANYONE, AuditEvent, HumanTask, Notification, ProcessInstance
from ..orm import task_roles
from ..unit_of_work import UnitOfWork
from .common import acting_roles


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
