"""Assemble a ProcessReport from the read model's rows and the formulas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy import Connection

from raci.matrix import RaciMatrix

from . import formulas
from .facts import ACTIVITIES, COMPLETED, INSTANCES, PEOPLE, Facts
from .histogram import Histogram
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
from .rollup import report_facts

DAY = 24 * 3600
WEEK = 7 * DAY
# Where a grain's values hold what the figures pick (engine/analytics/facts.py).
FLAWED_INSTANCES = INSTANCES.values.index("flawed_rework")  # then breach, either
FLAWED_TASKS = ACTIVITIES.values.index("done_rework")  # then breach, either
FIRST_SEEN = ACTIVITIES.values.index("first_seen")


def build_report(
    conn: Connection,
    scope: Scope,
    *,
    version: int | None,
    kinds: frozenset[DefectKind],
    matrix: RaciMatrix | None,
) -> ProcessReport:
    """Add up the facts of `scope` (roll-up and live) and compute the figures."""
    facts = report_facts(conn, scope)
    by_status: dict[str, int] = defaultdict(int)
    for (status, _), values in facts.of(INSTANCES).items():
        by_status[status] += values[0]
    counts = _counts(by_status)
    activities = _activities(facts, kinds)
    found = {
        DefectKind.REWORK: sum(a.reworks for a in activities),
        DefectKind.SLA_BREACH: sum(a.sla_breaches for a in activities),
        DefectKind.ERROR: counts.in_error,
        DefectKind.CANCELLED: counts.cancelled,
    }
    weeks = _weeks(facts, scope)
    yields = [a.six_sigma.first_pass_yield for a in activities]
    signers = facts.histograms("signer")
    people = sorted(facts.of(PEOPLE).items())
    return ProcessReport(
        process_id=scope.process_id,
        version=version,
        since=scope.since,
        until=scope.until,
        defect_kinds=kinds,
        counts=counts,
        cycle_time=_spread(facts.histograms("cycle").get(COMPLETED)),
        throughput=tuple(weeks),
        six_sigma=_six_sigma(
            {k: n for k, n in found.items() if k in kinds},
            units=counts.started,
            opportunities=sum(a.tasks for a in activities),
            passed=counts.completed - _flawed_completions(facts, kinds),
            finished=counts.completed + counts.cancelled + counts.in_error,
        ),
        rolled_throughput_yield=formulas.rolled_throughput_yield(
            [y for y in yields if y is not None]
        ),
        control_chart=_chart(weeks),
        activities=activities,
        workload_by_role=_role_workload(activities, matrix),
        workload_by_person=tuple(
            Workload(who, open_, done, late)
            for (who,), (open_, done, late, _) in people
            if open_ or done or late
        ),
        sign_off_delays=tuple(
            SignOffDelay(who, signed, _spread(signers.get(who)))
            for (who,), (_, _, _, signed) in people
            if signed
        ),
    )


def _flawed(values: list[int], kinds: Collection[DefectKind], *, offset: int) -> int:
    """Of the (rework, breach, either) counts from `offset`, the one the kinds pick."""
    rework, breach = DefectKind.REWORK in kinds, DefectKind.SLA_BREACH in kinds
    if not (rework or breach):
        return 0
    return values[offset + (2 if rework and breach else 0 if rework else 1)]


def _flawed_completions(facts: Facts, kinds: Collection[DefectKind]) -> int:
    """Completed instances with at least one task with a counted defect."""
    return sum(
        _flawed(values, kinds, offset=FLAWED_INSTANCES)
        for (status, _), values in facts.of(INSTANCES).items()
        if status == COMPLETED
    )


def _weeks(facts: Facts, scope: Scope) -> list[WeekFigure]:
    """Completed instances and their mean cycle time by the week they ended in."""
    totals: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for (status, ended_day), values in facts.of(INSTANCES).items():
        if status == COMPLETED and ended_day is not None:
            week = int((ended_day * DAY - scope.week_zero) // WEEK)
            totals[week][0] += values[0]
            totals[week][1] += values[1]
    week_zero = _monday(scope.since.date())
    return [
        WeekFigure(week_zero + timedelta(weeks=w), int(n), total / n if n else None)
        for w, (n, total) in sorted(totals.items())
    ]


def _activities(facts: Facts, kinds: Collection[DefectKind]) -> tuple[ActivityFigures, ...]:
    spreads = {m: facts.histograms(m) for m in ("waiting", "working", "sign_off", "consultation")}
    figures = []
    rows = sorted(facts.of(ACTIVITIES).items(), key=lambda item: (item[1][FIRST_SEEN], item[0]))
    for (element,), values in rows:
        tasks, completed, open_, reworks, breaches, *_, name = values
        defects = {DefectKind.REWORK: reworks, DefectKind.SLA_BREACH: breaches}
        figures.append(
            ActivityFigures(
                element=element,
                name=name,
                tasks=tasks,
                completed=completed,
                open=open_,
                waiting=_spread(spreads["waiting"].get(element)),
                working=_spread(spreads["working"].get(element)),
                sign_off=_spread(spreads["sign_off"].get(element)),
                consultation=_spread(spreads["consultation"].get(element)),
                reworks=reworks,
                rework_rate=reworks / completed if completed else None,
                sla_breaches=breaches,
                six_sigma=_six_sigma(
                    {k: n for k, n in defects.items() if k in kinds},
                    units=tasks,
                    opportunities=tasks,
                    passed=completed - _flawed(values, kinds, offset=FLAWED_TASKS),
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


def _spread(histogram: Histogram | None) -> Spread:
    if histogram is None or not histogram.count:
        return Spread()
    return Spread(histogram.percentile(0.5), histogram.percentile(0.9), histogram.count)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
