"""Share scarce stock among the orders waiting for it (product allocation).

The rule, applied per product and warehouse each time the waiting orders or
the free stock change:

1. The pool is the stock nobody has reserved: on hand - reserved. Units
   already allocated to waiting orders go back into the pool and are shared
   out again, so a new order of a higher segment can take them over.
   Reservations are never taken back: a confirmed order keeps its goods.
2. Customer segments are served in turn: A, then B, then C (Pareto: the few
   customers who make most of the turnover come first). A segment is served
   in full before the next one gets anything.
3. When the pool cannot cover a whole segment, that segment's orders share it
   in proportion to what each lacks, rounded down to whole units; the units
   left over by rounding go one at a time to the oldest orders first.
4. No order gets more than it lacks, and the units given out never exceed the
   pool (never over-allocate). An empty or negative pool gives nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

SEGMENT_ORDER = ("A", "B", "C")


@dataclass(frozen=True)
class Demand:
    """What one waiting order line lacks of the scarce product."""

    key: Hashable  # the order line
    segment: str  # the customer's segment: A, B or C
    placed_at: datetime  # the order's age decides who gets units left by rounding
    quantity: int  # units lacking

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ValueError(f"a demand cannot be negative ({self.quantity})")


def allocate(pool: int, demands: Sequence[Demand]) -> dict[Hashable, int]:
    """Return the units allocated to each demand by the rule of this module."""
    given = {demand.key: 0 for demand in demands}
    left = max(0, pool)
    for segment in _segments(demands):
        if left == 0:
            break
        group = [d for d in demands if d.segment == segment and d.quantity > 0]
        shares = _share(left, group)
        given.update(shares)
        left -= sum(shares.values())
    return given


def _segments(demands: Sequence[Demand]) -> list[str]:
    # Unknown segments come after C, so a data error never jumps the queue.
    others = sorted({d.segment for d in demands} - set(SEGMENT_ORDER))
    return [*SEGMENT_ORDER, *others]


def _share(pool: int, group: Sequence[Demand]) -> dict[Hashable, int]:
    """Share `pool` within one segment: all they lack, or in proportion and oldest first."""
    lacking = sum(d.quantity for d in group)
    if lacking <= pool:
        return {d.key: d.quantity for d in group}
    # Integer arithmetic: floor(pool * quantity / lacking) without float rounding.
    shares = {d.key: pool * d.quantity // lacking for d in group}
    left = pool - sum(shares.values())
    for demand in sorted(group, key=lambda d: d.placed_at):
        if left == 0:
            break
        if shares[demand.key] < demand.quantity:
            shares[demand.key] += 1
            left -= 1
    return shares
