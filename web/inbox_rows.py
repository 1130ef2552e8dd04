"""Inbox rows as people read them: the customer, the case's key figure, translated names.

The read model (engine/views/inbox.py) gives each task its case summary (drawn by
workflows/key_figures.py); this module turns it into words and numbers in the
user's language and locale (web/display.py, Babel).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engine.unit_of_work import UnitOfWork

from . import display
from .customer_card import case_customers

FIGURE_LABELS = {  # workflows/key_figures.py names these figures
    "new_limit": _l("New limit"),
    "credit_limit": _l("Credit limit"),
    "payment_terms_days": _l("Payment terms (days)"),
    "requested_limit": _l("Requested limit"),
    "current_limit": _l("Current limit"),
    "order_amount": _l("Order amount"),
    "claimed_amount": _l("Claimed amount"),
    "asset_type": _l("Asset type"),
    "average_order_value": _l("Average order value"),
}


def inbox_rows(
    uow: UnitOfWork, items: list[dict[str, Any]], process_names: dict[str, str]
) -> list[dict[str, Any]]:
    """`items` with their customer, key figure and translated process name added."""
    cases = [(item["summary"].get("customer_id"), item["business_key"]) for item in items]
    found = case_customers(uow, cases)
    rows = []
    for item, customer in zip(items, found, strict=True):
        summary = item["summary"]
        if customer is None and summary.get("customer_name"):  # a customer to be
            customer = {"code": None, "name": summary["customer_name"]}
        rows.append(
            {
                **item,
                "customer": customer,
                "figure": key_figure(summary),
                "process_name": gettext(process_names.get(item["process_id"], item["process_id"])),
            }
        )
    return rows


def key_figure(summary: dict[str, Any]) -> dict[str, str] | None:
    """The case's key figure as a label and a value in the user's locale, or None."""
    label, value = FIGURE_LABELS.get(summary.get("figure", "")), summary.get("value")
    if label is None or value is None:
        return None
    kind = summary.get("kind")
    if kind == "money":
        text = display.money(value)
    elif kind == "number":
        text = display.number(value)
    else:
        text = gettext(str(value))
    return {"label": str(label), "value": text}
