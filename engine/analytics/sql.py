"""The two expressions analytics needs that SQLite and PostgreSQL spell differently.

- `epoch(ts)`: a timestamp as seconds since 1970 (float), so that durations are a
  subtraction and weeks an integer division, in the database;
- `percentile(fraction, value)`: the type 7 percentile of `value` over a group, an
  aggregate. PostgreSQL computes it with `percentile_cont(f) WITHIN GROUP (ORDER BY v)`;
  SQLite has no such aggregate, so every SQLite connection gets one written in Python
  (`register_sqlite_aggregates`, called from engine/database.py), same definition as
  `formulas.percentile`. One query, one code path: only the spelling differs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from .formulas import percentile as _percentile

SQLITE_PERCENTILE = "raciflow_percentile"


class epoch(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a UTC timestamp column (millisecond precision on SQLite)."""

    type = Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    ts = compiler.process(element.clauses, **kw)
    # '%s' is whole seconds; '%f' is "SS.SSS": add its fraction.
    return f"(CAST(strftime('%s', {ts}) AS REAL) + CAST(substr(strftime('%f', {ts}), 3) AS REAL))"


class percentile(FunctionElement[float]):
    """percentile(fraction, value): an aggregate, type 7 (linear between closest ranks)."""

    type = Float()
    inherit_cache = True
    name = "percentile"


@compiles(percentile, "postgresql")
def _percentile_pg(element: percentile, compiler: Any, **kw: Any) -> str:
    fraction, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {value})"


@compiles(percentile, "sqlite")
def _percentile_sqlite(element: percentile, compiler: Any, **kw: Any) -> str:
    fraction, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"{SQLITE_PERCENTILE}({fraction}, {value})"


def median_of(value: ColumnElement[Any]) -> percentile:
    return percentile(0.5, value)


def p90_of(value: ColumnElement[Any]) -> percentile:
    return percentile(0.9, value)


class _SqlitePercentile:
    """The SQLite aggregate behind `percentile`: collects a group's values, NULLs skipped."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, fraction: float, value: float | None) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return _percentile(self.values, self.fraction)


def register_sqlite_aggregates(dbapi_connection: Any) -> None:
    """Give a sqlite3 connection the percentile aggregate the analytics queries use."""
    dbapi_connection.create_aggregate(SQLITE_PERCENTILE, 2, _SqlitePercentile)


class whole(FunctionElement[int]):
    """The whole part of a non-negative number (floor; SQLite truncates, the same there)."""

    inherit_cache = True
    name = "whole"


@compiles(whole, "postgresql")
def _whole_pg(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(whole, "sqlite")
def _whole_sqlite(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"
