"""SQLite's write-ahead log is folded into the database file by a thread, not by commits
(engine/wal_checkpoints.py)."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from engine.database import make_engine
from engine.wal_checkpoints import WAL_SIZE_LIMIT, WalCheckpointer
from tests.conftest import wait_for


def rows_in_the_file_alone(database: Path, folder: Path) -> int:
    """Rows of `notes` a copy of the database file holds without its WAL."""
    copy = folder / "copy.sqlite"
    shutil.copy(database, copy)
    with sqlite3.connect(copy) as connection:
        try:
            return connection.execute("SELECT count(*) FROM notes").fetchone()[0]
        except sqlite3.OperationalError:  # the table itself is still only in the WAL
            return 0


def test_commits_reach_the_database_file_soon_without_a_commit_paying_for_it(tmp_path):
    database = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        # A commit checkpoints only past the WAL's limit: below it that is the thread's job.
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages * page_size == WAL_SIZE_LIMIT
        assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar() == WAL_SIZE_LIMIT
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    for n in range(20):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes VALUES (:body)"), {"body": f"note {n}"})

    wait_for(lambda: rows_in_the_file_alone(database, tmp_path) == 20, timeout=5)
    engine.dispose()


def wal_restarts(wal: Path) -> int:
    """How many times the WAL was started over: SQLite counts them in its header."""
    with wal.open("rb") as header:
        return int.from_bytes(header.read(16)[12:16], "big")


def test_the_wal_is_started_over_under_commits_that_never_pause(tmp_path, monkeypatch):
    """Passive checkpoints alone never let a busy writer start the WAL over: it grew by
    every commit's pages for as long as the commits went on.

    How large the WAL gets between two starts depends on how long the thread's checkpoint
    (and its fsyncs) takes on the host, so the test counts starts rather than bytes."""
    limit = 256 * 1024
    monkeypatch.setattr("engine.database.WAL_SIZE_LIMIT", limit)  # the test's scale
    database = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    wal = Path(f"{database}-wal")
    before = wal_restarts(wal)
    commits = 2000  # ~8 MB of WAL if it is never started over: 32 times the limit
    for _ in range(commits):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes VALUES (:body)"), {"body": "x" * 3000})
    restarts = wal_restarts(wal) - before
    # ~90 on an idle host; none at all without SQLite's own checkpoint as the backstop.
    assert restarts >= 3, f"the WAL was started over {restarts} times in {commits} commits"
    engine.dispose()


def test_the_thread_ends_when_the_database_is_quiet_and_a_commit_starts_it_again(tmp_path):
    database = tmp_path / "db.sqlite"
    sqlite3.connect(database).execute("PRAGMA journal_mode=WAL").fetchall()
    checkpointer = WalCheckpointer(database, interval=0.01, idle_after=0.05)
    checkpointer.committed()
    assert checkpointer.running
    wait_for(lambda: not checkpointer.running, timeout=5)

    checkpointer.committed()
    assert checkpointer.running


def test_a_database_that_went_away_stops_the_thread_with_a_warning(tmp_path, caplog):
    database = tmp_path / "gone.sqlite"
    database.touch()
    checkpointer = WalCheckpointer(database, interval=0.01)
    database.unlink()
    with caplog.at_level(logging.WARNING, logger="engine.wal_checkpoints"):
        checkpointer.committed()  # the commit itself is not troubled
        wait_for(lambda: not checkpointer.running, timeout=5)
    assert "WAL checkpoints of" in caplog.text
    assert not database.exists()  # and no empty database was made in its place


def test_databases_in_memory_have_no_checkpointer():
    engine = make_engine("sqlite://")
    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_a_process_forked_while_checkpoints_run_can_use_sqlite(tmp_path):
    """A fork waits until no checkpoint is inside SQLite: a child forked mid-checkpoint
    found SQLite's mutexes held by a thread it does not have, and hung."""
    database = tmp_path / "db.sqlite"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE notes (body TEXT)")
    checkpointer = WalCheckpointer(database, interval=0)  # checkpoints without a pause
    for _ in range(60):
        writer.execute("INSERT INTO notes VALUES (?)", ("x" * 20000,))
        checkpointer.committed()
        pid = os.fork()
        if pid == 0:  # the child: open the database, read, and leave
            with sqlite3.connect(database) as child:
                child.execute("SELECT count(*) FROM notes").fetchone()
            os._exit(0)
        deadline = time.monotonic() + 10
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                raise AssertionError("a forked child hung in SQLite")
            time.sleep(0.01)
        assert os.waitstatus_to_exitcode(done[1]) == 0
    writer.close()
