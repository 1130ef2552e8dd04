"""The engine's repositories on SQLAlchemy Core: the optimistic lock, writes at commit,
and readers that never wait for a writer."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import select, update

from engine import build_engine, views
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


def test_readers_do_not_wait_for_a_writer_on_sqlite(sqlite_url, tmp_path):
    # A short busy timeout: a reader that queued behind the writer would fail, not hang.
    db = make_engine(sqlite_url, connect_args={"timeout": 0.5})
    engine = build_engine(sqlite_url, db_engine=db, migrate=True)
    engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    started = engine.start("approval", user="ana")
    [task_id] = started.ready_tasks
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        began = time.perf_counter()
        assert views.instance(engine.uow(), started.instance_id)["status"] == "waiting"
        assert [t["id"] for t in views.open_tasks(engine.uow())] == [task_id]
        assert engine.task_data(task_id) == {}
        assert time.perf_counter() - began < 0.5
    finally:
        writer.rollback()
        writer.close()


def test_a_writer_kept_waiting_past_the_busy_timeout_on_sqlite_gets_a_conflict(sqlite_url):
    db = make_engine(sqlite_url, connect_args={"timeout": 0.2})
    engine = build_engine(sqlite_url, db_engine=db, migrate=True)
    engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    started = engine.start("approval", user="ana")
    [task_id] = started.ready_tasks
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(ConcurrencyConflict, match="try again"):
            engine.claim(task_id, user="ana")  # its BEGIN IMMEDIATE waits 0.2 s, in vain
    finally:
        writer.rollback()
        writer.close()
    assert views.task_detail(engine.uow(), task_id)["assignee"] is None
    engine.claim(task_id, user="ana")  # the lock gone, the same command goes through
    assert views.task_detail(engine.uow(), task_id)["assignee"] == "ana"


def _revision(engine, instance_id: str) -> int:
    with engine.reader() as uow:
        return uow.session.scalar(
            select(process_instances.c.revision).where(process_instances.c.id == instance_id)
        )
