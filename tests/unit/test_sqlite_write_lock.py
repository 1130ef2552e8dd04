"""A unit of work's BEGIN IMMEDIATE on SQLite: it waits as long as the connection's busy
timeout says, no longer, and leaves that timeout as it found it."""

from __future__ import annotations

import sqlite3
import time

import pytest

from engine.sqlite_write_lock import begin_immediate, busy_timeout_ms


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "locks.db"
    with sqlite3.connect(path, isolation_level=None) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x)")
    return path


def connect(path, timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=timeout)


def test_the_busy_timeout_is_read_from_the_connection(database):
    assert busy_timeout_ms(connect(database, 1.5)) == 1500


def test_a_free_lock_is_taken_and_the_busy_timeout_is_left_as_it_was(database):
    writer = connect(database, 2)
    begin_immediate(writer, 2000)
    assert writer.in_transaction
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    assert busy_timeout_ms(writer) == 2000  # reads and later statements still wait


def test_a_lock_held_past_the_timeout_is_sqlites_own_locked_error(database):
    holder = connect(database, 0)
    holder.execute("BEGIN IMMEDIATE")
    waiter = connect(database, 0.15)
    began = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        begin_immediate(waiter, 150)
    assert 0.15 <= time.monotonic() - began < 1
    assert not waiter.in_transaction
    assert busy_timeout_ms(waiter) == 150
    holder.rollback()
    begin_immediate(waiter, 150)  # the lock gone, it is taken at once
    assert waiter.in_transaction


def test_an_error_other_than_a_busy_lock_is_raised_at_once(database):
    writer = connect(database, 5)
    writer.execute("BEGIN")
    began = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="within a transaction"):
        begin_immediate(writer, 5000)
    assert time.monotonic() - began < 0.5
    assert busy_timeout_ms(writer) == 5000
