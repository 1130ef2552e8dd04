"""Durations kept as log-spaced bins, so that percentiles add up across days and months.

A duration of v seconds falls in bin 0 if v < 1, else in bin 1 + floor(log_G(v)): bin b
holds [G^(b-1), G^b), 2% wide for G = 1.02. Each bin keeps how many values fell in it and
the lowest and highest of them, so bins of many days merge exactly (sum, min, max) and
the database adds them up. A percentile is read as in `formulas.percentile` (type 7),
with each order statistic estimated inside its bin, linearly between its lowest and
highest value by rank. The estimate and the true value share a bin, so they differ by
less than 2% (or less than a second below one second), and a bin holding at most two
distinct values (its lowest and highest) gives them exactly. docs/analytics.md says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

GROWTH = 1.02  # G: each bin is 2% wider than the one before
_LOG_GROWTH = math.log(GROWTH)


def bin_of(value: float) -> int:
    """The bin of a duration in seconds (the database computes the same: sql.binned)."""
    if value < 1:
        return 0
    return 1 + math.floor(math.log(value) / _LOG_GROWTH)


@dataclass
class Bin:
    count: int
    low: float
    high: float

    def add(self, other: Bin) -> None:
        self.count += other.count
        self.low, self.high = min(self.low, other.low), max(self.high, other.high)

    def value_at(self, rank: int) -> float:
        """The estimated `rank`-th smallest (from 0) of this bin's values."""
        if self.count == 1:
            return self.low
        return self.low + (self.high - self.low) * rank / (self.count - 1)


class Histogram:
    """The bins of one duration over a group (an activity's waits, a status's cycle times)."""

    def __init__(self) -> None:
        self.bins: dict[int, Bin] = {}

    def add(self, index: int, count: int, low: float, high: float) -> None:
        found = self.bins.get(index)
        if found is None:
            self.bins[index] = Bin(int(count), float(low), float(high))
        else:
            found.add(Bin(int(count), float(low), float(high)))

    @classmethod
    def of(cls, values: Iterable[float]) -> Histogram:
        histogram = cls()
        for value in values:
            histogram.add(bin_of(value), 1, value, value)
        return histogram

    @property
    def count(self) -> int:
        return sum(b.count for b in self.bins.values())

    def percentile(self, fraction: float) -> float | None:
        """Type 7 (formulas.percentile) over the binned values; None if there are none."""
        n = self.count
        if n == 0:
            return None
        h = (n - 1) * fraction
        below = math.floor(h)
        low = self._order_statistic(below)
        if below + 1 >= n:
            return low
        return low + (h - below) * (self._order_statistic(below + 1) - low)

    def _order_statistic(self, rank: int) -> float:
        for index in sorted(self.bins):
            found = self.bins[index]
            if rank < found.count:
                return found.value_at(rank)
            rank -= found.count
        raise IndexError(rank)
