"""The figures a report adds up, in four grains that sum across any set of instances.

A grain is a table of the roll-up (engine/orm.py): key columns, and value columns that
merge by sum, min or max. `add_rows` adds up instances, tasks and consultations
(engine/analytics/queries.py) into grains, for the roll-up (per version and day of
start) and for a report's live part alike; the roll-up's sums (engine/analytics/
rollup.py) merge with the live part into one `Facts`, and the report is built from it.

- instances, by (status, ended_day): how many, the sum of their cycle times in seconds,
  and the completed ones with a task flawed by a rework, by a breach, by either;
- activities, by element: name, first task's creation (epoch s: the activities' order),
  tasks, completed, open, reworks, breaches, completed with a rework / breach / either;
- people, by person: open with them, done by them, breached of those, signed by them;
- spreads, by (measure, subject, bin): the histogram bins (engine/analytics/histogram.py)
  of each duration: cycle (by status), waiting / working / sign_off / consultation (by
  element), signer (submitted -> signed, by who signed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table

from ..model import InstanceStatus, TaskStatus
from ..orm import analytics_activities, analytics_instances, analytics_people, analytics_spreads
from .histogram import Histogram, bin_of
from .spans import day_of

COMPLETED = InstanceStatus.COMPLETED.value
DONE, READY = TaskStatus.COMPLETED.value, TaskStatus.READY.value
AWAITING = TaskStatus.AWAITING_SIGNOFF.value
OPEN = (READY, AWAITING)


@dataclass(frozen=True)
class Grain:
    name: str
    table: Table
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    mins: tuple[str, ...] = ()
    maxes: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        return (*self.sums, *self.mins, *self.maxes)

    def merge(self, into: list[Any], values: Sequence[Any]) -> None:
        """Add one row's values to what is held for its key."""
        s, m = len(self.sums), len(self.sums) + len(self.mins)
        for i, value in enumerate(values):
            if i < s:
                into[i] += value
            elif i < m:
                into[i] = min(into[i], value)
            else:
                into[i] = max(into[i], value)


INSTANCES = Grain(
    "instances",
    analytics_instances,
    keys=("status", "ended_day"),
    sums=("instances", "cycle_seconds", "flawed_rework", "flawed_breach", "flawed_either"),
)
ACTIVITIES = Grain(
    "activities",
    analytics_activities,
    keys=("element",),
    sums=("tasks", "completed", "open", "reworks", "breaches", "done_rework", "done_breach",
          "done_either"),
    mins=("first_seen",),
    maxes=("name",),
)  # fmt: skip
PEOPLE = Grain(
    "people", analytics_people, keys=("person",), sums=("open", "done", "breached", "signed")
)
SPREADS = Grain(
    "spreads",
    analytics_spreads,
    keys=("measure", "subject", "bin"),
    sums=("count",),
    mins=("low",),
    maxes=("high",),
)
GRAINS = (INSTANCES, ACTIVITIES, PEOPLE, SPREADS)


@dataclass
class Facts:
    """Rows of every grain merged by key: grain name -> key -> values (grain order)."""

    rows: dict[str, dict[tuple[Any, ...], list[Any]]] = field(
        default_factory=lambda: {grain.name: {} for grain in GRAINS}
    )

    def add(self, grain: Grain, rows: Iterable[Sequence[Any]]) -> None:
        """Merge rows of (keys..., values...) in."""
        held, width = self.rows.setdefault(grain.name, {}), len(grain.keys)
        for row in rows:
            key, values = tuple(row[:width]), row[width:]
            found = held.get(key)
            if found is None:
                held[key] = [_number(v) for v in values]
            else:
                grain.merge(found, [_number(v) for v in values])

    def of(self, grain: Grain) -> dict[tuple[Any, ...], list[Any]]:
        return self.rows.get(grain.name, {})

    def histograms(self, measure: str) -> dict[str, Histogram]:
        """The histograms of one measure, by subject."""
        found: dict[str, Histogram] = {}
        for (m, subject, index), (count, low, high) in self.of(SPREADS).items():
            if m == measure:
                found.setdefault(subject, Histogram()).add(index, count, low, high)
        return found


def _number(value: Any) -> Any:
    """Sums come back as Decimal from PostgreSQL's SUM of integers: plain numbers here."""
    if value is None or isinstance(value, int | float | str):
        return value
    return int(value) if value == int(value) else float(value)


def breached(
    status: str,
    due_at: datetime | None,
    handed_in: datetime | None,
    signoff_due_at: datetime | None,
    signed_off_at: datetime | None,
    as_of: datetime,
) -> bool:
    """A task past a due time: R's work (due_at) handed in after it, or still not handed
    in at `as_of`; or A's sign-off (signoff_due_at) given after it, or still awaited at
    `as_of`. One breach per task at most."""
    if due_at is not None:
        if handed_in is not None and handed_in > due_at:
            return True
        if status == READY and due_at < as_of:
            return True
    if signoff_due_at is not None:
        if signed_off_at is not None and signed_off_at > signoff_due_at:
            return True
        if status == AWAITING and signoff_due_at < as_of:
            return True
    return False


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds()


class _Adder:
    """Adds rows into a Facts, grain by grain, written out for speed: a report's live
    part adds every open task of the period here."""

    def __init__(self, facts: Facts) -> None:
        rows = facts.rows
        self.instances = rows.setdefault(INSTANCES.name, {})
        self.activities = rows.setdefault(ACTIVITIES.name, {})
        self.people = rows.setdefault(PEOPLE.name, {})
        self.spreads = rows.setdefault(SPREADS.name, {})

    def spread(self, key: tuple[Any, ...], value: float | None) -> None:
        if value is None or key[-1] is None:
            return
        key = (*key, bin_of(value))
        found = self.spreads.get(key)
        if found is None:
            self.spreads[key] = [1, value, value]
        else:
            found[0] += 1
            found[1], found[2] = min(found[1], value), max(found[2], value)

    def sums(
        self, held: dict[tuple[Any, ...], list[Any]], key: tuple[Any, ...], values: list[Any]
    ) -> None:
        found = held.get(key)
        if found is None:
            held[key] = [v + 0 for v in values]  # True + 0 == 1: flags count as numbers
        else:
            for i, value in enumerate(values):
                found[i] += value

    def activity(self, key: tuple[Any, ...], sums: list[int], first_seen: float, name: str) -> None:
        found = self.activities.get(key)
        if found is None:
            self.activities[key] = [*(v + 0 for v in sums), first_seen, name]
            return
        for i, value in enumerate(sums):
            found[i] += value
        found[-2], found[-1] = min(found[-2], first_seen), max(found[-1], name)


def add_rows(facts: Facts, rows: Any, as_of: datetime, *, per_block: bool = False) -> None:
    """Add up `rows` (queries.Rows: instances, their tasks and consultations) into
    `facts`; per block (version and day of start, the roll-up's keys) if `per_block`."""
    add = _Adder(facts)
    blocks: dict[str, tuple[Any, ...]] = {
        i.id: (i.version_id, day_of(i.started_at)) if per_block else () for i in rows.instances
    }
    flaws: dict[str, tuple[bool, bool]] = {}
    for (
        instance_id, element, name, status, created_at, due_at, claimed_at, submitted_at,
        completed_at, signoff_due_at, signed_off_at, signer, completed_by, assignee, reworks,
    ) in rows.tasks:  # fmt: skip
        block, handed_in = blocks[instance_id], submitted_at or completed_at
        late = breached(status, due_at, handed_in, signoff_due_at, signed_off_at, as_of)
        done, reworked, open_ = status == DONE, reworks > 0, status in OPEN
        add.activity(
            (*block, element),
            [1, done, open_, reworks, late, done and reworked, done and late,
             done and (reworked or late)],
            created_at.timestamp(),
            name,
        )  # fmt: skip
        person = completed_by or assignee
        if person is not None:
            add.sums(add.people, (*block, person), [open_, done, late, 0])
        if signer is not None:
            add.sums(add.people, (*block, signer), [0, 0, 0, 1])
        add.spread((*block, "waiting", element), _seconds(created_at, claimed_at))
        add.spread((*block, "working", element), _seconds(claimed_at, handed_in))
        sign_off = _seconds(submitted_at, signed_off_at)
        add.spread((*block, "sign_off", element), sign_off)
        add.spread((*block, "signer", signer), sign_off)
        if reworked or late:
            before = flaws.get(instance_id, (False, False))
            flaws[instance_id] = (before[0] or reworked, before[1] or late)
    for c in rows.consultations:
        add.spread(
            (*blocks[c.instance_id], "consultation", c.spec_id),
            _seconds(c.requested_at, c.answered_at),
        )
    for i in rows.instances:
        block, cycle = blocks[i.id], _seconds(i.started_at, i.ended_at)
        rework, breach = (
            flaws.get(i.id, (False, False)) if i.status == COMPLETED else (False, False)
        )
        ended = None if i.ended_at is None else day_of(i.ended_at)
        add.sums(
            add.instances,
            (*block, i.status, ended),
            [1, cycle or 0.0, rework, breach, rework or breach],
        )
        add.spread((*block, "cycle", i.status), cycle)
