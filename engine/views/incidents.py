"""An instance's incident: the step that failed, when, and after whose act.

An instance in error holds the failed element and message; the trail holds the
rest. The form an admin retries with is that of the human task finished last
before the failure (the start form if none was).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..model import AuditEvent, InstanceStatus
from ..unit_of_work import UnitOfWork

START_FORM = "start"  # as engine.commands.base names the start form
HUMAN_ACTS = ("complete", "approve")
ACTS = (
    "start", "complete", "approve", "retry", "timer_fired", "consult_overridden",
    "message_received", "signal_received",
)  # fmt: skip


def act_before_failure(events: Iterable[AuditEvent], *, retries: bool = True) -> AuditEvent | None:
    """The act the last failure ran after (`events` in trail order); with `retries`
    False, a retry is passed over for the act that first asked for the step."""
    act = failed_after = None
    for event in events:
        if event.action == "error":
            failed_after = act
        elif event.action in ACTS and (retries or event.action != "retry"):
            act = event
    return failed_after


def failed_step_asked_by(events: Iterable[AuditEvent]) -> str | None:
    """Who first asked for the failed step: whom a retry runs it for."""
    act = act_before_failure(events, retries=False)
    return act.actor if act is not None else None


def incident(uow: UnitOfWork, instance_id: str) -> dict[str, Any] | None:
    """The incident of an instance in error, or None if it is not in error."""
    with uow.read_only():
        instance = uow.instances.get(instance_id)
        if instance.status != InstanceStatus.ERROR:
            return None
        events = list(
            uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.instance_id == instance_id)
                .order_by(AuditEvent.seq.desc())
            )
        )
        error = next((e for e in events if e.action == "error"), None)
        act = act_before_failure(reversed(events))
        # The human task finished last: a signed or self-approved one records both acts.
        last_done = next((e.details.get("element") for e in events if e.action in HUMAN_ACTS), None)
        return {
            "instance_id": instance.id,
            "process_id": instance.process_id,
            "element": instance.error_task,
            "message": instance.error_message,
            "at": error.occurred_at.isoformat() if error else None,
            "after_action": act.action if act else None,
            "after_actor": act.actor if act else None,
            "after_on_behalf_of": act.on_behalf_of if act else None,
            "after_element": (act.details or {}).get("element") if act else None,
            "form_element": last_done or START_FORM,
        }
