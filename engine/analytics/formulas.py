"""The arithmetic of process analytics: pure functions, no database.

Sources of the conventions (docs/analytics.md):
- DPMO, the sigma level with the 1.5 sigma shift and its conversion table, first-pass
  and rolled throughput yield: Breyfogle, *Implementing Six Sigma* (2nd ed., 2003);
  Pyzdek & Keller, *The Six Sigma Handbook* (3rd ed., 2010);
- individuals / moving-range chart: Montgomery, *Introduction to Statistical Quality
  Control* (7th ed., 2013), section 6.4 (constants d2 = 1.128, D4 = 3.267 for n = 2);
- percentiles: linear interpolation between closest ranks (Hyndman & Fan 1996 type 7),
  the definition of PostgreSQL's percentile_cont and of numpy's default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import NormalDist

SIGMA_SHIFT = 1.5  # long-term drift of a process mean, by convention (Motorola)
MR_TO_LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
D4 = 3.267  # upper limit factor of the moving-range chart (n = 2); D3 = 0
_NORMAL = NormalDist()


def dpmo(defects: int, units: int, opportunities_per_unit: float) -> float | None:
    """Defects per million opportunities; None when there was no opportunity."""
    if defects < 0 or units < 0 or opportunities_per_unit < 0:
        raise ValueError("defects, units and opportunities cannot be negative")
    opportunities = units * opportunities_per_unit
    if opportunities == 0:
        return None
    return defects / opportunities * 1_000_000


def sigma_level(dpmo_value: float | None) -> float | None:
    """The short-term sigma level of a DPMO: z of the yield plus the 1.5 sigma shift.

    No defects at all has no finite level; it is reported as None ("no defect seen"),
    and so is a missing DPMO.
    """
    if dpmo_value is None or dpmo_value <= 0:
        return None
    if dpmo_value >= 1_000_000:
        dpmo_value = 1_000_000 - 1e-6  # every opportunity a defect: the lowest level
    return _NORMAL.inv_cdf(1 - dpmo_value / 1_000_000) + SIGMA_SHIFT


def first_pass_yield(passed_first_time: int, units: int) -> float | None:
    """The share of units that went through without any defect (rework, breach, ...)."""
    if units == 0:
        return None
    return passed_first_time / units


def rolled_throughput_yield(step_yields: Sequence[float]) -> float | None:
    """The chance a unit passes every step first time: the product of the steps' yields."""
    if not step_yields:
        return None
    return math.prod(step_yields)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile by linear interpolation between closest ranks (type 7).

    Equal to PostgreSQL's percentile_cont(fraction); None for no values.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("a percentile's fraction is between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    weight = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * weight


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def p90(values: Sequence[float]) -> float | None:
    return percentile(values, 0.9)


@dataclass(frozen=True)
class ControlPoint:
    """One point of an individuals chart, with its moving range (None for the first)."""

    value: float
    moving_range: float | None
    outside: bool  # the individual beyond its limits, or its moving range above UCL_MR


@dataclass(frozen=True)
class ControlLimits:
    """Individuals / moving-range chart: centre lines, limits and the points judged."""

    centre: float
    lower: float
    upper: float
    mr_centre: float
    mr_upper: float
    points: tuple[ControlPoint, ...]

    @property
    def outside(self) -> tuple[int, ...]:
        """The indexes of the points out of control."""
        return tuple(i for i, point in enumerate(self.points) if point.outside)


def individuals_limits(values: Sequence[float]) -> ControlLimits | None:
    """The I-MR chart of `values`: X-bar ± 2.66·MR-bar, UCL_MR = 3.267·MR-bar.

    Needs two values at least (one moving range); None otherwise. A point is marked
    when the value lies outside [LCL, UCL] or its moving range above UCL_MR.
    """
    if len(values) < 2:
        return None
    ranges = [abs(b - a) for a, b in pairwise(values)]
    centre = sum(values) / len(values)
    mr_bar = sum(ranges) / len(ranges)
    lower, upper = centre - MR_TO_LIMIT * mr_bar, centre + MR_TO_LIMIT * mr_bar
    mr_upper = D4 * mr_bar
    points = tuple(
        ControlPoint(
            value=value,
            moving_range=None if i == 0 else ranges[i - 1],
            outside=not lower <= value <= upper or (i > 0 and ranges[i - 1] > mr_upper),
        )
        for i, value in enumerate(values)
    )
    return ControlLimits(centre, lower, upper, mr_bar, mr_upper, points)
