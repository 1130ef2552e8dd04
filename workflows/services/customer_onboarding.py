"""Services of the customer onboarding process: screen, register, activate or withdraw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update

from engine import ServiceContext

from ..afm import afm_problem
from ..change_fields import same_value
from ..contact_details import format_address
from ..customers import change_customer, get_customer, log_changes
from ..duplicates import Place
from ..tables import customers
from .customer_records import (
    addresses_of,
    afm_owners,
    contacts_of,
    format_contact,
    next_customer_code,
    next_customer_id,
    replace_contacts,
    set_address,
    similar_customers,
)

# The entry's fields that change_customer can set and log as they are.
ROW_FIELDS = (
    "name",
    "afm",
    "segment",
    "visit_frequency",
    "purchasing_manager",
    "payments_manager",
    "phone",
    "email",
)


def screen_new_customer(
    ctx: ServiceContext, customer: dict[str, Any], customer_id: int | None
) -> dict[str, Any]:
    """Check the AFM and look for customers the entry may duplicate (by AFM, name + address).

    `customer_id` is the prospect this request registered already (on a revision),
    which must not count as its own duplicate.
    """
    problem = afm_problem(customer["afm"])
    taken = [] if problem else afm_owners(ctx.session, customer["afm"], other_than=customer_id)
    similar = similar_customers(ctx.session, places(customer), other_than=customer_id)
    return {
        "afm_problem": problem,
        "afm_taken_by": taken,
        "similar": similar,
        "afm_blocked": bool(problem or taken),  # a second customer with one AFM cannot exist
        "duplicates_found": len(taken) + len(similar),
    }


def register_prospect(
    ctx: ServiceContext, customer: dict[str, Any], customer_id: int | None
) -> dict[str, Any]:
    """Create the customer as a prospect with the next code, or apply the BD's revision."""
    if customer_id is None:
        customer_id = _create(ctx, customer)
    else:
        _revise(ctx, int(customer_id), customer)
    row = get_customer(ctx.session, customer_id)
    return {"customer_id": customer_id, "code": row["code"], "status": row["status"]}


def activate_customer(
    ctx: ServiceContext, customer_id: int, credit_limit: float, payment_terms_days: int
) -> dict[str, Any]:
    """Make the prospect an active customer with its signed-off credit limit and terms."""
    current = get_customer(ctx.session, int(customer_id))
    if current["status"] != "prospect":
        raise ValueError(f"{current['code']} is {current['status']}, not a prospect")
    change_customer(
        ctx,
        int(customer_id),
        {
            "status": "active",
            "credit_limit": round(float(credit_limit), 2),
            "payment_terms_days": int(payment_terms_days),
        },
        reason="onboarded",
    )
    row = get_customer(ctx.session, int(customer_id))
    fields = ("code", "status", "credit_limit", "payment_terms_days")
    return {field: row[field] for field in fields}


def withdraw_prospect(ctx: ServiceContext, customer_id: int | None) -> dict[str, Any]:
    """Set the request's prospect (if one was registered) inactive: it will not be onboarded."""
    if customer_id is None:
        return {"customer_id": None, "status": None}
    change_customer(ctx, int(customer_id), {"status": "inactive"}, reason="not onboarded")
    return {"customer_id": int(customer_id), "status": "inactive"}


def prospect_withdrawn(ctx: ServiceContext, data: dict[str, Any], reason: str) -> dict[str, Any]:
    """Its process was cancelled: the prospect it registered (if any) will not be onboarded;
    a customer already activated is left as it is."""
    customer_id = (data.get("prospect") or {}).get("customer_id")
    if customer_id is None or get_customer(ctx.session, int(customer_id))["status"] != "prospect":
        return {"customer_id": customer_id, "status": None}
    return withdraw_prospect(ctx, customer_id)


def places(customer: dict[str, Any]) -> list[Place]:
    """The entry's name at each of its addresses."""
    addresses = [customer["billing_address"], customer.get("delivery_address")]
    return [Place(customer["name"], a["street"], a["city"], a["postcode"]) for a in addresses if a]


def _create(ctx: ServiceContext, customer: dict[str, Any]) -> int:
    customer_id = next_customer_id(ctx.session)
    ctx.session.execute(
        insert(customers).values(
            id=customer_id,
            code=next_customer_code(ctx.session),
            status="prospect",
            bd=ctx.actor,  # the BD who brought the customer owns it
            average_order_value=round(float(customer["average_order_value"]), 2),
            credit_limit=0,  # nothing on credit until the credit controller sets terms
            exposure=0,
            overdue_balance=0,
            overdue_days=0,
            payment_terms_days=0,
            created_at=ctx.now,
            **{field: customer.get(field) for field in ROW_FIELDS},
        )
    )
    for kind, address in _addresses(customer).items():
        set_address(ctx.session, customer_id, kind, address)
    replace_contacts(ctx.session, customer_id, customer.get("contacts") or [])
    log_changes(ctx, customer_id, {"status": (None, "prospect")}, reason="registered")
    return customer_id


def _revise(ctx: ServiceContext, customer_id: int, customer: dict[str, Any]) -> None:
    change_customer(ctx, customer_id, {field: customer.get(field) for field in ROW_FIELDS})
    current = get_customer(ctx.session, customer_id)
    changed: dict[str, tuple[Any, Any]] = {}
    value = round(float(customer["average_order_value"]), 2)
    if not same_value(current["average_order_value"], value):
        ctx.session.execute(
            update(customers).where(customers.c.id == customer_id).values(average_order_value=value)
        )
        changed["average_order_value"] = (current["average_order_value"], value)
    stored = addresses_of(ctx.session, customer_id)
    for kind, address in _addresses(customer).items():
        if not same_value(stored.get(kind), address):
            set_address(ctx.session, customer_id, kind, address)
            changed[f"{kind}_address"] = (format_address(stored.get(kind)), format_address(address))
    old_contacts, new_contacts = contacts_of(ctx.session, customer_id), customer.get("contacts")
    if old_contacts != [_contact(c) for c in new_contacts or []]:
        replace_contacts(ctx.session, customer_id, new_contacts or [])
        changed["contacts"] = (_contacts_text(old_contacts), _contacts_text(new_contacts))
    log_changes(ctx, customer_id, changed)


def _addresses(customer: dict[str, Any]) -> dict[str, dict[str, str]]:
    billing = customer["billing_address"]
    return {"billing": billing, "delivery": customer.get("delivery_address") or billing}


def _contact(contact: dict[str, Any]) -> dict[str, Any]:
    return {key: contact.get(key) for key in ("name", "role", "phone", "email")}


def _contacts_text(contacts: list[dict[str, Any]] | None) -> str | None:
    return "; ".join(format_contact(c) or "" for c in contacts) if contacts else None
