"""Money on an order: a line's net amount and the order total, in euro cents.

Amounts are Decimals rounded half up to the cent, line by line, as on the
invoice; the total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value: float | int | str | Decimal) -> Decimal:
    """Return `value` as a Decimal rounded to the cent."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def net_price(unit_price: float | Decimal, discount_pct: float | Decimal) -> Decimal:
    """Return the unit price after the line discount (not rounded)."""
    discount = Decimal(str(discount_pct))
    if not Decimal(0) <= discount <= HUNDRED:
        raise ValueError(f"a discount must be between 0 and 100% ({discount})")
    return Decimal(str(unit_price)) * (HUNDRED - discount) / HUNDRED


def line_amount(
    quantity: int, unit_price: float | Decimal, discount_pct: float | Decimal
) -> Decimal:
    """Return the net amount of a line: quantity x price less discount, to the cent."""
    if quantity < 0:
        raise ValueError(f"a quantity cannot be negative ({quantity})")
    return money(quantity * net_price(unit_price, discount_pct))


def order_total(lines: Iterable[tuple[int, float | Decimal, float | Decimal]]) -> Decimal:
    """Return the sum of the lines' net amounts, given (quantity, unit price, discount %)."""
    return sum((line_amount(*line) for line in lines), Decimal("0.00"))


def effective_discount_pct(
    unit_price: float | Decimal, discount_pct: float | Decimal, list_price: float | Decimal
) -> Decimal:
    """Return how far below the list price the net price is, in % (negative if above)."""
    listed = Decimal(str(list_price))
    if listed <= 0:
        raise ValueError(f"a list price must be positive ({listed})")
    return (listed - net_price(unit_price, discount_pct)) / listed * HUNDRED
