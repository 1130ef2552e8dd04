"""Taking SQLite's write lock soon after another transaction lets go of it.

When the lock is taken, SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20... ms between
tries, so a waiting writer sleeps on well past the moment the holder commits. A command
here holds the lock for a few milliseconds: with two web workers the waiting one slept
through most releases, and two workers were no faster than one while a third of the
machine stood idle. So a unit of work's BEGIN IMMEDIATE turns SQLite's handler off and
retries itself, pausing a tenth of the time waited so far (0.1 to 2 ms; a failed try costs
about a microsecond), until the connection's own busy timeout has passed.
"""

from __future__ import annotations

import sqlite3
import time

_SHORTEST_PAUSE = 0.0001
_LONGEST_PAUSE = 0.002


def busy_timeout_ms(connection: sqlite3.Connection) -> int:
    """How long the connection waits for a lock (set by `sqlite3.connect(timeout=...)`)."""
    return connection.execute("PRAGMA busy_timeout").fetchone()[0]


def begin_immediate(connection: sqlite3.Connection, timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, waiting at most `timeout_ms` for the write lock.

    Raises SQLite's own "database is locked" error when the wait is over, as its busy
    handler would.
    """
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        began = time.monotonic()
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                waited = time.monotonic() - began
                if not _is_busy(err) or waited * 1000 >= timeout_ms:
                    raise
                time.sleep(min(_LONGEST_PAUSE, max(_SHORTEST_PAUSE, waited / 10)))
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")


def _is_busy(err: sqlite3.OperationalError) -> bool:
    return (getattr(err, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY
