"""Kept messages reach an instance as soon as it waits for them (settle.py calls this)."""

from __future__ import annotations

from typing import Any

from . import events
from .event_store import KeptMessages
from .model import ProcessInstance
from .unit_of_work import UnitOfWork


def record(*args: Any, **kwargs: Any) -> Any:
    from .settle import record as record_event  # settle imports this module

    return record_event(*args, **kwargs)


def receive_kept(uow: UnitOfWork, workflow: Any, instance: ProcessInstance, actor: str) -> bool:
    """Give `workflow` the kept messages it waits for now; return whether it took any."""
    names = {name for kind, name in events.waiting_names(workflow) if kind == events.MESSAGE}
    if not names:
        return False
    store = KeptMessages(uow.session)
    took = False
    for message in store.waiting_for(names, uow.now):
        caught = events.deliver(
            workflow, events.MESSAGE, message.name, message.payload, message.correlation
        )
        if caught:
            store.delivered(message.id)
            details = {
                "name": message.name,
                "elements": caught,
                "correlation": message.correlation,
                "payload": message.payload,
                "kept_since": message.sent_at.isoformat(),
                "sent_by_instance": message.sender_instance,
            }
            record(uow, instance, "message_received", actor=actor, details=details)
            took = True
    return took
