"""The customer read model the staff pages show: a customer card, and a customer chooser.

Plain queries over the CRM tables (workflows/tables.py) returning dicts. Each
function takes an un-entered unit of work, like the engine's read models:
`customer_card(engine().uow(), customer_id=7)`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import Select, select

from engine.unit_of_work import UnitOfWork
from workflows.customer_search import customers_matching
from workflows.forms.record_ids import MAX_RECORD_ID
from workflows.tables import (
    complaints,
    customer_addresses,
    customer_contacts,
    customers,
    orders,
    products,
    service_requests,
    warehouses,
)
from workflows.tables import customer_changes as customer_changes_table

from .form_render import FormField
from .vocabulary import term

RECENT_ORDERS = 5
CHOICES = 100  # customers a chooser lists at once: narrow it down by searching
CUSTOMER_FIELD = "customer_id"  # a form field drawn as a customer chooser


def customer_card(
    uow: UnitOfWork, *, customer_id: int | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """What a call agent needs on the phone: credit, overdue, owner, contacts, recent work."""
    if customer_id is None and not code:
        return None
    with uow.read_only():
        where = (
            customers.c.id == customer_id if customer_id is not None else customers.c.code == code
        )
        row = uow.session.execute(select(customers).where(where)).mappings().first()
        if row is None:
            return None
        card = _plain(row)
        card["available"] = round(card["credit_limit"] - card["exposure"], 2)
        card["addresses"] = {
            row["kind"]: {k: row[k] for k in ("street", "city", "postcode")}
            for row in _rows(
                uow,
                select(customer_addresses)
                .where(customer_addresses.c.customer_id == card["id"])
                .order_by(customer_addresses.c.id),
            )
        }
        # Where goods and technicians go: the delivery address, else the billing one.
        card["site_address"] = card["addresses"].get("delivery") or card["addresses"].get("billing")
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
    """The customers `text` names (workflows/customer_search: a code's start, words of the
    name, a phone, a tax id), as id, code, name, status and phone, by name.

    Without text: the customers of `bd` when given (a BD's own), else the first by name.
    """
    query = select(
        customers.c.id, customers.c.code, customers.c.name, customers.c.status, customers.c.phone
    )
    if (matching := customers_matching(text)) is not None:
        query = query.where(matching)
    elif bd is not None:
        query = query.where(customers.c.bd == bd)
    with uow.read_only():
        return _rows(uow, query.order_by(customers.c.name, customers.c.id).limit(limit))


def match_customers(uow: UnitOfWork, text: str, *, limit: int = CHOICES) -> list[dict[str, Any]]:
    """The customers `text` names (see find_customers); none for empty text."""
    return find_customers(uow, text, limit=limit) if text.strip() else []


def customer_by_code(uow: UnitOfWork, code: str) -> dict[str, Any] | None:
    """A customer's id, code and name, or None if no customer has that code."""
    with uow.read_only():
        row = (
            uow.session.execute(
                select(customers.c.id, customers.c.code, customers.c.name).where(
                    customers.c.code == code
                )
            )
            .mappings()
            .first()
        )
        return _plain(row) if row is not None else None


def customer_changes(uow: UnitOfWork, customer_id: int) -> list[dict[str, Any]]:
    """The old→new log of a customer's fields (crm_customer_changes), oldest first."""
    with uow.read_only():
        return _rows(
            uow,
            select(customer_changes_table)
            .where(customer_changes_table.c.customer_id == customer_id)
            .order_by(customer_changes_table.c.changed_at, customer_changes_table.c.id),
        )


def customer_label(uow: UnitOfWork, customer_id: int) -> str | None:
    """ "Name (C00007)", or None if there is no such customer."""
    with uow.read_only():
        row = uow.session.execute(
            select(customers.c.code, customers.c.name).where(customers.c.id == customer_id)
        ).first()
        return f"{row.name} ({row.code})" if row is not None else None


def product_label(uow: UnitOfWork, code: str) -> str | None:
    """ "Name (P0040)", or None if there is no such product."""
    with uow.read_only():
        name = uow.session.scalar(select(products.c.name).where(products.c.code == code))
        return f"{name} ({code})" if name is not None else None


def warehouse_label(uow: UnitOfWork, code: str) -> str | None:
    """ "ATH · Name" as the start forms offer it (a name often holds its town in
    parentheses), or None if there is no such warehouse."""
    with uow.read_only():
        name = uow.session.scalar(select(warehouses.c.name).where(warehouses.c.code == code))
        return f"{code} · {name}" if name is not None else None


def customer_of_order(uow: UnitOfWork, order_id: int) -> int | None:
    """The id of the customer an order is for, or None if there is no such order."""
    with uow.read_only():
        return uow.session.scalar(select(orders.c.customer_id).where(orders.c.id == order_id))


def customer_chooser(fields: list[FormField], found: list[dict[str, Any]]) -> list[FormField]:
    """`fields` with the customer field drawn as a choice among the customers `found`,
    each as its code, name and phone (found by find_customers), and its status unless active: a
    clerk should see a blocked customer before taking their order, not after."""
    choices = tuple((str(c["id"]), _choice_label(c)) for c in found)
    chooser = partial(replace, kind="select", choices=choices, label="Customer")
    return [chooser(f) if f.name == CUSTOMER_FIELD else f for f in fields]


def _choice_label(customer: dict[str, Any]) -> str:
    # The phone tells namesakes apart (three "Καφενείο Πετρόπουλος"), as the caller's
    # number on the agent's screen does.
    phone = customer.get("phone")
    label = f"{customer['code']} · {customer['name']}" + (f" · {phone}" if phone else "")
    status = customer.get("status")
    return label if status in (None, "active") else f"{label} ({term(status)})"


def chosen_customer(uow: UnitOfWork, value: str) -> list[dict[str, Any]]:
    """The customer a form's customer field holds (an id as typed), as find_customers
    lists it: none if the value is no customer's id."""
    code = customer_code(uow, int(value)) if value.isdigit() else None
    return find_customers(uow, code, limit=1) if code else []


def customer_code(uow: UnitOfWork, customer_id: int) -> str | None:
    """The code of a customer (the business key of its processes), or None if unknown."""
    if not 1 <= customer_id <= MAX_RECORD_ID:  # names nobody, and would overflow the query
        return None
    with uow.read_only():
        return uow.session.scalar(select(customers.c.code).where(customers.c.id == customer_id))


def _rows(uow: UnitOfWork, query: Select[Any]) -> list[dict[str, Any]]:
    return [_plain(row) for row in uow.session.execute(query).mappings()]


def _plain(row: Any) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def case_customers(
    uow: UnitOfWork, cases: list[tuple[int | None, str | None]]
) -> list[dict[str, Any] | None]:
    """The customer (id, code, name) of each case given as (customer id, business key).

    The id wins; else the key is a customer's code or (order release) an order's
    number. Three queries at most, whatever the number of cases: for list pages.
    """
    ids = {customer_id for customer_id, _ in cases if customer_id is not None}
    keys = {key for customer_id, key in cases if customer_id is None and key}
    columns = (customers.c.id, customers.c.code, customers.c.name)
    with uow.read_only():
        by_id = {r["id"]: r for r in _rows(uow, select(*columns).where(customers.c.id.in_(ids)))}
        by_code = {
            r["code"]: r for r in _rows(uow, select(*columns).where(customers.c.code.in_(keys)))
        }
        numbers = keys - by_code.keys()
        by_number = {
            r["number"]: r
            for r in _rows(
                uow,
                select(*columns, orders.c.number)
                .join(orders, orders.c.customer_id == customers.c.id)
                .where(orders.c.number.in_(numbers)),
            )
        }
    return [
        by_id.get(customer_id)
        if customer_id is not None
        else by_code.get(key or "") or by_number.get(key or "")
        for customer_id, key in cases
    ]
