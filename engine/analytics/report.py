"""What process analytics reports: frozen values the pages, the API and the CLI render.

Durations are seconds (float); None where there is nothing to measure (no completed
instance, no consultation). Rates and yields are fractions (0..1). docs/analytics.md
says which timestamps each figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class DefectKind(StrEnum):
    """What counts as a defect of a process (configurable per process)."""

    REWORK = "rework"  # work sent back by its A (a rejection)
    SLA_BREACH = "sla_breach"  # a task finished after its due time, or still open past it
    ERROR = "error"  # an instance stopped in error
    CANCELLED = "cancelled"  # an instance cancelled

    @property
    def per_activity(self) -> bool:
        """Rework and breaches belong to a task; errors and cancellations to an instance."""
        return self in (DefectKind.REWORK, DefectKind.SLA_BREACH)


ALL_DEFECT_KINDS = frozenset(DefectKind)


@dataclass(frozen=True)
class Spread:
    """A duration's median and 90th percentile in seconds (type 7, read from duration bins:
    within 2% of the exact value; engine/analytics/histogram.py)."""

    median: float | None = None
    p90: float | None = None
    count: int = 0  # how many durations were measured


@dataclass(frozen=True)
class Counts:
    """Instances started in the period, by where they stand now."""

    started: int = 0
    completed: int = 0
    cancelled: int = 0
    in_error: int = 0
    running: int = 0  # still running or waiting


@dataclass(frozen=True)
class WeekFigure:
    """One week (starting Monday) of completed instances: how many, and their mean cycle time."""

    week: date
    completed: int
    mean_cycle_time: float | None


@dataclass(frozen=True)
class ChartPoint:
    """One point of the control chart (a week's mean cycle time, seconds)."""

    week: date
    value: float
    moving_range: float | None
    outside: bool


@dataclass(frozen=True)
class ControlChart:
    """Individuals / moving-range chart of weekly mean cycle time (seconds)."""

    centre: float
    lower: float
    upper: float
    mr_centre: float
    mr_upper: float
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True)
class SixSigma:
    """Defects by kind over opportunities, and what follows from them."""

    defects: dict[DefectKind, int]  # only the kinds counted for this process
    units: int  # instances (process) or tasks (activity)
    opportunities: int  # steps passed: tasks of the instances (process), tasks (activity)
    dpmo: float | None
    sigma: float | None  # short-term, with the 1.5 sigma shift; None: no defect seen
    first_pass_yield: float | None

    @property
    def total_defects(self) -> int:
        return sum(self.defects.values())


@dataclass(frozen=True)
class ActivityFigures:
    """One user task of the process (by its BPMN element id)."""

    element: str
    name: str
    tasks: int  # tasks of the period's instances at this activity
    completed: int
    open: int
    waiting: Spread  # ready -> first claimed
    working: Spread  # first claimed -> submitted (or completed)
    sign_off: Spread  # submitted -> signed off (last round)
    consultation: Spread  # each consultation: requested -> answered
    reworks: int  # rejections
    rework_rate: float | None  # rejections per completed task
    sla_breaches: int
    six_sigma: SixSigma


@dataclass(frozen=True)
class Workload:
    """Open, done and overdue tasks of one R role or one person."""

    who: str
    open: int
    done: int
    overdue: int  # open past their due time at the period's end, or done after it


@dataclass(frozen=True)
class SignOffDelay:
    """How long one A took to sign (submitted -> signed), over the tasks they signed."""

    person: str
    signed: int
    delay: Spread


@dataclass(frozen=True)
class ProcessReport:
    """How one process (one version, or all) performed over [since, until)."""

    process_id: str
    version: int | None  # None: every version
    since: datetime
    until: datetime
    defect_kinds: frozenset[DefectKind]
    counts: Counts
    cycle_time: Spread  # start -> end of completed instances
    throughput: tuple[WeekFigure, ...]
    six_sigma: SixSigma
    rolled_throughput_yield: float | None  # product of the activities' first-pass yields
    control_chart: ControlChart | None  # None: fewer than two weeks with completions
    activities: tuple[ActivityFigures, ...]
    workload_by_role: tuple[Workload, ...] = field(default=())
    workload_by_person: tuple[Workload, ...] = field(default=())
    sign_off_delays: tuple[SignOffDelay, ...] = field(default=())
