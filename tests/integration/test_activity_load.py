"""Per activity of a version: its open tasks, and the median time they waited to be taken
up (ready → claimed, or ready → now while nobody has claimed them)."""

from __future__ import annotations

from datetime import timedelta

from engine import views


def open_request(engine, instance_id: str) -> str:
    [task] = views.open_tasks(engine.uow(), instance_id=instance_id)
    return task["id"]


def test_a_claim_ends_the_wait_and_an_unclaimed_task_waits_until_now(engine, clock):
    first = engine.start("approval", user="ana").instance_id
    clock.advance(timedelta(hours=1))
    engine.claim(open_request(engine, first), user="ana")  # waited 1 h
    engine.start("approval", user="ana")
    clock.advance(timedelta(hours=3))  # the second waits 3 h so far
    third = engine.start("approval", user="ana").instance_id
    clock.advance(timedelta(hours=2))
    engine.claim(open_request(engine, third), user="bob")  # waited 2 h
    engine.claim(open_request(engine, third), user="bob")  # a second claim changes nothing

    load = engine.activity_load("approval")

    assert set(load) == {"request"}
    assert load["request"].open == 3
    assert load["request"].median_wait == timedelta(hours=2)  # of 1 h, 5 h (so far) and 2 h


def test_finished_tasks_leave_the_count(engine, clock):
    first = engine.start("approval", user="ana").instance_id
    engine.start("approval", user="ana")
    clock.advance(timedelta(minutes=30))
    engine.complete(open_request(engine, first), user="ana", data={"amount": 10})

    load = engine.activity_load("approval")

    assert load["request"].open == 1
    assert load["request"].median_wait == timedelta(minutes=30)
