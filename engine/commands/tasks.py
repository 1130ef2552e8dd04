"""Work on human tasks: claim, release, reassign and complete (RACI R, with C before)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from raci import policy
from raci.directory import Acting
from raci.matrix import ActivityRow, Letter
from raci.messages import N_, Message, said

from ..errors import InvalidState, NotAllowed
from ..governance import Governance, RaciRefusal, person_name, process_name
from ..model import HumanTask, ProcessInstance, TaskStatus
from ..payload import check_payload
from ..settle import record
from ..signature import digest
from ..unit_of_work import UnitOfWork
from .base import (
    DataValidator,
    InstanceState,
    files_seen,
    open_task,
    pick,
    record_completion,
    require_attachments,
    working_as,
)
from .resignature import ResignatureCommands

# A reassignment whose target an admin deactivated while it was being decided.
INACTIVE = N_("The account of %(user)s is not active.")


class TaskCommands(ResignatureCommands):
    """Commands of the people doing the work."""

    def claim(self, task_id: str, *, user: str) -> None:
        """Take an open task so that nobody else works on it (R members only, if governed).

        A task someone claimed stays theirs: their deputy carries it on without claiming
        it (complete, release). A task routed to a person by name their deputy may claim.
        """
        with self.refusals_recorded(user, "claim"), self.uow() as uow:
            uow.tasks.lock(task_id)
            task = open_task(uow, task_id)
            instance = uow.instances.get(task.instance_id)
            acting = None
            if task.routed_to not in (None, user):  # another's by name: only their deputy
                acting = self._acting_r(uow, instance, task, user)
            elif task.assignee not in (None, user):  # taken first: a conflict, not a refusal
                raise InvalidState(_claimed(task.assignee))
            if task.assignee == user:
                return
            acting = acting or self._acting_r(uow, instance, task, user)
            task.assignee = user
            task.claimed_at = task.claimed_at or uow.now  # the first claim ends the wait
            record(uow, instance, "claim", actor=user, task_id=task_id, **acting)
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    def release(self, task_id: str, *, user: str) -> None:
        """Give back a claimed task so that others can take it: its claimant does, or
        their deputy while they are away (for them)."""
        with self.uow() as uow:
            uow.tasks.lock(task_id)
            task = open_task(uow, task_id)
            claimed_by = task.assignee
            if claimed_by is None or not _carries_on(uow, user, claimed_by):
                raise NotAllowed(Message(N_("the task is not claimed by %(user)s"), user=user))
            task.assignee = None
            instance = uow.instances.get(task.instance_id)
            governed = self._governance(uow, instance.version_id) is not None
            letter = {"raci_role": "R"} if governed else {}
            for_whom = claimed_by if claimed_by != user else None
            record(
                uow,
                instance,
                "release",
                actor=user,
                task_id=task_id,
                on_behalf_of=for_whom,
                **letter,
            )
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    def _hand_back_claims(self, uow: UnitOfWork, username: str, *, by: str) -> None:
        """Give back every task `username` claimed and has not finished: deactivated, they
        can no longer work it, and it would wait under their name (each one audited)."""
        claimed = uow.session.scalars(
            select(HumanTask.id).where(
                HumanTask.assignee == username, HumanTask.status == TaskStatus.READY
            )
        ).all()
        for task_id in claimed:
            uow.tasks.lock(task_id)
            task = uow.tasks.get(task_id)
            if task.status != TaskStatus.READY or task.assignee != username:
                continue  # finished or handed on meanwhile
            task.assignee = None
            instance = uow.instances.get(task.instance_id)
            why = Message(
                N_("%(user)s was deactivated: the task went back to the queue"), user=username
            )
            details = {"user": username, "deactivated": True, **said(why)}  # in no RACI role
            record(
                uow,
                instance,
                "release",
                actor=by,
                task_id=task_id,
                reason=str(why),
                details=details,
            )
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict

    def reassign(self, task_id: str, *, user: str, to: str, reason: str | None = None) -> None:
        """Hand an open task to another R member (by an R member or an admin)."""
        with self.refusals_recorded(user, "reassign"), self.uow() as uow:
            # Before the task's lock, as a deactivation takes them (the user, then cases).
            to_active = uow.directory.hold_active(to)
            task, _ = uow.tasks.lock(task_id)
            if task.status != TaskStatus.READY:
                raise InvalidState(f"task {task_id} is {task.status}")
            instance = uow.instances.get(task.instance_id)
            governance = self._governance(uow, instance.version_id)
            on_behalf_of = None
            if governance is not None:
                by, _ = governance.check(
                    task,
                    policy.may_reassign,
                    governance.row(task),
                    user,
                    to,
                    governance.today,
                    routed_to=task.routed_to,
                )
                on_behalf_of = by.on_behalf_of if by else None
                if not to_active:  # deactivated since the directory this check read
                    refused = policy.Refused(Letter.R, INACTIVE, {"user": to})
                    raise RaciRefusal.of(refused, task)
            if task.routed_to is not None:  # a task routed by name stays so, to its new person
                task.routed_to = to
            previous, task.assignee = task.assignee, to
            record(
                uow,
                instance,
                "reassign",
                actor=user,
                task_id=task.id,
                raci_role="R" if governance else None,
                on_behalf_of=on_behalf_of,
                reason=reason,
                details={"element": task.spec_id, "from": previous, "to": to},
            )
            if governance is not None and to != user:
                _tell_new_assignee(uow, governance, instance, task, by=user, reason=reason)
            instance.updated_at = uow.now
            uow.commit()

    def complete(
        self,
        task_id: str,
        *,
        user: str,
        data: dict[str, Any],
        validate: DataValidator | None = None,
    ) -> InstanceState:
        """Complete a human task with `data`, then run on.

        The data is checked by `validate`, or else by the task's form (the
        engine's `forms` hook). Under a RACI matrix the user must act for an R
        role and every C role must have answered (unless the activity is
        advisory or A overrode); then, unless the activity needs no sign-off,
        the work waits for A.
        """
        data = check_payload(data)
        with self.refusals_recorded(user, "complete"), self.uow() as uow:
            uow.tasks.lock(task_id)
            open_tasks = uow.tasks.open_alongside(task_id)
            task = pick(open_tasks, task_id, TaskStatus.READY) or open_task(uow, task_id)
            instance = uow.instances.get(task.instance_id)
            if task.routed_to not in (None, user):  # refused by the rule, with its reason
                self._acting_r(uow, instance, task, user)
            if task.assignee not in (None, user) and not _carries_on(uow, user, task.assignee):
                raise NotAllowed(_claimed(task.assignee))
            claimed_by = task.assignee if task.assignee != user else None  # a deputy's
            # Who may do the work is asked before what they sent is read: someone with no
            # part in it is told so, not that a field is missing.
            governance = self._governance(uow, instance.version_id)
            acting = working_as(governance, task, user, claimed_by=claimed_by)
            data = self._checked(
                uow,
                task.process_id,
                task.spec_id,
                data,
                lambda: self._case_data(uow, instance, task.id),
                validate,
            )
            task.assignee = user
            task.claimed_at = task.claimed_at or uow.now  # done without a claim: taken now
            require_attachments(uow, self, instance.id, task.process_id, task.spec_id, data)
            if governance is None or acting is None:  # ungoverned: anyone may do it
                return self._run_task(
                    uow,
                    instance,
                    task,
                    data,
                    open_tasks,
                    None,
                    acts=lambda: record_completion(uow, instance, task, user, data),
                    actor=user,
                )
            return self._complete_governed(
                uow, instance, task, open_tasks, governance, data, acting
            )

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data an open task sees (what earlier steps found), for its page.

        This loads the instance's workflow: use it for one task's page, never for lists.
        """
        with self.reader() as uow:
            task = uow.tasks.get(task_id)
            if not TaskStatus(task.status).is_open:
                raise InvalidState(f"task {task_id} is {task.status}")
            instance = uow.instances.get(task.instance_id)
            # A copy: the page must not reach into a workflow the next command may run.
            return copy.deepcopy(self._case_data(uow, instance, task_id))

    def _complete_governed(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        open_tasks: list[HumanTask],
        governance: Governance,
        data: dict[str, Any],
        acting: Acting,
    ) -> InstanceState:
        user = task.assignee
        row = governance.row(task)
        require_consultations(uow, task, row)
        level = self._signing_level(uow, instance, task, governance, data)
        if policy.needs_signoff(row, governance.directory, acting, level.role if level else None):
            return self._submit_for_signoff(
                uow, instance, task, open_tasks, governance, acting, data, level
            )
        self_approved = row.accountable is not None  # and the performer may approve it
        # Who did it this time: work sent back may be done again by another (the claimant
        # a deputy did it for), and an earlier round's performer would be named instead.
        task.performer, task.performer_for = acting.user, acting.on_behalf_of

        def acts() -> None:
            signoff = "self-approved" if self_approved else None
            record_completion(uow, instance, task, user, data, acting, signoff)
            if self_approved:
                record(
                    uow,
                    instance,
                    "approve",
                    actor=user,
                    task_id=task.id,
                    raci_role="A",
                    details={
                        "element": task.spec_id,
                        "self_approval": True,
                        "digest": digest(data),
                        **files_seen(uow, instance.id),
                    },
                )
            after = "signoff" if self_approved else "completion"
            governance.notify_informed(uow, instance, task, after=after, actor=user, data=data)

        return self._run_task(
            uow,
            instance,
            task,
            data,
            open_tasks,
            governance,
            acts,
            actor=user,
            on_behalf_of=acting.on_behalf_of,
        )


def require_consultations(uow: UnitOfWork, task: HumanTask, row: ActivityRow) -> None:
    if row.rules.advisory:
        return
    waiting = [c.role for c in uow.consultations.for_task(task.id) if c.is_open]
    if waiting:
        msg = Message(
            N_(
                "'%(task)s' waits for consultation with %(roles)s"
                " (or an override by the accountable role)"
            ),
            task=task.name,
            roles=waiting,
        )
        raise RaciRefusal("C", str(msg), task.id, msg)


def _carries_on(uow: UnitOfWork, user: str, person: str) -> bool:
    """Whether `user` is `person`, or stands in for them today (raci.policy's rule)."""
    return policy.is_or_stands_in_for(uow.directory.load(), user, person, uow.now.date())


def _claimed(assignee: str | None) -> Message:
    # No task id in words people read: they act on the task's own page (or its inbox row).
    return Message(N_("the task is already claimed by %(user)s"), user=assignee)


def _tell_new_assignee(
    uow: UnitOfWork,
    governance: Governance,
    instance: ProcessInstance,
    task: HumanTask,
    *,
    by: str,
    reason: str | None,
) -> None:
    """Tell the person a task was handed to: it is in their own work now, which they may
    not open for days otherwise."""
    assert task.assignee is not None
    uow.accounts.read_locales([task.assignee])
    subject = Message(N_("%(task)s: handed to you"), task=task.name)
    params = {
        "task": task.name,
        "process": process_name(uow, instance),
        "user": person_name(governance.directory, by),
        "key": instance.business_key or "",
        "reason": reason or "",
    }
    body = Message(_HANDED[(bool(instance.business_key), bool(reason))], **params)
    governance.notify(uow, instance, task, task.assignee, subject, body)


_HANDED = {  # (has a business key, has a reason) -> the notice's text
    (True, True): N_("%(user)s handed you %(task)s in %(process)s %(key)s. Reason: %(reason)s"),
    (True, False): N_("%(user)s handed you %(task)s in %(process)s %(key)s."),
    (False, True): N_("%(user)s handed you %(task)s in %(process)s. Reason: %(reason)s"),
    (False, False): N_("%(user)s handed you %(task)s in %(process)s."),
}
