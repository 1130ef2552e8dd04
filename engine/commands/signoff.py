"""Sign-off of submitted work by the accountable role (RACI A): approve or reject."""

from __future__ import annotations

from typing import Any

from raci.directory import Acting
from raci.messages import N_, Message

from ..authority import SigningLevel
from ..errors import InvalidState
from ..governance import Governance, about_case, person_name, signoff_due
from ..model import HumanTask, ProcessInstance, TaskStatus
from ..settle import SYSTEM_ACTOR, record
from ..signature import digest
from ..unit_of_work import UnitOfWork
from .base import (
    InstanceState,
    files_seen,
    record_act,
    record_completion,
    require_attachments,
    required,
    state_of,
)
from .resignature import ResignatureCommands


class SignOffCommands(ResignatureCommands):
    """Approve or reject work waiting for sign-off; never one's own."""

    def _submit_for_signoff(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        open_tasks: list[HumanTask],
        governance: Governance,
        acting: Acting,
        data: dict[str, Any],
        level: SigningLevel | None = None,
    ) -> InstanceState:
        """Keep the performer's work on the task until A signs it; the process waits.

        With a `level` decided on this data, its role signs: the inbox index moves to it.
        """
        row = governance.row(task)
        signer = level.role if level else row.accountable
        if level is not None:
            uow.task_roles.move_signoff(task, level.role)
        task.status = TaskStatus.AWAITING_SIGNOFF
        task.performer, task.performer_for = acting.user, acting.on_behalf_of
        task.submitted_data, task.submitted_at = data, uow.now
        task.signoff_due_at = signoff_due(row, uow.now)
        # The signer's inbox row shows the figure being signed (the limit recommended, the
        # value of the lines a partial release lets go), not the one asked for: drawn from
        # the case as the submitted work would leave it, though it is not the case's yet.
        case = self._case_data(uow, instance, task.id)
        submitted = self.runtime.services.summary(instance.process_id, {**case, **data}) or {}
        if "figure" in submitted:
            figure = {key: submitted[key] for key in ("figure", "value", "kind")}
            instance.summary = {**(instance.summary or {}), **figure}
        record_completion(uow, instance, task, acting.user, data, acting, "pending")
        record(
            uow,
            instance,
            "signoff_requested",
            actor=SYSTEM_ACTOR,
            task_id=task.id,
            raci_role="A",
            details={
                "element": task.spec_id,
                "role": signer,
                "due_at": task.signoff_due_at.isoformat() if task.signoff_due_at else None,
                "digest": digest(data),
                **({"authority": level.as_details()} if level else {}),
            },
        )
        governance.notify_informed(
            uow, instance, task, after="completion", actor=acting.user, data=data
        )
        instance.updated_at = uow.now  # bumps the revision: racing writers conflict
        uow.commit()
        still_open = [t.id for t in open_tasks if t.status == TaskStatus.READY]
        return state_of(instance, self._version(uow, instance.version_id).number, still_open)

    def approve(self, task_id: str, *, user: str) -> InstanceState:
        """Sign off submitted work: the process runs on with the data the performer sent."""
        with self.refusals_recorded(user, "approve"), self.uow() as uow:
            uow.tasks.lock(task_id)
            open_tasks = uow.tasks.open_alongside(task_id)
            task, instance, governance = self._awaiting(uow, task_id)
            data = dict(task.submitted_data or {})
            level = self._signing_level(uow, instance, task, governance, data)
            acting = governance.signer(
                uow, instance, task, user, role=level.role if level else None
            )
            require_attachments(uow, self, instance.id, task.process_id, task.spec_id, data)
            task.signed_off_by, task.signed_off_at = user, uow.now
            signed = {
                "digest": digest(data),
                **({"authority": level.as_details()} if level else {}),
                **files_seen(uow, instance.id),
            }
            if self._is_resignature(uow, instance, task):
                return self._approve_change(uow, instance, task, governance, acting, signed)

            def acts() -> None:
                record_act(uow, instance, task, "approve", letter="A", acting=acting, **signed)
                governance.notify_informed(
                    uow, instance, task, after="signoff", actor=user, data=task.submitted_data
                )

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

    def signers_left(self, task_id: str) -> list[str] | None:
        """Who may sign off the work `task_id` waits with (None: it waits for no governed
        sign-off). Read as its inboxes route it: under the role a level table raised it to."""
        with self.reader() as uow:
            task, instance = uow.tasks.get_with_instance(task_id)
            governance = self._governance(uow, instance.version_id)
            if governance is None or task.status != TaskStatus.AWAITING_SIGNOFF:
                return None
            routed = [role for role, letter in uow.task_roles.routed(task_id) if letter == "A"]
            row = governance.row(task)
            role = next((r for r in routed if r != row.accountable), None)
            return governance.signers(uow, instance, task, role)

    def reject(self, task_id: str, *, user: str, reason: str) -> None:
        """Send submitted work back with a reason: to whom it was done for (a deputy's
        principal), else to its performer; both are told. Someone deactivated since can
        no longer do it: it goes back to its role's queue, where any member takes it."""
        reason = required(reason, N_("A reason is required to send it back."))
        with self.refusals_recorded(user, "reject"), self.uow() as uow:
            # Whether they are active, kept so until the commit: read before the task's
            # lock, as a deactivation takes them (the user, then their claims).
            returns_to = uow.tasks.get(task_id).returns_to
            active = returns_to is not None and uow.directory.hold_active(returns_to)
            uow.tasks.lock(task_id)
            task, instance, governance = self._awaiting(uow, task_id)
            data = dict(task.submitted_data or {})
            level = self._signing_level(uow, instance, task, governance, data)
            acting = governance.signer(
                uow, instance, task, user, role=level.role if level else None
            )
            if self._is_resignature(uow, instance, task):
                return self._reject_change(uow, instance, task, acting, reason)
            if task.returns_to != returns_to:  # resubmitted by another meanwhile
                active = governance.directory.is_active(task.returns_to or "")
            back_to = task.returns_to if active else None
            task.status, task.assignee = TaskStatus.READY, back_to
            task.rework_count += 1
            task.rejection_reason = reason
            task.signoff_due_at = None
            instance.summary = self._case_summary(uow, instance)
            record_act(
                uow,
                instance,
                task,
                "reject",
                letter="A",
                acting=acting,
                reason=reason,
                rework=task.rework_count,
                **({} if active else {"to_queue": task.returns_to}),  # they were deactivated
            )
            why = Message(
                N_("%(user)s sent '%(task)s' back: %(reason)s"),
                user=person_name(governance.directory, user),
                task=task.name,
                reason=reason,
            )
            if back_to is not None:
                subject = about_case(  # which of their cases: a name like many others'
                    instance,
                    N_("%(task)s, %(key)s: sent back to you"),
                    N_("%(task)s: sent back to you"),
                    task=task.name,
                )
                governance.notify(uow, instance, task, back_to, subject, why)
            if back_to is not None and task.performer != back_to:  # the deputy who did it
                subject = about_case(
                    instance,
                    N_("%(task)s, %(key)s: sent back to %(person)s"),
                    N_("%(task)s: sent back to %(person)s"),
                    task=task.name,
                    person=person_name(governance.directory, back_to),
                )
                governance.notify(uow, instance, task, task.performer, subject, why)
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    def _case_summary(self, uow: UnitOfWork, instance: ProcessInstance) -> dict[str, Any] | None:
        """What lists show of the instance, drawn from its case again: while the work
        waited they showed the figure it submitted (a correction's total), not signed."""
        workflow, _ = self._load(uow, instance)
        data = self.runtime.latest_data(workflow)
        uow.caches.workflows.keep(instance.id, instance.version_id, instance.state, workflow)
        return self.runtime.services.summary(instance.process_id, data)

    def _awaiting(
        self, uow: UnitOfWork, task_id: str
    ) -> tuple[HumanTask, ProcessInstance, Governance]:
        task, instance, governance = self._governed_task(uow, task_id)
        if task.status != TaskStatus.AWAITING_SIGNOFF:
            raise InvalidState(
                Message(N_("the task is not waiting for sign-off (%(status)s)"), status=task.status)
            )
        return task, instance, governance
