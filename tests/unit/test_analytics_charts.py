"""The analytics page's pictures from a report's parts, as a Greek reader sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from engine.analytics.report import ChartPoint, ControlChart, WeekFigure
from tests.unit.test_display import make_app
from web.analytics_charts import control_charts, heat_map, throughput_chart, week_label

HOUR = 3600.0


@pytest.fixture
def greek():
    with make_app("el").test_request_context():
        yield


def chart(values: list[float], moving_range_limit: float = 10 * HOUR) -> ControlChart:
    monday = date(2026, 10, 5)
    points = tuple(
        ChartPoint(
            week=monday + timedelta(weeks=n),
            value=value,
            moving_range=None if n == 0 else abs(value - values[n - 1]),
            outside=False,
        )
        for n, value in enumerate(values)
    )
    return ControlChart(
        centre=12 * HOUR, lower=-2 * HOUR, upper=26 * HOUR, mr_centre=4 * HOUR,
        mr_upper=moving_range_limit, points=points,
    )  # fmt: skip


def test_weeks_read_as_a_greek_day_and_month(greek):
    assert week_label(date(2026, 10, 5)) == "5/10"


def test_the_week_past_its_limit_and_the_jump_to_it_are_marked_and_no_negative_limit_drawn(greek):
    found = control_charts(chart([10 * HOUR, 12 * HOUR, 30 * HOUR, 11 * HOUR]))
    assert found.unit == "ώρες"
    assert found.individuals.count('class="point out"') == 1  # 30 hours > 26
    assert found.moving_range.count('class="point out"') == 2  # the jumps of 18 and 19 hours
    assert "ΑΟΕ 1 ημέρα 2 ώ." in found.individuals and "ΚΟΕ" not in found.individuals
    assert found.individuals_title == "Μέσος χρόνος κύκλου ανά εβδομάδα (ώρες)"


def test_long_cycle_times_are_charted_in_days(greek):
    found = control_charts(chart([3 * 24 * HOUR, 4 * 24 * HOUR]))
    assert found.unit == "ημέρες"


def test_without_two_weeks_there_is_no_chart(greek):
    assert control_charts(None) is None


def test_a_week_without_completions_is_a_bar_of_zero(greek):
    class Report:  # the two facts the chart reads
        since = datetime(2026, 10, 5, tzinfo=UTC)
        until = datetime(2026, 10, 26, tzinfo=UTC)
        throughput = (
            WeekFigure(date(2026, 10, 5), 3, HOUR),
            WeekFigure(date(2026, 10, 19), 1, HOUR),
        )

    svg = throughput_chart(Report())
    assert svg.count('class="bar"') == 3
    assert "12/10: 0" in svg


def test_work_open_now_heats_its_activity_before_anyone_takes_it(greek):
    # The request waited a minute in the period; the CFO's analysis has two tasks open for
    # a day that nobody has taken up yet (the heat map reads only these parts).
    def activity(element: str, median: float | None) -> SimpleNamespace:
        return SimpleNamespace(
            element=element, name=element, waiting=SimpleNamespace(median=median)
        )

    report = SimpleNamespace(activities=[activity("request", 60.0), activity("analyse_cfo", None)])
    heat = heat_map(report, lambda element, name: name, {"analyse_cfo": (2, 24 * HOUR)})
    assert heat.levels == {"request": 1, "analyse_cfo": 4}
    assert heat.waits["analyse_cfo"].startswith("ανοιχτές τώρα: 2")
