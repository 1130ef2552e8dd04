"""Database connections and schema migrations (Alembic)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from .audit import canonical_json
from .orm import start_mappers
from .sqlite_write_lock import begin_immediate, busy_timeout_ms
from .wal_checkpoints import WAL_SIZE_LIMIT, WalCheckpointer

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# How a Core repository reaches its unit of work's transaction: the connection,
# begun on first use (UnitOfWork.connection).
Connect = Callable[[], Connection]


def make_engine(url: str, **options: Any) -> Engine:
    """Create a SQLAlchemy engine; SQLite gets WAL, foreign keys and a busy timeout."""
    # JSON spelled as the audit hashing rule spells it: the verifier hashes stored details as is.
    options.setdefault("json_serializer", canonical_json)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
        _create_private(make_url(url).database)
    elif url.startswith("postgresql"):
        # Short transactional queries: JIT compilation and parallel workers cost more
        # to start than they save (inbox pages went from ~16 to ~4 ms). A command waits
        # at most 10 s for another one's lock on an instance, then gets a conflict.
        options.setdefault(
            "connect_args",
            {"options": "-c jit=off -c max_parallel_workers_per_gather=0 -c lock_timeout=10s"},
        )
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if database := _database_file(engine.url.database):
            # Commits leave checkpoints to a thread until the WAL is past its limit
            # (wal_checkpoints.py).
            event.listen(engine, "connect", _checkpoints_by_thread)
            event.listen(engine, "commit", WalCheckpointer(database).committed)
        # pysqlite's own transaction handling defers BEGIN; take it over so that
        # each unit of work is one real transaction.
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _database_file(database: str | None) -> Path | None:
    """The file of a SQLite database named by path; None in memory or named by URI."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _create_private(database: str | None) -> None:
    """Create a SQLite file readable by its owner only (its -wal and -shm files follow).

    The database holds password hashes and customer data; the default umask would
    let every local user read it.
    """
    path = _database_file(database)
    if path is not None and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)


def _sqlite_begin(conn: Connection) -> None:
    # A unit of work takes the write lock up front (no deadlock upgrading a read lock),
    # and goes on soon after another lets go of it (sqlite_write_lock.py); a connection
    # opened with read_only=True reads a snapshot and blocks no writer (WAL).
    read_only = conn.get_execution_options().get("read_only", False)
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    # Straight to the driver: SQLAlchemy's statement machinery cost more than the BEGIN.
    # Its errors are wrapped as SQLAlchemy wraps a statement's ("database is locked" is
    # an OperationalError, which the unit of work reads as a conflict).
    pooled = conn.connection
    try:
        if read_only:
            pooled.driver_connection.execute(begin)
        else:
            begin_immediate(pooled.driver_connection, pooled.info[_BUSY_TIMEOUT])
    except sqlite3.Error as err:
        raise DBAPIError.instance(begin, (), err, sqlite3.Error) from err


_BUSY_TIMEOUT = "raciflow_busy_timeout_ms"  # a pooled connection's info key


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None
    record.info[_BUSY_TIMEOUT] = busy_timeout_ms(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _checkpoints_by_thread(dbapi_connection: Any, _record: Any) -> None:
    # A commit checkpoints only once the WAL is past its limit (wal_checkpoints.py).
    page_size = dbapi_connection.execute("PRAGMA page_size").fetchone()[0]
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WAL_SIZE_LIMIT // page_size}")
    dbapi_connection.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")


class UnitSession(Session):
    """The ORM session of a unit of work, which lends it its connection (unit_of_work.py).

    The session joins that connection's transaction when it first needs it; a savepoint
    joins it first, so that it also covers what the Core repositories wrote."""

    def begin_nested(self) -> SessionTransaction:
        self.connection()
        return super().begin_nested()


def make_session_factory(engine: Engine) -> sessionmaker[UnitSession]:
    start_mappers()
    return sessionmaker(bind=engine, class_=UnitSession, autoflush=False, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported when a schema is migrated, not by every command (~0.2 s).
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create the schema, or bring it to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
