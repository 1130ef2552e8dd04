"""The hot path's Core statements, compiled once and run straight on the driver's cursor.

`Connection.execute` costs about 20 µs a statement over the driver's own 5 (building the
parameters, an execution context, a result), and a command runs 7 to 10 of them: a fifth
of a case's cost in `bench/engine_throughput.py`. `execute` below keeps what SQLAlchemy
gives that matters (the SQL it compiles for the dialect, its type processors for binds
and results, its events, its exception classes, the connection's transaction) and skips
the rest, for the repositories' prebuilt statements. A statement it cannot run as simply
(defaults computed in Python, expanding IN lists, RETURNING, escaped names) goes to
`Connection.execute` as before: the result reads the same either way.

Why not a lower layer of our own: the SQL and every conversion stay SQLAlchemy's, built
from the same Table objects; only the per-call bookkeeping is left out.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import (
    DBAPIError,
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
)
from sqlalchemy.sql import Executable

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None

# Prebuilt statements are a few dozen; a statement built at each call would add one plan
# per call, so past this many, new ones run uncached.
_MOST_PLANS = 1000
# Per dialect (one per engine): (statement, the parameter names given) -> its plan.
_PLANS: WeakKeyDictionary[Dialect, dict[tuple[Any, tuple[str, ...]], _Plan | None]] = (
    WeakKeyDictionary()
)


class Fetched:
    """What a statement gave back: its rows (all fetched) and the rows it changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def all(self) -> list[Any]:
        return self.rows

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]


class _Plan:
    """How one statement runs on one dialect: its SQL, parameters and result rows."""

    def __init__(self, compiled: Any, dialect: Dialect, selected: Sequence[Any]) -> None:
        self.sql = compiled.string
        binds = compiled.binds
        self.positional = compiled.positional
        self.names = tuple(compiled.positiontup if self.positional else binds)
        # Values the statement carries itself (a literal compared with: status == 'open').
        self.required = frozenset(name for name, bind in binds.items() if bind.required)
        self.fixed = {
            name: bind.effective_value
            for name, bind in binds.items()
            if not bind.required and bind.callable is None
        }
        self.processors = {
            name: processor
            for name, bind in binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.selected = selected
        self.row_type: type | None = None
        self.result_processors: list[Callable[[Any], Any] | None] = []

    def parameters(self, given: Mapping[str, Any]) -> Any:
        if not self.required <= given.keys():  # as SQLAlchemy refuses it, never a NULL
            missing = sorted(self.required - given.keys())
            raise InvalidRequestError(f"A value is required for bind parameter {missing[0]!r}")
        values = {**self.fixed, **given}
        for name, process in self.processors.items():
            values[name] = process(values.get(name))
        if self.positional:
            return tuple(values.get(name) for name in self.names)
        return {name: values.get(name) for name in self.names}

    def rows(self, cursor: Any, dialect: Dialect) -> list[Any]:
        if self.row_type is None:  # the driver's description is known after a first run
            description = cursor.description
            self.result_processors = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.selected, description, strict=True)
            ]
            self.row_type = _row_type([described[0] for described in description])
        make, processors = self.row_type, self.result_processors
        if not any(processors):
            return [make(*row) for row in cursor.fetchall()]
        return [
            make(
                *(
                    value if p is None else p(value)
                    for p, value in zip(processors, row, strict=True)
                )
            )
            for row in cursor.fetchall()
        ]


def _row_type(names: list[str]) -> type:
    row = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    row._mapping = property(row._asdict)  # as SQLAlchemy's Row spells it
    return row


def execute(connection: Connection, statement: Executable, params: Params = None) -> Any:
    """Run `statement` with `params` (one set, or a list for executemany) in `connection`'s
    transaction (begun if need be), as `connection.execute` would."""
    many = isinstance(params, list | tuple)
    sets: Sequence[Mapping[str, Any]] = params if many else [params or {}]  # type: ignore[assignment]
    dialect = connection.dialect
    plans = _PLANS.get(dialect)
    if plans is None:
        plans = _PLANS.setdefault(dialect, {})
    key = (statement, tuple(sorted(sets[0])) if sets else ())
    plan = plans.get(key, False)
    if plan is False:
        plan = _plan(statement, dialect, key[1])
        if len(plans) < _MOST_PLANS:
            plans[key] = plan
    if plan is None or not sets:
        return connection.execute(statement, params)
    if not connection.in_transaction():
        connection.begin()  # what connection.execute's autobegin does
    parameters = [plan.parameters(one) for one in sets]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    dispatch = connection.dispatch
    sent = parameters if many else parameters[0]
    dispatch.before_cursor_execute(connection, cursor, plan.sql, sent, None, many)
    try:
        if many:
            cursor.executemany(plan.sql, parameters)
        else:
            cursor.execute(plan.sql, parameters[0])
        rows = plan.rows(cursor, dialect) if plan.selected else []
        rowcount = cursor.rowcount
    except dialect.loaded_dbapi.Error as err:
        raise _wrapped(connection, cursor, plan.sql, sent, err) from err
    finally:
        cursor.close()
    dispatch.after_cursor_execute(connection, cursor, plan.sql, sent, None, many)
    return Fetched(rows, rowcount)


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """The statement's plan, or None if it needs what only `Connection.execute` does."""
    is_select = getattr(statement, "is_select", False)
    is_dml = getattr(statement, "is_dml", False)
    if not (is_select or is_dml):
        return None
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if is_dml else None)
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.post_compile_params
        or compiled.literal_execute_params
        or compiled.escaped_bind_names
        or compiled.effective_returning
    ):
        return None
    return _Plan(compiled, dialect, list(statement.selected_columns) if is_select else [])


def _wrapped(
    connection: Connection, cursor: Any, sql: str, params: Any, err: Exception
) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...);
    a connection found dead is invalidated, so that the pool never hands it out again."""
    dialect = connection.dialect
    dead = dialect.is_disconnect(err, connection.connection.dbapi_connection, cursor)
    if dead:
        connection.invalidate(err)
    return DBAPIError.instance(
        sql, params, err, dialect.loaded_dbapi.Error, connection_invalidated=dead, dialect=dialect
    )
