"""The tables of the analytics page, each read once from the report: the page words the
values for people, the CSV keeps them as measured (seconds, fractions, codes), so a
download always holds the figures the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.analytics.report import ProcessReport, Spread

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
    "week": lambda v: display.local_time(v.isoformat()),
    "text": str,
    "role": vocabulary.role_name,
    "person": display.person,
    "term": vocabulary.term,
    "flag": display.yesno,
    "defect": lambda v: str(DEFECTS.get(v, v)),
}


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: Any  # the page's header (lazy: the reader's language)
    kind: str  # a key of SHOW


@dataclass(frozen=True)
class Table:
    name: str  # the CSV file's name and the page's anchor
    title: Any
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    people: bool = False  # figures about people: the owner's and managers' only
    codes: tuple[str, ...] = ()  # ids the page shows by name: the CSV's first columns

    def shown(self, row: dict[str, Any], column: Column) -> str:
        return SHOW[column.kind](row[column.key])

    def raw(self) -> tuple[list[str], list[list[Any]]]:
        keys = [*self.codes, *(c.key for c in self.columns)]
        return keys, [[_raw(row[key]) for key in keys] for row in self.rows]


def _raw(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _spread(prefix: str, spread: Spread) -> dict[str, Any]:
    return {f"{prefix}_median_s": spread.median, f"{prefix}_p90_s": spread.p90}


def _c(key: str, label: Any, kind: str) -> Column:
    return Column(key, label, kind)


@dataclass(frozen=True)
class Figure:
    """One of the figure cards at the top of the page."""

    key: str
    label: Any
    value: Any
    kind: str

    @property
    def shown(self) -> str:
        return SHOW[self.kind](self.value)


def figures(report: ProcessReport) -> list[Figure]:
    """The process's headline figures, as the cards show them and figures.csv holds them."""
    counts, cycle, sigma = report.counts, report.cycle_time, report.six_sigma
    return [
        Figure("started", _l("Instances started"), counts.started, "count"),
        Figure("completed", _l("Instances completed"), counts.completed, "count"),
        Figure("cancelled", _l("Instances cancelled"), counts.cancelled, "count"),
        Figure("in_error", _l("Instances in error"), counts.in_error, "count"),
        Figure("running", _l("Instances still running"), counts.running, "count"),
        Figure("cycle_time_median_s", _l("Cycle time (median)"), cycle.median, "seconds"),
        Figure("cycle_time_p90_s", _l("Cycle time (p90)"), cycle.p90, "seconds"),
        Figure("defects", _l("Defects"), sigma.total_defects, "count"),
        Figure("opportunities", _l("Opportunities"), sigma.opportunities, "count"),
        Figure("dpmo", _l("DPMO"), sigma.dpmo, "dpmo"),
        Figure("sigma_level", _l("Sigma level"), sigma.sigma, "sigma"),
        Figure("first_pass_yield", _l("First-pass yield"), sigma.first_pass_yield, "share"),
        Figure(
            "rolled_throughput_yield",
            _l("Rolled throughput yield"),
            report.rolled_throughput_yield,
            "share",
        ),
    ]


def figures_table(report: ProcessReport) -> Table:
    rows = tuple({"figure": f.key, "value": f.value} for f in figures(report))
    columns = (_c("figure", _l("Figure"), "text"), _c("value", _l("Value"), "text"))
    return Table("figures", _l("Figures"), columns, rows)


def tables(report: ProcessReport, activity_name: Callable[[str, str], str]) -> list[Table]:
    """Every table of the page, in the page's order; `activity_name(element, name)` words
    an activity in the reader's language."""
    return [
        figures_table(report),
        _throughput(report),
        _control(report),
        _activity_times(report, activity_name),
        _activity_quality(report, activity_name),
        _defects(report),
        _workload("workload_roles", _l("Workload per role"), "role", report.workload_by_role),
        _workload(
            "workload_people", _l("Workload per person"), "person", report.workload_by_person
        ),
        _sign_off(report),
    ]


def _throughput(report: ProcessReport) -> Table:
    rows = tuple(
        {"week": w.week, "completed": w.completed, "mean_cycle_time_s": w.mean_cycle_time}
        for w in report.throughput
    )
    columns = (
        _c("week", _l("Week from"), "week"),
        _c("completed", _l("Completions"), "count"),
        _c("mean_cycle_time_s", _l("Mean cycle time"), "seconds"),
    )
    return Table("throughput", _l("Throughput per week"), columns, rows)


def _control(report: ProcessReport) -> Table:
    chart = report.control_chart
    rows = tuple(
        {
            "week": p.week,
            "mean_cycle_time_s": p.value,
            "moving_range_s": p.moving_range,
            "centre_s": chart.centre,
            "lower_limit_s": chart.lower,
            "upper_limit_s": chart.upper,
            "moving_range_upper_limit_s": chart.mr_upper,
            "out_of_control": p.outside,
        }
        for p in (chart.points if chart else ())
    )
    columns = (
        _c("week", _l("Week from"), "week"),
        _c("mean_cycle_time_s", _l("Mean cycle time"), "seconds"),
        _c("moving_range_s", _l("Moving range"), "seconds"),
        _c("centre_s", _l("Centre line"), "seconds"),
        _c("lower_limit_s", _l("Lower control limit"), "seconds"),
        _c("upper_limit_s", _l("Upper control limit"), "seconds"),
        _c("moving_range_upper_limit_s", _l("Moving range limit"), "seconds"),
        _c("out_of_control", _l("Out of control"), "flag"),
    )
    return Table("control_chart", _l("Control chart of the weekly cycle time"), columns, rows)


def _activity_times(report: ProcessReport, name: Callable[[str, str], str]) -> Table:
    rows = tuple(
        {
            "activity": a.element,
            "activity_name": name(a.element, a.name),
            **_spread("waiting", a.waiting),
            **_spread("working", a.working),
            **_spread("sign_off", a.sign_off),
            "consultation_median_s": a.consultation.median,
        }
        for a in report.activities
    )
    columns = (
        _c("activity_name", _l("Activity"), "text"),
        _c("waiting_median_s", _l("Waiting (median)"), "seconds"),
        _c("waiting_p90_s", _l("Waiting (p90)"), "seconds"),
        _c("working_median_s", _l("Working (median)"), "seconds"),
        _c("working_p90_s", _l("Working (p90)"), "seconds"),
        _c("sign_off_median_s", _l("Sign-off (median)"), "seconds"),
        _c("sign_off_p90_s", _l("Sign-off (p90)"), "seconds"),
        _c("consultation_median_s", _l("Consultation (median)"), "seconds"),
    )
    return Table("activity_times", _l("Time per activity"), columns, rows, codes=("activity",))


def _activity_quality(report: ProcessReport, name: Callable[[str, str], str]) -> Table:
    rows = tuple(
        {
            "activity": a.element,
            "activity_name": name(a.element, a.name),
            "tasks": a.tasks,
            "completed": a.completed,
            "open": a.open,
            "reworks": a.reworks,
            "rework_rate": a.rework_rate,
            "sla_breaches": a.sla_breaches,
            "dpmo": a.six_sigma.dpmo,
            "sigma": a.six_sigma.sigma,
            "first_pass_yield": a.six_sigma.first_pass_yield,
        }
        for a in report.activities
    )
    columns = (
        _c("activity_name", _l("Activity"), "text"),
        _c("tasks", _l("Tasks"), "count"),
        _c("completed", _l("Completions"), "count"),
        _c("open", _l("Open tasks"), "count"),
        _c("reworks", _l("Sent back (times)"), "count"),
        _c("rework_rate", _l("Rework rate"), "share"),
        _c("sla_breaches", _l("SLA breaches"), "count"),
        _c("dpmo", _l("DPMO"), "dpmo"),
        _c("sigma", _l("Sigma level"), "sigma"),
        _c("first_pass_yield", _l("First-pass yield"), "share"),
    )
    return Table("activity_quality", _l("Quality per activity"), columns, rows, codes=("activity",))


def _defects(report: ProcessReport) -> Table:
    total = report.six_sigma.total_defects
    rows = tuple(
        {"kind": kind.value, "defects": count, "share": count / total if total else None}
        for kind, count in sorted(report.six_sigma.defects.items())
    )
    columns = (
        _c("kind", _l("Defect"), "defect"),
        _c("defects", _l("Count"), "count"),
        _c("share", _l("Share"), "share"),
    )
    return Table("defects", _l("Defects by kind"), columns, rows)


def _workload(name: str, title: Any, who: str, found: Any) -> Table:
    rows = tuple({who: w.who, "open": w.open, "done": w.done, "overdue": w.overdue} for w in found)
    columns = (
        _c(who, _l("Role") if who == "role" else _l("Person"), who),
        _c("open", _l("Open tasks"), "count"),
        _c("done", _l("Tasks done"), "count"),
        _c("overdue", _l("Overdue tasks"), "count"),
    )
    return Table(name, title, columns, rows, people=True)


def _sign_off(report: ProcessReport) -> Table:
    rows = tuple(
        {"person": d.person, "signed": d.signed, **_spread("delay", d.delay)}
        for d in report.sign_off_delays
    )
    columns = (
        _c("person", _l("Signer (A)"), "person"),
        _c("signed", _l("Signed"), "count"),
        _c("delay_median_s", _l("Delay (median)"), "seconds"),
        _c("delay_p90_s", _l("Delay (p90)"), "seconds"),
    )
    return Table("sign_off_delays", _l("Sign-off delays per signer"), columns, rows, people=True)
