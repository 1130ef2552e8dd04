"""The allocation rule: A before B before C, in proportion within a segment, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflows.allocation import Demand, allocate

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def demand(key, segment, quantity, hours_old=0):
    return Demand(key, segment, MONDAY - timedelta(hours=hours_old), quantity)


def test_zero_stock_allocates_nothing():
    assert allocate(0, [demand(1, "A", 5), demand(2, "C", 3)]) == {1: 0, 2: 0}


def test_a_negative_pool_allocates_nothing():
    assert allocate(-3, [demand(1, "A", 5)]) == {1: 0}


def test_no_demand_allocates_nothing():
    assert allocate(10, []) == {}


def test_enough_stock_fills_every_order_and_leaves_the_rest():
    given = allocate(100, [demand(1, "A", 5), demand(2, "C", 3)])
    assert given == {1: 5, 2: 3}


def test_segments_are_served_a_then_b_then_c():
    demands = [demand("c", "C", 5, hours_old=10), demand("b", "B", 4), demand("a", "A", 3)]
    assert allocate(8, demands) == {"a": 3, "b": 4, "c": 1}


def test_within_a_segment_stock_is_shared_in_proportion_to_what_each_lacks():
    assert allocate(6, [demand(1, "B", 10), demand(2, "B", 20)]) == {1: 2, 2: 4}


def test_units_left_by_rounding_go_to_the_oldest_orders_first():
    demands = [demand("new", "A", 1), demand("old", "A", 1, hours_old=5), demand("mid", "A", 1, 2)]
    assert allocate(2, demands) == {"new": 0, "old": 1, "mid": 1}


def test_one_unit_left_goes_to_the_oldest_order_of_the_best_segment():
    demands = [
        demand("c-oldest", "C", 9, hours_old=48),
        demand("a-new", "A", 5),
        demand("a-old", "A", 3, hours_old=1),
    ]
    assert allocate(1, demands) == {"c-oldest": 0, "a-new": 0, "a-old": 1}


def test_rounding_never_gives_more_than_the_pool_or_than_an_order_lacks():
    demands = [demand(n, "B", q, hours_old=n) for n, q in enumerate([7, 3, 3, 1, 11, 2])]
    for pool in range(0, 30):
        given = allocate(pool, demands)
        assert sum(given.values()) == min(pool, 27)
        assert all(given[d.key] <= d.quantity for d in demands)


def test_more_demand_than_supply_hands_out_exactly_the_pool():
    demands = [demand(n, "ABC"[n % 3], 4, hours_old=n) for n in range(9)]  # 36 wanted
    given = allocate(10, demands)
    assert sum(given.values()) == 10
    assert sum(given[d.key] for d in demands if d.segment == "A") == 10  # 3 A orders x 4 = 12


def test_orders_lacking_nothing_get_nothing():
    assert allocate(5, [demand(1, "A", 0), demand(2, "A", 2)]) == {1: 0, 2: 2}


def test_an_unknown_segment_is_served_after_c():
    assert allocate(3, [demand("x", "X", 3), demand("c", "C", 2)]) == {"x": 1, "c": 2}


def test_a_negative_demand_is_refused():
    with pytest.raises(ValueError, match="negative"):
        demand(1, "A", -1)
