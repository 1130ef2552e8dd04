"""Services of the customer data change process: contact details at once, the rest signed off."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import ServiceContext

from ..afm import afm_problem
from ..change_fields import ADDRESS_FIELDS, differing, split_changes
from ..contact_details import format_address
from ..customers import change_customer, get_customer, log_changes
from .customer_records import (
    addresses_of,
    afm_owners,
    contacts_of,
    format_contact,
    save_contact,
    set_address,
)

SHOWN = (
    "code",
    "name",
    "afm",
    "segment",
    "status",
    "bd",
    "phone",
    "email",
    "purchasing_manager",
    "payments_manager",
    "payment_terms_days",
    "credit_limit",
)


def load_customer_for_change(ctx: ServiceContext, customer_id: int) -> dict[str, Any]:
    """The customer as the requester sees it before changing it."""
    return _current(ctx.session, int(customer_id))


def apply_contact_changes(
    ctx: ServiceContext, customer_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply the contact details now (logged); report the sensitive changes still pending."""
    customer_id = int(customer_id)
    contact, sensitive = split_changes(changes)
    current = _current(ctx.session, customer_id)
    wanted = differing({f: v for f, v in contact.items() if f != "contact"}, current)
    row_changes = {f: v for f, v in wanted.items() if f not in ADDRESS_FIELDS}
    applied = list(change_customer(ctx, customer_id, row_changes))
    logged: dict[str, tuple[Any, Any]] = {}
    for field, kind in ADDRESS_FIELDS.items():
        if field in wanted:
            set_address(ctx.session, customer_id, kind, wanted[field])
            logged[field] = (format_address(current[field]), format_address(wanted[field]))
    if "contact" in contact:
        old, new = save_contact(ctx.session, customer_id, contact["contact"])
        if old != new:
            logged["contact"] = (format_contact(old), format_contact(new))
    log_changes(ctx, customer_id, logged)
    pending = differing(sensitive, current)
    return {
        "applied": sorted([*applied, *logged]),
        "pending": pending,
        "needs_approval": bool(pending),
    }


def check_sensitive_change(
    ctx: ServiceContext, customer_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Pre-check the sensitive changes for master data: a new AFM must be valid and free.

    Also names who entered them (`requested_by`): the submission is routed to that
    person (the matrix's `assign_to`), not to every BD, call agent and agent."""
    _, sensitive = split_changes(changes)
    pending = differing(sensitive, _current(ctx.session, int(customer_id)))
    problems = _problems(ctx.session, int(customer_id), pending)
    return {"pending": pending, "problems": problems, "ok": not problems, "requested_by": ctx.actor}


def apply_sensitive_change(
    ctx: ServiceContext, customer_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply the signed-off sensitive changes, re-validating a new AFM first.

    If the AFM is invalid or another customer holds it by now, nothing is applied
    and the problems are returned, so the request can be corrected.
    """
    customer_id = int(customer_id)
    _, sensitive = split_changes(changes)
    pending = differing(sensitive, _current(ctx.session, customer_id))
    problems = _problems(ctx.session, customer_id, pending)
    if problems:
        return {"applied": False, "changed": [], "problems": problems}
    changed = change_customer(ctx, customer_id, pending, reason="signed off")
    return {"applied": True, "changed": sorted(changed), "problems": []}


def _problems(session: Session, customer_id: int, pending: dict[str, Any]) -> list[str]:
    afm = pending.get("afm")
    if afm is None:
        return []
    problem = afm_problem(afm)
    if problem:
        return [f"AFM {afm}: {problem}"]
    return [
        f"AFM {afm} already belongs to {owner['code']} {owner['name']} ({owner['status']})"
        for owner in afm_owners(session, afm, other_than=customer_id)
    ]


def _current(session: Session, customer_id: int) -> dict[str, Any]:
    row = get_customer(session, customer_id)
    addresses = addresses_of(session, customer_id)
    return {
        "id": customer_id,
        **{field: row[field] for field in SHOWN},
        **{field: addresses.get(kind) for field, kind in ADDRESS_FIELDS.items()},
        "contacts": contacts_of(session, customer_id),
    }
