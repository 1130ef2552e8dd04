"""Orders and their lines in the CRM tables: create, read, change lines, status, notes."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from engine import ServiceContext

from ..customers import get_customer
from ..order_pricing import line_amount, order_total
from ..tables import order_lines, orders, products, warehouses

# Statuses whose lines may hold units in crm_stock (reserved or allocated).
HOLDING_STOCK = ("clean", "confirmed", "blocked_stock", "blocked_credit")


class OrderNotFound(LookupError):
    def __init__(self, order_id: object) -> None:
        super().__init__(f"order {order_id} does not exist")


class WrongStatus(ValueError):
    """The order is not in a status the step can start from."""


def create_order(
    session: Session,
    *,
    customer_id: int,
    channel: str,
    warehouse_code: str,
    lines: Iterable[Mapping[str, Any]],
    emergency: bool,
    by: str,
    at: datetime,
    instance_id: str | None,
) -> tuple[int, list[str]]:
    """Store a received order; return its id and the product codes not in the catalogue.

    Lines of unknown products cannot be stored (the catalogue is a foreign
    key): they are returned so that order cleaning can report them.
    """
    get_customer(session, customer_id)  # raises UnknownCustomer
    if session.scalar(select(warehouses.c.code).where(warehouses.c.code == warehouse_code)) is None:
        raise LookupError(f"warehouse {warehouse_code} does not exist")
    order_id = session.execute(
        insert(orders)
        .values(
            number=f"new-{uuid.uuid4().hex[:24]}",  # unique until the id is known (below)
            customer_id=customer_id,
            channel=channel,
            emergency=emergency,
            status="received",
            warehouse_code=warehouse_code,
            total=0,
            created_by=by,
            created_at=at,
            instance_id=instance_id,
        )
        .returning(orders.c.id)
    ).scalar_one()
    number = f"SO-{at:%Y}-{order_id:06d}"
    session.execute(update(orders).where(orders.c.id == order_id).values(number=number))
    return order_id, replace_lines(session, order_id, lines)


def replace_lines(session: Session, order_id: int, lines: Iterable[Mapping[str, Any]]) -> list[str]:
    """Replace an order's lines (none may hold stock); return the unknown product codes.

    A line without a unit price gets the list price; the order total follows.
    """
    if any(line["reserved"] or line["allocated"] for line in get_lines(session, order_id)):
        raise WrongStatus(f"order {order_id} holds stock: its lines cannot be replaced")
    lines = list(lines)
    known = catalogue(session, [line["product_code"] for line in lines])
    rows = [
        {
            "order_id": order_id,
            "line_no": number,
            "product_code": line["product_code"],
            "quantity": int(line["quantity"]),
            "unit_price": _price(line.get("unit_price"), known[line["product_code"]]["price"]),
            "discount_pct": Decimal(str(line.get("discount_pct") or 0)),
            "reserved": 0,
            "allocated": 0,
            "substitute_for": None,
        }
        for number, line in enumerate((x for x in lines if x["product_code"] in known), start=1)
    ]
    session.execute(delete(order_lines).where(order_lines.c.order_id == order_id))
    if rows:
        session.execute(insert(order_lines), rows)
    update_total(session, order_id)
    return [line["product_code"] for line in lines if line["product_code"] not in known]


def _price(given: Any, listed: Decimal) -> Decimal:
    return listed if given is None else Decimal(str(given))


def add_line(session: Session, order_id: int, line: Mapping[str, Any]) -> int:
    """Append a line to an order; return its line number."""
    last = session.scalar(
        select(func.max(order_lines.c.line_no)).where(order_lines.c.order_id == order_id)
    )
    number = (last or 0) + 1
    session.execute(
        insert(order_lines).values(
            order_id=order_id, line_no=number, reserved=0, allocated=0, **line
        )
    )
    return number


def catalogue(session: Session, codes: Collection[str]) -> dict[str, dict[str, Any]]:
    """Return the catalogue rows of the products `codes` that exist, by code."""
    rows = session.execute(select(products).where(products.c.code.in_(set(codes)))).mappings()
    return {row["code"]: dict(row) for row in rows}


def get_order(session: Session, order_id: int) -> dict[str, Any]:
    """Return the order's row, with its lines under "lines" (raises OrderNotFound)."""
    row = session.execute(select(orders).where(orders.c.id == order_id)).mappings().first()
    if row is None:
        raise OrderNotFound(order_id)
    return {**row, "lines": get_lines(session, order_id)}


def get_lines(session: Session, order_id: int) -> list[dict[str, Any]]:
    query = (
        select(order_lines)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    return [dict(row) for row in session.execute(query).mappings()]


def update_total(session: Session, order_id: int, *, delivered: bool = False) -> Decimal:
    """Set the order total from its lines: ordered quantities, or the reserved ones."""
    lines = get_lines(session, order_id)
    key = "reserved" if delivered else "quantity"
    total = order_total((line[key], line["unit_price"], line["discount_pct"]) for line in lines)
    session.execute(update(orders).where(orders.c.id == order_id).values(total=total))
    return total


def reserved_value(line: Mapping[str, Any]) -> Decimal:
    """Return the net value of the units a line holds (reserved)."""
    return line_amount(line["reserved"], line["unit_price"], line["discount_pct"])


def set_status(
    session: Session, order_id: int, status: str, *, expected: Collection[str] | None = None
) -> str:
    """Move the order to `status` (from one of `expected`, if given); return the old status."""
    current = session.scalar(select(orders.c.status).where(orders.c.id == order_id))
    if current is None:
        raise OrderNotFound(order_id)
    if expected is not None and current not in expected:
        raise WrongStatus(f"order {order_id} is {current}, not {' or '.join(expected)}")
    session.execute(update(orders).where(orders.c.id == order_id).values(status=status))
    return current


def change_status(
    ctx: ServiceContext,
    order_id: int,
    status: str,
    *,
    expected: Collection[str] | None = None,
    reason: str | None = None,
) -> str:
    """Move the order to `status` as `set_status` does, on the instance's audit trail."""
    old = set_status(ctx.session, order_id, status, expected=expected)
    number = ctx.session.scalar(select(orders.c.number).where(orders.c.id == order_id))
    ctx.record_change("order", number, "status", old, status, reason=reason)
    return old


def add_note(session: Session, order_id: int, text: str, *, by: str, at: datetime) -> None:
    """Append a dated, signed line to the order's notes."""
    current = session.scalar(select(orders.c.notes).where(orders.c.id == order_id))
    line = f"{at:%Y-%m-%d %H:%M} {by}: {text}"
    notes = f"{current}\n{line}" if current else line
    session.execute(update(orders).where(orders.c.id == order_id).values(notes=notes))


def other_orders_since(
    session: Session, customer_id: int, since: datetime, *, exclude: int
) -> list[dict[str, Any]]:
    """Return the customer's other orders placed since `since` and not cancelled."""
    query = select(orders.c.id, orders.c.number, orders.c.created_at).where(
        orders.c.customer_id == customer_id,
        orders.c.created_at >= since,
        orders.c.status != "cancelled",
        orders.c.id != exclude,
    )
    found = [dict(row) for row in session.execute(query).mappings()]
    for order in found:
        order["product_codes"] = frozenset(
            line["product_code"] for line in get_lines(session, order["id"])
        )
    return found
