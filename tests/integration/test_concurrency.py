"""Two processes completing the same task: one wins, the other gets a clear conflict."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from engine import ServiceRegistry, build_engine, views
from engine.errors import ConcurrencyConflict, InvalidState
from engine.runtime import Runtime

POSTGRES_URL = os.environ.get("RACIFLOW_TEST_POSTGRES_URL")


def _complete_in_child(url, task_id, user, barrier, results):
    """Load the task, wait until the other process has loaded it too, then complete."""
    engine = build_engine(url, services=ServiceRegistry())
    original = Runtime.complete_human_task

    def complete_after_both_loaded(self, workflow, task_id, data):
        barrier.wait(timeout=30)
        return original(self, workflow, task_id, data)

    Runtime.complete_human_task = complete_after_both_loaded
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
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_complete_in_child, args=(database_url, task["id"], user, barrier, results)
        )
        for user in ("ana", "bob")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = sorted(results.get(timeout=5)[1] for _ in workers)
    assert outcomes == ["ConcurrencyConflict", "ok"]
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
