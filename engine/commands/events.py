"""Send messages and signals to instances: the waiting ones, or new ones they start.

A message or signal goes, in one transaction, to every live instance waiting for it
with a matching correlation (engine/events.py says what matches); a message nobody
waits for starts the processes whose start event is that message, else it is kept
for the configured time (`message_ttl`) or, with no time, refused. Messages and
signals an instance throws are delivered the same way, in the transaction of the
step that threw them. Every delivery is on the receiving instance's audit trail.
See docs/events.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from .. import events
from ..errors import InvalidState
from ..event_store import KeptMessages
from ..model import InstanceStatus, ProcessInstance
from ..orm import process_instances, process_versions
from ..payload import check_payload
from ..settle import advance_and_settle, record
from ..unit_of_work import UnitOfWork
from .base import EngineBase

MAX_CHAIN = 10  # instances throwing to instances throwing to ...: deeper is refused
_LIVE = (InstanceStatus.RUNNING.value, InstanceStatus.WAITING.value)


@dataclass(frozen=True)
class Delivery:
    """What became of one message or signal."""

    kind: str
    name: str
    delivered_to: tuple[str, ...] = ()  # instances that were waiting for it
    started: tuple[str, ...] = ()  # instances it started (message and signal start events)
    kept_until: datetime | None = None  # a message nobody took yet: kept until then


@dataclass
class _Chain:
    """The instances one command has changed by events (each takes part once)."""

    busy: set[str] = field(default_factory=set)
    depth: int = 0


class EventCommands(EngineBase):
    """Messages and signals from outside (CLI, API) and between instances."""

    message_ttl: timedelta = timedelta(days=1)  # set by build_engine; zero: refuse at once

    def send_message(
        self,
        name: str,
        *,
        user: str,
        correlation: dict[str, Any] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Delivery:
        """Deliver message `name` to the instances waiting for it with this correlation."""
        name = _name(name)
        payload = check_payload(payload or {})
        correlation = check_payload({str(k): v for k, v in (correlation or {}).items()})
        with self.uow() as uow:
            delivery = self._deliver(
                uow, events.MESSAGE, name, payload, correlation, actor=user, chain=_Chain()
            )
            if not delivery.delivered_to and not delivery.started:
                delivery = self._keep_or_refuse(uow, name, correlation, payload, user, None)
            uow.commit()
            return delivery

    def send_signal(
        self, name: str, *, user: str, payload: dict[str, Any] | None = None
    ) -> Delivery:
        """Broadcast signal `name` to every instance waiting for it (and start those it starts).

        Nobody waiting is not an error: a signal is news for whoever listens.
        """
        name = _name(name)
        payload = check_payload(payload or {})
        with self.uow() as uow:
            delivery = self._deliver(
                uow, events.SIGNAL, name, payload, {}, actor=user, chain=_Chain()
            )
            uow.commit()
            return delivery

    def purge_expired_messages(self) -> int:
        """Drop kept messages whose time is up (the worker calls this); return how many."""
        with self.reader() as uow:  # every sweep: most times, nothing to drop
            if not KeptMessages(uow.session).any_expired(uow.now):
                return 0
        with self.uow() as uow:
            purged = KeptMessages(uow.session).purge_expired(uow.now)
            uow.commit()
            return purged

    # -- delivery, in the caller's unit of work -----------------------------------------

    def _deliver(
        self,
        uow: UnitOfWork,
        kind: str,
        name: str,
        payload: Any,
        correlation: dict[str, Any],
        *,
        actor: str,
        chain: _Chain,
        sender: str | None = None,
    ) -> Delivery:
        delivered = []
        for instance_id in self._candidates(uow, kind, name):
            if instance_id in chain.busy:  # changed already in this command: see docs
                continue
            instance = uow.instances.lock(instance_id)
            if self._deliver_to(uow, instance, kind, name, payload, correlation, actor, sender):
                chain.busy.add(instance_id)
                delivered.append(instance_id)
        started = []
        if kind == events.SIGNAL or not delivered:
            for process_id in self._starters(uow, kind, name):
                instance, _, _ = self._start_in(uow, process_id, user=actor, data={})
                chain.busy.add(instance.id)
                if self._deliver_to(uow, instance, kind, name, payload, {}, actor, sender):
                    started.append(instance.id)
        return Delivery(kind, name, tuple(delivered), tuple(started))

    def _deliver_to(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        kind: str,
        name: str,
        payload: Any,
        correlation: dict[str, Any],
        actor: str,
        sender: str | None,
    ) -> bool:
        """Hand the event to `instance` (locked, or new in this unit of work) and run it on."""
        if InstanceStatus(instance.status) not in (InstanceStatus.RUNNING, InstanceStatus.WAITING):
            return False
        workflow, _ = self._load(uow, instance)
        timers_before = self.runtime.timer_ids(workflow)
        try:
            caught = events.deliver(workflow, kind, name, payload, correlation)
        except Exception as err:  # a correlation expression failing on this payload
            raise InvalidState(
                f"instance {instance.id} cannot take {kind} '{name}': {type(err).__name__}: {err}"
            ) from err
        if not caught:
            return False
        details: dict[str, Any] = {
            "name": name,
            "elements": caught,
            "correlation": correlation,
            "payload": payload,
        }
        if sender is not None:
            details["sent_by_instance"] = sender
        record(uow, instance, f"{kind}_received", actor=actor, details=details)
        advance_and_settle(
            uow,
            self.runtime,
            instance,
            workflow,
            actor=actor,
            timers_before=timers_before,
            governance=self._governance(uow, instance.version_id),
        )
        return True

    def _deliver_thrown(
        self, uow: UnitOfWork, thrown: list[events.Thrown], sender: ProcessInstance, actor: str
    ) -> None:
        """Deliver what `sender` threw (settle.py calls this after settling the sender)."""
        chain = uow.__dict__.setdefault("event_chain", _Chain())
        chain.busy.add(sender.id)
        chain.depth += 1
        try:
            if chain.depth > MAX_CHAIN:
                raise InvalidState(
                    f"instances sent events to each other more than {MAX_CHAIN} levels deep"
                )
            for event in thrown:
                delivery = self._deliver(
                    uow,
                    event.kind,
                    event.name,
                    event.payload,
                    event.correlation,
                    actor=actor,
                    chain=chain,
                    sender=sender.id,
                )
                if event.kind == events.MESSAGE and not (delivery.delivered_to or delivery.started):
                    self._keep_or_drop(uow, event, sender, actor)
        finally:
            chain.depth -= 1

    def _keep_or_refuse(
        self,
        uow: UnitOfWork,
        name: str,
        correlation: dict[str, Any],
        payload: Any,
        user: str,
        sender: str | None,
    ) -> Delivery:
        if self.message_ttl <= timedelta(0):
            wanted = ", ".join(f"{k}={v}" for k, v in correlation.items()) or "no correlation"
            raise InvalidState(
                f"no instance waits for message '{name}' ({wanted}) and no process starts on it"
            )
        kept = KeptMessages(uow.session).keep(
            name,
            correlation,
            payload,
            sent_by=user,
            sender_instance=sender,
            now=uow.now,
            expires_at=uow.now + self.message_ttl,
        )
        return Delivery(events.MESSAGE, name, kept_until=kept.expires_at)

    def _keep_or_drop(
        self, uow: UnitOfWork, event: events.Thrown, sender: ProcessInstance, actor: str
    ) -> None:
        """A thrown message nobody took: kept if messages are kept, else noted as dropped."""
        if self.message_ttl > timedelta(0):
            self._keep_or_refuse(
                uow, event.name, event.correlation, event.payload, actor, sender.id
            )
            action = "message_kept"
        else:
            action = "message_dropped"
        details = {"name": event.name, "correlation": event.correlation}
        record(uow, sender, action, actor=actor, details=details)

    # -- who may receive -------------------------------------------------------------------

    def _candidates(self, uow: UnitOfWork, kind: str, name: str) -> list[str]:
        """Live instances of versions that wait for this event somewhere, oldest first."""
        connection = uow.session.connection()
        live = process_instances.c.status.in_(_LIVE)
        version_ids = connection.execute(
            select(process_instances.c.version_id).where(live).distinct()
        ).scalars()
        catching = [
            v for v in version_ids if events.catches(self._version(uow, v).specs, kind, name)
        ]
        if not catching:
            return []
        rows = connection.execute(
            select(process_instances.c.id)
            .where(live, process_instances.c.version_id.in_(catching))
            .order_by(process_instances.c.started_at, process_instances.c.id)
        )
        return list(rows.scalars())

    def _starters(self, uow: UnitOfWork, kind: str, name: str) -> list[str]:
        """Processes whose latest version starts on this event."""
        process_ids = uow.session.connection().execute(
            select(process_versions.c.process_id).distinct().order_by(process_versions.c.process_id)
        )
        return [
            process_id
            for process_id in process_ids.scalars()
            if events.starts_on(
                self._version(uow, self._find_version(uow, process_id)).specs, kind, name
            )
        ]


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidState("an event needs a name of 1 to 200 characters")
    return name
