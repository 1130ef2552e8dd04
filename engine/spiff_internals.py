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


def is_scheduled(task: Any) -> bool:
    """Whether `schedule_timer` set this timer's due time."""
    return bool(task._get_internal_data(SCHEDULED))


def timer_due(task: Any) -> datetime | None:
    """When the timer `task` is due, or None while it has no due time yet."""
    value = task._get_internal_data("event_value")
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
