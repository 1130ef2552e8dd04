"""Demo customers and order lines that take an order down the path a journey walks.

An order is clean when its total is near the customer's average order at list prices,
and its release is blocked for credit when the customer is overdue (order_checks.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workflows.tables import customers, products, stock

WAREHOUSE = "ATH"


def customer_ids(journey: Any, ids: range, **conditions: Any) -> list[int]:
    """Active customers in `ids` with no overdue balance (`overdue=False`), or overdue for
    at most (`max_days`) or more than (`min_days`) so many days; by id."""
    query = select(customers).where(customers.c.id.in_(list(ids)), customers.c.status == "active")
    if conditions.get("overdue") is False:
        query = query.where(customers.c.overdue_balance == 0)
        query = query.where(customers.c.credit_limit - customers.c.exposure > 2000)
    if "max_days" in conditions:
        query = query.where(customers.c.overdue_days.between(1, conditions["max_days"]))
    if "min_days" in conditions:
        query = query.where(customers.c.overdue_days > conditions["min_days"])
    with journey.engine.uow() as uow:
        return [row.id for row in uow.session.execute(query.order_by(customers.c.id))]


def clean_line(journey: Any, customer_id: int) -> tuple[str, int]:
    """A product in stock, and a quantity that totals about the customer's average order."""
    with journey.engine.uow() as uow:
        average = uow.session.scalar(
            select(customers.c.average_order_value).where(customers.c.id == customer_id)
        )
        rows = uow.session.execute(
            select(
                products.c.code,
                products.c.price,
                stock.c.on_hand - stock.c.reserved - stock.c.allocated,
            )
            .join(stock, stock.c.product_code == products.c.code)
            .where(stock.c.warehouse_code == WAREHOUSE, ~products.c.discontinued)
            .order_by(products.c.price.desc())
        ).all()
    for code, price, available in rows:
        quantity = max(1, round(Decimal(average) / Decimal(price)))
        if available >= quantity * 2:  # room for the other journeys' orders too
            return code, quantity
    raise AssertionError(f"no product in stock for an order of customer {customer_id}")


def list_price(journey: Any, code: str) -> Decimal:
    with journey.engine.uow() as uow:
        return uow.session.scalar(select(products.c.price).where(products.c.code == code))
