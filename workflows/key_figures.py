"""The key figure of each CRM case, and whose case it is: what an inbox row shows.

An inbox row must tell an agent what the case is about without opening it: the
customer, and the one number that decides how urgent or large it is (an order's
amount, the credit limit asked for, the amount a complaint claims, ...). The engine
asks `summary` at every step (ServiceRegistry.summarise_with) and keeps the answer
on the instance, so that lists never load a workflow.

A summary is plain JSON: {"customer_id", "customer_name", "order_number", "figure",
"value", "kind", "urgent"}, each possibly missing. "order_number" is the order an order
case is about (SO-2026-000003): what the customer and the call agent name it by.
"urgent" (an emergency order, and the release it sends) is the one key the engine
reads: the case's tasks are badged and sorted first.
`figure` names the figure (the web labels it: "Requested limit", ...), `kind` says how
to format the value: "money", "number" or "text" (a choice value, shown as its
translated word).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .order_pricing import order_total


@dataclass(frozen=True)
class KeyFigure:
    """Where a process keeps a key figure: the first of `paths` found in its data, or
    what `computed` makes of the data (None: not there)."""

    figure: str  # what the figure is (the web labels it in the user's language)
    kind: str  # money, number or text
    paths: tuple[str, ...] = ()  # dotted paths into the instance data, tried in order
    computed: Callable[[dict[str, Any]], Any] | None = None


def corrected_total(data: dict[str, Any]) -> float | None:
    """The total of customer service's corrected lines, when each line has its price:
    what the supervisor signs, before the correction reaches the order (None: no
    correction, or a line priced only by the catalogue)."""
    lines = data.get("corrected_lines")
    if data.get("outcome") != "fix" or not isinstance(lines, list) or not lines:
        return None
    try:
        return float(
            order_total(
                (line["quantity"], line["unit_price"], line.get("discount_pct") or 0)
                for line in lines
            )
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None


def partly_released_total(data: dict[str, Any]) -> float | None:
    """What credit control's partial release lets go: the value of the lines it keeps,
    as the credit check priced them (None: no partial release, or lines not priced)."""
    keep = data.get("release_lines")
    lines = (data.get("credit") or {}).get("lines")
    partial = data.get("credit_decision") == "partial"
    if not partial or not isinstance(keep, list) or not isinstance(lines, list):
        return None
    values = {line.get("line_no"): line.get("amount") for line in lines if isinstance(line, dict)}
    try:
        return round(sum(float(values[number]) for number in keep), 2)
    except (KeyError, TypeError, ValueError):
        return None


RELEASED_AMOUNT = KeyFigure("order_amount", "money", ("released.total",))
ORDERED_AMOUNT = KeyFigure("order_amount", "money", ("order.total", "credit.total", "order_total"))
ORDER_AMOUNT = (RELEASED_AMOUNT, ORDERED_AMOUNT)


def order_amount_or(computed: Callable[[dict[str, Any]], Any]) -> tuple[KeyFigure, ...]:
    """An order's amount, where what the submitted work makes of it (`computed`: a
    correction's total, a partial release's value) comes before the order's own total:
    signed, the order takes it; once released, what was released is the amount."""
    return (RELEASED_AMOUNT, KeyFigure("order_amount", "money", computed=computed), ORDERED_AMOUNT)


# A process's key figures in order of preference: the first found is the one shown. A
# figure is named for what it is: until a new credit limit is asked for, the row shows the
# current one as the current limit (it read "Requested limit").
KEY_FIGURES: dict[str, tuple[KeyFigure, ...]] = {
    "credit_limit_change": (
        KeyFigure("new_limit", "money", ("approved_limit",)),  # once recommended: what is signed
        KeyFigure("requested_limit", "money", ("requested_limit",)),
        KeyFigure("current_limit", "money", ("profile.credit_limit",)),
    ),
    "order_cleaning": order_amount_or(corrected_total),
    "emergency_order": ORDER_AMOUNT,
    "order_release": order_amount_or(partly_released_total),
    "complaint": (KeyFigure("claimed_amount", "money", ("claimed_amount",)),),
    "equipment_request": (KeyFigure("asset_type", "text", ("asset_type", "request.asset_type")),),
    "customer_onboarding": (  # once terms are set, the limit they give (what is signed)
        KeyFigure("credit_limit", "money", ("credit_limit",)),
        KeyFigure("average_order_value", "money", ("average_order_value",)),
    ),
    "customer_data_change": (KeyFigure("payment_terms_days", "number", ("payment_terms_days",)),),
}

# Where a case says it is an emergency: the order's own flag, or the release's (its start
# data carries the order's flag, workflows/orders/cleaning.py send_to_release).
URGENT_PATHS = ("order.emergency", "emergency")
# Where the customer's id, or (before there is one) the name, sits in a case's data.
CUSTOMER_ID_PATHS = ("customer_id", "order.customer_id", "customer.id", "prospect.customer_id")
CUSTOMER_NAME_PATHS = (
    "order.customer_name",
    "customer_name",
    "request.customer_name",
    "customer.name",
    "name",
)
# Where an order case keeps its order's number: the order (cleaning, emergency), or the
# release's start data.
ORDER_NUMBER_PATHS = ("order.number", "order_number")


def customer_id_of(data: dict[str, Any]) -> int | None:
    """The id of the customer a case's `data` is about (a prospect's too), if it names one."""
    customer_id = _first(data, CUSTOMER_ID_PATHS)
    return customer_id if type(customer_id) is int else None


def summary(process_id: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """What an inbox shows of a case of `process_id` that knows `data` (None: nothing)."""
    found: dict[str, Any] = {}
    customer_id = customer_id_of(data)
    if customer_id is not None:
        found["customer_id"] = customer_id
    name = _first(data, CUSTOMER_NAME_PATHS)
    if isinstance(name, str) and name.strip():
        found["customer_name"] = name.strip()[:200]
    number = _first(data, ORDER_NUMBER_PATHS)
    if isinstance(number, str) and number.strip():
        found["order_number"] = number.strip()[:100]
    if _first(data, URGENT_PATHS) is True:
        found["urgent"] = True
    for key in KEY_FIGURES.get(process_id, ()):
        value = key.computed(data) if key.computed else _first(data, key.paths)
        if _fits(value, key.kind):
            found.update(figure=key.figure, value=value, kind=key.kind)
            break
    return found or None


def figure_signed(
    process_id: str, case: dict[str, Any], submitted: dict[str, Any]
) -> tuple[str, Any, Any] | None:
    """(figure, as the case holds it, once signed) when the submitted work changes the
    case's key figure without saying so in a field of its own: a correction's total,
    which the signer must see before the correction reaches the order. None otherwise."""
    for key in KEY_FIGURES.get(process_id, ()):
        after = key.computed({**case, **submitted}) if key.computed else None
        if after is not None:
            before = summary(process_id, case) or {}
            now = before.get("value") if before.get("figure") == key.figure else None
            return key.figure, now, after
    return None


def _first(data: dict[str, Any], paths: tuple[str, ...]) -> Any:
    for path in paths:
        value: Any = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def _fits(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str) and 0 < len(value) <= 100
    return isinstance(value, int | float) and not isinstance(value, bool)
