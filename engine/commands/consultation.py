"""Consultation (RACI C): answers from the consulted roles, overrides by A."""

from __future__ import annotations

from raci import policy
from raci.messages import N_, Message

from ..errors import InvalidState
from ..model import TaskStatus
from .base import EngineBase, record_act, required


class ConsultationCommands(EngineBase):
    """Answer or override the consultations of a task."""

    def answer_consultation(self, consultation_id: int, *, user: str, comment: str) -> None:
        """Answer for a consulted role; the performer sees the comment."""
        comment = required(comment, N_("An answer needs a comment."))
        with self.refusals_recorded(user, "answer"), self.uow() as uow:
            uow.tasks.lock(uow.consultations.task_of(consultation_id))
            consultation = uow.consultations.get(consultation_id)
            if not consultation.is_open:
                raise InvalidState(Message(N_("the consultation was answered or let go already")))
            task, instance, governance = self._governed_task(uow, consultation.task_id)
            if not TaskStatus(task.status).is_open:
                raise InvalidState(Message(N_("the task is %(status)s"), status=task.status))
            acting = governance.check(
                task,
                policy.may_answer,
                consultation.role,
                user,
                governance.today,
                routed_to=consultation.routed_to,
            )
            consultation.answered_by, consultation.answered_for = user, acting.on_behalf_of
            consultation.answered_at, consultation.comment = uow.now, comment
            record_act(
                uow,
                instance,
                task,
                "consult_answered",
                letter="C",
                acting=acting,
                role=consultation.role,
                comment=comment,
            )
            governance.tell_answered(uow, instance, task, by=user)
            instance.updated_at = uow.now
            uow.commit()

    def override_consultation(self, task_id: str, *, user: str, reason: str) -> None:
        """Let the work go on without the consultations still unanswered (A only)."""
        reason = required(reason, N_("A reason is required to go on without the consultations."))
        with self.refusals_recorded(user, "override"), self.uow() as uow:
            uow.tasks.lock(task_id)
            task, instance, governance = self._governed_task(uow, task_id)
            if task.status != TaskStatus.READY:
                raise InvalidState(Message(N_("the task is %(status)s"), status=task.status))
            row = governance.row(task)
            acting = governance.check(task, policy.may_override, row, user, governance.today)
            waiting = [c for c in uow.consultations.for_task(task_id) if c.is_open]
            if not waiting:
                raise InvalidState(Message(N_("no consultation of the task waits for an answer")))
            for consultation in waiting:
                consultation.overridden_by, consultation.override_reason = user, reason
            record_act(
                uow,
                instance,
                task,
                "consult_overridden",
                letter="A",
                acting=acting,
                reason=reason,
                roles=[c.role for c in waiting],
            )
            instance.updated_at = uow.now
            uow.commit()
