"""Read and change customers; every change to a customer field is on the audit trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import ServiceContext

from .duplicates import fold
from .tables import customers

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


def get_customer(session: Session, customer_id: int, *, for_update: bool = False) -> dict[str, Any]:
    """The customer's row as a dict (money as float, ready for process data).

    `for_update` locks the row until the transaction ends (PostgreSQL; a SQLite writer
    holds the whole database already), for a check that the write after it relies on.
    """
    query = select(customers).where(customers.c.id == customer_id)
    row = session.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        raise UnknownCustomer(customer_id)
    return {
        key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()
    }


def change_customer(
    ctx: ServiceContext,
    customer_id: int,
    changes: dict[str, Any],
    *,
    reason: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Apply `changes` and record each field that really changed; return {field: (old, new)}."""
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValueError(f"these customer fields cannot be changed: {', '.join(sorted(unknown))}")
    current = get_customer(ctx.session, customer_id)
    changed = {
        field: (current[field], value)
        for field, value in changes.items()
        if _differs(current[field], value)
    }
    if changed:
        ctx.session.execute(
            update(customers)
            .where(customers.c.id == customer_id)
            .values({**{field: new for field, (_, new) in changed.items()}, **_folded(changed)})
        )
        log_changes(ctx, customer_id, changed, reason=reason)
    return changed


def _folded(changed: dict[str, tuple[Any, Any]]) -> dict[str, str]:
    """The folded name to store beside a new name (the search column follows the name)."""
    return {"name_folded": fold(changed["name"][1])} if "name" in changed else {}


def log_changes(
    ctx: ServiceContext,
    customer_id: int,
    changes: dict[str, tuple[Any, Any]],
    *,
    reason: str | None = None,
) -> None:
    """Record {field: (old, new)} of a customer on the instance's audit trail.

    The trail also shows it in crm_customer_changes (workflows/history.py).
    """
    for field, (old, new) in changes.items():
        ctx.record_change("customer", customer_id, field, old, new, reason=reason)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float | int) and isinstance(new, float | int | Decimal):
        return Decimal(str(old)) != Decimal(str(new))
    return old != new
