"""A case's workflow is kept in memory between commands, and never used stale.

Each engine stands for one process (a web worker, the worker, the CLI); two on one
database are two processes. What a command reads is always what was committed last:
the kept workflow only when it was dumped to exactly the stored state
(engine/workflow_cache.py), otherwise the state is restored as before.
"""

from __future__ import annotations

import pytest

from engine import build_engine
from engine.model import InstanceStatus
from tests.conftest import fixture_files


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every restore of a stored state, by any engine (the cache's misses)."""
    from engine.runtime import Runtime

    seen: list[str] = []
    original = Runtime.restore

    def counted(self, specs, state):  # type: ignore[no-untyped-def]
        seen.append(specs[0].name)
        return original(self, specs, state)

    monkeypatch.setattr(Runtime, "restore", counted)
    return seen


def deployed(database_url: str, clock):  # type: ignore[no-untyped-def]
    engine = build_engine(database_url, clock=clock)
    engine.deploy(fixture_files("kept_workflow.bpmn"), user="owner")
    return engine


def test_the_next_command_on_a_case_takes_the_workflow_it_left(
    database_url: str, clock, restores: list[str]
) -> None:
    engine = deployed(database_url, clock)
    started = engine.start("kept", user="ann")
    second = engine.complete(started.ready_tasks[0], user="ann", data={"note": "a"})
    third = engine.complete(second.ready_tasks[0], user="ann", data={})
    done = engine.complete(third.ready_tasks[0], user="ann", data={})
    assert done.status == InstanceStatus.COMPLETED
    assert restores == []  # every command found the workflow the one before it stored
    assert engine.verify_audit().ok


def test_a_case_moved_on_by_another_process_is_read_as_stored(
    database_url: str, clock, restores: list[str]
) -> None:
    web, other = deployed(database_url, clock), build_engine(database_url, clock=clock)
    started = web.start("kept", user="ann")  # web keeps the workflow at its first wait
    second = other.complete(started.ready_tasks[0], user="bob", data={"note": "b"})
    assert len(restores) == 1  # the other process had nothing kept
    third = web.complete(second.ready_tasks[0], user="ann", data={})
    assert len(restores) == 2  # what web kept is older than the stored state
    data = web.task_data(third.ready_tasks[0])
    assert data["note"] == "b" and data["same"] is True
    assert web.complete(third.ready_tasks[0], user="ann", data={}).status == "completed"


def test_a_command_that_fails_halfway_leaves_nothing_kept(
    database_url: str, clock, restores: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = deployed(database_url, clock)
    started = engine.start("kept", user="ann")
    [first] = started.ready_tasks
    runtime = type(engine.runtime)

    def killed(_workflow):  # type: ignore[no-untyped-def]
        raise RuntimeError("killed while storing")

    with monkeypatch.context() as patch:
        patch.setattr(runtime, "snapshot", staticmethod(killed))
        with pytest.raises(RuntimeError):
            engine.complete(first, user="ann", data={"note": "lost"})
    # The failed attempt ran the task in its workflow; the retry must not see that.
    second = engine.complete(first, user="ann", data={"note": "kept"})
    assert len(restores) == 1
    assert engine.task_data(second.ready_tasks[0])["note"] == "kept"


def test_script_values_read_the_same_kept_or_restored(database_url: str, clock) -> None:
    """A script's tuple is a list in memory too: a kept workflow and a restored one
    decide alike (the scripts compare with lists, as the stored state has them)."""
    kept = deployed(database_url, clock)
    started = kept.start("kept", user="ann")
    second = kept.complete(started.ready_tasks[0], user="ann", data={})
    third = kept.complete(second.ready_tasks[0], user="ann", data={})
    from_memory = kept.task_data(third.ready_tasks[0])
    restored = build_engine(database_url, clock=clock).task_data(third.ready_tasks[0])
    assert from_memory == restored
    assert from_memory["same"] is True and from_memory["nested"] is True
    assert from_memory["pair"] == [1, 2]
