"""Business changes on the record: each change a process makes to business data is an
audit event in its instance's hash chain (the shape is documented in docs/audit.md).

A service reports a change with `ctx.record_change(entity, key, field, old, new)`.
The changes of one service call are held until the call succeeds, then written as
`data_changed` events, each followed by its row in the entity's read model (a
history table people read, carrying the event's id). A service that fails leaves
neither its writes (its savepoint is rolled back) nor its events behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .loaded_versions import loaded_version

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .model import ProcessInstance
    from .unit_of_work import UnitOfWork

CHANGE_ACTION = "data_changed"
DECISION_ACTION = "decision"


def change_text(value: Any) -> str | None:
    """A value as the trail stores it: text, numbers without float noise, times in UTC."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        normal = value.normalize()
        return str(int(normal)) if normal == normal.to_integral_value() else str(normal)
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
        return when.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    """One field of one business record, from `old` to `new` (both as `change_text`)."""

    entity: str  # customer, stock, order, order_line, asset, credit_note, ...
    key: str  # the record: a customer id, "WH1/P001", an order number, a serial, ...
    field: str
    old: str | None
    new: str | None

    def as_details(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "key": self.key,
            "field": self.field,
            "old": self.old,
            "new": self.new,
        }

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> Change:
        return cls(
            details["entity"], details["key"], details["field"], details["old"], details["new"]
        )


@dataclass(frozen=True)
class RecordedChange:
    """A change as its event recorded it: what a read model's row is built from."""

    event_id: int
    change: Change
    actor: str
    on_behalf_of: str | None
    reason: str | None
    occurred_at: datetime
    instance_id: str | None


# Writes an entity's read-model row for a recorded change (see engine/read_models.py).
Projector = Callable[["Session", RecordedChange], None]


class BusinessTrail:
    """Record what the steps of one command do to business data, on the instance's chain.

    Changes are held per service call and recorded once the call succeeded;
    decisions (engine/decisions.py) are recorded as they are taken.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        *,
        actor: str,
        on_behalf_of: str | None,
        projector: Projector | None,
    ) -> None:
        self.uow = uow
        self.instance = instance
        self.actor = actor
        self.on_behalf_of = on_behalf_of
        self.projector = projector
        self._pending: list[tuple[Change, str | None]] = []

    def add(
        self, entity: str, key: Any, field: str, old: Any, new: Any, reason: str | None
    ) -> bool:
        """Hold a change for recording; a value that did not change is not one."""
        change = Change(entity, str(key), field, change_text(old), change_text(new))
        if change.old == change.new:
            return False
        self._pending.append((change, reason))
        return True

    def decision(self, details: dict[str, Any]) -> None:
        """Record a decision table's verdict (its shape: engine/decisions.py)."""
        details = {"process_version": self._version_number(), **details}
        self.uow.audit.record(
            self.instance.id,
            occurred_at=self.uow.now,
            actor=self.actor,
            action=DECISION_ACTION,
            instance_id=self.instance.id,
            process_id=self.instance.process_id,
            on_behalf_of=self.on_behalf_of,
            details=details,
        )

    def _version_number(self) -> int:
        return loaded_version(self.uow, self.instance.version_id).number

    def discard(self) -> None:
        self._pending.clear()

    def commit(self) -> None:
        """Record each held change as an event, then its read-model row."""
        pending, self._pending = self._pending, []
        for change, reason in pending:
            event = self.uow.audit.record_now(
                self.instance.id,
                occurred_at=self.uow.now,
                actor=self.actor,
                action=CHANGE_ACTION,
                instance_id=self.instance.id,
                process_id=self.instance.process_id,
                on_behalf_of=self.on_behalf_of,
                reason=reason,
                details=change.as_details(),
            )
            if self.projector is not None:
                recorded = RecordedChange(
                    event.id,
                    change,
                    event.actor,
                    event.on_behalf_of,
                    event.reason,
                    event.occurred_at,
                    event.instance_id,
                )
                self.projector(self.uow.session, recorded)
