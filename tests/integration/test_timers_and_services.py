"""Timers fire by an injected clock; failing service tasks leave a retryable error."""

from __future__ import annotations

from datetime import timedelta

from engine import InstanceStatus, views


def test_intermediate_timer_fires_only_when_due(engine, clock):
    started = engine.start("timer_wait", user="ana")
    assert started.status is InstanceStatus.WAITING
    assert views.open_tasks(engine.uow()) == []
    clock.advance(timedelta(minutes=59))
    assert engine.fire_due_timers() == 0
    clock.advance(timedelta(minutes=2))
    assert engine.fire_due_timers() == 1
    [task] = views.open_tasks(engine.uow())
    assert task["element"] == "follow_up"
    assert engine.fire_due_timers() == 0


def test_sla_boundary_timer_escalates_an_overdue_review(engine, clock):
    started = engine.start("approval", user="ana")
    [request] = views.open_tasks(engine.uow())
    engine.complete(request["id"], user="ana", data={"amount": 5000})
    clock.advance(timedelta(days=2, seconds=1))
    assert engine.fire_due_timers() == 1
    with engine.uow() as uow:
        fired = [e for e in uow.audit.events_of(started.instance_id) if e.action == "timer_fired"]
    assert [e.details["element"] for e in fired] == ["sla"]
    # Non-interrupting: the review is still open after the escalation path ran.
    [review] = views.open_tasks(engine.uow())
    assert review["element"] == "review"


def test_failing_service_leaves_error_then_retry_succeeds(engine, account):
    started = engine.start("service_retry", user="ana", data={"amount": 21})
    assert started.status is InstanceStatus.ERROR
    assert "payment system unreachable" in started.error
    shown = views.instance(engine.uow(), started.instance_id)
    assert (shown["status"], shown["error_task"]) == ("error", "charge")
    assert views.open_tasks(engine.uow()) == []

    account.up = True
    retried = engine.retry(started.instance_id, user="ops")
    assert retried.status is InstanceStatus.WAITING
    assert account.calls == [42, 42]
    [confirm] = views.open_tasks(engine.uow())
    assert confirm["element"] == "confirm"
    with engine.uow() as uow:
        acts = [e.action for e in uow.audit.events_of(started.instance_id)]
    assert acts == ["start", "error", "retry", "task_ready"]


def test_failing_script_is_retried_with_corrected_data(engine, account):
    account.up = True
    started = engine.start("service_retry", user="ana", data={})
    assert started.status is InstanceStatus.ERROR
    assert views.instance(engine.uow(), started.instance_id)["error_task"] == "prepare"
    assert "amount" in started.error
    retried = engine.retry(started.instance_id, user="ops", data={"amount": 5})
    assert retried.status is InstanceStatus.WAITING
    assert account.calls == [10]


def test_completing_a_task_removes_its_boundary_timer(engine, clock):
    started = engine.start("approval", user="ana")
    state = engine.complete(started.ready_tasks[0], user="ana", data={"amount": 5000})
    [review] = state.ready_tasks
    done = engine.complete(review, user="bob", data={"approved": True})
    assert done.status is InstanceStatus.COMPLETED
    clock.advance(timedelta(days=3))
    assert engine.fire_due_timers() == 0  # the SLA timer left with the review
