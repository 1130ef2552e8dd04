"""Read and change customers; every change to a customer field is logged."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .tables import customer_changes, customers

CHANGEABLE_FIELDS = (
    "name",
    "afm",
    "segment",
    "status",
    "visit_frequency",
    "bd",
    "purchasing_manager",
    "payments_manager",
    "phone",
    "email",
    "credit_limit",
    "payment_terms_days",
)


class UnknownCustomer(LookupError):
    def __init__(self, customer_id: object) -> None:
        super().__init__(f"customer {customer_id} does not exist")


def get_customer(session: Session, customer_id: int) -> dict[str, Any]:
    """The customer's row as a dict (money as float, ready for process data)."""
    row = session.execute(select(customers).where(customers.c.id == customer_id)).mappings().first()
    if row is None:
        raise UnknownCustomer(customer_id)
    return {
        key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()
    }


def change_customer(
    session: Session,
    customer_id: int,
    changes: dict[str, Any],
    *,
    by: str,
    at: datetime,
    instance_id: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Apply `changes` and log each field that really changed; return {field: (old, new)}."""
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValueError(f"these customer fields cannot be changed: {', '.join(sorted(unknown))}")
    current = get_customer(session, customer_id)
    changed = {
        field: (current[field], value)
        for field, value in changes.items()
        if _differs(current[field], value)
    }
    if changed:
        session.execute(
            update(customers)
            .where(customers.c.id == customer_id)
            .values({field: new for field, (_, new) in changed.items()})
        )
        log_changes(session, customer_id, changed, by=by, at=at, instance_id=instance_id)
    return changed


def log_changes(
    session: Session,
    customer_id: int,
    changes: dict[str, tuple[Any, Any]],
    *,
    by: str,
    at: datetime,
    instance_id: str | None,
) -> None:
    """Log {field: (old, new)} in crm_customer_changes, with who, when and the instance."""
    if not changes:
        return
    session.execute(
        insert(customer_changes),
        [
            {
                "customer_id": customer_id,
                "field": field,
                "old_value": None if old is None else str(old),
                "new_value": None if new is None else str(new),
                "changed_by": by,
                "changed_at": at,
                "instance_id": instance_id,
            }
            for field, (old, new) in changes.items()
        ],
    )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float | int) and isinstance(new, float | int | Decimal):
        return Decimal(str(old)) != Decimal(str(new))
    return old != new
