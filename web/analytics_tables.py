"""The tables of the analytics page: the report's flat tables (engine/analytics/tables.py,
which the API's and the page's CSV downloads write as they are), each column with its
header and its way of being worded for people. So a download always holds the figures the
page shows, as measured: seconds, fractions, ISO dates, ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.analytics import tables as flat
from engine.analytics.report import ProcessReport

from . import display, vocabulary

DEFECTS = {
    "rework": _l("work sent back (rework)"),
    "sla_breach": _l("due time passed (SLA breach)"),
    "error": _l("instance in error"),
    "cancelled": _l("instance cancelled"),
}
# How a column's value is shown on the page; the CSV writes it raw.
SHOW: dict[str, Callable[[Any], str]] = {
    "count": display.number,
    "seconds": display.span,
    "share": display.percent,
    "dpmo": lambda v: display.number(round(v)) if v is not None else display.MISSING,
    "sigma": lambda v: display.number(round(v, 2)) if v is not None else display.MISSING,
    "date": display.local_time,
    "text": str,
    "role": vocabulary.role_name,
    "person": display.person,
    "flag": display.yesno,
    "defect": lambda v: str(DEFECTS.get(v, v)),
}


@dataclass(frozen=True)
class Column:
    key: str  # the flat table's column
    label: Any  # the page's header (lazy: the reader's language)
    kind: str  # a key of SHOW


@dataclass(frozen=True)
class Table:
    """One table of the page: a flat table's rows, some of its columns."""

    csv: str  # the flat table (and CSV file) it shows
    title: Any
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]

    def shown(self, row: dict[str, Any], column: Column) -> str:
        return SHOW[column.kind](row[column.key])


@dataclass(frozen=True)
class Figure:
    """One of the figure cards at the top of the page (the summary table's rows)."""

    key: str
    label: Any
    value: Any
    kind: str

    @property
    def shown(self) -> str:
        return SHOW[self.kind](self.value)


FIGURES = {
    "started": (_l("Instances started"), "count"),
    "completed": (_l("Instances completed"), "count"),
    "cancelled": (_l("Instances cancelled"), "count"),
    "in_error": (_l("Instances in error"), "count"),
    "running": (_l("Instances still running"), "count"),
    "cycle_time_median_s": (_l("Cycle time (median)"), "seconds"),
    "cycle_time_p90_s": (_l("Cycle time (p90)"), "seconds"),
    "defects": (_l("Defects"), "count"),
    "opportunities": (_l("Opportunities"), "count"),
    "dpmo": (_l("DPMO"), "dpmo"),
    "sigma_level": (_l("Sigma level"), "sigma"),
    "first_pass_yield": (_l("First-pass yield"), "share"),
    "rolled_throughput_yield": (_l("Rolled throughput yield"), "share"),
}


def figures(report: ProcessReport) -> list[Figure]:
    """The summary's figures as cards; its defects by kind as one card (the defects
    table has them by kind)."""
    summary = dict(flat.summary(report).rows)
    summary["defects"] = report.six_sigma.total_defects
    return [Figure(key, label, summary[key], kind) for key, (label, kind) in FIGURES.items()]


def _rows(table: flat.Table, extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None):
    rows = (dict(zip(table.columns, row, strict=True)) for row in table.rows)
    return tuple({**row, **extra(row)} if extra else row for row in rows)


def _c(key: str, label: Any, kind: str) -> Column:
    return Column(key, label, kind)


def tables(report: ProcessReport, activity_name: Callable[[str, str], str]) -> dict[str, Table]:
    """Every table of the page by its place on it; `activity_name(element, name)` words
    an activity in the reader's language."""
    named = _rows(
        flat.activities(report),
        lambda row: {"activity": activity_name(row["element"], row["name"])},
    )
    activity = _c("activity", _l("Activity"), "text")
    return {
        "throughput": Table("throughput", _l("Throughput per week"), (
            _c("week", _l("Week from"), "date"),
            _c("completed", _l("Completions"), "count"),
            _c("mean_cycle_time_s", _l("Mean cycle time"), "seconds"),
        ), _rows(flat.throughput(report))),
        "control_chart": Table("control_chart", _l("Control chart of the weekly cycle time"), (
            _c("week", _l("Week from"), "date"),
            _c("value_s", _l("Mean cycle time"), "seconds"),
            _c("moving_range_s", _l("Moving range"), "seconds"),
            _c("centre_s", _l("Centre line"), "seconds"),
            _c("lcl_s", _l("Lower control limit"), "seconds"),
            _c("ucl_s", _l("Upper control limit"), "seconds"),
            _c("mr_ucl_s", _l("Moving range limit"), "seconds"),
            _c("outside", _l("Out of control"), "flag"),
        ), _rows(flat.control_chart(report))),
        "activity_times": Table("activities", _l("Time per activity"), (
            activity,
            _c("waiting_median_s", _l("Waiting (median)"), "seconds"),
            _c("waiting_p90_s", _l("Waiting (p90)"), "seconds"),
            _c("working_median_s", _l("Working (median)"), "seconds"),
            _c("working_p90_s", _l("Working (p90)"), "seconds"),
            _c("sign_off_median_s", _l("Sign-off (median)"), "seconds"),
            _c("sign_off_p90_s", _l("Sign-off (p90)"), "seconds"),
            _c("consultation_median_s", _l("Consultation (median)"), "seconds"),
        ), named),
        "activity_quality": Table("activities", _l("Quality per activity"), (
            activity,
            _c("tasks", _l("Tasks"), "count"),
            _c("completed", _l("Completions"), "count"),
            _c("open", _l("Open tasks"), "count"),
            _c("reworks", _l("Sent back (times)"), "count"),
            _c("rework_rate", _l("Rework rate"), "share"),
            _c("sla_breaches", _l("SLA breaches"), "count"),
            _c("dpmo", _l("DPMO"), "dpmo"),
            _c("sigma_level", _l("Sigma level"), "sigma"),
            _c("first_pass_yield", _l("First-pass yield"), "share"),
        ), named),
        "defects": Table("defects", _l("Defects by kind"), (
            _c("kind", _l("Defect"), "defect"),
            _c("defects", _l("Count"), "count"),
        ), _rows(flat.defects(report))),
        "workload_roles": Table("workload_roles", _l("Workload per role"), (
            _c("role", _l("Role"), "role"), *_load(),
        ), _rows(flat.workload_roles(report))),
        "workload_people": Table("workload_people", _l("Workload per person"), (
            _c("person", _l("Person"), "person"), *_load(),
        ), _rows(flat.workload_people(report))),
        "sign_off_delays": Table("sign_off_delays", _l("Sign-off delays per signer"), (
            _c("person", _l("Signer (A)"), "person"),
            _c("signed", _l("Signed"), "count"),
            _c("delay_median_s", _l("Delay (median)"), "seconds"),
            _c("delay_p90_s", _l("Delay (p90)"), "seconds"),
        ), _rows(flat.sign_off_delays(report))),
    }  # fmt: skip


def _load() -> tuple[Column, ...]:
    return (
        _c("open", _l("Open tasks"), "count"),
        _c("done", _l("Tasks done"), "count"),
        _c("overdue", _l("Overdue tasks"), "count"),
    )
