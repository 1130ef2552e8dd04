"""The hot path's statements run straight on the driver (engine/direct.py) and read exactly
as `Connection.execute` would: same rows, same types, same errors, same transaction, and
every statement still seen by SQLAlchemy's cursor events. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, InvalidRequestError, NoResultFound

from engine.database import make_engine
from engine.direct import Fetched, execute
from engine.orm import UTCDateTime

probe_metadata = MetaData()
probes = Table(
    "direct_probes",
    probe_metadata,
    Column("id", String(20), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("size", Integer),
    Column("seen_at", UTCDateTime),
    Column("details", JSON),
    Column("urgent", Boolean),
    Column("blob", LargeBinary),
    Column("revision", Integer, nullable=False),
)

WHEN = datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
ROWS = [
    {
        "id": "a",
        "status": "open",
        "size": 3,
        "seen_at": WHEN,
        "details": {"amount": 12.5, "lines": [1, 2], "name": "Ελαιόλαδο"},
        "urgent": True,
        "blob": b"\x00\x01",
        "revision": 1,
    },
    {
        "id": "b",
        "status": "closed",
        "size": None,
        "seen_at": None,
        "details": None,
        "urgent": False,
        "blob": None,
        "revision": 1,
    },
]

INSERT = insert(probes)
BY_ID = select(probes).where(probes.c.id == bindparam("id"))
OPEN = select(probes.c.id, probes.c.size.label("how_many")).where(probes.c.status == "open")
GUARDED = (
    update(probes)
    .where(probes.c.id == bindparam("key_"), probes.c.revision == bindparam("guard_"))
    .values(revision=bindparam("revision"), status=bindparam("status"))
)
DELETE = delete(probes).where(probes.c.id == bindparam("id"))


@pytest.fixture
def connection(database_url: str) -> Iterator[Connection]:
    database = make_engine(database_url)
    probe_metadata.drop_all(database)
    probe_metadata.create_all(database)
    with database.connect() as connection:
        yield connection
    probe_metadata.drop_all(database)
    database.dispose()


def test_rows_read_back_as_sqlalchemy_reads_them(connection: Connection) -> None:
    assert isinstance(execute(connection, INSERT, ROWS), Fetched)  # executemany, direct
    connection.commit()
    for row in ROWS:
        direct = execute(connection, BY_ID, {"id": row["id"]}).one()
        usual = connection.execute(BY_ID, {"id": row["id"]}).one()
        assert tuple(direct) == tuple(usual)
        assert direct._mapping == dict(usual._mapping) == row
    [first] = [execute(connection, BY_ID, {"id": "a"}).first()]
    assert first.seen_at == WHEN and first.seen_at.tzinfo is not None
    assert first.details["name"] == "Ελαιόλαδο" and first.urgent is True
    assert execute(connection, BY_ID, {"id": "nobody"}).first() is None


def test_a_literal_in_the_statement_and_a_label_are_kept(connection: Connection) -> None:
    execute(connection, INSERT, ROWS)
    [row] = execute(connection, OPEN).all()
    assert (row.id, row.how_many) == ("a", 3)
    assert execute(connection, OPEN).scalar() == "a"


def test_a_guarded_update_counts_the_rows_it_changed(connection: Connection) -> None:
    execute(connection, INSERT, ROWS)
    moved = execute(
        connection, GUARDED, {"key_": "a", "guard_": 1, "revision": 2, "status": "closed"}
    )
    assert moved.rowcount == 1
    stale = execute(
        connection, GUARDED, {"key_": "a", "guard_": 1, "revision": 2, "status": "open"}
    )
    assert stale.rowcount == 0
    assert execute(connection, BY_ID, {"id": "a"}).one().status == "closed"


def test_writes_belong_to_the_connections_transaction(connection: Connection) -> None:
    assert not connection.in_transaction()
    execute(connection, INSERT, ROWS[0])
    assert connection.in_transaction()  # begun as connection.execute begins one
    connection.rollback()
    assert execute(connection, BY_ID, {"id": "a"}).first() is None
    execute(connection, INSERT, ROWS[0])
    connection.commit()
    execute(connection, DELETE, {"id": "a"})
    connection.rollback()
    assert execute(connection, BY_ID, {"id": "a"}).one().id == "a"


def test_a_parameter_left_out_is_refused_not_read_as_null(connection: Connection) -> None:
    with pytest.raises(InvalidRequestError, match="required for bind parameter 'guard_'"):
        execute(connection, GUARDED, {"key_": "a", "revision": 2, "status": "closed"})


def test_driver_errors_are_sqlalchemys(connection: Connection) -> None:
    execute(connection, INSERT, ROWS[0])
    with pytest.raises(IntegrityError):
        execute(connection, INSERT, ROWS[0])
    connection.rollback()
    with pytest.raises(NoResultFound):
        execute(connection, BY_ID, {"id": "a"}).one()


def test_every_statement_is_seen_by_cursor_events(connection: Connection) -> None:
    seen: list[tuple[str, bool]] = []

    def note(_conn, _cursor, statement, _params, _context, executemany) -> None:
        seen.append((statement.split()[0], executemany))

    event.listen(connection.engine, "before_cursor_execute", note)
    try:
        execute(connection, INSERT, ROWS)
        execute(connection, BY_ID, {"id": "a"})
        execute(connection, DELETE, {"id": "b"})
    finally:
        event.remove(connection.engine, "before_cursor_execute", note)
    assert seen == [("INSERT", True), ("SELECT", False), ("DELETE", False)]


def test_statements_it_cannot_run_simply_go_through_sqlalchemy(connection: Connection) -> None:
    execute(connection, INSERT, ROWS)
    some = select(probes.c.id).where(probes.c.id.in_(["a", "b"])).order_by(probes.c.id)
    found = execute(connection, some)
    assert not isinstance(found, Fetched)  # an IN list is rendered at each execution
    assert [row.id for row in found] == ["a", "b"]
    returning = delete(probes).where(probes.c.id == "b").returning(probes.c.id)
    deleted = execute(connection, returning)
    assert not isinstance(deleted, Fetched)
    assert deleted.scalar() == "b"
