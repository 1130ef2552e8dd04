"""Order checks: cleaning anomalies under a policy, credit blocks, and the money they use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from workflows.order_checks import (
    Line,
    Order,
    PastOrder,
    Policy,
    credit_block_reasons,
    find_anomalies,
    left_after_confirmation,
)
from workflows.order_pricing import effective_discount_pct, line_amount, money, order_total

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
POLICY = Policy(duplicate_window_days=2, quantity_factor=3, max_discount_pct=10, min_order_value=50)


def line(no=1, code="P0005", quantity=10, price="12.00", discount="0", listed="12.00", **kw):
    return Line(no, code, quantity, D(price), D(discount), D(listed), **kw)


def order(*lines, total="120.00", average="100.00", status="active", **kw):
    return Order(NOW, status, D(average), D(total), lines or (line(),), **kw)


def codes(anomalies):
    return [a.code for a in anomalies]


def test_an_ordinary_order_is_clean():
    assert find_anomalies(order(), POLICY) == []


def test_a_blocked_customer_is_a_hard_anomaly():
    [anomaly] = find_anomalies(order(status="blocked"), POLICY)
    assert (anomaly.code, anomaly.hard) == ("customer_blocked", True)


def test_unknown_and_discontinued_products_are_hard_anomalies():
    found = find_anomalies(
        order(line(1), line(2, "P0017", discontinued=True), unknown_products=("X1",)), POLICY
    )
    assert codes(found) == ["unknown_product", "discontinued_product"]
    assert all(a.hard for a in found)
    assert found[1].line_no == 2


def test_the_same_products_within_the_window_are_a_possible_duplicate():
    past = PastOrder("SO-2026-000001", NOW - timedelta(days=1), frozenset({"P0005"}))
    [anomaly] = find_anomalies(order(past_orders=(past,)), POLICY)
    assert (anomaly.code, anomaly.hard) == ("possible_duplicate", False)
    assert "SO-2026-000001" in anomaly.message


@pytest.mark.parametrize(
    ("age", "products"),
    [
        (timedelta(days=2, minutes=1), {"P0005"}),  # just outside the window
        (timedelta(hours=1), {"P0005", "P0006"}),  # other products
    ],
)
def test_older_orders_or_other_products_are_no_duplicate(age, products):
    past = PastOrder("SO-1", NOW - age, frozenset(products))
    assert find_anomalies(order(past_orders=(past,)), POLICY) == []


def test_a_zero_day_window_turns_the_duplicate_check_off():
    past = PastOrder("SO-1", NOW, frozenset({"P0005"}))
    no_window = replace(POLICY, duplicate_window_days=0)
    assert find_anomalies(order(past_orders=(past,)), no_window) == []


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("300.00", []),  # exactly 3x the average
        ("300.01", ["unusually_large"]),
        ("33.34", ["below_minimum"]),  # below 50 but not under a third of 100
        ("33.33", ["below_minimum", "unusually_small"]),
        ("50.00", []),
    ],
)
def test_totals_far_off_the_average_or_below_the_minimum(total, expected):
    assert codes(find_anomalies(order(total=total), POLICY)) == expected


def test_a_customer_without_an_average_is_not_judged_on_size():
    assert find_anomalies(order(total="5000.00", average="0"), POLICY) == []


@pytest.mark.parametrize(
    ("price", "discount", "expected"),
    [
        ("12.00", "10", []),  # at the policy's limit
        ("10.80", "0", []),  # a typed-in price exactly 10% under list
        ("12.00", "10.5", ["discount_above_policy"]),
        ("10.00", "0", ["discount_above_policy"]),  # a typed-in price 16.7% under list
        ("11.00", "2", ["discount_above_policy"]),  # both together: 10.17% under list
        ("12.50", "0", ["price_above_list"]),
    ],
)
def test_prices_and_discounts_outside_policy(price, discount, expected):
    found = find_anomalies(order(line(price=price, discount=discount)), POLICY)
    assert codes(found) == expected
    assert all(not a.hard and a.line_no == 1 for a in found)


def test_confirming_with_the_customer_leaves_only_the_hard_anomalies():
    found = find_anomalies(order(line(price="9.00"), total="1000.00", status="blocked"), POLICY)
    assert codes(found) == ["customer_blocked", "unusually_large", "discount_above_policy"]
    assert codes(left_after_confirmation(found)) == ["customer_blocked"]


def test_an_overdue_balance_blocks_for_credit():
    reasons = credit_block_reasons(
        overdue_balance=D("0.01"), exposure=D(0), credit_limit=D(1000), order_total=D(10)
    )
    assert reasons == ["overdue balance of 0.01"]


@pytest.mark.parametrize(("exposure", "blocked"), [("900.00", False), ("900.01", True)])
def test_exposure_plus_order_above_the_limit_blocks_for_credit(exposure, blocked):
    reasons = credit_block_reasons(
        overdue_balance=D(0), exposure=D(exposure), credit_limit=D(1000), order_total=D(100)
    )
    assert bool(reasons) is blocked


def test_line_amounts_round_half_up_to_the_cent_line_by_line():
    assert line_amount(3, D("0.335"), 0) == D("1.01")  # 1.005 rounds up
    assert line_amount(7, D("12.90"), D("12.5")) == D("79.01")  # 79.0125
    assert order_total([(1, "0.005", 0), (1, "0.005", 0)]) == D("0.02")  # not 0.01
    assert order_total([]) == D("0.00")
    assert money(2.675) == D("2.68")


def test_bad_prices_and_discounts_are_refused():
    with pytest.raises(ValueError, match="discount"):
        line_amount(1, 10, 101)
    with pytest.raises(ValueError, match="quantity"):
        line_amount(-1, 10, 0)
    with pytest.raises(ValueError, match="list price"):
        effective_discount_pct(10, 0, 0)
