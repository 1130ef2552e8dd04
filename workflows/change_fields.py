"""Which customer fields a data change may touch, and which of them need master data's approval.

Contact details (phones, e-mail, contact people, addresses) change as soon as the
requester enters them. The fields that identify the customer or shape its credit
(name, tax id, segment, payment terms) are sensitive: master data signs them off.
Credit limits are not changed here at all: they have their own process with its
own sign-off levels (credit_limit_change).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

CONTACT_FIELDS = (
    "phone",
    "email",
    "purchasing_manager",
    "payments_manager",
    "billing_address",
    "delivery_address",
    "contact",
)
SENSITIVE_FIELDS = ("name", "afm", "segment", "payment_terms_days")
ADDRESS_FIELDS = {"billing_address": "billing", "delivery_address": "delivery"}


def requested(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the requester filled in (a blank field means "leave as it is")."""
    return {field: value for field, value in changes.items() if value not in (None, "")}


def split_changes(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split requested changes into (contact changes, sensitive changes)."""
    wanted = requested(changes)
    unknown = set(wanted) - set(CONTACT_FIELDS) - set(SENSITIVE_FIELDS)
    if unknown:
        raise ValueError(f"a data change cannot touch: {', '.join(sorted(unknown))}")
    contact = {f: v for f, v in wanted.items() if f in CONTACT_FIELDS}
    sensitive = {f: v for f, v in wanted.items() if f in SENSITIVE_FIELDS}
    return contact, sensitive


def differing(changes: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The changes whose value is not already the customer's (so nothing is logged twice)."""
    return {
        field: value
        for field, value in changes.items()
        if not same_value(current.get(field), value)
    }


def same_value(old: Any, new: Any) -> bool:
    """Compare a stored value with a requested one: numbers by value, text trimmed."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return all(same_value(old.get(key), value) for key, value in new.items())
    if isinstance(old, int | float | Decimal) and isinstance(new, int | float | Decimal):
        return Decimal(str(old)) == Decimal(str(new))
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return old == new
