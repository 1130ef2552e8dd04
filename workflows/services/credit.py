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


def apply_credit_limit(
    ctx: ServiceContext, customer_id: int, new_limit: float, limit_seen: float | None = None
) -> dict[str, Any]:
    """Set the approved limit (a customer change on the audit trail).

    What was signed is a change from `limit_seen`, the limit the request and its sign-off
    level were judged on. If the limit moved since (another change went through), the
    signature no longer covers this change: it is refused, and nothing changes. Cases
    started before the process passed `limit_seen` apply as they always did.
    """
    if float(new_limit) < 0:
        raise ValueError("a credit limit cannot be negative")
    if limit_seen is not None:
        current = get_customer(ctx.session, int(customer_id), for_update=True)
        if round(float(current["credit_limit"]), 2) != round(float(limit_seen), 2):
            raise ValueError(
                f"the credit limit of {current['code']} changed from {float(limit_seen):,.2f}"
                f" to {float(current['credit_limit']):,.2f} after this request was made;"
                " what was signed no longer applies: cancel this case and request again"
            )
    changed = change_customer(
        ctx,
        int(customer_id),
        {"credit_limit": round(float(new_limit), 2)},
        reason="credit limit change approved",
    )
    old, new = changed.get("credit_limit", (new_limit, new_limit))
    return {"old_limit": float(old), "new_limit": float(new)}
