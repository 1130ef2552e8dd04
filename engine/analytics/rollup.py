"""The roll-up: the facts of finished instances, added up per day, week, month, quarter
and year of start (engine/analytics/spans.py).

A finished (completed or cancelled) instance never changes again, nor do its tasks and
consultations: its facts can be added up once. Per process, `analytics_rollups` holds a
time W: every instance that ended before W is in the roll-up, and none other. A report
(engine/analytics/build.py) adds the roll-up's blocks that cover its period's days to
the live facts of the rest: instances still open, or ended at W or later, or started on
a day the period only partly covers. `roll_up` moves W forward to a few minutes ago,
adding up again the days of start of whatever ended in between, and the blocks above
them. docs/analytics.md, "Roll-ups".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..orm import analytics_rollups, process_instances
from . import spans
from .facts import GRAINS, Facts, Grain, add_rows
from .queries import Scope, rows_of, tune
from .spans import DAY, Span, day_of, midnight

instances = process_instances
# How long after its clock reading a unit of work may still commit. An instance that
# ended less than this ago stays live: a transaction that set ended_at before W could
# otherwise commit after the roll-up read past it, and be missed.
SETTLE = timedelta(minutes=10)
CHUNK = 7  # days of starts a roll-up reads at a time: memory stays bounded
STEP = 2000  # instances at most that one roll-up adds (roll_up_analytics repeats it)
NOTHING_ROLLED = datetime(1970, 1, 1, tzinfo=UTC)  # W before a process's first roll-up


def rolled_before(conn: Connection, process_id: str) -> datetime | None:
    """W of the process: None if nothing is rolled up yet."""
    return conn.execute(
        select(analytics_rollups.c.rolled_before).where(
            analytics_rollups.c.process_id == process_id
        )
    ).scalar()


def report_facts(conn: Connection, scope: Scope) -> Facts:
    """The facts of `scope`: the roll-up's blocks of its whole days, plus the rest live."""
    tune(conn)
    facts = Facts()
    first = day_of(scope.since)
    if midnight(first) != scope.since:  # a partly covered first day is read live
        first += 1
    end = day_of(scope.until)
    mark = rolled_before(conn, scope.process_id)
    rolled = mark is not None and first < end
    if rolled:
        blocks = spans.covering(first, end)
        for grain in GRAINS:
            facts.add(grain, _read(conn, grain, scope, blocks))
    live = scope.instance_filter()
    if rolled:
        not_rolled = or_(
            instances.c.ended_at.is_(None),
            instances.c.ended_at >= mark,
            instances.c.started_at < midnight(first),
            instances.c.started_at >= midnight(end),
        )
        live = and_(live, not_rolled)
    add_rows(facts, rows_of(conn, live), scope.as_of)
    return facts


def _read(conn: Connection, grain: Grain, scope: Scope, blocks: dict[str, list[int]]) -> list[Any]:
    """The grain's rows of `blocks` (span -> first days), added up by the database."""
    c = grain.table.c
    in_blocks = or_(*(and_(c.span == span, c.first_day.in_(days)) for span, days in blocks.items()))
    where = [c.process_id == scope.process_id, in_blocks]
    if scope.version_id is not None:
        where.append(c.version_id == scope.version_id)
    keys = [c[k] for k in grain.keys]
    return list(conn.execute(select(*keys, *_aggregates(grain)).where(*where).group_by(*keys)))


def _aggregates(grain: Grain) -> list[Any]:
    c = grain.table.c
    return [
        *(func.sum(c[n]) for n in grain.sums),
        *(func.min(c[n]) for n in grain.mins),
        *(func.max(c[n]) for n in grain.maxes),
    ]


def roll_up(conn: Connection, process_id: str, now: datetime) -> int:
    """Move the process's W to `now` - SETTLE, adding up again the days of start of what
    ended in between, and the blocks above them; at most STEP instances, after which W
    stops short (call it again). Run in a write transaction; answers how many it added."""
    tune(conn)
    old, new = _lock_mark(conn, process_id), now - SETTLE
    if new <= old:
        return 0
    new = _step_end(conn, process_id, old, new)
    started = instances.c.started_at
    first, last, ended = conn.execute(
        select(func.min(started), func.max(started), func.count()).where(
            instances.c.process_id == process_id,
            instances.c.ended_at >= old,
            instances.c.ended_at < new,
        )
    ).one()
    if ended:
        _rebuild_days(conn, process_id, day_of(first), day_of(last) + 1, new)
    conn.execute(
        analytics_rollups.update()
        .where(analytics_rollups.c.process_id == process_id)
        .values(rolled_before=new)
    )
    return int(ended)


def _step_end(conn: Connection, process_id: str, old: datetime, new: datetime) -> datetime:
    """Where this roll-up stops: at `new`, or sooner so that at most STEP instances are
    added in one transaction (a first roll-up of years of history takes many; on SQLite
    the writers wait for each)."""
    ended = instances.c.ended_at
    stop = conn.execute(
        select(ended)
        .where(instances.c.process_id == process_id, ended >= old, ended < new)
        .order_by(ended)
        .offset(STEP)
        .limit(1)
    ).scalar()
    return stop if stop is not None and stop > old else new


def _lock_mark(conn: Connection, process_id: str) -> datetime:
    """W, its row locked until the end of the transaction, so that two workers' roll-ups
    of one process take turns (on SQLite the write transaction already does). The first
    roll-up of a process makes the row (NOTHING_ROLLED), whoever of two comes first."""
    table = analytics_rollups
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(table)
        .values(process_id=process_id, rolled_before=NOTHING_ROLLED)
        .on_conflict_do_nothing(index_elements=[table.c.process_id])
    )
    return conn.execute(
        select(table.c.rolled_before).where(table.c.process_id == process_id).with_for_update()
    ).scalar_one()


def _rebuild_days(conn: Connection, process_id: str, first: int, end: int, mark: datetime) -> None:
    """Days [first, end) again from the instances that ended before `mark`, a few days at
    a time, then the blocks above them."""
    for chunk in range(first, end, CHUNK):
        chunk_end = min(chunk + CHUNK, end)
        facts = Facts()
        where = and_(
            instances.c.process_id == process_id,
            instances.c.ended_at < mark,
            instances.c.started_at >= midnight(chunk),
            instances.c.started_at < midnight(chunk_end),
        )
        add_rows(facts, rows_of(conn, where), mark, per_block=True)
        for grain in GRAINS:
            c = grain.table.c
            conn.execute(
                delete(grain.table).where(
                    c.process_id == process_id,
                    c.span == DAY,
                    c.first_day >= chunk,
                    c.first_day < chunk_end,
                )
            )
            found = _day_rows(grain, process_id, facts)
            if found:
                conn.execute(insert(grain.table), found)
    for span, block in spans.rebuilt(first, end):
        for grain in GRAINS:
            _rebuild_block(conn, grain, process_id, span, block)


def _day_rows(grain: Grain, process_id: str, facts: Facts) -> list[dict[str, Any]]:
    names = ("version_id", "first_day", *grain.keys, *grain.values)
    return [
        {
            "process_id": process_id,
            "span": DAY,
            **dict(zip(names, (*key, *values), strict=True)),
        }
        for key, values in facts.of(grain).items()
    ]


def _rebuild_block(conn: Connection, grain: Grain, process_id: str, span: Span, first: int) -> None:
    """The block of `span` starting on `first`, again as the sum of its parts' rows."""
    table, c = grain.table, grain.table.c
    mine = c.process_id == process_id
    conn.execute(delete(table).where(mine, c.span == span.name, c.first_day == first))
    keys = [c[k] for k in grain.keys]
    parts = (
        select(
            c.process_id,
            c.version_id,
            literal(span.name),
            literal(first),
            *keys,
            *_aggregates(grain),
        )
        .where(mine, c.span == span.parts, c.first_day >= first, c.first_day < span.end(first))
        .group_by(c.process_id, c.version_id, *keys)
    )
    names = ["process_id", "version_id", "span", "first_day", *grain.keys, *grain.values]
    conn.execute(insert(table).from_select(names, parts))
