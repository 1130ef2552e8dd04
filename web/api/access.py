"""Who may see and do what through the API: the rules every API view checks on the server.

- **Oversight**: auditors, process owners and admins may read every task and
  instance and the audit trail. Reading is all it gives: acting on a task still
  needs its RACI role.
- **A task** (GET /tasks/{id}), the rule the web's task page shares
  (engine/views/visibility.py): the members of its R, A and C roles, and their
  deputies on the days they stand in; everyone who acted on it (claimed,
  performed, signed off, answered a consultation); the instance's starter;
  anyone, for a process without a matrix. Its I roles are told by
  notification, and see the instance, not the working task.
- **An instance** and its timeline: who takes part in it: started it, acted in
  it, was notified about it, or may act on one of its open tasks now (R, A, C).
- **Starting** a process: a member (or deputy) of an R role anywhere in its
  latest matrix, or an admin; anyone, for a process without a matrix.
- **Cancelling** an instance: its starter, a process owner or an admin.
- **Acting** on tasks (claim, release, complete, approve, reject, reassign,
  answer, override): the engine decides by the task's matrix row; its refusals
  are 403 `RaciRefusal` and are recorded in the audit trail.
- Inboxes and notifications list only the caller's own work.

Unknown ids are 404 before any of these checks, refusals 403.
"""

from __future__ import annotations

from typing import Any

from engine.errors import NotAllowed
from engine.views import api_lists, visibility
from raci.directory import ADMIN_ROLE
from raci.matrix import RaciMatrix
from raci.messages import N_, Message
from web.services import engine

from .auth import OVERSIGHT, api_user


def visible_task(task_id: str) -> set[str]:
    """The RACI letters the caller holds on a task they may see (the rule of
    engine/views/visibility.py, which the web's task page follows too); NotAllowed otherwise."""
    user = api_user()
    access = visibility.task_access(engine().uow(), task_id, user.username)
    if access.visible(oversight=user.has_role(*OVERSIGHT)):
        return set(access.letters)
    raise NotAllowed(Message(N_("task %(id)s is not one of your roles' tasks"), id=task_id))


def visible_instance(instance_id: str) -> dict[str, Any]:
    """An instance with its open tasks, if the caller may see it; NotAllowed otherwise."""
    found = api_lists.instance_detail(engine().uow(), instance_id)
    if sees_everything() or visibility.takes_part(engine().uow(), instance_id, api_user().username):
        return found
    raise NotAllowed(Message(N_("you take no part in instance %(id)s"), id=instance_id))


def sees_everything() -> bool:
    return api_user().has_role(*OVERSIGHT)


def may_start(matrix: RaciMatrix | None) -> bool:
    """Whether the caller may start a process governed by `matrix` (None: ungoverned)."""
    user = api_user()
    if matrix is None or ADMIN_ROLE in user.roles:
        return True
    responsible = {role for row in matrix.rows for role in row.responsible}
    return bool(responsible & api_lists.roles_today(engine().uow(), user.username))


def check_may_cancel(instance: dict[str, Any]) -> None:
    user = api_user()
    if instance["started_by"] != user.username and not user.has_role("process_owner"):
        raise NotAllowed(
            Message(N_("only the starter, a process owner or an admin may cancel an instance"))
        )
