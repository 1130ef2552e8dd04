"""A rate-limit store that several web workers on one host share: a small SQLite file.

Flask-Limiter's `memory://` counts in each worker process apart, so with N
gunicorn workers a guesser gets N times the sign-in attempts; its shared stores
(Redis, Memcached, MongoDB) need a server raciflow does not otherwise run. This
store registers the scheme `raciflow-sqlite:///PATH` with the `limits` library:
one row per counter, each increment one short write transaction, so every
worker on the host sees the same counts. Several hosts still need Redis.
Only fixed windows (Flask-Limiter's default strategy) are supported.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

SCHEME = "raciflow-sqlite"

_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, hits INTEGER, expires REAL)"
_INCREMENT = """
INSERT INTO counters (key, hits, expires) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN expires <= :now THEN :amount ELSE hits + :amount END,
    expires = CASE WHEN expires <= :now THEN :now + :expiry ELSE expires END
RETURNING hits
"""


class SqliteStorage(Storage):
    """Fixed-window counters in a SQLite file, shared by every process that opens it."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        self.path = Path(uri.removeprefix(f"{SCHEME}://"))
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per process and thread: gunicorn forks, and sqlite3 must not cross.
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            if not self.path.exists():
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self.path.touch(mode=0o600)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        row = self._connection().execute(
            _INCREMENT, {"key": key, "amount": amount, "now": time.time(), "expiry": expiry}
        )
        return int(row.fetchone()[0])

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT hits FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        )
        found = row.fetchone()
        return int(found[0]) if found else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counters WHERE key = ?", (key,))
        found = row.fetchone()
        return float(found[0]) if found else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
