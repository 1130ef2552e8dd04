"""Services of the credit limit change process."""

from __future__ import annotations

from typing import Any

from engine import ServiceContext, ServiceRegistry

from ..customers import change_customer, get_customer


def register(registry: ServiceRegistry) -> None:
    registry.register("load_credit_profile")(load_credit_profile)
    registry.register("apply_credit_limit")(apply_credit_limit)


def load_credit_profile(ctx: ServiceContext, customer_id: int) -> dict[str, Any]:
    """What the credit controller analyses: limit, exposure, overdue, average order."""
    customer = get_customer(ctx.session, int(customer_id))
    fields = (
        "code",
        "name",
        "segment",
        "status",
        "bd",
        "credit_limit",
        "exposure",
        "overdue_balance",
        "overdue_days",
        "average_order_value",
        "payment_terms_days",
    )
    return {field: customer[field] for field in fields}


def apply_credit_limit(ctx: ServiceContext, customer_id: int, new_limit: float) -> dict[str, Any]:
    """Set the approved limit (a customer change on the audit trail)."""
    if float(new_limit) < 0:
        raise ValueError("a credit limit cannot be negative")
    changed = change_customer(
        ctx,
        int(customer_id),
        {"credit_limit": round(float(new_limit), 2)},
        reason="credit limit change approved",
    )
    old, new = changed.get("credit_limit", (new_limit, new_limit))
    return {"old_limit": float(old), "new_limit": float(new)}
