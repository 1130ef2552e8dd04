"""The private parts of SpiffWorkflow that raciflow relies on, and nothing else.

SpiffWorkflow (3.2; setup.cfg allows >=3.2,<3.3) offers no public way to do these
things. Each is one small function here, so that no other module touches a name with a
leading underscore, and tests/unit/test_spiff_internals.py pins each behaviour: an
upgrade that changes one fails there, by name, rather than as a process that quietly
misbehaves.

What we rely on:
- a timer's due time is `event_value` in its task's internal data, as ISO text, and
  the timer checks `event_value` when it is set instead of computing its own: so the
  engine sets it from its own clock (tests move time);
- `event_fired=True` in the internal data fires a waiting timer at the next
  `refresh_timers()` (what the worker does when a timer is due);
- internal data goes through the serializer's round trip, our own flag included;
- `Task._set_state(READY)` makes a task in ERROR run again at the next engine step (a
  retry after an incident);
- a task with boundary events is a child of a `BoundaryEventSplit` task, whose other
  children are its boundary events (a task's due time is its earliest boundary timer);
- the top workflow's `event_manager.tasks` holds every catching event that waits, in
  subprocesses too, and a restored workflow's as well (so finding the waiting timers
  needs no walk over the task tree);
- `BpmnWorkflowSerializer._encoder_cls` is the JSON encoder that writes the registry's
  types (dates, decimals, ...) found in task data.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

# Our flag in a timer's internal data: its due time was set from the engine's clock.
SCHEDULED = "raciflow_scheduled"


def schedule_timer(task: Any, due: datetime) -> None:
    """Make the waiting timer `task` due at `due` (instead of SpiffWorkflow's own now)."""
    task._set_internal_data(event_value=due.isoformat(), **{SCHEDULED: True})


def waiting_events(workflow: Any) -> list[Any]:
    """The tasks of `workflow` (or of a subprocess of it) that wait for an event."""
    return [
        task for task in workflow.event_manager.tasks.values() if task.state == TaskState.WAITING
    ]


def is_scheduled(task: Any) -> bool:
    """Whether `schedule_timer` set this timer's due time."""
    return bool(task._get_internal_data(SCHEDULED))


def timer_due(task: Any) -> datetime | None:
    """When the timer `task` is due, or None while it has no due time yet."""
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # a cycle timer: its next occurrence
        return TimerEventDefinition.get_datetime(value["next"]) if value["cycles"] != 0 else None
    return TimerEventDefinition.get_datetime(value) if value else None


def mark_timer_fired(task: Any) -> None:
    """Fire the waiting timer `task` at the workflow's next `refresh_timers()`."""
    task._set_internal_data(event_fired=True)


def make_ready(task: Any) -> None:
    """Put a task (one in ERROR) back to READY, so that the next engine step runs it."""
    task._set_state(TaskState.READY)


def boundary_events(task: Any) -> list[Any]:
    """The boundary event tasks attached to `task` (none if it has no boundary events)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return []
    return [sibling for sibling in parent.children if sibling is not task]


def state_encoder(registry: DefaultRegistry) -> type[json.JSONEncoder]:
    """The JSON encoder for workflow state that writes the types `registry` converts."""
    encoder: type[json.JSONEncoder] = BpmnWorkflowSerializer(registry)._encoder_cls
    return encoder


# Cycle timers (R3/PT1H) keep {'cycles', 'next', 'duration'} as their `event_value`; the
# timer fires while `next` is past *by the wall clock*, then moves `next` on by `duration`.
_LONG_AGO = "1970-01-01T00:00:00+00:00"


def cycle_state(task: Any) -> dict[str, Any] | None:
    """A waiting cycle timer's {'cycles', 'next', 'duration'} (None before it has one)."""
    value = task._get_internal_data("event_value")
    return value if isinstance(value, dict) else None


def schedule_cycle(task: Any, due: datetime, cycles: int, every_seconds: float) -> None:
    """Make the cycle timer `task` next due at `due`, `cycles` times more (-1: for ever)."""
    value = {"cycles": cycles, "next": due.isoformat(), "duration": every_seconds}
    task._set_internal_data(event_value=value, **{SCHEDULED: True})


def fire_cycle(task: Any) -> None:
    """Let the cycle timer `task` fire at the next `refresh_timers()`: its `next` is past."""
    value = dict(task._get_internal_data("event_value"))
    value["next"] = _LONG_AGO
    task._set_internal_data(event_value=value, **{SCHEDULED: False})


def deliver(task: Any, event: Any) -> None:
    """Hand `event` to the waiting task `task`, as SpiffWorkflow's event manager would
    once it has chosen the task (we choose by our own correlation rule first)."""
    task.task_spec.catch(task, event)
    task.task_spec._update(task)
