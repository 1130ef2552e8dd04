"""ATP arithmetic: on hand - reserved - allocated, per line and per substitute."""

from __future__ import annotations

import pytest

from workflows.atp import (
    Candidate,
    Need,
    available_to_promise,
    best_substitute,
    plan_reservations,
    reservable,
)


@pytest.mark.parametrize(
    ("on_hand", "reserved", "allocated", "atp"),
    [
        (100, 0, 0, 100),
        (100, 30, 20, 50),
        (0, 0, 0, 0),  # zero stock
        (10, 10, 0, 0),  # all reserved
        (10, 4, 6, 0),  # reserved and allocated take it all
        (1, 0, 0, 1),  # one unit left
        (5, 4, 3, 0),  # overcommitted rows never promise a negative quantity
    ],
)
def test_atp_is_on_hand_less_reserved_and_allocated(on_hand, reserved, allocated, atp):
    assert available_to_promise(on_hand, reserved, allocated) == atp


@pytest.mark.parametrize("row", [(-1, 0, 0), (5, -1, 0), (5, 0, -2)])
def test_negative_stock_figures_are_refused(row):
    with pytest.raises(ValueError, match="cannot be negative"):
        available_to_promise(*row)


@pytest.mark.parametrize(
    ("requested", "atp", "units"),
    [(10, 100, 10), (10, 10, 10), (10, 3, 3), (10, 0, 0), (0, 5, 0), (10, -4, 0), (1, 1, 1)],
)
def test_a_reservation_takes_what_is_asked_or_what_is_left(requested, atp, units):
    assert reservable(requested, atp) == units


def test_a_negative_reservation_is_refused():
    with pytest.raises(ValueError, match="negative"):
        reservable(-1, 10)


def test_lines_of_the_same_product_share_its_atp_in_line_order():
    needs = [Need(1, "P1", 6), Need(2, "P2", 4), Need(3, "P1", 6)]
    assert plan_reservations(needs, {"P1": 8, "P2": 10}) == {1: 6, 2: 4, 3: 2}


def test_more_demand_than_supply_never_reserves_more_than_the_atp():
    needs = [Need(n, "P1", 5) for n in range(1, 5)]
    planned = plan_reservations(needs, {"P1": 7})
    assert planned == {1: 5, 2: 2, 3: 0, 4: 0}
    assert sum(planned.values()) == 7


def test_a_product_without_stock_gets_nothing():
    assert plan_reservations([Need("a", "P9", 3)], {}) == {"a": 0}
    assert plan_reservations([Need("a", "P9", 3)], {"P9": 0}) == {"a": 0}


def test_the_last_unit_goes_to_the_first_line():
    assert plan_reservations([Need(1, "P1", 1), Need(2, "P1", 1)], {"P1": 1}) == {1: 1, 2: 0}


def test_the_best_ranked_substitute_with_enough_atp_is_offered():
    candidates = [
        Candidate("P2", rank=1, atp=3),  # best rank, too little stock
        Candidate("P3", rank=3, atp=50),
        Candidate("P4", rank=2, atp=10),
    ]
    assert best_substitute(10, candidates).product_code == "P4"


def test_no_substitute_when_none_can_cover_the_shortfall_or_none_is_needed():
    candidates = [Candidate("P2", 1, atp=9), Candidate("P3", 2, atp=100, discontinued=True)]
    assert best_substitute(10, candidates) is None
    assert best_substitute(0, [Candidate("P2", 1, atp=9)]) is None
    assert best_substitute(5, []) is None
