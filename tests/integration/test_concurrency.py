"""Two processes completing the same task: one wins, the other gets a clear refusal."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from sqlalchemy import text

from engine import ServiceRegistry, build_engine, views
from engine.database import make_engine
from engine.errors import ConcurrencyConflict, InvalidState
from engine.runtime import Runtime

POSTGRES_URL = os.environ.get("RACIFLOW_TEST_POSTGRES_URL")


def _complete_in_child(url, task_id, user, first_inside, second_trying, results):
    """Complete the task; the first process waits inside until the second one is trying."""
    engine = build_engine(url, services=ServiceRegistry())
    original = Runtime.complete_human_task

    def complete_while_the_other_tries(self, workflow, task_id, data):
        first_inside.set()
        second_trying.wait(timeout=30)
        time.sleep(0.5)  # the other one is now waiting for the instance's lock
        return original(self, workflow, task_id, data)

    if user == "ana":
        Runtime.complete_human_task = complete_while_the_other_tries
    else:
        first_inside.wait(timeout=30)
        second_trying.set()
    try:
        engine.complete(task_id, user=user, data={"amount": 10, "by": user})
        results.put((user, "ok"))
    except (ConcurrencyConflict, InvalidState) as err:
        results.put((user, type(err).__name__))


@pytest.mark.postgres
def test_two_processes_completing_the_same_task_on_postgresql(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the racing-processes test targets PostgreSQL; SQLite serialises writers")
    started = engine.start("approval", user="ana")
    [task] = views.open_tasks(engine.uow())
    context = multiprocessing.get_context("fork")
    first_inside, second_trying, results = context.Event(), context.Event(), context.Queue()
    workers = [
        context.Process(
            target=_complete_in_child,
            args=(database_url, task["id"], user, first_inside, second_trying, results),
        )
        for user in ("ana", "bob")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = dict(results.get(timeout=5) for _ in workers)
    # bob waited for ana's lock on the instance, then found the task done.
    assert outcomes == {"ana": "ok", "bob": "InvalidState"}
    with engine.uow() as uow:
        completions = [
            e for e in uow.audit.events_of(started.instance_id) if e.action == "complete"
        ]
    assert len(completions) == 1  # the loser wrote nothing
    assert engine.verify_audit().ok
    assert views.instance(engine.uow(), started.instance_id)["status"] == "completed"


def test_sqlite_concurrent_completion_gives_one_success(sqlite_url):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import fixture_files

    engine = build_engine(sqlite_url)
    engine.deploy(fixture_files("approval.bpmn", "approval_level.dmn"), user="owner")
    engine.start("approval", user="ana")
    [task] = views.open_tasks(engine.uow())

    def attempt(user):
        try:
            engine.complete(task["id"], user=user, data={"amount": 10})
            return "ok"
        except (ConcurrencyConflict, InvalidState) as err:
            return type(err).__name__

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, ["ana", "bob"]))
    assert outcomes.count("ok") == 1, outcomes


@pytest.mark.postgres
def test_a_command_waiting_too_long_for_an_instance_gets_a_conflict(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks; its busy timeout is the same rule")
    started = engine.start("approval", user="ana")
    [task] = views.open_tasks(engine.uow())
    holder = make_engine(database_url)
    with holder.begin() as conn:  # someone else's long command holds the instance
        conn.execute(
            text("SELECT id FROM process_instances WHERE id = :id FOR UPDATE"),
            {"id": started.instance_id},
        )
        with pytest.raises(ConcurrencyConflict, match="try again"):
            engine.claim(task["id"], user="bob")  # waits lock_timeout (10 s), then gives up
    holder.dispose()
    engine.claim(task["id"], user="bob")
    assert views.task_detail(engine.uow(), task["id"])["assignee"] == "bob"
