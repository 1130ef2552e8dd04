"""Assemble a ProcessReport from the read model's rows and the formulas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from raci.matrix import RaciMatrix

from . import formulas, queries
from .queries import Scope
from .report import (
    ActivityFigures,
    ChartPoint,
    ControlChart,
    Counts,
    DefectKind,
    ProcessReport,
    SignOffDelay,
    SixSigma,
    Spread,
    WeekFigure,
    Workload,
)


def build_report(
    conn: Connection,
    scope: Scope,
    *,
    version: int | None,
    kinds: frozenset[DefectKind],
    matrix: RaciMatrix | None,
) -> ProcessReport:
    """Run the queries of `scope` and compute the figures."""
    rework, breach = DefectKind.REWORK in kinds, DefectKind.SLA_BREACH in kinds
    counts = _counts(queries.status_counts(conn, scope))
    week_zero = _monday(scope.since.date())
    clean, steps, reworks, breaches = queries.instance_defects(
        conn, scope, rework=rework, breach=breach
    )
    found = {
        DefectKind.REWORK: int(reworks),
        DefectKind.SLA_BREACH: int(breaches),
        DefectKind.ERROR: counts.in_error,
        DefectKind.CANCELLED: counts.cancelled,
    }
    finished = counts.completed + counts.cancelled + counts.in_error
    activities = _activities(conn, scope, rework=rework, breach=breach, kinds=kinds)
    yields = [a.six_sigma.first_pass_yield for a in activities]
    weeks = [
        WeekFigure(week_zero + timedelta(weeks=int(w)), n, _float(mean))
        for w, n, mean in queries.weekly_completions(conn, scope)
    ]
    return ProcessReport(
        process_id=scope.process_id,
        version=version,
        since=scope.since,
        until=scope.until,
        defect_kinds=kinds,
        counts=counts,
        cycle_time=_spread(*queries.cycle_times(conn, scope)),
        throughput=tuple(weeks),
        six_sigma=_six_sigma(
            {k: n for k, n in found.items() if k in kinds},
            units=counts.started,
            opportunities=int(steps),
            passed=int(clean or 0),
            finished=finished,
        ),
        rolled_throughput_yield=formulas.rolled_throughput_yield(
            [y for y in yields if y is not None]
        ),
        control_chart=_chart(weeks),
        activities=activities,
        workload_by_role=_role_workload(queries.element_workload(conn, scope), matrix),
        workload_by_person=tuple(
            Workload(who, int(o), int(d), int(late))
            for who, o, d, late in queries.person_workload(conn, scope)
        ),
        sign_off_delays=tuple(
            SignOffDelay(who, int(n), _spread(med, p90, n))
            for who, n, med, p90 in queries.sign_off_rows(conn, scope)
        ),
    )


def _activities(
    conn: Connection, scope: Scope, *, rework: bool, breach: bool, kinds: Collection[DefectKind]
) -> tuple[ActivityFigures, ...]:
    consulted = {
        element: _spread(med, p90, n)
        for element, med, p90, n in queries.consultation_rows(conn, scope)
    }
    figures = []
    for row in queries.activity_rows(conn, scope, rework=rework, breach=breach):
        defects = {}
        if DefectKind.REWORK in kinds:
            defects[DefectKind.REWORK] = int(row.reworks or 0)
        if DefectKind.SLA_BREACH in kinds:
            defects[DefectKind.SLA_BREACH] = int(row.breaches or 0)
        figures.append(
            ActivityFigures(
                element=row.element,
                name=row.name,
                tasks=row.tasks,
                completed=int(row.completed),
                open=int(row.open),
                waiting=_spread(row.waiting_median, row.waiting_p90, row.waiting_count),
                working=_spread(row.working_median, row.working_p90, row.working_count),
                sign_off=_spread(row.sign_off_median, row.sign_off_p90, row.sign_off_count),
                consultation=consulted.get(row.element, Spread()),
                reworks=int(row.reworks or 0),
                rework_rate=int(row.reworks or 0) / row.completed if row.completed else None,
                sla_breaches=int(row.breaches or 0),
                six_sigma=_six_sigma(
                    defects,
                    units=row.tasks,
                    opportunities=row.tasks,
                    passed=int(row.first_pass),
                    finished=int(row.completed),
                ),
            )
        )
    return tuple(figures)


def _six_sigma(
    defects: Mapping[DefectKind, int], *, units: int, opportunities: int, passed: int, finished: int
) -> SixSigma:
    total = sum(defects.values())
    dpmo = formulas.dpmo(total, opportunities, 1) if opportunities else None
    return SixSigma(
        defects=dict(defects),
        units=units,
        opportunities=opportunities,
        dpmo=dpmo,
        sigma=formulas.sigma_level(dpmo),
        first_pass_yield=formulas.first_pass_yield(passed, finished),
    )


def _role_workload(rows: list[Any], matrix: RaciMatrix | None) -> tuple[Workload, ...]:
    """Each element's open/done/overdue counted for every R role of its matrix row."""
    if matrix is None:
        return ()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for element, open_, done, late in rows:
        row = matrix.row_for(element)
        for role in row.responsible if row else ():
            for i, n in enumerate((open_, done, late)):
                totals[role][i] += int(n)
    return tuple(Workload(role, *totals[role]) for role in sorted(totals))


def _chart(weeks: list[WeekFigure]) -> ControlChart | None:
    points = [w for w in weeks if w.mean_cycle_time is not None]
    limits = formulas.individuals_limits([w.mean_cycle_time for w in points])  # type: ignore[misc]
    if limits is None:
        return None
    return ControlChart(
        centre=limits.centre,
        lower=max(0.0, limits.lower),  # a cycle time is never negative (Montgomery 6.4)
        upper=limits.upper,
        mr_centre=limits.mr_centre,
        mr_upper=limits.mr_upper,
        points=tuple(
            ChartPoint(w.week, p.value, p.moving_range, p.outside)
            for w, p in zip(points, limits.points, strict=True)
        ),
    )


def _counts(by_status: Mapping[str, int]) -> Counts:
    return Counts(
        started=sum(by_status.values()),
        completed=by_status.get("completed", 0),
        cancelled=by_status.get("cancelled", 0),
        in_error=by_status.get("error", 0),
        running=by_status.get("running", 0) + by_status.get("waiting", 0),
    )


def _spread(median: Any, p90: Any, count: Any) -> Spread:
    return Spread(_float(median), _float(p90), int(count or 0))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
