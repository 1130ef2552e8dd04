"""How the business changes and DMN decisions of an instance's trail read for people.

The events' shape is documented in docs/audit.md; here their codes become words
(in the user's language) and numbers are written as the locale writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext

from raci.messages import from_said

from . import display, names, vocabulary
from .i18n import render

# A code a service gives as its reason, rather than words a person wrote.
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)*")
_RELEASED = re.compile(r"(\S+) released")

ENTITIES = {
    "customer": lazy_gettext("Customer"),
    "stock": lazy_gettext("Stock"),
    "order": lazy_gettext("Order"),
    "order_line": lazy_gettext("Order line"),
    "asset": lazy_gettext("Asset"),
    "credit_note": lazy_gettext("Credit note"),
    "complaint": lazy_gettext("Complaint"),
    "service_request": lazy_gettext("Service request"),
}

FIELDS = {
    "name": lazy_gettext("name"),
    "afm": lazy_gettext("tax id (AFM)"),
    "segment": lazy_gettext("segment"),
    "status": lazy_gettext("status"),
    "visit_frequency": lazy_gettext("visits a month"),
    "bd": lazy_gettext("business developer"),
    "purchasing_manager": lazy_gettext("purchasing manager"),
    "payments_manager": lazy_gettext("payments manager"),
    "phone": lazy_gettext("phone"),
    "email": lazy_gettext("e-mail"),
    "credit_limit": lazy_gettext("credit limit"),
    "payment_terms_days": lazy_gettext("payment terms (days)"),
    "average_order_value": lazy_gettext("average order value"),
    "exposure": lazy_gettext("exposure"),
    "billing_address": lazy_gettext("billing address"),
    "delivery_address": lazy_gettext("delivery address"),
    "contact": lazy_gettext("contact person"),
    "contacts": lazy_gettext("contact people"),
    "on_hand": lazy_gettext("on hand"),
    "reserved": lazy_gettext("reserved"),
    "allocated": lazy_gettext("allocated"),
    "customer_id": lazy_gettext("customer"),
    "location": lazy_gettext("location"),
    "placed_on": lazy_gettext("placed on"),
    "amount": lazy_gettext("amount"),
    "resolution": lazy_gettext("resolution"),
    "credit_note_amount": lazy_gettext("credit note amount"),
    "technician": lazy_gettext("technician"),
    "due_on": lazy_gettext("due on"),
    "asset_serial": lazy_gettext("serial number"),
    # An order line's, corrected by customer service (workflows/orders/cleaning.py).
    "product_code": lazy_gettext("product"),
    "quantity": lazy_gettext("quantity"),
    "unit_price": lazy_gettext("unit price"),
    "discount_pct": lazy_gettext("discount (per cent)"),
    "total": lazy_gettext("total"),
}

# Status codes of customers, orders, assets, complaints and service requests.
# Fields whose digits name something rather than count it.
IDENTIFIERS = frozenset({"phone", "afm", "asset_serial", "email"})
# Fields that hold a username.
PEOPLE = frozenset({"technician", "bd", "assignee"})

VALUES = {
    "prospect": lazy_gettext("prospect"),
    "active": lazy_gettext("active"),
    "blocked": lazy_gettext("blocked"),
    "inactive": lazy_gettext("inactive"),
    "received": lazy_gettext("received"),
    "needs_cleaning": lazy_gettext("needs cleaning"),
    "clean": lazy_gettext("clean"),
    "cancelled": lazy_gettext("cancelled"),
    "blocked_credit": lazy_gettext("blocked for credit"),
    "blocked_stock": lazy_gettext("blocked for stock"),
    "on_hold": lazy_gettext("on hold"),
    "confirmed": lazy_gettext("confirmed"),
    "released": lazy_gettext("released"),
    "in_stock": lazy_gettext("in stock"),
    "placed": lazy_gettext("placed"),
    "in_repair": lazy_gettext("in repair"),
    "retired": lazy_gettext("retired"),
    "open": lazy_gettext("open"),
    "escalated": lazy_gettext("escalated"),
    "accepted": lazy_gettext("accepted"),
    "rejected": lazy_gettext("rejected"),
    "closed": lazy_gettext("closed"),
    "withdrawn": lazy_gettext("withdrawn"),
    "requested": lazy_gettext("requested"),
    "approved": lazy_gettext("approved"),
    "declined": lazy_gettext("declined"),
    "scheduled": lazy_gettext("scheduled"),
    "overdue": lazy_gettext("overdue"),
    "completed": lazy_gettext("completed"),
}


# The reasons the CRM services give for their changes (workflows/services/).
REASONS = {
    "credit limit change approved": lazy_gettext("credit limit change approved"),
    "registered": lazy_gettext("registered"),
    "onboarded": lazy_gettext("onboarded"),
    "not onboarded": lazy_gettext("not onboarded"),
    "signed off": lazy_gettext("signed off"),
    "order released": lazy_gettext("order released"),
    "confirmed invoice difference": lazy_gettext("confirmed invoice difference"),
    "lines corrected": lazy_gettext("lines corrected"),
    # engine/commands/resignature.py: an admin's retry changed what was signed.
    "retry with data that changes what was signed": lazy_gettext(
        "retry with data that changes what was signed"
    ),
}


def event_reason(event: Mapping[str, Any]) -> str | None:
    """Why an event happened, in the reader's language: a refusal's kept message worded
    (raci.messages.said), else its reason as `reason_view` says it."""
    said = from_said(event.get("details") or {})
    return render(said) if said is not None else reason_view(event.get("reason"))


def reason_view(reason: str | None) -> str | None:
    """A service's reason for a change, in the user's language (people's own as written)."""
    if reason in REASONS:
        return str(REASONS[reason])
    released = _RELEASED.fullmatch(reason or "")  # workflows/orders/release.py's reason
    if released:
        return gettext("%(order)s released", order=released.group(1))
    if reason and _CODE.fullmatch(reason):  # a service's code ("released"): as a word
        return str(vocabulary.term(reason))
    return reason


def change_view(details: dict[str, Any]) -> dict[str, Any]:
    """A `data_changed` event's details as words: what, which, field, old and new."""
    return {
        "entity": ENTITIES.get(details.get("entity"), details.get("entity")),
        "key": _key(details.get("entity"), details.get("key")),
        "field": FIELDS.get(details.get("field"), details.get("field")),
        "old": shown(details.get("old"), details.get("field")),
        "new": shown(details.get("new"), details.get("field")),
    }


def _key(entity: Any, key: Any) -> Any:
    """Which record changed: a customer by name and code, not by its database id; a
    record known only by its number (a complaint) as "no. 7", not a bare "7"."""
    if entity == "customer" and str(key).isdigit():
        return display.customer(int(key))
    if str(key).isdigit():
        return gettext("no. %(number)s", number=key)
    return key


def decision_view(details: dict[str, Any]) -> dict[str, Any]:
    """A `decision` event's details: the table, its version, inputs, rules and outputs."""
    # Names are the DMN's, in the catalog (web/babel_extract.py); a rule without a
    # description is shown by its row, never by its id; outcomes are words (vocabulary).
    return {
        "table": names.tr(details.get("table_name") or details.get("task_name"))
        or details.get("table"),
        "table_id": details.get("table"),
        "version": details.get("process_version"),
        "digest": details.get("table_digest"),
        "inputs": [
            (names.tr(i.get("label")) or i.get("expression"), _input_value(i))
            for i in details.get("inputs", [])
        ],
        # A rule without a description is named by its row alone, not its XML id.
        "rules": [names.tr(r.get("description")) or "" for r in details.get("rules", [])],
        "rows": [r.get("row") for r in details.get("rules", [])],
        # Raw keys and values: the page labels and words them (field_label, show), an
        # amount by its name as everywhere ("min_order_value": 50,00 €).
        "outputs": dict(details.get("outputs") or {}),
    }


def _input_value(given: dict[str, Any]) -> Any:
    """A table's input as people read it: an amount, its label says "(EUR)", with its
    cents ("3.581,70", not "3.581,7"); any other number as a number."""
    value, label = given.get("value"), str(given.get("label") or "")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and label.rstrip().endswith("(EUR)"):
        return format_decimal(value, format="#,##0.00")
    return _value(value)


def _value(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value)
    return value


def shown(value: str | None, field: str | None = None) -> str | None:
    """A stored change value as people read it: numbers in the locale's way (amounts in
    euros, as everywhere else), codes in words;
    an identifier made of digits (a phone, a tax id) as it was typed, never as a quantity."""
    if value is None:
        return None
    if field in IDENTIFIERS:
        return value
    if field in PEOPLE:  # a username: the person by name
        return display.person(value)
    if value in VALUES:
        return str(VALUES[value])
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    from .display_values import is_money  # it reads this module's words (display_labels)

    return display.money(number) if is_money(field) else format_decimal(number)
