"""Audience scopes: the one person a RACI role narrows to on a case (docs/raci.md).

A matrix declares e.g. `scopes: {bd: customer_bd}`; the engine asks the scope
registered here for the case's person when a task opens. None means the case
does not say (no customer yet, a customer without a BD): the whole role counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import ServiceRegistry
from raci.matrix import case_value

from .tables import customers, orders

# Where the processes keep the customer the case is about, first match wins.
CUSTOMER_PATHS = ("customer_id", "request.customer_id", "prospect.customer_id", "customer.id")


def register(registry: ServiceRegistry) -> None:
    """Register the CRM's audience scopes."""
    registry.scope("customer_bd", roles=("bd",))(customer_bd)


def customer_bd(session: Session, case: dict[str, Any], business_key: str | None) -> str | None:
    """The BD who owns the customer of the case (customer master data), if it says."""
    customer_id = customer_of(session, case, business_key)
    if customer_id is None:
        return None
    return session.scalar(select(customers.c.bd).where(customers.c.id == customer_id))


def customer_of(session: Session, case: dict[str, Any], business_key: str | None) -> int | None:
    """The id of the customer a case is about: from its data, its order, or its key."""
    for path in CUSTOMER_PATHS:
        value = case_value(case, path)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    order_id = case.get("order_id")
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        return session.scalar(select(orders.c.customer_id).where(orders.c.id == order_id))
    if business_key:  # the processes started from a customer carry its code
        return session.scalar(select(customers.c.id).where(customers.c.code == business_key))
    return None
