"""One ordered pass over the audit trail: verification and Merkle leaves from one read.

The events are read once, in id order (the order they were appended), from a
read-only snapshot: on PostgreSQL a REPEATABLE READ transaction with a server-side
cursor, on SQLite a deferred transaction (WAL: writers carry on meanwhile). Rows
stream in batches; chains are checked in memory (`audit.ChainCheck`), so the cost
is one round trip per batch instead of one query per chain.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    LargeBinary,
    Row,
    Select,
    String,
    Text,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from . import audit
from .orm import audit_events, audit_streams

BATCH = 10_000  # rows per fetch: large enough that round trips do not count
Progress = Callable[[int, int], None]  # (events done, events in all)

_HASHED_COLUMNS = [audit_events.c[name] for name in (*audit.HASHED_FIELDS, "id", "hash")]
_c = audit_events.c
# The columns as stored, for audit.ChainCheck.add_rows: details as the UTF-8 bytes of its
# JSON text (hashed as they are: no decoding into a str and encoding back) and the time as
# the driver gives it, so that no per-row type conversion runs in SQLAlchemy.
STORED_COLUMNS = (
    _c.id, _c.stream, _c.seq, _c.prev_hash, _c.hash, _c.action, _c.actor,
    cast(_c.details, LargeBinary), _c.instance_id, type_coerce(_c.occurred_at, String),
    _c.on_behalf_of, _c.process_id, _c.raci_role, _c.reason, _c.task_id,
)  # fmt: skip
_DETAILS_AT = 7
# PostgreSQL casts no JSON to bytea: its UTF-8 bytes come from convert_to (and the cursor
# fetches in binary format, so bytea arrives as it is rather than as hex text to decode).
_POSTGRES_DETAILS = func.convert_to(cast(_c.details, Text), "UTF8").label("details")
# PostgreSQL spells the time as SQLite stores it (UTC, "2026-01-31 09:30:00.000000", which
# audit.stored_time turns canonical with a slice): the driver builds no datetime per row and
# the server does this work alongside the verifier. Half the check's time, measured.
_POSTGRES_TIME = func.to_char(
    func.timezone("UTC", _c.occurred_at), "YYYY-MM-DD HH24:MI:SS.US"
).label("occurred_at")
_TIME_AT = 9


def stored_columns(dialect: str) -> tuple[Any, ...]:
    """STORED_COLUMNS as read from `dialect` (the time as text on every backend)."""
    if dialect != "postgresql":
        return STORED_COLUMNS
    columns = list(STORED_COLUMNS)
    columns[_DETAILS_AT], columns[_TIME_AT] = _POSTGRES_DETAILS, _POSTGRES_TIME
    return tuple(columns)


def snapshot_options(dialect: str) -> dict[str, object]:
    """Execution options of a read-only, consistent view that takes no write lock."""
    options: dict[str, object] = {"read_only": True}  # SQLite: deferred BEGIN (database.py)
    if dialect == "postgresql":
        options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return options


@contextmanager
def snapshot(session: Session) -> Iterator[Connection]:
    """A read-only, consistent view of the trail that takes no write lock."""
    if session.in_transaction():  # its isolation is set: the options would be ignored
        raise RuntimeError("a snapshot needs a transaction of its own (UnitOfWork.alone)")
    options = snapshot_options(session.get_bind().dialect.name)
    connection = session.connection(execution_options=options)
    try:
        yield connection
    finally:
        session.rollback()


@dataclass
class Pass:
    """What one pass found: the verification, and each event's hash in id order."""

    verification: audit.Verification
    leaves: list[bytes]
    last_event_id: int | None


def run(
    connection: Connection,
    *,
    upto_id: int | None = None,
    progress: Progress | None = None,
    keep_leaves: bool = False,
) -> Pass:
    """Check every chain (events with id <= `upto_id`, if given) in one ordered pass."""
    check = audit.ChainCheck()
    leaves: list[bytes] = []
    total = count(connection, upto_id=upto_id) if progress else 0
    last_id = None
    for batch in batches(connection, upto_id=upto_id):
        check.add_rows(batch, leaves if keep_leaves else None)
        last_id = batch[-1][0]
        if progress:
            progress(check.events, total)
    verification = check.finish(heads(connection)) if upto_id is None else check.prefix()
    return Pass(verification=verification, leaves=leaves, last_event_id=last_id)


def check_streams(connection: Connection, streams: Collection[str]) -> audit.Verification:
    """Check the chains of `streams` alone (a case's), against their recorded heads."""
    check = audit.ChainCheck()
    columns = stored_columns(connection.dialect.name)
    for batch in _batches(connection, select(*columns).where(_c.stream.in_(sorted(streams)))):
        check.add_rows(batch, None)
    query = select(audit_streams.c.stream, audit_streams.c.length, audit_streams.c.head_hash)
    recorded = connection.execute(query.where(audit_streams.c.stream.in_(sorted(streams))))
    return check.finish([tuple(row) for row in recorded])


def heads(connection: Connection) -> list[tuple[str, int, str]]:
    """Every stream's recorded head: (stream, length, last hash)."""
    query = select(audit_streams.c.stream, audit_streams.c.length, audit_streams.c.head_hash)
    return [row for batch in _driver_batches(connection, query) for row in batch]


def batches(
    connection: Connection, *, after_id: int | None = None, upto_id: int | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """The events with after_id < id <= upto_id, in STORED_COLUMNS order, in id order."""
    columns = stored_columns(connection.dialect.name)
    return _batches(connection, select(*columns).where(*_range(after_id, upto_id)))


def _batches(connection: Connection, query: Select[Any]) -> Iterator[list[tuple[Any, ...]]]:
    return _driver_batches(connection, query.order_by(audit_events.c.id), name="audit_pass")


def _driver_batches(
    connection: Connection, query: Select[Any], *, name: str | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `query` in batches, as the driver gives them; with a `name`, from a
    server-side cursor on PostgreSQL. Profiling showed SQLAlchemy's row wrapping took a
    third of the pass."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    assert driver is not None
    postgres = connection.dialect.name == "postgresql"
    cursor = driver.cursor(name=name, binary=True) if postgres and name else driver.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        cursor.close()


def count(
    connection: Connection, *, after_id: int | None = None, upto_id: int | None = None
) -> int:
    query = select(func.count()).select_from(audit_events).where(*_range(after_id, upto_id))
    return connection.scalar(query) or 0


def _range(after_id: int | None, upto_id: int | None) -> list[Any]:
    conditions = []
    if after_id is not None:
        conditions.append(audit_events.c.id > after_id)
    if upto_id is not None:
        conditions.append(audit_events.c.id <= upto_id)
    return conditions


def event_row(connection: Connection, event_id: int) -> Row | None:
    """One event with its hashed fields, id and stored hash."""
    return connection.execute(select(*_HASHED_COLUMNS).where(audit_events.c.id == event_id)).first()
