"""Who may see and do what through the API: the rules every API view checks on the server.

The rules are raci/visibility.py's (seeing) and raci/policy.py's (acting), the
same ones the web pages and the CLI apply (docs/raci.md, "Who sees what"):

- **Oversight**: auditors, process owners and admins may read every task and
  instance and the audit trail. Reading is all it gives: acting on a task still
  needs its RACI role.
- **A task** (GET /tasks/{id}): whoever holds one of its letters (R, A, C or I,
  a role scoped to the case counting for the case's person only), their deputies
  on the days they stand in, everyone who acted on it, the instance's starter;
  anyone, for a process without a matrix.
- **An instance** and its timeline: who started it, acted in it, was notified
  about it, or holds a letter on one of its open tasks.
- **Starting** a process: as on its start page (raci.visibility.may_start): the
  roles the CRM names as its starters (workflows/starters.py), else the R roles of
  its matrix's first row, a deputy standing in for them, or an admin; anyone, for a
  process without a matrix.
- **Cancelling** an instance: its starter, a process owner or an admin (the
  engine refuses anyone else, 403).
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
from raci import visibility as rules
from raci.matrix import RaciMatrix
from raci.messages import N_, Message
from web.services import engine
from workflows.starters import STARTERS

from .auth import api_user


def visible_task(task_id: str) -> set[str]:
    """The RACI letters the caller holds on a task they may see; NotAllowed otherwise."""
    user = api_user()
    part = visibility.task_access(engine().uow(), task_id, user.username)
    if rules.may_see_task(user.roles, part):
        return set(part.letters)
    raise NotAllowed(Message(N_("task %(id)s is not one of your roles' tasks"), id=task_id))


def visible_instance(instance_id: str) -> dict[str, Any]:
    """An instance with its open tasks, if the caller may see it; NotAllowed otherwise."""
    found = api_lists.instance_detail(engine().uow(), instance_id)
    user = api_user()
    if sees_everything() or rules.may_see_case(
        user.roles, visibility.case_part(engine().uow(), instance_id, user.username)
    ):
        return found
    raise NotAllowed(Message(N_("you take no part in this case")))


def sees_everything() -> bool:
    return rules.oversees(api_user().roles)


def may_start(process_id: str, matrix: RaciMatrix | None, roles: set[str] | None = None) -> bool:
    """Whether the caller, acting for `roles` today (read if not given), may start
    `process_id` governed by `matrix`, as on its page."""
    if roles is None:
        roles = api_lists.roles_today(engine().uow(), api_user().username)
    return rules.may_start(roles, starters=STARTERS.get(process_id), matrix=matrix)
