"""The customer read model the staff pages show: a customer card, and a customer chooser.

Plain queries over the CRM tables (workflows/tables.py) returning dicts. Each
function takes an un-entered unit of work, like the engine's read models:
`customer_card(engine().uow(), customer_id=7)`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, or_, select

from engine.unit_of_work import UnitOfWork
from workflows.tables import complaints, customer_contacts, customers, orders, service_requests

RECENT_ORDERS = 5
CHOICES = 100  # customers a chooser lists at once: narrow it down by searching


def customer_card(
    uow: UnitOfWork, *, customer_id: int | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """What a call agent needs on the phone: credit, overdue, owner, contacts, recent work."""
    if customer_id is None and not code:
        return None
    with uow:
        where = (
            customers.c.id == customer_id if customer_id is not None else customers.c.code == code
        )
        row = uow.session.execute(select(customers).where(where)).mappings().first()
        if row is None:
            return None
        card = _plain(row)
        card["available"] = round(card["credit_limit"] - card["exposure"], 2)
        card["contacts"] = _rows(
            uow,
            select(customer_contacts)
            .where(customer_contacts.c.customer_id == card["id"])
            .order_by(customer_contacts.c.id),
        )
        card["recent_orders"] = _rows(
            uow,
            select(orders)
            .where(orders.c.customer_id == card["id"])
            .order_by(orders.c.created_at.desc())
            .limit(RECENT_ORDERS),
        )
        card["open_requests"] = _rows(
            uow,
            select(service_requests).where(
                service_requests.c.customer_id == card["id"],
                service_requests.c.completed_at.is_(None),
                service_requests.c.status != "cancelled",
            ),
        )
        card["open_complaints"] = _rows(
            uow,
            select(complaints).where(
                complaints.c.customer_id == card["id"], complaints.c.closed_at.is_(None)
            ),
        )
        return card


def find_customers(
    uow: UnitOfWork, text: str = "", *, bd: str | None = None, limit: int = CHOICES
) -> list[dict[str, Any]]:
    """Customers whose code starts with, or whose name contains, `text` (id, code, name).

    Without text: the customers of `bd` when given (a BD's own), else the first by name.
    """
    query = select(customers.c.id, customers.c.code, customers.c.name, customers.c.status)
    text = text.strip()
    if text:
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                customers.c.code.ilike(f"{like}%", escape="\\"),
                customers.c.name.ilike(f"%{like}%", escape="\\"),
            )
        )
    elif bd is not None:
        query = query.where(customers.c.bd == bd)
    with uow:
        return _rows(uow, query.order_by(customers.c.name, customers.c.id).limit(limit))


def customer_code(uow: UnitOfWork, customer_id: int) -> str | None:
    """The code of a customer (the business key of its processes), or None if unknown."""
    with uow:
        return uow.session.scalar(select(customers.c.code).where(customers.c.id == customer_id))


def _rows(uow: UnitOfWork, query: Select[Any]) -> list[dict[str, Any]]:
    return [_plain(row) for row in uow.session.execute(query).mappings()]


def _plain(row: Any) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}
