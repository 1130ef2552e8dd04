"""Customer rows beyond the customer table itself: codes, addresses, contacts, the change log.

Shared by the customer master services. Every write that changes what we know
about a customer is logged in crm_customer_changes, like change_customer does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..contact_details import format_address
from ..duplicates import Place, fold, is_likely_duplicate, postcode_area
from ..tables import customer_addresses, customer_contacts, customers

CODE_PREFIX = "C"
CODE_DIGITS = 5
ADDRESS_KINDS = ("billing", "delivery")


def next_customer_code(session: Session) -> str:
    """The code after the highest one in use: C00201 after C00200."""
    pattern = CODE_PREFIX + "_" * CODE_DIGITS  # fixed width, so the text order is numeric
    highest = session.scalar(
        select(func.max(customers.c.code)).where(customers.c.code.like(pattern))
    )
    number = int(highest[len(CODE_PREFIX) :]) + 1 if highest else 1
    return f"{CODE_PREFIX}{number:0{CODE_DIGITS}d}"


def next_customer_id(session: Session) -> int:
    # Customers loaded with explicit ids leave PostgreSQL's sequence behind: pick the id here.
    return (session.scalar(select(func.max(customers.c.id))) or 0) + 1


def brief(row: Any) -> dict[str, Any]:
    """How a customer is shown next to a request: id, code, name, status."""
    return {"id": row.id, "code": row.code, "name": row.name, "status": row.status}


def afm_owners(session: Session, afm: str, *, other_than: int | None = None) -> list[dict]:
    """The customers (other than `other_than`) that already have tax id `afm`."""
    query = select(customers).where(customers.c.afm == afm)
    if other_than is not None:
        query = query.where(customers.c.id != other_than)
    return [brief(row) for row in session.execute(query)]


def similar_customers(
    session: Session, places: list[Place], *, other_than: int | None = None
) -> list[dict]:
    """Customers with a similar name at one of `places` (same postcode area, then compared)."""
    areas = {postcode_area(place.postcode) for place in places}
    query = (
        select(
            customers,
            customer_addresses.c.street,
            customer_addresses.c.city,
            customer_addresses.c.postcode,
        )
        .join(customer_addresses, customer_addresses.c.customer_id == customers.c.id)
        .where(func.substr(customer_addresses.c.postcode, 1, 3).in_(areas))
        .order_by(customers.c.code)
    )
    if other_than is not None:
        query = query.where(customers.c.id != other_than)
    found: dict[int, dict] = {}
    for row in session.execute(query):
        existing = Place(row.name, row.street, row.city, row.postcode)
        if row.id not in found and any(is_likely_duplicate(p, existing) for p in places):
            address = {"street": row.street, "city": row.city, "postcode": row.postcode}
            found[row.id] = {**brief(row), "address": format_address(address)}
    return list(found.values())


def addresses_of(session: Session, customer_id: int) -> dict[str, dict[str, str]]:
    """The customer's addresses by kind (billing, delivery)."""
    rows = session.execute(
        select(customer_addresses).where(customer_addresses.c.customer_id == customer_id)
    )
    return {
        row.kind: {"street": row.street, "city": row.city, "postcode": row.postcode} for row in rows
    }


def set_address(session: Session, customer_id: int, kind: str, address: dict[str, str]) -> None:
    """Write the customer's address of `kind`, adding it if the customer has none."""
    values = {key: address[key] for key in ("street", "city", "postcode")}
    changed = session.execute(
        update(customer_addresses)
        .where(customer_addresses.c.customer_id == customer_id, customer_addresses.c.kind == kind)
        .values(values)
    )
    if not changed.rowcount:
        session.execute(
            insert(customer_addresses).values(customer_id=customer_id, kind=kind, **values)
        )


def contacts_of(session: Session, customer_id: int) -> list[dict[str, Any]]:
    """The customer's contact people, in the order they were added."""
    rows = session.execute(
        select(customer_contacts)
        .where(customer_contacts.c.customer_id == customer_id)
        .order_by(customer_contacts.c.id)
    )
    return [{"name": r.name, "role": r.role, "phone": r.phone, "email": r.email} for r in rows]


def replace_contacts(session: Session, customer_id: int, contacts: list[dict[str, Any]]) -> None:
    """Make `contacts` the customer's contact people (a prospect's, as entered)."""
    session.execute(delete(customer_contacts).where(customer_contacts.c.customer_id == customer_id))
    if contacts:
        session.execute(
            insert(customer_contacts),
            [{**contact_values(c), "customer_id": customer_id} for c in contacts],
        )


def save_contact(
    session: Session, customer_id: int, contact: dict[str, Any]
) -> tuple[dict | None, dict]:
    """Add the contact, or update the one with the same name; return (before, after).

    The name (compared without accents or case) identifies the person: an update
    changes only the role, phone and e-mail given, and keeps the name as stored.
    """
    given = {k: v for k, v in contact_values(contact).items() if v and k != "name"}
    for row in session.execute(
        select(customer_contacts).where(customer_contacts.c.customer_id == customer_id)
    ):
        if fold(row.name) == fold(contact["name"]):
            old = {"name": row.name, "role": row.role, "phone": row.phone, "email": row.email}
            new = {**old, **given}
            session.execute(
                update(customer_contacts).where(customer_contacts.c.id == row.id).values(new)
            )
            return old, new
    new = contact_values(contact)
    session.execute(insert(customer_contacts).values(customer_id=customer_id, **new))
    return None, new


def contact_values(contact: dict[str, Any]) -> dict[str, Any]:
    return {key: contact.get(key) for key in ("name", "role", "phone", "email")}


def format_contact(contact: dict[str, Any] | None) -> str | None:
    """A contact on one line for the change log: "Νίκος Νικολάου (Υπεύθυνος αγορών) 69..."."""
    if not contact:
        return None
    parts = [contact["name"], f"({contact['role']})" if contact.get("role") else None]
    parts += [contact.get("phone"), contact.get("email")]
    return " ".join(part for part in parts if part)
