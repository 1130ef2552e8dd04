"""Durations in log-spaced bins: percentiles within 2% of the exact ones, exact where a
bin holds at most two distinct values, and the same however the bins were added up."""

from __future__ import annotations

import random

import pytest

from engine.analytics.formulas import percentile
from engine.analytics.histogram import GROWTH, Histogram, bin_of


def test_bins_grow_by_two_percent_and_below_a_second_is_one_bin():
    assert bin_of(0) == bin_of(0.999) == 0
    assert bin_of(1) == 1
    assert bin_of(GROWTH**10 * 1.0001) == 11
    assert bin_of(3600) == bin_of(3600 * 1.001) != bin_of(3600 * GROWTH)


def test_few_distinct_values_give_the_exact_percentiles():
    hours = [1, 1, 2, 1, 3]  # tests/scenarios/test_analytics_figures.py, the request waits
    values = [h * 3600.0 for h in hours]
    histogram = Histogram.of(values)
    assert histogram.percentile(0.5) == percentile(values, 0.5) == 3600
    assert histogram.percentile(0.9) == pytest.approx(percentile(values, 0.9))
    assert Histogram().percentile(0.5) is None
    assert Histogram.of([42.0]).percentile(0.9) == 42.0


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_of_many_values_are_within_two_percent(seed):
    rng = random.Random(seed)
    values = [rng.lognormvariate(9, 1.5) for _ in range(5000)]
    histogram = Histogram.of(values)
    for fraction in (0.1, 0.5, 0.9, 0.99):
        exact = percentile(values, fraction)
        assert abs(histogram.percentile(fraction) - exact) <= (GROWTH - 1) * exact


def test_bins_added_up_in_any_grouping_give_the_same_percentiles():
    rng = random.Random(7)
    values = [rng.expovariate(1 / 7200) for _ in range(2000)]
    whole = Histogram.of(values)
    merged = Histogram()
    for day in range(0, 2000, 137):  # as the roll-up adds days into months
        for index, found in Histogram.of(values[day : day + 137]).bins.items():
            merged.add(index, found.count, found.low, found.high)
    assert merged.bins == whole.bins
    assert merged.percentile(0.5) == whole.percentile(0.5)
