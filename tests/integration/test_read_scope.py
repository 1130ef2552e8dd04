"""A request reads in one transaction, and what it reads after its own write shows the write.

engine/read_scope.py: inside `shared_reads()` (the web opens one per request), every
read-only unit of work joins one transaction; a unit of work that writes runs in its
own and ends the shared one, so the next read is a new snapshot. Checked on SQLite
(a deferred transaction keeps its snapshot) and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from engine import views
from engine.errors import NotFound
from engine.read_scope import shared_reads


@pytest.fixture
def begun(engine) -> list[int]:
    """How many transactions the engine's database has begun (one entry each)."""
    seen: list[int] = []

    def begin(_conn: Any) -> None:
        seen.append(1)

    event.listen(engine.database, "begin", begin)
    yield seen
    event.remove(engine.database, "begin", begin)


def first_task(engine) -> str:
    started = engine.start("approval", user="sam", data={})
    return started.ready_tasks[0]


def test_the_reads_of_a_scope_share_one_transaction(engine, begun):
    task_id = first_task(engine)
    begun.clear()
    with shared_reads():
        for _ in range(3):
            assert views.task_detail(engine.uow(), task_id)["id"] == task_id
        engine.locale("sam")
    assert len(begun) == 1


def test_without_a_scope_each_read_is_its_own_transaction(engine, begun):
    task_id = first_task(engine)
    begun.clear()
    for _ in range(3):
        views.task_detail(engine.uow(), task_id)
    assert len(begun) == 3


def test_a_read_after_the_scopes_own_write_sees_the_write(engine, begun):
    task_id = first_task(engine)
    with shared_reads():
        assert views.task_detail(engine.uow(), task_id)["assignee"] is None
        engine.claim(task_id, user="sam")
        assert views.task_detail(engine.uow(), task_id)["assignee"] == "sam"


def test_a_failed_read_leaves_the_scope_usable(engine):
    task_id = first_task(engine)
    with shared_reads():
        with pytest.raises(NotFound):
            views.task_detail(engine.uow(), "no-such-task")
        assert views.task_detail(engine.uow(), task_id)["id"] == task_id


def test_the_scope_ends_its_transaction_when_it_ends(engine):
    task_id = first_task(engine)
    with shared_reads() as scope:
        views.task_detail(engine.uow(), task_id)
        assert scope.reader is not None
    assert scope.reader is None


def test_a_write_continues_the_transaction_its_request_read_in_if_it_said_so(engine, begun):
    task_id = first_task(engine)
    begun.clear()
    with shared_reads(writes_next=True):
        assert views.task_detail(engine.uow(), task_id)["assignee"] is None
        engine.claim(task_id, user="sam")
        assert len(begun) == 1  # the read's transaction, continued by the claim
        assert views.task_detail(engine.uow(), task_id)["assignee"] == "sam"
        engine.release(task_id, user="sam")  # a second write: its own transaction
    assert len(begun) == 3
    assert views.task_detail(engine.uow(), task_id)["assignee"] is None


def test_a_refused_write_in_a_continued_transaction_leaves_nothing(engine, begun):
    task_id = first_task(engine)
    with shared_reads(writes_next=True):
        views.task_detail(engine.uow(), task_id)
        with pytest.raises(NotFound):
            engine.claim("no-such-task", user="sam")
        assert views.task_detail(engine.uow(), task_id)["assignee"] is None
        engine.claim(task_id, user="sam")  # the scope goes on: a new transaction
    assert views.task_detail(engine.uow(), task_id)["assignee"] == "sam"


def test_a_request_that_said_it_would_write_but_did_not_leaves_nothing_held(engine):
    task_id = first_task(engine)
    with shared_reads(writes_next=True) as scope:
        views.task_detail(engine.uow(), task_id)
    assert scope.reader is None
    engine.claim(task_id, user="sam")  # the write lock was let go (SQLite would wait)
