"""The RACI commands of the engine: sign-off, consultation, reassignment, notices, directory.

A mixin of ProcessEngine (engine/services.py), which supplies the unit of
work, the version cache and `_run_task`. Each method is one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from raci import policy, report
from raci.directory import Directory
from raci.matrix import RaciMatrix

from . import audit, views
from .definitions import SourceFile, parse_definitions
from .errors import InvalidState, NotFound
from .governance import Governance, RaciRefusal
from .mail import OutgoingMail, SmtpSettings, send_batch
from .matrices import MatrixReview, matrix_of, review_matrices
from .model import HumanTask, Notification, ProcessInstance, TaskStatus
from .settle import record

if TYPE_CHECKING:
    from .services import InstanceState
    from .unit_of_work import UnitOfWork


class RaciCommands:
    # Supplied by ProcessEngine.
    uow: Any
    known_services: Any
    _governance: Any
    _run_task: Any

    # -- sign-off (A) ---------------------------------------------------------

    def approve(self, task_id: str, *, user: str) -> InstanceState:
        """Sign off submitted work: the process runs on with the data the performer sent."""
        with self.refusals_recorded(user, "approve"), self.uow() as uow:
            open_tasks = uow.tasks.open_alongside(task_id)
            task, instance, governance = self._awaiting(uow, task_id)
            acting = self._signer(governance, task, user)
            task.signed_off_by, task.signed_off_at = user, uow.now

            def acts() -> None:
                record(
                    uow,
                    instance,
                    "approve",
                    actor=user,
                    task_id=task.id,
                    raci_role="A",
                    on_behalf_of=acting.on_behalf_of,
                    details={"element": task.spec_id},
                )
                governance.notify_informed(uow, instance, task, after="signoff", actor=user)

            data = dict(task.submitted_data or {})
            return self._run_task(uow, instance, task, data, open_tasks, governance, acts)

    def reject(self, task_id: str, *, user: str, reason: str) -> None:
        """Send submitted work back to its performer with a reason."""
        reason = _required(reason, "a reason is required to reject")
        with self.refusals_recorded(user, "reject"), self.uow() as uow:
            task, instance, governance = self._awaiting(uow, task_id)
            acting = self._signer(governance, task, user)
            task.status, task.assignee = TaskStatus.READY, task.performer
            task.rework_count += 1
            task.rejection_reason = reason
            task.signoff_due_at = None
            record(
                uow,
                instance,
                "reject",
                actor=user,
                task_id=task.id,
                raci_role="A",
                on_behalf_of=acting.on_behalf_of,
                reason=reason,
                details={"element": task.spec_id, "rework": task.rework_count},
            )
            governance.notify(
                uow,
                instance,
                task,
                task.performer,
                f"{task.name}: sent back to you",
                f"{user} sent '{task.name}' back: {reason}",
            )
            instance.updated_at = uow.now  # bumps the revision: racing writers conflict
            uow.commit()

    # -- consultation (C) -----------------------------------------------------

    def answer_consultation(self, consultation_id: int, *, user: str, comment: str) -> None:
        """Answer for a consulted role; the performer sees the comment."""
        comment = _required(comment, "an answer needs a comment")
        with self.refusals_recorded(user, "answer"), self.uow() as uow:
            consultation = uow.consultations.get(consultation_id)
            if not consultation.is_open:
                raise InvalidState(f"consultation {consultation_id} is already closed")
            task, instance, governance = self._governed_task(uow, consultation.task_id)
            if not TaskStatus(task.status).is_open:
                raise InvalidState(f"task {task.id} is {task.status}")
            acting = governance.check(
                task, policy.may_answer, consultation.role, user, governance.today
            )
            consultation.answered_by, consultation.answered_for = user, acting.on_behalf_of
            consultation.answered_at, consultation.comment = uow.now, comment
            record(
                uow,
                instance,
                "consult_answered",
                actor=user,
                task_id=task.id,
                raci_role="C",
                on_behalf_of=acting.on_behalf_of,
                details={"element": task.spec_id, "role": consultation.role, "comment": comment},
            )
            instance.updated_at = uow.now
            uow.commit()

    def override_consultation(self, task_id: str, *, user: str, reason: str) -> None:
        """Let the work go on without the consultations still unanswered (A only)."""
        reason = _required(reason, "a reason is required to override consultation")
        with self.refusals_recorded(user, "override"), self.uow() as uow:
            task, instance, governance = self._governed_task(uow, task_id)
            if task.status != TaskStatus.READY:
                raise InvalidState(f"task {task_id} is {task.status}")
            row = governance.row(task)
            acting = governance.check(task, policy.may_override, row, user, governance.today)
            waiting = [c for c in uow.consultations.for_task(task_id) if c.is_open]
            if not waiting:
                raise InvalidState(f"task {task_id} has no unanswered consultation")
            for consultation in waiting:
                consultation.overridden_by, consultation.override_reason = user, reason
            record(
                uow,
                instance,
                "consult_overridden",
                actor=user,
                task_id=task.id,
                raci_role="A",
                on_behalf_of=acting.on_behalf_of,
                reason=reason,
                details={"element": task.spec_id, "roles": [c.role for c in waiting]},
            )
            instance.updated_at = uow.now
            uow.commit()

    # -- responsibility (R) ---------------------------------------------------

    def reassign(self, task_id: str, *, user: str, to: str, reason: str | None = None) -> None:
        """Hand an open task to another R member (by an R member or an admin)."""
        with self.refusals_recorded(user, "reassign"), self.uow() as uow:
            task = uow.tasks.get(task_id)
            if task.status != TaskStatus.READY:
                raise InvalidState(f"task {task_id} is {task.status}")
            instance = uow.instances.get(task.instance_id)
            governance = self._governance(uow, instance.version_id)
            on_behalf_of = None
            if governance is not None:
                by, _ = governance.check(
                    task, policy.may_reassign, governance.row(task), user, to, governance.today
                )
                on_behalf_of = by.on_behalf_of if by else None
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
            instance.updated_at = uow.now
            uow.commit()

    # -- notifications (I) ----------------------------------------------------

    def notifications(self, user: str, *, unread_only: bool = False) -> list[Notification]:
        with self.uow() as uow:
            return uow.notifications.for_user(user, unread_only=unread_only)

    def mark_read(self, user: str, notification_ids: list[int]) -> int:
        with self.uow() as uow:
            count = uow.notifications.mark_read(user, notification_ids, uow.now)
            uow.commit()
            return count

    def send_outbox(
        self, smtp: SmtpSettings, *, limit: int = 50, max_attempts: int = 5
    ) -> tuple[int, int]:
        """Send queued e-mails over SMTP; return (sent, failed). Failures are retried later."""
        with self.uow() as uow:
            mails = uow.outbox.due(limit, max_attempts)
            deliveries = send_batch(
                smtp, [OutgoingMail(m.id, m.recipient, m.subject, m.body) for m in mails]
            )
            by_id = {mail.id: mail for mail in mails}
            for delivery in deliveries:
                mail = by_id[delivery.id]
                mail.attempts += 1
                if delivery.sent:
                    mail.sent_at, mail.last_error = uow.now, None
                else:
                    mail.last_error = delivery.error
            uow.commit()
        sent = sum(1 for d in deliveries if d.sent)
        return sent, len(deliveries) - sent

    # -- matrices ---------------------------------------------------------------

    def review_matrices(
        self, files: Sequence[SourceFile], directory: Directory | None = None
    ) -> MatrixReview:
        """Check the matrices among `files` against their BPMN and the directory (the
        stored one unless another is given), without deploying anything."""
        services = self.known_services() if self.known_services else None
        definitions = parse_definitions(
            [f for f in files if not f.is_matrix], known_services=services
        )
        if directory is None:
            directory = self.directory()
        return review_matrices(definitions, [f for f in files if f.is_matrix], directory)

    def matrix(self, process_id: str, version: int | None = None) -> tuple[int, RaciMatrix | None]:
        """The RACI matrix of a deployed process version (latest by default)."""
        with self.uow() as uow:
            found = uow.versions.find(process_id, version)
            return found.version, matrix_of(found)

    # -- compliance -------------------------------------------------------------

    def compliance_report(
        self,
        *,
        process_id: str | None = None,
        instance_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[report.Execution]:
        """Each activity execution with its R, A, C and I acts, violations and overrides."""
        events = views.audit_events(
            self.uow(), process_id=process_id, instance_id=instance_id, since=since, until=until
        )
        return report.build(events)

    # -- directory --------------------------------------------------------------

    def directory(self) -> Directory:
        with self.uow() as uow:
            return uow.directory.load()

    def import_directory(self, directory: Directory, *, user: str) -> None:
        """Replace the directory; users left out are deactivated, never deleted."""
        with self.uow() as uow:
            before = uow.directory.load()
            uow.directory.replace(directory)
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=user,
                action="directory_import",
                details={
                    "users": len(directory.users),
                    "roles": len(directory.roles),
                    "deputies": len(directory.deputies),
                    "added": sorted(directory.users.keys() - before.users.keys()),
                    "deactivated": sorted(
                        u
                        for u in before.users.keys() - directory.users.keys()
                        if before.users[u].active
                    ),
                },
            )
            uow.commit()

    # -- helpers ----------------------------------------------------------------

    @contextmanager
    def refusals_recorded(self, user: str, action: str) -> Iterator[None]:
        """Record a RACI refusal in the audit trail (its own transaction), then re-raise."""
        try:
            yield
        except RaciRefusal as refusal:
            with self.uow() as uow:
                task = uow.tasks.get(refusal.task_id)
                instance = uow.instances.get(task.instance_id)
                record(
                    uow,
                    instance,
                    "refused",
                    actor=user,
                    task_id=task.id,
                    raci_role=refusal.letter,
                    reason=str(refusal),
                    details={"element": task.spec_id, "attempted": action},
                )
                uow.commit()
            raise

    def _acting_r(
        self, uow: UnitOfWork, instance: ProcessInstance, task: HumanTask, user: str
    ) -> dict[str, Any]:
        """Audit fields for an R act; refused if the user may not work the task."""
        governance = self._governance(uow, instance.version_id)
        if governance is None:
            return {}
        acting = governance.check(
            task, policy.may_work, governance.row(task), user, governance.today
        )
        return {"raci_role": "R", "on_behalf_of": acting.on_behalf_of}

    def _governed_task(
        self, uow: UnitOfWork, task_id: str
    ) -> tuple[HumanTask, ProcessInstance, Governance]:
        task = uow.tasks.get(task_id)
        instance = uow.instances.get(task.instance_id)
        governance = self._governance(uow, instance.version_id)
        if governance is None:
            raise NotFound(f"task {task_id} has no RACI matrix")
        return task, instance, governance

    def _awaiting(
        self, uow: UnitOfWork, task_id: str
    ) -> tuple[HumanTask, ProcessInstance, Governance]:
        task, instance, governance = self._governed_task(uow, task_id)
        if task.status != TaskStatus.AWAITING_SIGNOFF:
            raise InvalidState(f"task {task_id} is not waiting for sign-off ({task.status})")
        return task, instance, governance

    @staticmethod
    def _signer(governance: Governance, task: HumanTask, user: str) -> Any:
        return governance.check(
            task,
            policy.may_sign_off,
            governance.row(task),
            user,
            governance.today,
            performer=task.performer,
            performer_for=task.performer_for,
        )


def _required(text: str | None, message: str) -> str:
    if not text or not text.strip():
        raise InvalidState(message)
    return text.strip()
