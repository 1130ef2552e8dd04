"""The engine's repositories on SQLAlchemy Core: the optimistic lock, writes at commit,
and readers that never wait for a writer."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, update

from engine import build_engine, sqlite_write_lock, views
from engine.database import make_engine
from engine.errors import ConcurrencyConflict
from engine.orm import human_tasks, process_instances
from tests.conftest import fixture_files


def test_a_changed_instance_whose_revision_moved_meanwhile_is_a_conflict(engine):
    started = engine.start("approval", user="ana")
    with engine.uow() as uow:
        instance = uow.instances.get(started.instance_id)
        # Another writer commits a change of the row after we read it.
        uow.session.connection().execute(
            update(process_instances)
            .where(process_instances.c.id == instance.id)
            .values(revision=process_instances.c.revision + 1)
        )
        instance.business_key = "lost update"
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    assert views.instance(engine.uow(), started.instance_id)["business_key"] is None


def test_a_change_is_written_at_commit_and_bumps_the_revision(engine):
    started = engine.start("approval", user="ana")
    [task_id] = started.ready_tasks
    before = _revision(engine, started.instance_id)
    engine.claim(task_id, user="ana")
    assert _revision(engine, started.instance_id) == before + 1
    with engine.uow() as uow:
        assert (
            uow.session.scalar(select(human_tasks.c.assignee).where(human_tasks.c.id == task_id))
            == "ana"
        )


def test_a_unit_of_work_left_without_commit_writes_nothing(engine):
    started = engine.start("approval", user="ana")
    [task_id] = started.ready_tasks
    with engine.uow() as uow:
        task, instance = uow.tasks.lock(task_id)
        task.assignee, instance.business_key = "ana", "never saved"
    assert views.task_detail(engine.uow(), task_id)["assignee"] is None
    assert views.instance(engine.uow(), started.instance_id)["business_key"] is None


def test_a_read_only_unit_of_work_refuses_to_commit(engine):
    with engine.reader() as uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()


def started_with_busy_timeout(sqlite_url: str, seconds: float):
    """An engine whose connections wait `seconds` for SQLite's write lock, and a case."""
    db = make_engine(sqlite_url, connect_args={"timeout": seconds})
    engine = build_engine(sqlite_url, db_engine=db, migrate=True)
    engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    return engine, engine.start("approval", user="ana")


@contextmanager
def write_lock_held_elsewhere(sqlite_url: str) -> Iterator[None]:
    """Another process holds SQLite's write lock for the block."""
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


def test_readers_do_not_wait_for_a_writer_on_sqlite(sqlite_url, tmp_path):
    # A short busy timeout: a reader that queued behind the writer would fail, not hang.
    engine, started = started_with_busy_timeout(sqlite_url, 0.5)
    [task_id] = started.ready_tasks
    with write_lock_held_elsewhere(sqlite_url):
        began = time.perf_counter()
        assert views.instance(engine.uow(), started.instance_id)["status"] == "waiting"
        assert [t["id"] for t in views.open_tasks(engine.uow())] == [task_id]
        assert engine.task_data(task_id) == {}
        assert time.perf_counter() - began < 0.5


def test_a_writer_kept_waiting_past_the_busy_timeout_on_sqlite_gets_a_conflict(sqlite_url):
    engine, started = started_with_busy_timeout(sqlite_url, 0.2)
    [task_id] = started.ready_tasks
    with (
        write_lock_held_elsewhere(sqlite_url),
        pytest.raises(ConcurrencyConflict, match="try again"),
    ):
        engine.claim(task_id, user="ana")  # its BEGIN IMMEDIATE waits 0.2 s, in vain
    assert views.task_detail(engine.uow(), task_id)["assignee"] is None
    engine.claim(task_id, user="ana")  # the lock gone, the same command goes through
    assert views.task_detail(engine.uow(), task_id)["assignee"] == "ana"


def test_a_waiting_writer_retries_every_few_milliseconds_on_sqlite(sqlite_url, monkeypatch):
    # SQLite's own busy handler sleeps 1, 2, 5 ... 100 ms between tries, whatever happens
    # meanwhile: a writer it kept waiting went on up to ~100 ms after the lock was free
    # (two web workers were no faster than one). The command retries itself instead.
    engine, started = started_with_busy_timeout(sqlite_url, 5)
    [task_id] = started.ready_tasks
    pauses: list[float] = []
    real_sleep = sqlite_write_lock.time.sleep

    def pause(seconds: float) -> None:
        if threading.current_thread() is waiter:  # not the WAL checkpoints' thread
            pauses.append(seconds)
        real_sleep(seconds)

    waiter = threading.current_thread()

    monkeypatch.setattr(sqlite_write_lock.time, "sleep", pause)
    holder = sqlite3.connect(
        sqlite_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.24, holder.rollback)  # between SQLite's tries at 228 and 328
    releaser.start()
    engine.claim(task_id, user="ana")
    releaser.join()
    holder.close()
    assert views.task_detail(engine.uow(), task_id)["assignee"] == "ana"
    # It waited for the lock (held 0.24 s) in its own short pauses, many of them: their sum
    # is not a measure, a loaded machine spends most of the wait in the tries themselves.
    assert len(pauses) >= 10
    assert max(pauses) <= 0.002


def _revision(engine, instance_id: str) -> int:
    with engine.reader() as uow:
        return uow.session.scalar(
            select(process_instances.c.revision).where(process_instances.c.id == instance_id)
        )
