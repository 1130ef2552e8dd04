"""A ProcessReport as flat tables: named columns, one row per thing, for CSV and the CLI.

Values stay raw (seconds, fractions, ISO dates): whoever shows them words them.
Every table of the report is here, so that every table can be exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .report import ActivityFigures, DefectKind, ProcessReport, SixSigma, Spread, Workload


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _spread(prefix: str, spread: Spread) -> dict[str, Any]:
    return {f"{prefix}_median_s": spread.median, f"{prefix}_p90_s": spread.p90}


def _defects(six_sigma: SixSigma, kinds: Iterable[DefectKind]) -> dict[str, Any]:
    return {f"defects_{kind.value}": six_sigma.defects.get(kind) for kind in kinds}


def _table(records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> Table:
    names = tuple(columns or (records[0] if records else ()))
    return Table(names, tuple(tuple(r.get(c) for c in names) for r in records))


def summary(report: ProcessReport) -> Table:
    c, s = report.counts, report.six_sigma
    figures = {
        "started": c.started,
        "completed": c.completed,
        "cancelled": c.cancelled,
        "in_error": c.in_error,
        "running": c.running,
        "cycle_time_median_s": report.cycle_time.median,
        "cycle_time_p90_s": report.cycle_time.p90,
        **{f"defects_{k.value}": n for k, n in sorted(s.defects.items())},
        "opportunities": s.opportunities,
        "dpmo": s.dpmo,
        "sigma_level": s.sigma,
        "first_pass_yield": s.first_pass_yield,
        "rolled_throughput_yield": report.rolled_throughput_yield,
    }
    return Table(("figure", "value"), tuple(figures.items()))


def activities(report: ProcessReport) -> Table:
    kinds = [k for k in DefectKind if k.per_activity and k in report.defect_kinds]
    columns = (
        "element", "name", "tasks", "completed", "open",
        "waiting_median_s", "waiting_p90_s", "working_median_s", "working_p90_s",
        "sign_off_median_s", "sign_off_p90_s", "consultation_median_s", "consultation_p90_s",
        "reworks", "rework_rate", "sla_breaches",
        *(f"defects_{k.value}" for k in kinds), "dpmo", "sigma_level", "first_pass_yield",
    )  # fmt: skip
    return _table([_activity(a, kinds) for a in report.activities], columns)


def _activity(a: ActivityFigures, kinds: Sequence[DefectKind]) -> dict[str, Any]:
    return {
        "element": a.element,
        "name": a.name,
        "tasks": a.tasks,
        "completed": a.completed,
        "open": a.open,
        **_spread("waiting", a.waiting),
        **_spread("working", a.working),
        **_spread("sign_off", a.sign_off),
        **_spread("consultation", a.consultation),
        "reworks": a.reworks,
        "rework_rate": a.rework_rate,
        "sla_breaches": a.sla_breaches,
        **_defects(a.six_sigma, kinds),
        "dpmo": a.six_sigma.dpmo,
        "sigma_level": a.six_sigma.sigma,
        "first_pass_yield": a.six_sigma.first_pass_yield,
    }


def throughput(report: ProcessReport) -> Table:
    return Table(
        ("week", "completed", "mean_cycle_time_s"),
        tuple((w.week.isoformat(), w.completed, w.mean_cycle_time) for w in report.throughput),
    )


def control_chart(report: ProcessReport) -> Table:
    chart = report.control_chart
    columns = ("week", "value_s", "moving_range_s", "outside", "centre_s", "lcl_s", "ucl_s",
               "mr_centre_s", "mr_ucl_s")  # fmt: skip
    if chart is None:
        return Table(columns, ())
    limits = (chart.centre, chart.lower, chart.upper, chart.mr_centre, chart.mr_upper)
    return Table(
        columns,
        tuple(
            (p.week.isoformat(), p.value, p.moving_range, p.outside, *limits) for p in chart.points
        ),
    )


def defects(report: ProcessReport) -> Table:
    """The process's defects by kind (the kinds it counts)."""
    found = sorted(report.six_sigma.defects.items())
    return Table(("kind", "defects"), tuple((kind.value, count) for kind, count in found))


def _workload(rows: Sequence[Workload], who: str) -> Table:
    return Table(
        (who, "open", "done", "overdue"), tuple((w.who, w.open, w.done, w.overdue) for w in rows)
    )


def workload_roles(report: ProcessReport) -> Table:
    return _workload(report.workload_by_role, "role")


def workload_people(report: ProcessReport) -> Table:
    return _workload(report.workload_by_person, "person")


def sign_off_delays(report: ProcessReport) -> Table:
    return Table(
        ("person", "signed", "delay_median_s", "delay_p90_s"),
        tuple((d.person, d.signed, d.delay.median, d.delay.p90) for d in report.sign_off_delays),
    )


TABLES = {
    "summary": summary,
    "activities": activities,
    "throughput": throughput,
    "control_chart": control_chart,
    "defects": defects,
    "workload_roles": workload_roles,
    "workload_people": workload_people,
    "sign_off_delays": sign_off_delays,
}


def table(report: ProcessReport, name: str) -> Table:
    """The report's table `name` (one of TABLES); KeyError for another name."""
    return TABLES[name](report)
