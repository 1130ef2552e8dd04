"""The expressions analytics needs that SQLite and PostgreSQL spell differently.

- `epoch(ts)`: a timestamp as seconds since 1970 (float), so that durations are a
  subtraction and weeks an integer division, in the database;
- `spread(value)`: an aggregate, the median and the 90th percentile of `value` over a
  group (type 7, linear between closest ranks), from one sort. PostgreSQL computes it
  with `percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v)`; SQLite has no
  such aggregate, so every SQLite connection gets one written in Python
  (`register_sqlite_aggregates`, called from engine/database.py), with the same
  definition as `formulas.percentile`. One query, one code path: only the spelling
  differs, and the result type reads both answers as (median, p90);
- `whole(x)`: the floor of a non-negative number.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from .formulas import percentile

SQLITE_SPREAD = "raciflow_spread"
FRACTIONS = (0.5, 0.9)


class epoch(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a UTC timestamp (millisecond precision on SQLite)."""

    type = Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: Any, **kw: Any) -> str:
    # date_part answers a double; EXTRACT a numeric, several times slower to compute with.
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    ts = compiler.process(element.clauses, **kw)
    # '%s' is whole seconds; '%f' is "SS.SSS": add its fraction.
    return f"(CAST(strftime('%s', {ts}) AS REAL) + CAST(substr(strftime('%f', {ts}), 3) AS REAL))"


class SpreadPair(TypeDecorator[tuple[float | None, float | None]]):
    """(median, p90) from PostgreSQL's float array or SQLite's JSON pair; (None, None)
    for a group without values."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> tuple[float | None, float | None]:
        if value is None:
            return (None, None)
        median, p90 = json.loads(value) if isinstance(value, str) else value
        return (median, p90)


class spread(FunctionElement[tuple[float | None, float | None]]):
    """spread(value): (median, p90) of `value` over the group, NULLs left out."""

    type = SpreadPair()
    inherit_cache = True
    name = "spread"


@compiles(spread, "postgresql")
def _spread_pg(element: spread, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    fractions = ", ".join(str(f) for f in FRACTIONS)
    return f"percentile_cont(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY {value})"


@compiles(spread, "sqlite")
def _spread_sqlite(element: spread, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_SPREAD}({compiler.process(element.clauses, **kw)})"


class whole(FunctionElement[int]):
    """The whole part of a non-negative number (floor; SQLite truncates, the same there)."""

    type = Integer()
    inherit_cache = True
    name = "whole"


@compiles(whole, "postgresql")
def _whole_pg(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(whole, "sqlite")
def _whole_sqlite(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


class _SqliteSpread:
    """The SQLite aggregate behind `spread`: collects a group's values, NULLs skipped."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> str | None:
        if not self.values:
            return None
        return json.dumps([percentile(self.values, f) for f in FRACTIONS])


def register_sqlite_aggregates(dbapi_connection: Any) -> None:
    """Give a sqlite3 connection the aggregate the analytics queries use."""
    dbapi_connection.create_aggregate(SQLITE_SPREAD, 1, _SqliteSpread)
