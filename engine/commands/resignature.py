"""A signature covers exactly what was signed: a change to signed data needs a new one.

When a step after a sign-off fails, an admin may retry it with corrected data
(`retry --data`). If that data changes a field a sign-off covered, the change
would take effect unsigned; instead the sign-off is voided and the task waits
for A again, now with the changed data (the one who changed it cannot sign).
Approving runs the failed step again with the signed data; rejecting drops the
change and restores the earlier signature, the instance staying in error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ..authority import SigningLevel, signing_level
from ..errors import InvalidState
from ..governance import Governance, signoff_due
from ..incidents import report_incident
from ..model import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from ..settle import advance_and_settle, record
from ..signature import changed_fields, digest
from ..unit_of_work import UnitOfWork
from .base import EngineBase, InstanceState, record_act, state_of

VOIDED = "signoff_voided"


class ResignatureCommands(EngineBase):
    """Void a sign-off whose data a retry changes; sign the change off, or drop it."""

    def _signing_level(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        governance: Governance,
        data: dict[str, Any],
    ) -> SigningLevel | None:
        """The level `data` needs on `task` (engine/authority.py); None without a level table."""
        if governance.row(task).rules.authority is None:
            return None
        workflow, _ = self._load(uow, instance)
        return signing_level(self.runtime, workflow, governance, task, data)

    def _signed_change(
        self, uow: UnitOfWork, instance: ProcessInstance, data: dict[str, Any]
    ) -> tuple[HumanTask, dict[str, tuple[Any, Any]]] | None:
        """The signed task whose data `data` would change, and the fields it changes.

        A change reaching into two sign-offs is refused: one signer cannot sign for both.
        """
        touched = [
            (task, changes)
            for task in uow.tasks.signed_for_instance(instance.id)
            if (changes := changed_fields(task.submitted_data or {}, data))
        ]
        if len(touched) > 1:
            names = ", ".join(f"'{task.name}'" for task, _ in touched)
            raise InvalidState(
                f"the data changes what several sign-offs covered ({names}); change one at a time"
            )
        return touched[0] if touched else None

    def resignature_pending(self, instance_id: str) -> str | None:
        """The name of the task whose changed data waits for a new sign-off, if any:
        until it is signed or rejected, the instance cannot be retried again."""
        with self.reader() as uow:
            task = self._resigning(uow, uow.instances.get(instance_id))
            return task.name if task else None

    def _refuse_while_resigning(self, uow: UnitOfWork, instance: ProcessInstance) -> None:
        task = self._resigning(uow, instance)
        if task is not None:
            raise InvalidState(
                f"changed data of '{task.name}' waits for a new sign-off;"
                " it is approved or rejected first"
            )

    def _resigning(self, uow: UnitOfWork, instance: ProcessInstance) -> HumanTask | None:
        return next(
            (
                task
                for task in uow.tasks.open_for_instance(instance.id)
                if self._is_resignature(uow, instance, task)
            ),
            None,
        )

    def _void_signoff(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        changes: dict[str, tuple[Any, Any]],
        *,
        user: str,
        data: dict[str, Any],
    ) -> InstanceState:
        """Send `task` back for sign-off with `data` laid over what was signed."""
        governance = self._governance(uow, instance.version_id)
        assert governance is not None  # only governed tasks are signed off
        signed = dict(task.submitted_data or {})
        changed = {**signed, **data}
        level = self._signing_level(uow, instance, task, governance, changed)
        record(
            uow,
            instance,
            VOIDED,
            actor=user,
            task_id=task.id,
            raci_role="A",
            reason="retry with data that changes what was signed",
            details={
                "element": task.spec_id,
                "signed_by": task.signed_off_by,
                "signed_at": task.signed_off_at.isoformat() if task.signed_off_at else None,
                "signed_digest": digest(signed),
                "signed_data": signed,
                "changes": {field: [old, new] for field, (old, new) in changes.items()},
                "digest": digest(changed),
                **({"authority": level.as_details()} if level else {}),
            },
        )
        row = governance.row(task)
        task.status, task.submitted_data, task.submitted_at = (
            TaskStatus.AWAITING_SIGNOFF,
            changed,
            uow.now,
        )
        task.performer, task.performer_for = user, None  # four eyes: the changer cannot sign
        task.signed_off_by = task.signed_off_at = task.completed_at = None
        task.signoff_due_at = signoff_due(row, uow.now)
        uow.task_roles.add_for(task, [(level.role if level else row.accountable or "", "A")])
        instance.updated_at = uow.now  # bumps the revision: racing writers conflict
        uow.commit()
        state = state_of(instance, self._version(uow, instance.version_id).number)
        return replace(state, held_for_signoff=task.id)

    def _is_resignature(self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask) -> bool:
        """Whether `task` waits for a signature of changed data (its step ran already)."""
        if instance.status != InstanceStatus.ERROR or task.status != TaskStatus.AWAITING_SIGNOFF:
            return False
        workflow, _ = self._load(uow, instance)
        return self.runtime.is_done(workflow, task.id)

    def _approve_change(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        task: HumanTask,
        governance: Governance,
        acting: Any,
        signed: dict[str, Any],
    ) -> InstanceState:
        """Sign the changed data, then run the failed step again with it."""
        data = dict(task.submitted_data or {})
        workflow, version_number = self._load(uow, instance)
        task.status, task.completed_at = TaskStatus.COMPLETED, uow.now
        uow.task_roles.remove_for([task.id])
        record_act(uow, instance, task, "approve", letter="A", acting=acting, **signed)
        governance.notify_informed(
            uow, instance, task, after="signoff", actor=acting.user, data=data
        )
        elements = self.runtime.reset_failed_tasks(workflow, data)
        record(
            uow,
            instance,
            "retry",
            actor=acting.user,
            details={
                "elements": elements,
                "data": data,
                "signed_digest": signed["digest"],
                "previous_error": instance.error_message,
            },
        )
        ready = advance_and_settle(
            uow, self.runtime, instance, workflow, actor=acting.user, governance=governance
        )
        if instance.status == InstanceStatus.ERROR:  # failed again: tell them again
            report_incident(uow, instance, task, governance, actor=acting.user)
        uow.commit()
        return state_of(instance, version_number, ready)

    def _reject_change(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, acting: Any, reason: str
    ) -> None:
        """Drop the change: the earlier signature stands again, the instance stays in error."""
        voided = uow.audit.last_details(task.id, VOIDED) or {}
        task.status = TaskStatus.COMPLETED
        task.submitted_data = voided.get("signed_data", task.submitted_data)
        task.signed_off_by = voided.get("signed_by")
        signed_at = voided.get("signed_at")
        task.signed_off_at = task.completed_at = (
            datetime.fromisoformat(signed_at) if signed_at else uow.now
        )
        uow.task_roles.remove_for([task.id])
        record_act(
            uow, instance, task, "reject", letter="A", acting=acting, reason=reason, change=True
        )
        instance.updated_at = uow.now
        uow.commit()
