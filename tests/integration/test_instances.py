"""Running instances through the engine's public API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import InstanceStatus, build_engine, views
from engine.errors import InvalidState, InvalidTaskData, NotAllowed, NotFound


def only_task(engine, **filters):
    [task] = views.open_tasks(engine.uow(), **filters)
    return task


def actions(engine, instance_id):
    with engine.uow() as uow:
        return [e.action for e in uow.audit.events_of(instance_id)]


def test_small_amount_skips_review(engine):
    started = engine.start("approval", user="ana", business_key="C-1")
    request = only_task(engine)
    assert (request["element"], request["lane"], request["business_key"]) == (
        "request",
        "sales",
        "C-1",
    )
    done = engine.complete(request["id"], user="ana", data={"amount": 200})
    assert done.status is InstanceStatus.COMPLETED
    assert views.open_tasks(engine.uow()) == []
    assert actions(engine, started.instance_id) == [
        "start",
        "task_ready",
        "complete",
        "decision",
        "instance_completed",
    ]


def test_large_amount_goes_to_the_finance_lane_with_a_due_date(engine, clock):
    engine.start("approval", user="ana")
    engine.complete(only_task(engine)["id"], user="ana", data={"amount": 5000})
    review = only_task(engine)
    assert (review["element"], review["lane"]) == ("review", "finance")
    assert review["due_at"] == (clock.now() + timedelta(days=2)).isoformat()
    done = engine.complete(review["id"], user="bob", data={"approved": True})
    assert done.status is InstanceStatus.COMPLETED


def test_state_survives_a_restart(engine, database_url, clock, services):
    started = engine.start("approval", user="ana")
    engine.complete(only_task(engine)["id"], user="ana", data={"amount": 5000})
    restarted = build_engine(database_url, services=services, clock=clock)
    review = only_task(restarted)
    done = restarted.complete(review["id"], user="bob", data={"approved": True})
    assert (done.instance_id, done.status) == (started.instance_id, InstanceStatus.COMPLETED)


def test_claimed_task_is_only_for_its_claimant(engine):
    engine.start("approval", user="ana")
    task = only_task(engine)
    engine.claim(task["id"], user="ana")
    with pytest.raises(InvalidState, match="claimed by ana"):
        engine.claim(task["id"], user="bob")
    with pytest.raises(NotAllowed):
        engine.complete(task["id"], user="bob", data={"amount": 1})
    assert views.open_tasks(engine.uow(), user="bob") == []
    engine.release(task["id"], user="ana")
    engine.claim(task["id"], user="bob")
    engine.complete(task["id"], user="bob", data={"amount": 1})


def test_validation_hook_refuses_bad_data_and_changes_nothing(engine):
    started = engine.start("approval", user="ana")
    task = only_task(engine)

    def require_amount(data):
        if not isinstance(data.get("amount"), int) or data["amount"] <= 0:
            raise InvalidTaskData({"amount": ["must be a positive whole number"]})
        return data

    with pytest.raises(InvalidTaskData) as caught:
        engine.complete(task["id"], user="ana", data={"amount": -5}, validate=require_amount)
    assert caught.value.errors == {"amount": ["must be a positive whole number"]}
    with pytest.raises(InvalidTaskData):
        engine.complete(task["id"], user="ana", data={"__class__": 1})
    with pytest.raises(InvalidTaskData, match="limit"):
        engine.complete(task["id"], user="ana", data={"blob": "x" * 300_000})
    assert only_task(engine)["id"] == task["id"]
    assert actions(engine, started.instance_id) == ["start", "task_ready"]


def test_unknown_ids_are_clear_errors(engine):
    with pytest.raises(NotFound, match="process 'nope' is not deployed"):
        engine.start("nope", user="ana")
    with pytest.raises(NotFound):
        engine.complete("no-such-task", user="ana", data={})
    with pytest.raises(NotFound):
        engine.cancel("no-such-instance", user="ana", reason="x")


def test_cancel_closes_open_tasks(engine):
    started = engine.start("approval", user="ana")
    task = only_task(engine)
    with pytest.raises(InvalidState, match="reason"):
        engine.cancel(started.instance_id, user="ana", reason=" ")
    cancelled = engine.cancel(started.instance_id, user="ana", reason="customer withdrew")
    assert cancelled.status is InstanceStatus.CANCELLED
    assert views.open_tasks(engine.uow()) == []
    with pytest.raises(InvalidState):
        engine.complete(task["id"], user="ana", data={})
    assert actions(engine, started.instance_id)[-2:] == ["task_cancelled", "cancel"]
    assert views.instance(engine.uow(), started.instance_id)["cancel_reason"] == "customer withdrew"


def test_a_cancel_runs_the_process_compensation_with_what_the_instance_knew(engine, services):
    undone = []

    @services.on_cancel("approval")
    def give_back(ctx, data, reason):
        undone.append((ctx.instance_id, data["customer"], reason, ctx.actor))
        return {"given_back": data["customer"]}

    started = engine.start("approval", user="ana", data={"customer": "C-7"})
    engine.cancel(started.instance_id, user="ana", reason="customer withdrew")
    assert undone == [(started.instance_id, "C-7", "customer withdrew", "ana")]
    with engine.uow() as uow:
        [cancel] = [e for e in uow.audit.events_of(started.instance_id) if e.action == "cancel"]
    assert cancel.details == {"compensation": {"given_back": "C-7"}}


def test_a_failing_compensation_refuses_the_cancel_and_changes_nothing(engine, services):
    @services.on_cancel("approval")
    def broken(ctx, data, reason):
        raise LookupError("the order is gone")

    started = engine.start("approval", user="ana")
    with pytest.raises(InvalidState, match=r"undoing its effects failed \(the order is gone\)"):
        engine.cancel(started.instance_id, user="ana", reason="customer withdrew")
    assert views.instance(engine.uow(), started.instance_id)["status"] == "waiting"
    assert "cancel" not in actions(engine, started.instance_id)
    assert len(views.open_tasks(engine.uow())) == 1


def test_an_open_task_shows_the_data_earlier_steps_left(engine):
    started = engine.start("approval", user="ana", data={"customer": "C-7"})
    [request] = started.ready_tasks
    assert engine.task_data(request)["customer"] == "C-7"
    state = engine.complete(request, user="ana", data={"amount": 5000})
    [review] = state.ready_tasks
    data = engine.task_data(review)
    assert data["amount"] == 5000 and data["level"] == "review"  # the DMN's decision
    with pytest.raises(InvalidState):
        engine.task_data(request)  # completed: its page shows the audit trail instead
