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
from raci.messages import N_, Message

from .errors import NotAllowed
from .loaded_versions import loaded_version
from .locales import DEFAULT_LOCALE
from .model import Consultation, HumanTask, Notification, OutboxMail, ProcessInstance
from .outcome import outcome_of
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
        asked: set[str] = set()
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
            asked.update([person] if person else self.directory.members(role))
        if asked:
            self._ask(uow, instance, task, sorted(asked))

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
            why = RaciRefusal.of(refused, task).msg
            reason = str(why)
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
            subject = Message(N_("%(task)s: not assigned"), task=task.name)
            for username in self.directory.members(row.accountable) if row.accountable else []:
                self.notify(uow, instance, task, username, subject, why)
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
            raise RaciRefusal.of(refused, task) from refused

    def signer(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        user: str,
        *,
        role: str | None = None,
    ) -> Acting:
        """How `user` may sign `task` off (A): never one who did its work, in any round,
        nor the person who asked for the case.

        `role` is the signer the data signed needs, when a level table raised it above A.
        """
        terms = self._sign_off_terms(uow, instance, task, role)
        return self.check(task, policy.may_sign_off, self.row(task), user, self.today, **terms)

    def signers(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, role: str | None
    ) -> list[str]:
        """Everyone who may sign `task` off today (as `signer` judges each): none left is a
        dead end (everyone holding the role did the work or asked for it) that only an
        admin ends, giving the role, or a deputy for it, to someone else."""
        terms = self._sign_off_terms(uow, instance, task, role)
        found = []
        for user in sorted(name for name, u in self.directory.users.items() if u.active):
            try:
                policy.may_sign_off(self.directory, self.row(task), user, self.today, **terms)
            except policy.Refused:
                continue
            found.append(user)
        return found

    def _sign_off_terms(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, role: str | None
    ) -> dict[str, Any]:
        """What the sign-off rule weighs besides the signer: whose work and request it is."""
        return {
            "performer": task.performer,
            "performer_for": task.performer_for,
            "earlier_performers": uow.audit.performers(task.instance_id, task.id),
            "signer": role,
            "requester": instance.started_by,
            "levels": self.matrix.levels,
        }

    def notify_informed(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        *,
        after: str,
        actor: str,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Tell every member of the task's I roles, in the app and by e-mail, what was
        done and, when `data` holds one, what was decided (engine/outcome.py)."""
        row = self.row(task)
        signed = after == "signoff"
        subject = Message(
            N_("%(task)s: signed off") if signed else N_("%(task)s: completed"), task=task.name
        )
        actor_name = person_name(self.directory, actor)
        body = _done_body(task, instance, process_name(uow, instance), actor_name, signed)
        outcome = outcome_of(data)
        if outcome is not None:
            subject = Message(N_("%(done)s (%(outcome)s)"), done=subject, outcome=outcome)
            body = Message(N_("%(done)s Decision: %(outcome)s."), done=body, outcome=outcome)
        # Who did it knows: a BD was told "completed by" themselves.
        recipients = [u for u in policy.informed(self.directory, row, task.audience) if u != actor]
        uow.accounts.read_locales(recipients)
        for username in recipients:
            self.notify(uow, instance, task, username, subject, body)
            _record_notice(uow, instance, username, after, task=task, letter="I")

    def notify(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        username: str,
        subject: Message,
        body: Message,
    ) -> None:
        """Store an in-app notification, and queue an e-mail if the user has an address."""
        notify(uow, self.directory, instance, task, username, subject, body)

    def _ask(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, people: list[str]
    ) -> None:
        """Tell those whose opinion a new task asks for (C): the work may wait for it, and
        the consultations tab is not where anyone looks unless told."""
        subject = Message(N_("%(task)s: your opinion is asked"), task=task.name)
        body = about_case(
            instance,
            N_(
                "%(task)s in %(process)s %(key)s asks for your opinion:"
                " answer it under Consultations in your inbox."
            ),
            N_(
                "%(task)s in %(process)s asks for your opinion:"
                " answer it under Consultations in your inbox."
            ),
            task=task.name,
            process=process_name(uow, instance),
        )
        uow.accounts.read_locales(people)
        for username in people:
            self.notify(uow, instance, task, username, subject, body)
            _record_notice(uow, instance, username, "asked", task=task, letter="C")

    def tell_answered(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, *, by: str
    ) -> None:
        """Tell whoever holds the task that a consulted person answered (not the answerer
        themselves); an unclaimed task's queue shows the answer to whoever takes it."""
        holder = task.assignee
        if holder is None or holder == by:
            return
        answerer = person_name(self.directory, by)
        subject = Message(N_("%(task)s: %(user)s answered"), task=task.name, user=answerer)
        body = about_case(
            instance,
            N_(
                "%(user)s answered the consultation on %(task)s in %(process)s %(key)s:"
                " the answer is on the task's page."
            ),
            N_(
                "%(user)s answered the consultation on %(task)s in %(process)s:"
                " the answer is on the task's page."
            ),
            task=task.name,
            process=process_name(uow, instance),
            user=answerer,
        )
        self.notify(uow, instance, task, holder, subject, body)
        _record_notice(uow, instance, holder, "answered", task=task, letter="C")

    def tell_starter_ended(
        self, uow: UnitOfWork, instance: ProcessInstance, end: str | None, *, actor: str
    ) -> None:
        """Tell whoever started the case (their request) that it has ended, and where:
        the name of its end event ("Order sent to release")."""
        params = {"process": process_name(uow, instance), "step": end or Message(N_("finished"))}
        subject = about_case(
            instance, N_("%(process)s %(key)s: %(step)s"), N_("%(process)s: %(step)s"), **params
        )
        body = about_case(
            instance,
            N_("%(process)s %(key)s, which you started, has ended: %(step)s."),
            N_("%(process)s, which you started, has ended: %(step)s."),
            **params,
        )
        self._tell_starter(uow, instance, subject, body, actor=actor, after="ended")

    def tell_starter_cancelled(
        self, uow: UnitOfWork, instance: ProcessInstance, *, actor: str, reason: str
    ) -> None:
        """Tell whoever started the case that someone else stopped it, and why."""
        process = process_name(uow, instance)
        subject = about_case(
            instance,
            N_("%(process)s %(key)s: cancelled"),
            N_("%(process)s: cancelled"),
            process=process,
        )
        body = about_case(
            instance,
            N_(
                "%(process)s %(key)s, which you started, was cancelled by %(user)s. Why: %(reason)s"
            ),
            N_("%(process)s, which you started, was cancelled by %(user)s. Why: %(reason)s"),
            process=process,
            user=person_name(self.directory, actor),
            reason=reason,
        )
        self._tell_starter(uow, instance, subject, body, actor=actor, after="cancelled")

    def _tell_starter(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        subject: Message,
        body: Message,
        *,
        actor: str,
        after: str,
    ) -> None:
        """Not who ended it themselves, nor one told of the case in this same act (an I
        of its last step), nor a program or a user no longer active."""
        starter = instance.started_by
        user = self.directory.users.get(starter)
        if starter == actor or user is None or not user.active:
            return
        if uow.notifications.told(starter, instance.id):
            return
        deliver(uow, self.directory, starter, subject, body, instance_id=instance.id)
        _record_notice(uow, instance, starter, after)


def _record_notice(
    uow: UnitOfWork,
    instance: ProcessInstance,
    recipient: str,
    after: str,
    *,
    task: HumanTask | None = None,
    letter: str | None = None,
) -> None:
    """Put on the trail that `recipient` was told, after what (`after`), about the task
    and under the RACI letter the notice belongs to, if any."""
    details = {"recipient": recipient, "after": after}
    record(
        uow,
        instance,
        "notified",
        actor=SYSTEM_ACTOR,
        task_id=task.id if task is not None else None,
        raci_role=letter,
        details={"element": task.spec_id, **details} if task is not None else details,
    )


def about_case(
    instance: ProcessInstance, keyed_msgid: str, plain_msgid: str, **params: Any
) -> Message:
    """A notice's words about a case: `keyed_msgid` naming it (`key`, see case_label),
    or `plain_msgid` for a case with nothing to name it by."""
    label = case_label(instance)
    if label:
        return Message(keyed_msgid, key=label, **params)
    return Message(plain_msgid, **params)


def case_label(instance: ProcessInstance) -> str | None:
    """How a notice names a case: its business key, and the customer and order its
    summary names ("C00012 (Μίνι Μάρκετ Νικολάου, SO-2026-000003)"), so that whoever
    reads the notice knows which case it is without opening it."""
    summary = instance.summary or {}
    named = [str(summary[key]) for key in ("customer_name", "order_number") if summary.get(key)]
    if instance.business_key and named:
        return f"{instance.business_key} ({', '.join(named)})"
    return instance.business_key or ", ".join(named) or None


def person_name(directory: Directory, username: str) -> str:
    """How a notice names a person: by their name in the directory (their username if gone)."""
    found = directory.users.get(username)
    return found.name if found is not None and found.name else username


def process_name(uow: UnitOfWork, instance: ProcessInstance) -> str:
    """The BPMN name of the instance's process, for messages (translated as a name)."""
    return loaded_version(uow, instance.version_id).name or instance.process_id


# A done act's notice, by whether it was signed off: (naming the case, without a name).
_DONE_WORDS = {
    True: (
        N_("%(task)s in %(process)s %(key)s was signed off by %(user)s."),
        N_("%(task)s in %(process)s was signed off by %(user)s."),
    ),
    False: (
        N_("%(task)s in %(process)s %(key)s was completed by %(user)s."),
        N_("%(task)s in %(process)s was completed by %(user)s."),
    ),
}


def _done_body(
    task: HumanTask, instance: ProcessInstance, process: str, actor: str, signed: bool
) -> Message:
    keyed, plain = _DONE_WORDS[signed]
    return about_case(instance, keyed, plain, task=task.name, process=process, user=actor)


def notify(
    uow: UnitOfWork,
    directory: Directory,
    instance: ProcessInstance,
    task: HumanTask,
    username: str,
    subject: Message,
    body: Message,
) -> None:
    """Tell `username` about a task of an instance (see `deliver`)."""
    deliver(uow, directory, username, subject, body, instance_id=instance.id, task_id=task.id)


def deliver(
    uow: UnitOfWork,
    directory: Directory,
    username: str,
    subject: Message,
    body: Message,
    *,
    instance_id: str | None = None,
    task_id: str | None = None,
    draft_id: str | None = None,
) -> None:
    """Store an in-app notification, and queue an e-mail if the user has an address.

    Both are written once, in the recipient's language, inside this unit of work: the
    worker sends the stored text and never opens another transaction to word it.
    """
    locale = uow.accounts.locale(username) or DEFAULT_LOCALE
    subject_text, body_text = uow.wording(subject, locale), uow.wording(body, locale)
    notification = Notification(
        username,
        subject_text[:400],
        body_text,
        uow.now,
        instance_id=instance_id,
        task_id=task_id,
        draft_id=draft_id,
    )
    uow.notifications.add(notification)
    user = directory.users.get(username)
    if user is not None and user.email:
        mail = OutboxMail(user.email, subject_text[:400], body_text, uow.now)
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

    str() is the rule's English text (the audit trail records it); `msg` names the task
    by its BPMN name, for the surface to translate into the reader's language.
    """

    def __init__(self, letter: str, message: str, task_id: str, msg: Message | None = None) -> None:
        super().__init__(message)
        self.letter = letter
        self.task_id = task_id
        self.msg = msg

    @classmethod
    def of(cls, refused: policy.Refused, task: HumanTask) -> RaciRefusal:
        msg = Message(refused.msg.msgid, **{**refused.msg.params, "task": task.name})
        return cls(refused.letter.value, refused.message, task.id, msg)


def signoff_due(row: ActivityRow, now: datetime) -> datetime | None:
    return now + row.rules.signoff_due if row.rules.signoff_due else None
