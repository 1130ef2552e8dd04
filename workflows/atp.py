"""Available to promise (ATP): what a warehouse can still promise of a product.

    ATP = on hand - reserved - allocated, and never less than zero.

Reserved units are held for confirmed orders (first come, first served);
allocated units are shared out among orders waiting for scarce stock
(workflows/allocation.py). Both are counted per warehouse, so ATP is too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


def available_to_promise(on_hand: int, reserved: int, allocated: int) -> int:
    """Return the units of a stock row nobody holds yet (0 if it is overcommitted)."""
    for name, value in (("on hand", on_hand), ("reserved", reserved), ("allocated", allocated)):
        if value < 0:
            raise ValueError(f"{name} cannot be negative ({value})")
    return max(0, on_hand - reserved - allocated)


def reservable(requested: int, atp: int) -> int:
    """Return how much of `requested` can be reserved now: all of it, or the ATP left."""
    if requested < 0:
        raise ValueError(f"cannot reserve a negative quantity ({requested})")
    return min(requested, max(0, atp))


@dataclass(frozen=True)
class Need:
    """Units one order line still needs of a product."""

    key: Hashable  # the order line
    product_code: str
    quantity: int


def plan_reservations(needs: Sequence[Need], atp: Mapping[str, int]) -> dict[Hashable, int]:
    """Return the units to reserve per line, serving lines in the order given.

    Two lines of the same product draw on the same ATP, so the second gets
    only what the first left. A product missing from `atp` has none.
    """
    left = dict(atp)
    planned: dict[Hashable, int] = {}
    for need in needs:
        units = reservable(need.quantity, left.get(need.product_code, 0))
        planned[need.key] = units
        left[need.product_code] = left.get(need.product_code, 0) - units
    return planned


@dataclass(frozen=True)
class Candidate:
    """A possible substitute for a product, with its rank and ATP in the same warehouse."""

    product_code: str
    rank: int  # 1 is the best substitute
    atp: int
    discontinued: bool = False


def best_substitute(shortfall: int, candidates: Iterable[Candidate]) -> Candidate | None:
    """Return the best-ranked substitute that can cover the whole shortfall, if any."""
    if shortfall <= 0:
        return None
    able = [c for c in candidates if not c.discontinued and c.atp >= shortfall]
    return min(able, key=lambda c: (c.rank, c.product_code), default=None)
