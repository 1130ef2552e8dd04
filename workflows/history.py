"""The history tables people read: read models of the business changes on the audit trail.

Each row is written with its `data_changed` event (engine/changes.py) and carries
its id; `raciflow audit verify` holds every row against its event
(engine/read_models.py). The trail is the record, these tables only show it.
"""

from __future__ import annotations

from typing import Any

from engine.changes import RecordedChange
from engine.read_models import ReadModel

from .tables import customer_changes, record_changes

# The CRM records other than customers whose changes are recorded (entity: key).
RECORD_ENTITIES = {
    "stock": "warehouse/product",
    "order": "order number",
    "order_line": "order number/line",
    "asset": "serial",
    "credit_note": "credit note number",
    "complaint": "complaint id",
    "service_request": "service request id",
}


def _common(recorded: RecordedChange) -> dict[str, Any]:
    return {
        "field": recorded.change.field,
        "old_value": recorded.change.old,
        "new_value": recorded.change.new,
        "changed_by": recorded.actor,
        "on_behalf_of": recorded.on_behalf_of,
        "reason": recorded.reason,
        "changed_at": recorded.occurred_at,
        "instance_id": recorded.instance_id,
    }


def _customer_row(recorded: RecordedChange) -> dict[str, Any]:
    return {"customer_id": int(recorded.change.key), **_common(recorded)}


def _record_row(recorded: RecordedChange) -> dict[str, Any]:
    return {"entity": recorded.change.entity, "key": recorded.change.key, **_common(recorded)}


CUSTOMER_CHANGES = ReadModel(customer_changes, frozenset({"customer"}), _customer_row)
RECORD_CHANGES = ReadModel(record_changes, frozenset(RECORD_ENTITIES), _record_row)
READ_MODELS = (CUSTOMER_CHANGES, RECORD_CHANGES)
