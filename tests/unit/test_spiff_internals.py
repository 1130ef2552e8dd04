"""What raciflow relies on in SpiffWorkflow's private parts (engine/spiff_internals.py).

When one of these fails after a SpiffWorkflow upgrade, rewrite the function of
engine/spiff_internals.py that it names for the new version: no other module of the
engine touches these parts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

from engine import spiff_internals
from engine.clock import FakeClock
from engine.definitions import parse_definitions
from engine.runtime import Runtime
from engine.serialization import dump_state, load_state, spec_from_dict
from tests.conftest import fixture_files

LONG_AGO = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)  # a clock well behind the wall clock


@pytest.fixture
def runtime(services) -> Runtime:
    return Runtime(services, FakeClock(LONG_AGO))


def started(runtime: Runtime, file_name: str, data: dict | None = None):
    """A workflow of the fixture process, run up to its first wait; and its specs."""
    [definition] = parse_definitions(fixture_files(file_name))
    specs = spec_from_dict(definition.spec)
    workflow = runtime.create(specs, data or {})
    runtime.advance(workflow)
    return workflow, specs


def the_task(workflow, element_id: str):
    [task] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == element_id]
    return task


def is_ready(workflow, element_id: str) -> bool:
    return the_task(workflow, element_id).state == TaskState.READY


# --- timers: the engine's clock decides when they are due ------------------------------


def test_schedule_timer_sets_the_due_time_spiffworkflow_checks(runtime):
    """A timer scheduled (by our clock) in the past fires at SpiffWorkflow's next check:
    it reads our due time rather than computing its own from the wall clock."""
    workflow, _ = started(runtime, "timer_wait.bpmn")
    wait = the_task(workflow, "wait")
    assert spiff_internals.is_scheduled(wait)
    assert spiff_internals.timer_due(wait) == LONG_AGO + timedelta(hours=1)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert is_ready(workflow, "follow_up")


def test_a_timer_due_later_waits(runtime):
    workflow, _ = started(runtime, "timer_wait.bpmn")
    wait = the_task(workflow, "wait")
    later = datetime.now(UTC) + timedelta(days=1)
    spiff_internals.schedule_timer(wait, later)
    assert spiff_internals.timer_due(wait) == later
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert wait.state == TaskState.WAITING
    assert not is_ready(workflow, "follow_up")


def test_mark_timer_fired_fires_a_timer_before_its_due_time(runtime):
    workflow, _ = started(runtime, "timer_wait.bpmn")
    wait = the_task(workflow, "wait")
    spiff_internals.schedule_timer(wait, datetime.now(UTC) + timedelta(days=1))
    spiff_internals.mark_timer_fired(wait)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert wait.state == TaskState.COMPLETED
    assert is_ready(workflow, "follow_up")


def test_a_timer_the_engine_did_not_schedule_is_not_marked(runtime):
    [definition] = parse_definitions(fixture_files("timer_wait.bpmn"))
    workflow = runtime.create(spec_from_dict(definition.spec), {})
    workflow.do_engine_steps()  # SpiffWorkflow's own steps, without the engine's scheduling
    wait = the_task(workflow, "wait")
    assert not spiff_internals.is_scheduled(wait)


def test_the_schedule_survives_the_serializer(runtime):
    workflow, specs = started(runtime, "timer_wait.bpmn")
    restored = load_state(dump_state(workflow), specs)
    wait = the_task(restored, "wait")
    assert spiff_internals.is_scheduled(wait)
    assert spiff_internals.timer_due(wait) == LONG_AGO + timedelta(hours=1)


# --- the waiting events: SpiffWorkflow's event manager keeps them -----------------------


def waiting_by_walk(workflow) -> set[UUID]:
    """The catching events that wait, found the slow way: a walk over the task tree."""
    return {
        task.id
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(task.task_spec, CatchingEvent)
    }


@pytest.mark.parametrize(
    "file_name",
    [
        "timer_wait.bpmn",  # an intermediate timer
        "offer_expiry.bpmn",  # a boundary timer on a user task
        "events/timer_in_subprocess.bpmn",  # a timer inside a subprocess
        "events/answer_or_chase.bpmn",  # an event-based gateway: a message or a timer
        "events/order_wait.bpmn",  # a message
    ],
)
def test_waiting_events_are_those_a_walk_over_the_tree_finds(runtime, file_name):
    workflow, specs = started(runtime, file_name)
    expected = waiting_by_walk(workflow)
    assert expected, "the fixture waits for an event"
    assert {task.id for task in spiff_internals.waiting_events(workflow)} == expected
    restored = load_state(dump_state(workflow), specs)  # a case read back from the database
    assert {task.id for task in spiff_internals.waiting_events(restored)} == expected


def test_an_event_that_came_no_longer_waits(runtime):
    workflow, _ = started(runtime, "events/timer_in_subprocess.bpmn")
    [wait] = spiff_internals.waiting_events(workflow)
    assert wait.task_spec.bpmn_id == "inner_wait"
    spiff_internals.mark_timer_fired(wait)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert spiff_internals.waiting_events(workflow) == []
    assert is_ready(workflow, "follow_up")


# --- a retry: a task in error is made ready again ---------------------------------------


def test_make_ready_runs_a_failed_task_again(runtime, account):
    workflow, _ = started(runtime, "service_retry.bpmn", {"amount": 21})
    charge = the_task(workflow, "charge")
    assert charge.state == TaskState.ERROR  # the payment system is down
    account.up = True
    spiff_internals.make_ready(charge)
    assert runtime.advance(workflow) is None
    assert charge.state == TaskState.COMPLETED
    assert account.calls == [42, 42]
    assert is_ready(workflow, "confirm")


# --- boundary events: a task's due time is its earliest boundary timer ------------------


def test_boundary_events_are_the_tasks_attached_to_a_task(runtime):
    workflow, _ = started(runtime, "offer_expiry.bpmn")
    accept = the_task(workflow, "accept")
    [expiry] = spiff_internals.boundary_events(accept)
    assert expiry.task_spec.bpmn_id == "expiry"
    assert spiff_internals.timer_due(expiry) == LONG_AGO + timedelta(days=2)
    [shown] = runtime.ready_human_tasks(workflow)
    assert shown.due_at == LONG_AGO + timedelta(days=2)


def test_a_task_without_boundary_events_has_none(runtime):
    workflow, _ = started(runtime, "timer_wait.bpmn")
    spiff_internals.mark_timer_fired(the_task(workflow, "wait"))
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert spiff_internals.boundary_events(the_task(workflow, "follow_up")) == []


# --- the state encoder ------------------------------------------------------------------


def test_the_state_encoder_writes_the_registrys_types_so_that_they_restore():
    registry = DefaultRegistry()
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    key = UUID("12345678-1234-5678-1234-567812345678")
    encoder = spiff_internals.state_encoder(registry)
    text = json.dumps({"at": at, "key": key, "wait": timedelta(hours=2)}, cls=encoder)
    assert registry.restore(json.loads(text)) == {
        "at": at,
        "key": key,
        "wait": timedelta(hours=2),
    }


def test_task_data_of_those_types_survives_the_stored_state(runtime):
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    workflow, specs = started(runtime, "timer_wait.bpmn", {"promised": at})
    restored = load_state(dump_state(workflow), specs)
    assert the_task(restored, "wait").data["promised"] == at
