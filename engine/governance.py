"""Apply a process version's RACI matrix to its running instances.

`Governance` joins one version's matrix with the directory as it stands in a
unit of work: it routes new tasks to their roles, opens consultations,
notifies the informed, and records each act with its RACI letter. The rules
themselves are raci.policy's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from raci import policy
from raci.directory import Acting, Directory
from raci.matrix import ActivityRow, Letter, RaciMatrix, case_value

from .errors import NotAllowed
from .model import Consultation, HumanTask, Notification, OutboxMail, ProcessInstance
from .scripting import ScopeFunction
from .settle import SYSTEM_ACTOR, record
from .unit_of_work import UnitOfWork


@dataclass
class Governance:
    matrix: RaciMatrix
    directory: Directory
    today: date
    scopes: Mapping[str, ScopeFunction] = field(default_factory=dict)  # by name

    def require_actor(self, user: str) -> None:
        """Refuse `user` unless they are an active user of the directory."""
        require_active_user(self.directory, user)

    def row(self, task: HumanTask) -> ActivityRow:
        row = self.matrix.row_for(task.spec_id, task.name)
        if row is None:  # deploy validation makes this unreachable for user tasks
            raise NotAllowed(f"'{task.spec_id}' has no RACI row in {self.matrix.process_id}")
        return row

    def roles_of(self, task: HumanTask) -> dict[str, Any]:
        row = self.row(task)
        return {
            "R": row.responsible,
            "A": row.accountable,
            "C": row.consulted,
            "I": row.informed,
        }

    def task_opened(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        case: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        """Narrow its scoped roles to the case's person, route the new task (to its
        named person, if the row names one), index it by role and ask its C roles for
        input. `case` gives the task's data."""
        row = self.row(task)
        scoped = self.matrix.scopes_of(row)
        data = case() if scoped or row.rules.assign_to else {}
        audience = self._audience(uow, instance, task, scoped, data)
        if row.rules.assign_to is not None:
            self._route(uow, instance, task, row, case_value(data, row.rules.assign_to))
        elif person := next((audience[r] for r in row.responsible if audience.get(r)), None):
            self._route(uow, instance, task, row, person)
        uow.task_roles.add_for(
            task, [(role, letter.value) for letter in Letter for role in row.roles_with(letter)]
        )
        for role in row.consulted:
            person = audience.get(role)
            consultation = Consultation(
                task.id, instance.id, role, requested_at=uow.now, routed_to=person
            )
            uow.consultations.add(consultation)
            record(
                uow,
                instance,
                "consult_requested",
                actor=SYSTEM_ACTOR,
                task_id=task.id,
                raci_role="C",
                details={
                    "element": task.spec_id,
                    "role": role,
                    "advisory": row.rules.advisory,
                    **({"person": person} if person else {}),
                },
            )

    def _audience(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        scoped: dict[str, str],
        case: dict[str, Any],
    ) -> dict[str, str | None]:
        """Each scoped role's person on this case, kept on the task (`audience`).

        None where the case names nobody, or someone not (or no longer) in the role:
        the whole role then counts, as if it were not scoped.
        """
        audience: dict[str, str | None] = {}
        for role, scope in scoped.items():
            resolve = self.scopes.get(scope)  # a scope since unregistered: the whole role
            person = resolve(uow.session, case, instance.business_key) if resolve else None
            audience[role] = person if person and self.directory.is_member(person, role) else None
        if audience:
            task.audience = audience
            record(
                uow,
                instance,
                "audience",
                actor=SYSTEM_ACTOR,
                task_id=task.id,
                details={"element": task.spec_id, "scopes": scoped, "people": audience},
            )
        return audience

    def _route(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        row: ActivityRow,
        person: object,
    ) -> None:
        """Give `task` to `person` if they may work it; else leave it in the queue and
        tell the supervisor (A) why."""
        try:
            task.routed_to = task.assignee = policy.route(self.directory, row, person)
        except policy.Refused as refused:
            reason = str(self._refusal(task, refused))
            record(
                uow,
                instance,
                "routing_failed",
                actor=SYSTEM_ACTOR,
                task_id=task.id,
                raci_role="R",
                reason=reason,
                details={"element": task.spec_id, "assign_to": row.rules.assign_to},
            )
            subject = f"{task.name}: not assigned"
            for username in self.directory.members(row.accountable) if row.accountable else []:
                self.notify(uow, instance, task, username, subject, reason)
            return
        record(
            uow,
            instance,
            "routed",
            actor=SYSTEM_ACTOR,
            task_id=task.id,
            raci_role="R",
            details={"element": task.spec_id, "to": person, "assign_to": row.rules.assign_to},
        )

    def check(self, task: HumanTask, rule: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a raci.policy rule about `task`; a refusal becomes a RaciRefusal."""
        try:
            return rule(self.directory, *args, **kwargs)
        except policy.Refused as refused:
            raise self._refusal(task, refused) from refused

    @staticmethod
    def _refusal(task: HumanTask, refused: policy.Refused) -> RaciRefusal:
        """The refusal as the engine reports it, naming the task as people know it."""
        params = refused.params
        if refused.template is not None and "task" in params:
            params = {**params, "task": task.name}
        message = refused.template % params if refused.template else refused.message
        return RaciRefusal(
            refused.letter.value, message, task.id, template=refused.template, params=params
        )

    def signer(
        self, uow: UnitOfWork, task: HumanTask, user: str, *, role: str | None = None
    ) -> Acting:
        """How `user` may sign `task` off (A): never one who did its work, in any round.

        `role` is the signer the data signed needs, when a level table raised it above A.
        """
        return self.check(
            task,
            policy.may_sign_off,
            self.row(task),
            user,
            self.today,
            performer=task.performer,
            performer_for=task.performer_for,
            earlier_performers=uow.audit.performers(task.instance_id, task.id),
            signer=role,
        )

    def notify_informed(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        *,
        after: str,
        actor: str,
    ) -> None:
        """Tell every member of the task's I roles, in the app and by e-mail."""
        row = self.row(task)
        subject = f"{task.name}: {'signed off' if after == 'signoff' else 'completed'}"
        body = (
            f"{task.name} in {instance.process_id}"
            f"{' ' + instance.business_key if instance.business_key else ''}"
            f" was {'signed off' if after == 'signoff' else 'completed'} by {actor}."
        )
        for username in policy.informed(self.directory, row, task.audience):
            self.notify(uow, instance, task, username, subject, body)
            record(
                uow,
                instance,
                "notified",
                actor=SYSTEM_ACTOR,
                task_id=task.id,
                raci_role="I",
                details={"element": task.spec_id, "recipient": username, "after": after},
            )

    def notify(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        username: str,
        subject: str,
        body: str,
    ) -> None:
        """Store an in-app notification, and queue an e-mail if the user has an address."""
        notify(uow, self.directory, instance, task, username, subject, body)


def notify(
    uow: UnitOfWork,
    directory: Directory,
    instance: ProcessInstance,
    task: HumanTask,
    username: str,
    subject: str,
    body: str,
) -> None:
    """Store an in-app notification, and queue an e-mail if the user has an address."""
    notification = Notification(
        username, subject, body, uow.now, instance_id=instance.id, task_id=task.id
    )
    uow.notifications.add(notification)
    user = directory.users.get(username)
    if user is not None and user.email:
        mail = OutboxMail(user.email, subject, body, uow.now)
        mail._notification = notification  # type: ignore[attr-defined]
        uow.outbox.add(mail)


def require_active_user(directory: Directory, user: str) -> None:
    """The one check of who may act on governed work, or read as a user: an active user."""
    found = directory.users.get(user)
    if found is None:
        raise NotAllowed(f"'{user}' is not a user of the directory")
    if not found.active:
        raise NotAllowed(f"'{user}' is deactivated in the directory")


class RaciRefusal(NotAllowed):
    """An act a RACI rule forbids on a task; `letter` is the rule's (R, A or C).

    `template` and `params`, when the rule gave them, let the web layer show the
    message in the user's language (see raci.policy.Refused).
    """

    def __init__(
        self,
        letter: str,
        message: str,
        task_id: str,
        *,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.letter = letter
        self.task_id = task_id
        self.template = template
        self.params = dict(params or {})


def signoff_due(row: ActivityRow, now: datetime) -> datetime | None:
    return now + row.rules.signoff_due if row.rules.signoff_due else None
