"""Checkpoints of a SQLite write-ahead log, taken off the committing thread.

By default SQLite folds its WAL back into the database file inside whichever commit
takes the WAL past 1,000 pages: that commit copies up to 4 MB and syncs twice. Averaged,
that was half of what a commit cost here, and all of it fell on one unlucky request.
Connections of an engine with a checkpointer move that to `WAL_SIZE_LIMIT` (below), and
one thread per process and database checkpoints instead, soon after commits. Its
checkpoints are PASSIVE: they never wait for, nor block, a reader or a writer. The
thread ends when the database has been quiet for a while and starts again at the next
commit; SQLite itself checkpoints when the last connection to a database closes.

Passive checkpoints alone let the WAL grow without end under commits that never pause:
a writer starts the file over only if, when it begins, every frame has been copied back,
and another commit always came first (225 MB for 600 cases of the engine bench). So
SQLite's own checkpoint stays on as a backstop at `WAL_SIZE_LIMIT` rather than at 4 MB:
the commit that finds the WAL past it copies what the thread has not copied yet (a
fraction of a second's commits), the next writer starts the file over, and SQLite cuts
it back to that size (`journal_size_limit`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes

# Held while a checkpointing thread is inside SQLite, and taken by a fork: a child forked
# while another thread held one of SQLite's mutexes (its allocator's, say) would wait for
# it forever at its first connection (engine/audit_split.py forks to verify in parallel).
_IN_SQLITE = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_IN_SQLITE.acquire,
        after_in_parent=_IN_SQLITE.release,
        after_in_child=_IN_SQLITE.release,
    )


class WalCheckpointer:
    """Checkpoint one SQLite database's WAL in a thread, at most every `interval` seconds."""

    def __init__(self, database: Path, *, interval: float = 0.2, idle_after: float = 5.0) -> None:
        self._uri = f"{database.resolve().as_uri()}?mode=rw"  # never creates the file
        self._interval = interval
        self._idle_after = idle_after
        self._due = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the checkpointing thread is alive (it ends when the database is quiet)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def committed(self, *_: object) -> None:
        """A transaction committed: checkpoint soon (a SQLAlchemy `commit` listener)."""
        self._due.set()
        if not self.running:  # not started yet, ended when quiet, or in a forked child
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self.running:
                return
            self._thread = threading.Thread(
                target=self._run, name="sqlite-wal-checkpoints", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while self._wait_for_commits():
                # Let the commit land (its listener runs just before) and others gather.
                time.sleep(self._interval)
                with _IN_SQLITE:
                    connection = connection or sqlite3.connect(self._uri, uri=True, timeout=0)
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as err:  # the file went away, or cannot be opened
            log.warning("WAL checkpoints of %s stopped: %s", self._uri, err)
            with self._lock:
                self._thread = None
        finally:
            if connection is not None:
                with _IN_SQLITE:
                    connection.close()

    def _wait_for_commits(self) -> bool:
        """Whether there is a commit to checkpoint; False (and the thread ends) when quiet."""
        if not self._due.wait(self._idle_after):
            with self._lock:
                if not self._due.is_set():
                    self._thread = None  # the next commit starts a new thread
                    return False
        self._due.clear()
        return True
