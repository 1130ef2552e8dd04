"""No command spins: a process calling itself, a loop without a wait, a broken timer."""

from __future__ import annotations

import threading
import time

from engine import InstanceStatus, build_engine, views
from tests.conftest import fixture_files


def test_a_process_calling_itself_ends_in_error_without_blocking_others(
    database_url, clock, services
):
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(
        fixture_files("calls_itself.bpmn", "approval.bpmn", "approval_level.dmn"), user="owner"
    )
    results = {}
    began = time.monotonic()
    spinning = threading.Thread(
        target=lambda: results.update(loop=engine.start("self_caller", user="ana"))
    )
    spinning.start()
    other = engine.start("approval", user="bob")  # waits at most for the other's commit
    spinning.join(timeout=30)

    assert time.monotonic() - began < 10
    assert other.status is InstanceStatus.WAITING
    loop = results["loop"]
    assert loop.status is InstanceStatus.ERROR
    assert "calls itself" in loop.error and "\n" not in loop.error
    assert views.instance(engine.uow(), loop.instance_id)["status"] == "error"


def test_a_loop_without_a_wait_is_stopped_by_the_step_budget(database_url, clock, services):
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("loops_forever.bpmn"), user="owner")
    engine.runtime.max_steps = 50
    started = engine.start("loops_forever", user="ana")
    assert started.status is InstanceStatus.ERROR
    assert started.error.startswith("stopped after 50 steps without a wait")


def test_an_exception_while_starting_is_an_instance_in_error_with_one_line(
    database_url, clock, services
):
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("bad_timer.bpmn"), user="owner")
    started = engine.start("bad_timer", user="ana")
    assert started.status is InstanceStatus.ERROR
    assert started.error == "Invalid duration"
    assert views.instance(engine.uow(), started.instance_id)["error_message"] == "Invalid duration"
