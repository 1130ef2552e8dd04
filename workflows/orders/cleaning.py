"""Services of order_cleaning and emergency_order: register, check, fix, route, cancel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from engine import ServiceContext
from engine.errors import InvalidState
from raci.messages import N_, Message

from ..customers import get_customer
from ..order_checks import Line, Order, PastOrder, Policy, find_anomalies, left_after_confirmation
from . import records, stock

RELEASE_PROCESS = "order_release"
CANCELLABLE = (
    "received",
    "needs_cleaning",
    "clean",
    "confirmed",
    "blocked_stock",
    "blocked_credit",
)


def register_order(
    ctx: ServiceContext,
    customer_id: int,
    channel: str,
    warehouse_code: str,
    lines: list[dict[str, Any]],
    emergency: bool = False,
) -> dict[str, Any]:
    """Store the order as received (list prices where none is given) and sum its total."""
    order_id, unknown = records.create_order(
        ctx.session,
        customer_id=int(customer_id),
        channel=channel,
        warehouse_code=warehouse_code,
        lines=lines,
        emergency=bool(emergency),
        by=ctx.actor,
        at=ctx.now,
        instance_id=ctx.instance_id,
    )
    number = records.get_order(ctx.session, order_id)["number"]
    ctx.record_change("order", number, "status", None, "received", reason="registered")
    return summary(ctx.session, order_id, unknown)


def summary(session: Session, order_id: int, unknown: list[str]) -> dict[str, Any]:
    """What the process needs to know about an order (JSON-friendly)."""
    order = records.get_order(session, order_id)
    customer = get_customer(session, order["customer_id"])
    return {
        "order_id": order_id,
        "number": order["number"],
        "customer_id": order["customer_id"],
        "customer_name": customer["name"],
        "segment": customer["segment"],
        "customer_status": customer["status"],
        "bd": customer["bd"],
        "channel": order["channel"],
        "warehouse_code": order["warehouse_code"],
        "emergency": order["emergency"],
        "total": float(order["total"]),
        "lines": [_line_view(line) for line in order["lines"]],
        "unknown_products": list(unknown),
    }


def _line_view(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "line_no": line["line_no"],
        "product_code": line["product_code"],
        "quantity": line["quantity"],
        "unit_price": float(line["unit_price"]),
        "discount_pct": float(line["discount_pct"]),
    }


def check_order(
    ctx: ServiceContext,
    order_id: int,
    unknown_products: list[str],
    duplicate_window_days: int,
    quantity_factor: float,
    max_discount_pct: float,
    min_order_value: float,
    confirmed_by: str = "",
) -> dict[str, Any]:
    """Check the order against the policy; an order with anomalies needs cleaning.

    With `confirmed_by` (customer service confirmed the order with the customer)
    only the hard anomalies still count; the accepted ones are noted on the order.
    """
    policy = Policy(
        int(duplicate_window_days),
        float(quantity_factor),
        float(max_discount_pct),
        float(min_order_value),
    )
    facts = order_facts(ctx.session, int(order_id), unknown_products, policy)
    anomalies = find_anomalies(facts, policy)
    remaining = left_after_confirmation(anomalies) if confirmed_by else anomalies
    accepted = [a for a in anomalies if a not in remaining]
    if remaining:
        records.change_status(ctx, order_id, "needs_cleaning")
        text = "needs cleaning: " + "; ".join(a.message for a in remaining)
        records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    elif accepted:
        text = f"accepted as is, confirmed with {confirmed_by}: " + "; ".join(
            a.message for a in accepted
        )
        records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    return {
        "clean": not remaining,
        "anomalies": [a.as_dict() for a in remaining],
        "accepted": [a.as_dict() for a in accepted],
    }


def order_facts(session: Session, order_id: int, unknown: list[str], policy: Policy) -> Order:
    """Gather what the cleaning checks look at, from the tables."""
    order = records.get_order(session, order_id)
    customer = get_customer(session, order["customer_id"])
    known = records.catalogue(session, [line["product_code"] for line in order["lines"]])
    since = order["created_at"] - timedelta(days=max(0, policy.duplicate_window_days))
    others = records.other_orders_since(session, order["customer_id"], since, exclude=order_id)
    return Order(
        placed_at=order["created_at"],
        customer_status=customer["status"],
        average_order_value=Decimal(str(customer["average_order_value"])),
        total=order["total"],
        lines=tuple(
            Line(
                line_no=line["line_no"],
                product_code=line["product_code"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                discount_pct=line["discount_pct"],
                list_price=known[line["product_code"]]["price"],
                discontinued=known[line["product_code"]]["discontinued"],
            )
            for line in order["lines"]
        ),
        unknown_products=tuple(unknown),
        past_orders=tuple(
            PastOrder(o["number"], o["created_at"], o["product_codes"]) for o in others
        ),
    )


def fix_order(ctx: ServiceContext, order_id: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace the lines with customer service's corrections; the order is checked again.

    Each line's change and the total's are on the trail, old -> new: an auditor sees
    what a correction did to the order, not only that one was made.
    """
    records.change_status(ctx, order_id, "received", expected=["needs_cleaning"])
    before = records.get_order(ctx.session, order_id)
    unknown = records.replace_lines(ctx.session, order_id, lines)
    after = records.get_order(ctx.session, order_id)
    _record_line_changes(ctx, before, after)
    records.add_note(ctx.session, order_id, "lines corrected", by=ctx.actor, at=ctx.now)
    return summary(ctx.session, order_id, unknown)


LINE_FIELDS = ("product_code", "quantity", "unit_price", "discount_pct")


def _record_line_changes(
    ctx: ServiceContext, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Record, line by line number, what a replacement of the lines changed (a line
    removed reads new None, a line added old None), and the total's change."""
    number, reason = before["number"], "lines corrected"
    old_lines = {line["line_no"]: line for line in before["lines"]}
    new_lines = {line["line_no"]: line for line in after["lines"]}
    for line_no in sorted(old_lines.keys() | new_lines.keys()):
        old, new = old_lines.get(line_no, {}), new_lines.get(line_no, {})
        for field in LINE_FIELDS:
            was, now = old.get(field), new.get(field)
            ctx.record_change("order_line", f"{number}/{line_no}", field, was, now, reason=reason)
    ctx.record_change("order", number, "total", before["total"], after["total"], reason=reason)


def send_to_release(ctx: ServiceContext, order_id: int, note: str = "") -> dict[str, Any]:
    """Mark the order clean and start its release.

    The release's business key is the customer's code, as in every other process, so that
    staff find and see the customer of a release in the inbox and on its tasks; an
    emergency order's release is urgent as the order is (workflows/key_figures.py). Its
    data names the order by its number too, as people know it (the id is for the records),
    and its customer, whom its case page and the case list name, and its amount.
    """
    records.change_status(ctx, order_id, "clean", expected=["received", "needs_cleaning"])
    if note:
        records.add_note(ctx.session, order_id, note, by=ctx.actor, at=ctx.now)
    order = records.get_order(ctx.session, order_id)
    number, customer = order["number"], get_customer(ctx.session, order["customer_id"])
    child = ctx.start_process(
        RELEASE_PROCESS,
        {
            "order_id": order_id,
            "order_number": number,
            "customer_id": customer["id"],
            "customer_name": customer["name"],
            "emergency": order["emergency"],
            # the amount its rows show before credit control prices it (an emergency's
            # release may never be priced): its tasks read "—"
            "order_total": None if order["total"] is None else float(order["total"]),
        },
        business_key=customer["code"],
    )
    return {"number": number, "release_instance": child}


def withdraw_order(ctx: ServiceContext, data: dict[str, Any], reason: str) -> dict[str, Any]:
    """Its process was cancelled: cancel the order and give back its stock. A released
    order refuses: its stock left and the customer owes it, so its case goes on to the
    delivery (stopping it would leave a released order nobody delivers)."""
    order_id = data.get("order_id") or (data.get("order") or {}).get("order_id")
    if order_id is None:
        return {"order_id": None}
    order = records.get_order(ctx.session, int(order_id))
    status = order["status"]
    if status == "released":
        raise InvalidState(
            Message(
                N_("order %(order)s is released: its case goes on to the delivery, not cancelled"),
                order=order["number"],
            )
        )
    if status not in CANCELLABLE:
        return {"order_id": order_id, "status": status}
    reason = f"its process was cancelled: {reason}"
    return {"order_id": order_id, **cancel_order(ctx, int(order_id), reason)}


def cancel_order(ctx: ServiceContext, order_id: int, reason: str) -> dict[str, Any]:
    """Cancel the order and give back any stock it holds."""
    records.change_status(ctx, order_id, "cancelled", expected=CANCELLABLE)
    order = records.get_order(ctx.session, order_id)
    stock.free(ctx, order["warehouse_code"], order["lines"])
    records.add_note(ctx.session, order_id, f"cancelled: {reason}", by=ctx.actor, at=ctx.now)
    return {"status": "cancelled", "reason": reason}


def check_blocked_customer(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Tell whether the order's customer is blocked (the one check emergencies keep)."""
    order = records.get_order(ctx.session, order_id)
    return {"blocked": get_customer(ctx.session, order["customer_id"])["status"] == "blocked"}
