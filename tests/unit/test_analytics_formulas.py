"""The Six Sigma and SPC formulas against worked textbook examples (sources cited per test)."""

from __future__ import annotations

import pytest

from engine.analytics import formulas


@pytest.mark.parametrize(
    ("dpmo", "sigma"),
    [(3.4, 6.0), (233, 5.0), (6_210, 4.0), (66_807, 3.0), (308_538, 2.0), (690_000, 1.0)],
)
def test_sigma_level_matches_the_standard_conversion_table(dpmo, sigma):
    # The standard sigma conversion table with the 1.5 sigma shift, as printed in Pyzdek &
    # Keller, The Six Sigma Handbook (3rd ed., 2010) and Breyfogle, Implementing Six Sigma
    # (2nd ed., 2003).
    # The table rounds DPMO, so the level matches to 0.01 sigma.
    assert formulas.sigma_level(dpmo) == pytest.approx(sigma, abs=0.01)


def test_no_defect_has_no_finite_sigma_level():
    assert formulas.sigma_level(0) is None
    assert formulas.sigma_level(None) is None


def test_dpmo_of_a_worked_example():
    # DPMO as Pyzdek & Keller (2010) and Breyfogle (2003) define it, worked by hand:
    # 1,000 units, 10 opportunities each, 21 defects -> 21 / 10,000 x 10^6 = 2,100 DPMO,
    # which the sigma table puts between 4.3 (2,555) and 4.4 (1,866): 4.36 sigma.
    assert formulas.dpmo(21, 1000, 10) == pytest.approx(2100)
    assert formulas.sigma_level(2100) == pytest.approx(4.36, abs=0.01)


def test_dpmo_without_opportunities_is_unknown_not_zero():
    assert formulas.dpmo(0, 0, 5) is None


def test_rolled_throughput_yield_multiplies_the_step_yields():
    # RTY as Breyfogle (2003) and Pyzdek & Keller (2010) define it (the product of the
    # steps' first-pass yields), worked by hand for four steps with yields 0.92, 0.82,
    # 0.95 and 0.82: 0.92 x 0.82 x 0.95 x 0.82 = 0.5877.
    assert formulas.rolled_throughput_yield([0.92, 0.82, 0.95, 0.82]) == pytest.approx(
        0.5877, abs=1e-4
    )
    assert formulas.rolled_throughput_yield([]) is None


def test_first_pass_yield_is_the_share_without_rework():
    # First-pass yield as Pyzdek & Keller (2010) define it: 100 units in, 10 reworked,
    # 90 through first time -> 0.90.
    assert formulas.first_pass_yield(90, 100) == 0.9
    assert formulas.first_pass_yield(0, 0) is None


# Montgomery, Introduction to Statistical Quality Control, 7th ed. (2013), section 6.4,
# costs of processing mortgage loan applications, 20 weekly individual values.
MONTGOMERY_LOAN_COSTS = [
    310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
    294, 299, 297, 299, 314, 295, 293, 306, 301, 304,
]  # fmt: skip


def test_individuals_chart_of_montgomerys_mortgage_example():
    # Montgomery reports x-bar = 300.5, MR-bar = 7.79 (sum of the 19 ranges 148 / 19),
    # limits 300.5 +- 2.66 x 7.79 = [279.78, 321.22] and UCL_MR = 3.267 x 7.79 = 25.45:
    # the process is in control, no point outside.
    chart = formulas.individuals_limits(MONTGOMERY_LOAN_COSTS)
    assert chart.centre == pytest.approx(300.5)
    assert chart.mr_centre == pytest.approx(148 / 19)
    assert chart.lower == pytest.approx(279.78, abs=0.01)
    assert chart.upper == pytest.approx(321.22, abs=0.01)
    assert chart.mr_upper == pytest.approx(25.45, abs=0.01)
    assert chart.outside == ()


def test_a_point_beyond_the_limits_is_marked():
    values = [*MONTGOMERY_LOAN_COSTS, 340]  # a week far above the upper limit
    chart = formulas.individuals_limits(values)
    assert chart.outside == (20,)
    assert chart.points[0].moving_range is None


def test_a_jump_is_marked_by_its_moving_range_even_within_the_limits():
    # 10, 10, 10, 10, 14, 10: MR-bar = 8/5 = 1.6, UCL_MR = 5.23, limits 10.67 +- 4.26;
    # 14 is inside [6.41, 14.92] but both ranges of 4 are under 5.23: nothing marked.
    chart = formulas.individuals_limits([10, 10, 10, 10, 14, 10])
    assert chart.outside == ()
    # 10 x 8 then 20: MR-bar = 10/8 = 1.25, UCL_MR = 4.08: the range of 10 marks the last.
    chart = formulas.individuals_limits([10] * 8 + [20])
    assert chart.outside == (8,)


def test_individuals_chart_needs_two_points():
    assert formulas.individuals_limits([5.0]) is None


def test_percentiles_interpolate_between_closest_ranks():
    # Hyndman & Fan (1996) type 7 (PostgreSQL percentile_cont, numpy's default):
    # 1..10: median 5.5, p90 = 9 + 0.1 x (10 - 9) = 9.1.
    values = list(range(1, 11))
    assert formulas.median(values) == 5.5
    assert formulas.p90(values) == pytest.approx(9.1)
    assert formulas.median([7]) == 7
    assert formulas.median([]) is None
