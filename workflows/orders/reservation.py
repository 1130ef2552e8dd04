"""Services of order_release, stock stage: reserve (ATP), substitutes, shortage.

An order is confirmed once every line is reserved. A short line is offered
the best-ranked substitute that can cover it; what is still short blocks the
order for stock, and the scarce product is shared among the orders waiting
for it (workflows/allocation.py) until customer service goes on with what is
available. How stock moves: workflows/orders/stock.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine import ServiceContext

from ..atp import Candidate, best_substitute
from ..tables import order_lines, product_substitutes, products
from ..tables import stock as stock_table
from . import records, stock


def reserve_stock(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Reserve what is available to promise; a complete order is confirmed.

    Short lines are offered the best-ranked substitute that can cover them.
    """
    order = records.get_order(ctx.session, order_id)
    if order["status"] != "clean":
        raise records.WrongStatus(f"order {order_id} is {order['status']}, not clean")
    stock.reserve(ctx, order["warehouse_code"], order["lines"])
    return _after_reserving(ctx, order_id, offer=True)


def apply_substitutes(
    ctx: ServiceContext, order_id: int, offers: list[dict[str, Any]], decisions: list[dict]
) -> dict[str, Any]:
    """Replace what each accepted line lacks by its offered substitute, and reserve it."""
    order = records.get_order(ctx.session, order_id)
    if order["status"] != "clean":
        raise records.WrongStatus(f"order {order_id} is {order['status']}, not clean")
    offered = {offer["line_no"]: offer for offer in offers}
    lines = {line["line_no"]: line for line in order["lines"]}
    accepted = [d["line_no"] for d in decisions if d["decision"] == "accept"]
    for line_no in accepted:
        if line_no not in offered:
            raise ValueError(f"line {line_no} of {order['number']} was offered no substitute")
        _substitute(ctx, order_id, lines[line_no], offered[line_no]["substitute_code"])
    records.update_total(ctx.session, order_id)
    stock.reserve(ctx, order["warehouse_code"], records.get_lines(ctx.session, order_id))
    return _after_reserving(ctx, order_id, offer=False)


def _substitute(ctx: ServiceContext, order_id: int, line: Mapping[str, Any], code: str) -> None:
    missing = line["quantity"] - line["reserved"]
    price = records.catalogue(ctx.session, [code])[code]["price"]
    if line["reserved"]:
        _set_line(ctx.session, line["id"], quantity=line["reserved"])
    else:  # nothing left of the original product: the new line records what it replaces
        ctx.session.execute(delete(order_lines).where(order_lines.c.id == line["id"]))
    values = {
        "product_code": code,
        "quantity": missing,
        "unit_price": price,
        "discount_pct": line["discount_pct"],
        "substitute_for": line["product_code"],
    }
    records.add_line(ctx.session, order_id, values)
    text = f"{missing} x {line['product_code']} replaced by {code} (customer accepted)"
    records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)


def _set_line(session: Session, line_id: int, **values: Any) -> None:
    session.execute(update(order_lines).where(order_lines.c.id == line_id).values(**values))


def _after_reserving(ctx: ServiceContext, order_id: int, *, offer: bool) -> dict[str, Any]:
    session = ctx.session
    order = records.get_order(session, order_id)
    short = [line for line in order["lines"] if line["quantity"] > line["reserved"]]
    if not short:
        records.change_status(ctx, order_id, "confirmed", expected=["clean"])
    offers = [o for line in short if (o := _offer(session, order, line))] if offer else []
    return {
        "number": order["number"],
        "lines": [_line_view(line) for line in order["lines"]],
        "short_lines": [line["line_no"] for line in short],
        "has_short": bool(short),
        "offers": offers,
        "has_offers": bool(offers),
    }


def _offer(session: Session, order: Mapping[str, Any], line: Mapping[str, Any]) -> dict | None:
    missing = line["quantity"] - line["reserved"]
    rows = session.execute(
        select(
            product_substitutes.c.substitute_code,
            product_substitutes.c.rank,
            products.c.name,
            products.c.discontinued,
            stock_table.c.on_hand,
            stock_table.c.reserved,
            stock_table.c.allocated,
        )
        .join(products, products.c.code == product_substitutes.c.substitute_code)
        .join(stock_table, stock_table.c.product_code == product_substitutes.c.substitute_code)
        .where(
            product_substitutes.c.product_code == line["product_code"],
            stock_table.c.warehouse_code == order["warehouse_code"],
        )
    ).mappings()
    rows = {row["substitute_code"]: row for row in rows}
    candidates = [
        Candidate(code, row["rank"], stock.atp_of(row), row["discontinued"])
        for code, row in rows.items()
    ]
    best = best_substitute(missing, candidates)
    if best is None:
        return None
    return {
        "line_no": line["line_no"],
        "product_code": line["product_code"],
        "missing": missing,
        "substitute_code": best.product_code,
        "substitute_name": rows[best.product_code]["name"],
        "substitute_atp": best.atp,
    }


def _line_view(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "line_no": line["line_no"],
        "product_code": line["product_code"],
        "quantity": line["quantity"],
        "reserved": line["reserved"],
        "allocated": line["allocated"],
        "substitute_for": line["substitute_for"],
    }


def allocate_shortage(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Block the order for stock and share the scarce products among waiting orders."""
    records.change_status(ctx, order_id, "blocked_stock", expected=["clean"])
    order = records.get_order(ctx.session, order_id)
    short = {line["product_code"] for line in order["lines"] if line["quantity"] > line["reserved"]}
    for code in sorted(short):
        stock.reallocate(ctx, order["warehouse_code"], code)
    records.add_note(
        ctx.session, order_id, f"short of {', '.join(sorted(short))}", by=ctx.actor, at=ctx.now
    )
    lines = records.get_lines(ctx.session, order_id)
    return {"lines": [_line_view(line) for line in lines]}


def confirm_available(ctx: ServiceContext, order_id: int) -> dict[str, Any]:
    """Go on with what is reserved or allocated; an order with nothing is cancelled."""
    records.change_status(ctx, order_id, "confirmed", expected=["blocked_stock"])
    order = records.get_order(ctx.session, order_id)
    stock.confirm_allocation(ctx, order["warehouse_code"], order["lines"])
    short = {line["product_code"] for line in order["lines"] if line["quantity"] > line["reserved"]}
    for code in sorted(short):  # what this order no longer waits for goes to the others
        stock.reallocate(ctx, order["warehouse_code"], code)
    lines = records.get_lines(ctx.session, order_id)
    units = sum(line["reserved"] for line in lines)
    if not units:
        records.change_status(ctx, order_id, "cancelled")
        text = "cancelled: nothing available to deliver"
    else:
        text = "goes on with the available goods: " + ", ".join(
            f"{line['reserved']}/{line['quantity']} {line['product_code']}" for line in lines
        )
    records.add_note(ctx.session, order_id, text, by=ctx.actor, at=ctx.now)
    return {"units": units, "nothing": not units}
