"""Move stock for orders: reserve, allocate, free and ship, never overcommitting.

How the units move (crm_stock per warehouse and product, crm_order_lines per line):

- Confirming an order reserves, line by line, what is available to promise
  (workflows/atp.py): stock.reserved += n and line.reserved += n.
- While an order waits for scarce stock (status blocked_stock), its lines are
  allocated units by the rule of workflows/allocation.py: line.allocated, and
  stock.allocated is the sum over the waiting lines of that product.
- Accepting what is available turns the line's allocation into a reservation.
- Hold, cancel, and the lines left out of a partial release free their units
  (the line's reserved and allocated go back to 0), and the freed stock is
  shared out again among the orders waiting for it.
- Release hands the goods to delivery: stock.on_hand and stock.reserved both
  drop by the line's reserved units. The line keeps them in `reserved`, which
  for a released order is the delivered quantity (no longer held in stock).

So, at any time, stock.reserved is the sum of line.reserved over the orders
that hold stock (records.HOLDING_STOCK), and stock.allocated the sum of
line.allocated over the orders waiting in blocked_stock.

Every move is on the instance's audit trail (ctx.record_change): the stock row's
on_hand, reserved and allocated ("stock", "WAREHOUSE/PRODUCT") and the order
line's reserved and allocated ("order_line", "ORDER NUMBER/LINE"), old -> new.

Concurrency: each move first locks the stock rows it touches (SELECT ... FOR
UPDATE, in product order so that two orders never wait on each other) and
reads ATP under that lock, so two orders racing for the last units are served
one after the other and the second sees what the first left. SQLite has no
row locks but serialises writers (BEGIN IMMEDIATE). The table's CHECK
(reserved + allocated <= on_hand) is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import ServiceContext

from ..allocation import Demand, allocate
from ..atp import Need, available_to_promise, plan_reservations
from ..tables import customers, order_lines, orders, stock


def lock_stock(
    session: Session, warehouse: str, product_codes: Collection[str]
) -> dict[str, dict[str, Any]]:
    """Lock and return the stock rows of `product_codes` in `warehouse`, by product."""
    query = (
        select(stock)
        .where(stock.c.warehouse_code == warehouse, stock.c.product_code.in_(set(product_codes)))
        .order_by(stock.c.product_code)
        .with_for_update()
    )
    rows = {row["product_code"]: dict(row) for row in session.execute(query).mappings()}
    missing = sorted(set(product_codes) - set(rows))
    if missing:
        raise LookupError(f"no stock record of {', '.join(missing)} in {warehouse}")
    return rows


def atp_of(row: Mapping[str, Any]) -> int:
    return available_to_promise(row["on_hand"], row["reserved"], row["allocated"])


def locked_lines(
    session: Session, warehouse: str, lines: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Lock the stock rows of `lines`' products; return them and the lines as they are now.

    The lines are read again under the lock: another order's reallocation may
    have changed their allocation since the caller read them.
    """
    lines = list(lines)
    if not lines:
        return {}, []
    # A line's product never changes under another order; its allocation may.
    rows = lock_stock(session, warehouse, {line["product_code"] for line in lines})
    fresh = session.execute(
        select(order_lines)
        .where(order_lines.c.id.in_([line["id"] for line in lines]))
        .order_by(order_lines.c.line_no)
    ).mappings()
    return rows, [dict(line) for line in fresh]


def reserve(
    ctx: ServiceContext, warehouse: str, lines: Iterable[Mapping[str, Any]]
) -> dict[int, int]:
    """Reserve what is available for what each line still lacks; return units by line id."""
    rows, current = locked_lines(ctx.session, warehouse, lines)
    lacking = [line for line in current if _lacking(line) > 0]
    needs = [Need(line["id"], line["product_code"], _lacking(line)) for line in lacking]
    planned = plan_reservations(needs, {code: atp_of(row) for code, row in rows.items()})
    for line in lacking:
        units = planned[line["id"]]
        if units:
            _move(ctx, warehouse, line["product_code"], reserved=units)
            _line(ctx, line, reserved=line["reserved"] + units)
    return planned


def _lacking(line: Mapping[str, Any]) -> int:
    return line["quantity"] - line["reserved"] - line["allocated"]


def free(ctx: ServiceContext, warehouse: str, lines: Iterable[Mapping[str, Any]]) -> None:
    """Give back what `lines` hold, then share the freed stock among waiting orders.

    Call it once the order has left blocked_stock, or it would be given units again.
    """
    _, current = locked_lines(ctx.session, warehouse, lines)
    holding = [line for line in current if line["reserved"] or line["allocated"]]
    for line in holding:
        _move(
            ctx,
            warehouse,
            line["product_code"],
            reserved=-line["reserved"],
            allocated=-line["allocated"],
        )
        _line(ctx, line, reserved=0, allocated=0)
    for code in sorted({line["product_code"] for line in holding}):
        reallocate(ctx, warehouse, code)


def reallocate(ctx: ServiceContext, warehouse: str, product_code: str) -> dict[int, int]:
    """Share the unreserved stock of a product among the orders waiting for it.

    Return the units allocated by line id (workflows/allocation.py has the rule).
    """
    session = ctx.session
    [row] = lock_stock(session, warehouse, [product_code]).values()
    waiting = session.execute(
        select(order_lines, customers.c.segment, orders.c.created_at, orders.c.id.label("oid"))
        .join(orders, orders.c.id == order_lines.c.order_id)
        .join(customers, customers.c.id == orders.c.customer_id)
        .where(
            orders.c.status == "blocked_stock",
            orders.c.warehouse_code == warehouse,
            order_lines.c.product_code == product_code,
        )
    ).mappings()
    lines = {line["id"]: line for line in waiting}
    demands = [
        Demand(
            key=line["id"],
            segment=line["segment"],
            placed_at=line["created_at"],
            quantity=max(0, line["quantity"] - line["reserved"]),
        )
        for line in sorted(lines.values(), key=lambda x: (x["created_at"], x["oid"], x["line_no"]))
    ]
    given = allocate(row["on_hand"] - row["reserved"], demands)
    for line_id, units in given.items():
        if units != lines[line_id]["allocated"]:
            _line(ctx, lines[line_id], allocated=units)
    allocated = sum(given.values())
    session.execute(_stock_row(warehouse, product_code).values(allocated=allocated))
    key = f"{warehouse}/{product_code}"
    ctx.record_change("stock", key, "allocated", row["allocated"], allocated)
    return given


def confirm_allocation(
    ctx: ServiceContext, warehouse: str, lines: Iterable[Mapping[str, Any]]
) -> None:
    """Turn the units allocated to `lines` into reservations (the order stops waiting)."""
    _, current = locked_lines(ctx.session, warehouse, lines)
    for line in current:
        units = line["allocated"]
        if units:
            _move(ctx, warehouse, line["product_code"], reserved=units, allocated=-units)
            _line(ctx, line, reserved=line["reserved"] + units, allocated=0)


def ship(ctx: ServiceContext, warehouse: str, lines: Iterable[Mapping[str, Any]]) -> int:
    """Hand the reserved units of `lines` to delivery; return the units shipped."""
    _, current = locked_lines(ctx.session, warehouse, lines)
    if any(line["allocated"] for line in current):
        raise ValueError("allocated units must be confirmed before shipping")
    for line in current:
        if line["reserved"]:
            units = line["reserved"]
            _move(ctx, warehouse, line["product_code"], on_hand=-units, reserved=-units)
    return sum(line["reserved"] for line in current)


def _stock_row(warehouse: str, product_code: str) -> Any:
    return update(stock).where(
        stock.c.warehouse_code == warehouse, stock.c.product_code == product_code
    )


def _move(
    ctx: ServiceContext,
    warehouse: str,
    product_code: str,
    **deltas: int,
) -> None:
    """Add `deltas` (on_hand, reserved, allocated) to a stock row and record each move."""
    # Relative updates under the row lock: the CHECK constraints see the final values.
    columns = [stock.c[name] for name in deltas]
    after = ctx.session.execute(
        _stock_row(warehouse, product_code)
        .values({name: stock.c[name] + delta for name, delta in deltas.items()})
        .returning(*columns)
    ).one()
    key = f"{warehouse}/{product_code}"
    for (name, delta), new in zip(deltas.items(), after, strict=True):
        ctx.record_change("stock", key, name, new - delta, new)


def _line(ctx: ServiceContext, line: Mapping[str, Any], **values: int) -> None:
    """Set an order line's reserved or allocated units and record each change."""
    ctx.session.execute(update(order_lines).where(order_lines.c.id == line["id"]).values(**values))
    number = ctx.session.scalar(select(orders.c.number).where(orders.c.id == line["order_id"]))
    for name, new in values.items():
        ctx.record_change("order_line", f"{number}/{line['line_no']}", name, line[name], new)
