"""A start asked for again with the same request key gets the first one's case.

A terminal resends an order after a time-out; a Start is pressed twice: one case, on
SQLite and on PostgreSQL, even when the two requests race.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import ProcessEngine, views
from engine.clock import FakeClock
from engine.errors import InvalidState
from engine.orm import process_instances, start_requests
from tests.integration.test_races import TRIALS, race, racing_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(database_url: str, clock: FakeClock) -> ProcessEngine:
    return racing_engine(database_url, clock)


def count(engine: ProcessEngine, table=process_instances) -> int:
    with engine.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(table))


def ask(engine: ProcessEngine, key: str | None, user: str = "bob", **data) -> object:
    return engine.start(
        "credit_change", user=user, data=data or {"note": "x"}, business_key="C-1", request_key=key
    )


def test_the_same_request_again_gets_the_same_case_as_it_stands_now(engine):
    first = ask(engine, "order-7f3a")
    [request] = first.ready_tasks
    again = ask(engine, "order-7f3a")
    assert (again.instance_id, again.ready_tasks, again.version) == (
        first.instance_id,
        first.ready_tasks,
        first.version,
    )
    assert count(engine) == 1
    [analyse] = engine.complete(request, user="bob", data={"new_limit": 5000}).ready_tasks
    assert ask(engine, "order-7f3a").ready_tasks == (analyse,)  # where the case stands now
    assert [e["action"] for e in views.audit_events(engine.uow(), action="start")] == ["start"]


def test_a_key_names_one_request_of_one_user(engine):
    first = ask(engine, "k-1")
    assert ask(engine, "k-1", user="carol").instance_id != first.instance_id  # carol's own key
    assert ask(engine, None).instance_id != first.instance_id  # no key: a new case each time
    with pytest.raises(InvalidState, match="used for another start"):
        ask(engine, "k-1", note="something else")
    for bad in ("", "x" * 101, "tab\there"):
        with pytest.raises(InvalidState, match="1 to 100 printable characters"):
            ask(engine, bad)
    assert count(engine) == 3


def test_a_start_refused_leaves_its_key_free(engine):
    with pytest.raises(Exception, match="not deployed"):
        engine.start("nope", user="bob", data={}, request_key="k-2")
    assert count(engine, start_requests) == 0
    assert count(engine) == 0


def test_two_racing_requests_with_one_key_start_one_case(engine):
    for trial in range(TRIALS):
        key = f"race-{trial}"
        outcomes = race(lambda key=key: ask(engine, key), lambda key=key: ask(engine, key))
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        assert outcomes[0].instance_id == outcomes[1].instance_id
    assert count(engine) == TRIALS


def test_the_worker_forgets_keys_after_a_day(engine, clock):
    first = ask(engine, "k-3")
    assert engine.purge_start_requests() == 0
    clock.advance(timedelta(days=1, minutes=1))
    assert engine.purge_start_requests() == 1
    assert ask(engine, "k-3").instance_id != first.instance_id  # a day later: a new request
