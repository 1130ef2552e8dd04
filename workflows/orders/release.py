"""Services of order_release, credit and release stage.

An order whose customer is overdue, or whose value would take the exposure
over the credit limit, is blocked for credit control, which releases it,
partly releases it or holds it. Releasing hands the reserved goods to
delivery (workflows/orders/stock.py) and adds the delivered value to the
customer's exposure (open orders and unpaid invoices), so that the next
order's credit check sees it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import update

from engine import ServiceContext

from ..customers import get_customer
from ..order_checks import credit_block_reasons
from ..tables import customers
from . import records, stock


def check_credit(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Block the order for credit control if the customer is overdue or over the limit."""
    order = records.get_order(ctx.session, order_id)
    customer = get_customer(ctx.session, order["customer_id"])
    value = sum((records.reserved_value(line) for line in order["lines"]), Decimal("0.00"))
    reasons = credit_block_reasons(
        overdue_balance=Decimal(str(customer["overdue_balance"])),
        exposure=Decimal(str(customer["exposure"])),
        credit_limit=Decimal(str(customer["credit_limit"])),
        order_total=value,
    )
    if reasons:
        records.change_status(ctx, order_id, "blocked_credit", expected=["confirmed"])
        text = "blocked for credit: " + "; ".join(reasons)
        records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    fields = ("credit_limit", "exposure", "overdue_balance", "overdue_days")
    return {
        "blocked": bool(reasons),
        "reasons": reasons,
        "total": float(value),
        **{field: customer[field] for field in fields},
        # What each line would release: credit control may release some lines only, and
        # whoever signs that sees what it comes to.
        "lines": [
            {
                "line_no": line["line_no"],
                "product_code": line["product_code"],
                "reserved": line["reserved"],
                "amount": float(records.reserved_value(line)),
            }
            for line in order["lines"]
            if line["reserved"]
        ],
    }


def partial_release(ctx: ServiceContext, order_id: int, release_lines: list[int]) -> dict:
    """Keep only the lines credit control releases; the others give their stock back."""
    order = records.get_order(ctx.session, order_id)
    holding = {line["line_no"] for line in order["lines"] if line["reserved"]}
    unknown = sorted(set(release_lines) - holding)
    if unknown:
        raise ValueError(f"{order['number']} has no reserved line {unknown} to release")
    cut = [line for line in order["lines"] if line["line_no"] not in release_lines]
    stock.free(ctx, order["warehouse_code"], cut)
    text = f"partly released: lines {sorted(release_lines)}; not delivered: " + ", ".join(
        str(line["line_no"]) for line in cut
    )
    records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    return {"released_lines": sorted(release_lines), "cut_lines": [x["line_no"] for x in cut]}


def hold_order(ctx: ServiceContext, order_id: int, reason: str) -> dict[str, Any]:
    """Put the order on hold and give its stock back to the warehouse."""
    records.change_status(ctx, order_id, "on_hold", expected=["blocked_credit"])
    order = records.get_order(ctx.session, order_id)
    stock.free(ctx, order["warehouse_code"], order["lines"])
    records.add_note(ctx.session, order_id, f"on hold: {reason}", by=ctx.actor, at=ctx.now)
    return {"status": "on_hold"}


def release_order(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Release the order for delivery: its reserved goods leave the stock."""
    records.change_status(ctx, order_id, "released", expected=["confirmed", "blocked_credit"])
    order = records.get_order(ctx.session, order_id)
    units = stock.ship(ctx, order["warehouse_code"], order["lines"])
    total = records.update_total(ctx.session, order_id, delivered=True)
    reason = f"{order['number']} released"
    # What leaves is what it costs: less than ordered after a partial release or a shortage.
    ctx.record_change("order", order["number"], "total", order["total"], total, reason=reason)
    exposure = ctx.session.execute(
        update(customers)
        .where(customers.c.id == order["customer_id"])
        .values(exposure=customers.c.exposure + total)
        .returning(customers.c.exposure)
    ).scalar_one()
    customer_id = order["customer_id"]
    ctx.record_change(
        "customer", customer_id, "exposure", exposure - total, exposure, reason=reason
    )
    records.add_note(ctx.session, order_id, f"released: {units} units", by=ctx.actor, at=ctx.now)
    return {"number": order["number"], "units": units, "total": float(total)}


def plan_delivery(ctx: ServiceContext, order_id: int, delivery_date: str, route: str) -> dict:
    """Note the delivery logistics planned for the released order."""
    text = f"delivery planned for {delivery_date}" + (f" on route {route}" if route else "")
    records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    return {"delivery_date": delivery_date}
