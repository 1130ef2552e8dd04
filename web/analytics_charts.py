"""The analytics page's pictures: throughput and the I-MR chart (web/charts.py), and the
heat map of waiting times on the process diagram (web/heatmap.py), from one report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_skeleton
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from engine.analytics.report import ControlChart, ProcessReport

from . import display, heatmap
from .charts import Limit, Point, bar_chart, control_chart

DAY, HOUR = 86400.0, 3600.0


def week_label(week: date) -> str:
    """A week by its Monday, as the locale writes a day and month ("6/10" in Greek)."""
    return format_skeleton("Md", week, locale=str(get_locale() or "en"))


def throughput_chart(report: ProcessReport) -> Markup:
    """A bar per week of the period, a week without completions too (as zero)."""
    done = {w.week: w.completed for w in report.throughput}
    first = report.since.date() - timedelta(days=report.since.weekday())
    last = (report.until - timedelta(microseconds=1)).date()
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    points = [Point(week_label(w), done.get(w, 0), display.number(done.get(w, 0))) for w in weeks]
    return bar_chart(points, title=_("Completed instances per week"), tick=_tick)


@dataclass(frozen=True)
class ControlCharts:
    """The two panels of an I-MR chart, in one unit of time (days or hours)."""

    unit: str
    individuals: Markup
    moving_range: Markup
    individuals_title: str
    moving_range_title: str


def control_charts(chart: ControlChart | None) -> ControlCharts | None:
    """The I and MR panels of the weekly cycle time; None with fewer than two weeks."""
    if chart is None:
        return None
    longest = max([p.value for p in chart.points] + [chart.upper])
    size, unit = (DAY, _("days")) if longest >= 2 * DAY else (HOUR, _("hours"))

    def limit(value: float, code: str, kind: str) -> Limit:
        return Limit(value / size, f"{code} {display.span(value)}", kind)

    individuals = [
        Point(
            week_label(p.week), p.value / size, display.span(p.value), not _within(p.value, chart)
        )
        for p in chart.points
    ]
    limits = [limit(chart.centre, _("CL"), "centre"), limit(chart.upper, _("UCL"), "limit")]
    if chart.lower > 0:  # a time is never negative: a limit below zero is not drawn
        limits.append(limit(chart.lower, _("LCL"), "limit"))
    ranges = [
        Point(week_label(p.week), p.moving_range / size, display.span(p.moving_range),
              p.moving_range > chart.mr_upper)
        for p in chart.points
        if p.moving_range is not None
    ]  # fmt: skip
    range_limits = [
        limit(chart.mr_centre, _("CL"), "centre"),
        limit(chart.mr_upper, _("UCL"), "limit"),
    ]
    titles = (
        _("Mean cycle time per week (%(unit)s)", unit=unit),
        _("Moving range (%(unit)s)", unit=unit),
    )
    return ControlCharts(
        unit,
        control_chart(individuals, limits, title=titles[0], tick=_tick),
        control_chart(ranges, range_limits, title=titles[1], tick=_tick),
        *titles,
    )


def _within(value: float, chart: ControlChart) -> bool:
    return chart.lower <= value <= chart.upper


def _tick(value: float) -> str:
    return format_decimal(round(value, 2))


@dataclass(frozen=True)
class HeatMap:
    """Each activity's level, its median wait in words (and with its name), the legend."""

    levels: dict[str, int]
    waits: dict[str, str]  # "median wait 3 ώ."
    titles: dict[str, str]  # "Πιστωτική ανάλυση: median wait 3 ώ."
    legend: list[tuple[int, str]]


def heat_map(
    report: ProcessReport,
    activity_name: Callable[[str, str], str],
    waiting_now: Mapping[str, tuple[int, float]] | None = None,
) -> HeatMap:
    """The heat of each activity: the longer of the period's median wait (ready to
    claimed) and the median wait so far of its tasks open now (`waiting_now`: element ->
    (open tasks, median seconds)), so work piling up today shows even before anyone
    takes it up."""
    named = {a.element: a.name for a in report.activities}
    medians: dict[str, float | None] = {a.element: a.waiting.median for a in report.activities}
    words: dict[str, list[str]] = {}
    for a in report.activities:
        if a.waiting.median is not None:
            words[a.element] = [_("median wait %(wait)s", wait=display.span(a.waiting.median))]
    for element, (count, wait) in (waiting_now or {}).items():
        medians[element] = max(medians.get(element) or 0.0, wait)
        words.setdefault(element, []).append(
            _("open now: %(count)s, waiting %(wait)s", count=count, wait=display.span(wait))
        )
    waits = {element: " · ".join(said) for element, said in words.items()}
    titles = {
        element: f"{activity_name(element, named.get(element, element))}: {said}"
        for element, said in waits.items()
    }
    legend = [
        (band.level, _("up to %(wait)s", wait=display.span(band.high)))
        for band in heatmap.legend(medians)
    ]
    return HeatMap(heatmap.levels(medians), waits, titles, legend)


def bpmn_js_data(bpmn: str, heat: HeatMap) -> dict[str, Any]:
    """What static/viewer.js draws: the file, each activity's level as a marker, its wait."""
    markers: dict[str, list[str]] = {}
    for element, level in sorted(heat.levels.items()):
        markers.setdefault(f"heat-{level}", []).append(element)
    return {"bpmn": bpmn, "markers": markers, "overlays": heat.waits}
