"""Assemble a ProcessReport from the read model's rows and the formulas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from raci.matrix import RaciMatrix

from . import formulas, queries
from .queries import COMPLETED, Scope
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
    queries.tune(conn)
    rework, breach = DefectKind.REWORK in kinds, DefectKind.SLA_BREACH in kinds
    by_status = {status: (n, pair) for status, n, pair in queries.instance_rows(conn, scope)}
    counts = _counts({status: n for status, (n, _) in by_status.items()})
    completed, cycle_times = by_status.get(COMPLETED, (0, (None, None)))
    activities = _activities(conn, scope, rework=rework, breach=breach, kinds=kinds)
    found = {
        DefectKind.REWORK: sum(a.reworks for a in activities),
        DefectKind.SLA_BREACH: sum(a.sla_breaches for a in activities),
        DefectKind.ERROR: counts.in_error,
        DefectKind.CANCELLED: counts.cancelled,
    }
    flawed = queries.flawed_completions(conn, scope, rework=rework, breach=breach)
    week_zero = _monday(scope.since.date())
    weeks = [
        WeekFigure(week_zero + timedelta(weeks=int(w)), n, _float(mean))
        for w, n, mean in queries.weekly_completions(conn, scope)
    ]
    yields = [a.six_sigma.first_pass_yield for a in activities]
    return ProcessReport(
        process_id=scope.process_id,
        version=version,
        since=scope.since,
        until=scope.until,
        defect_kinds=kinds,
        counts=counts,
        cycle_time=_spread(cycle_times, completed),
        throughput=tuple(weeks),
        six_sigma=_six_sigma(
            {k: n for k, n in found.items() if k in kinds},
            units=counts.started,
            opportunities=sum(a.tasks for a in activities),
            passed=counts.completed - flawed,
            finished=counts.completed + counts.cancelled + counts.in_error,
        ),
        rolled_throughput_yield=formulas.rolled_throughput_yield(
            [y for y in yields if y is not None]
        ),
        control_chart=_chart(weeks),
        activities=activities,
        workload_by_role=_role_workload(activities, matrix),
        workload_by_person=tuple(
            Workload(who, int(o), int(d), int(late))
            for who, o, d, late in queries.person_workload(conn, scope)
        ),
        sign_off_delays=tuple(
            SignOffDelay(who, int(n), _spread(pair, n))
            for who, n, pair in queries.sign_off_rows(conn, scope)
        ),
    )


def _activities(
    conn: Connection, scope: Scope, *, rework: bool, breach: bool, kinds: Collection[DefectKind]
) -> tuple[ActivityFigures, ...]:
    consulted = {
        element: _spread(pair, n) for element, pair, n in queries.consultation_rows(conn, scope)
    }
    figures = []
    for row in queries.activity_rows(conn, scope, rework=rework, breach=breach):
        reworks, breaches, completed = int(row.reworks), int(row.breaches), int(row.completed)
        defects = {DefectKind.REWORK: reworks, DefectKind.SLA_BREACH: breaches}
        figures.append(
            ActivityFigures(
                element=row.element,
                name=row.name,
                tasks=row.tasks,
                completed=completed,
                open=int(row.open),
                waiting=_spread(row.waiting, row.waiting_count),
                working=_spread(row.working, row.working_count),
                sign_off=_spread(row.sign_off, row.sign_off_count),
                consultation=consulted.get(row.element, Spread()),
                reworks=reworks,
                rework_rate=reworks / completed if completed else None,
                sla_breaches=breaches,
                six_sigma=_six_sigma(
                    {k: n for k, n in defects.items() if k in kinds},
                    units=row.tasks,
                    opportunities=row.tasks,
                    passed=int(row.first_pass),
                    finished=completed,
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


def _role_workload(
    activities: Sequence[ActivityFigures], matrix: RaciMatrix | None
) -> tuple[Workload, ...]:
    """Each activity's open, done and breached tasks counted for every R role of its row."""
    if matrix is None:
        return ()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for a in activities:
        row = matrix.row_for(a.element)
        for role in row.responsible if row else ():
            for i, n in enumerate((a.open, a.completed, a.sla_breaches)):
                totals[role][i] += n
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


def _spread(pair: tuple[Any, Any], count: Any) -> Spread:
    median, p90 = pair
    return Spread(_float(median), _float(p90), int(count or 0))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
