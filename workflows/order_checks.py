"""The checks an order passes: cleaning (customer-service policy) and credit (release).

Cleaning finds anomalies. A *hard* anomaly (blocked customer, unknown or
discontinued product) must be fixed or the order cancelled; a *soft* one
(possible duplicate, unusual size, price or discount outside policy, order
below the minimum) may be accepted once customer service has confirmed the
order with the customer. The thresholds come from the process owners' DMN
table (bpmn/order_cleaning.policy.dmn) as a `Policy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .order_pricing import effective_discount_pct, money


@dataclass(frozen=True)
class Policy:
    duplicate_window_days: int  # same products for the same customer within N days
    quantity_factor: float  # the total may be at most this many times off the average
    max_discount_pct: float  # the deepest discount below list price allowed
    min_order_value: float  # smaller orders are not worth a delivery


@dataclass(frozen=True)
class Line:
    line_no: int
    product_code: str
    quantity: int
    unit_price: Decimal
    discount_pct: Decimal
    list_price: Decimal
    discontinued: bool = False


@dataclass(frozen=True)
class PastOrder:
    """Another order of the same customer (not cancelled)."""

    number: str
    placed_at: datetime
    product_codes: frozenset[str]


@dataclass(frozen=True)
class Order:
    placed_at: datetime
    customer_status: str
    average_order_value: Decimal
    total: Decimal
    lines: tuple[Line, ...]
    unknown_products: tuple[str, ...] = ()  # codes not in the catalogue (never stored)
    past_orders: tuple[PastOrder, ...] = ()


@dataclass(frozen=True)
class Anomaly:
    code: str
    message: str  # English, for logs, the API and the CLI
    hard: bool = False  # confirming with the customer cannot accept it
    line_no: int | None = None
    # The figures of `message`, so that a page says it in its reader's words and numbers.
    params: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def find_anomalies(order: Order, policy: Policy) -> list[Anomaly]:
    """Return every anomaly of `order` under `policy`, hard ones first."""
    found = [
        *_customer(order),
        *_products(order),
        *_duplicates(order, policy),
        *_size(order, policy),
        *_prices(order, policy),
    ]
    return sorted(found, key=lambda a: not a.hard)


def _customer(order: Order) -> list[Anomaly]:
    if order.customer_status == "blocked":
        return [Anomaly("customer_blocked", "the customer is blocked", hard=True)]
    return []


def _products(order: Order) -> list[Anomaly]:
    found = [
        Anomaly(
            "unknown_product", f"{code} is not in the catalogue", True, params={"product": code}
        )
        for code in order.unknown_products
    ]
    found += [
        Anomaly(
            "discontinued_product",
            f"{line.product_code} is discontinued",
            True,
            line.line_no,
            {"product": line.product_code},
        )
        for line in order.lines
        if line.discontinued
    ]
    return found


def _duplicates(order: Order, policy: Policy) -> list[Anomaly]:
    if policy.duplicate_window_days <= 0:
        return []
    since = order.placed_at - timedelta(days=policy.duplicate_window_days)
    products = frozenset(line.product_code for line in order.lines)
    return [
        Anomaly(
            "possible_duplicate",
            f"same products as {past.number} of {past.placed_at:%d/%m}",
            params={"order": past.number, "placed_at": past.placed_at.isoformat()},
        )
        for past in order.past_orders
        if since <= past.placed_at <= order.placed_at and past.product_codes == products
    ]


def _size(order: Order, policy: Policy) -> list[Anomaly]:
    found = []
    minimum = money(policy.min_order_value)
    if order.total < minimum:
        figures = {"total": str(order.total), "minimum": str(minimum)}
        found.append(
            Anomaly("below_minimum", f"total {order.total} is below {minimum}", params=figures)
        )
    average, factor = order.average_order_value, Decimal(str(policy.quantity_factor))
    if average > 0 and factor > 0:
        figures = {"total": str(order.total), "factor": str(factor), "average": str(average)}
        if order.total > average * factor:
            message = f"total {order.total} is over {factor}x {average}"
            found.append(Anomaly("unusually_large", message, params=figures))
        elif order.total * factor < average:
            message = f"total {order.total} is under 1/{factor} of {average}"
            found.append(Anomaly("unusually_small", message, params=figures))
    return found


def _prices(order: Order, policy: Policy) -> list[Anomaly]:
    found = []
    most = Decimal(str(policy.max_discount_pct))
    for line in order.lines:
        if line.unit_price > line.list_price:
            message = f"{line.product_code} at {line.unit_price}, above list {line.list_price}"
            figures = {
                "product": line.product_code,
                "price": str(line.unit_price),
                "list_price": str(line.list_price),
            }
            found.append(Anomaly("price_above_list", message, line_no=line.line_no, params=figures))
            continue
        below = effective_discount_pct(line.unit_price, line.discount_pct, line.list_price)
        if below > most:
            message = f"{line.product_code} is {below:.1f}% below list (policy: {most}%)"
            figures = {"product": line.product_code, "below": f"{below:.1f}", "most": str(most)}
            found.append(
                Anomaly("discount_above_policy", message, line_no=line.line_no, params=figures)
            )
    return found


def left_after_confirmation(anomalies: Sequence[Anomaly]) -> list[Anomaly]:
    """Return the anomalies a confirmation with the customer cannot accept."""
    return [anomaly for anomaly in anomalies if anomaly.hard]


def credit_block_reasons(
    *, overdue_balance: Decimal, exposure: Decimal, credit_limit: Decimal, order_total: Decimal
) -> list[str]:
    """Return why releasing an order of `order_total` needs credit control (none: release)."""
    reasons = []
    if overdue_balance > 0:
        reasons.append(f"overdue balance of {money(overdue_balance)}")
    if exposure + order_total > credit_limit:
        reasons.append(
            f"exposure {money(exposure)} + order {money(order_total)}"
            f" exceeds the credit limit {money(credit_limit)}"
        )
    return reasons
