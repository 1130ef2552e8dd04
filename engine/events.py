"""Messages and signals as SpiffWorkflow sees them: who waits, who may start, what was thrown.

The service layer (engine/commands/events.py) decides which instances get an event;
this module answers questions about one workflow or one spec and hands an event to
a waiting task.

Correlation: an event carries `correlation`, a flat {property: value} map (from
`--correlation KEY=VALUE`, or from the BPMN correlation properties of the instance
that threw it). A waiting task matches when every property it names has that value
in the instance's own correlations or, failing that, in the waiting task's data
(compared as text). An event with no correlation matches every waiting task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import (
    MessageEventDefinition,
    MultipleEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from . import spiff_internals
from .serialization import SpecBundle

MESSAGE, SIGNAL = "message", "signal"
_KINDS: dict[str, type] = {MESSAGE: MessageEventDefinition, SIGNAL: SignalEventDefinition}


@dataclass(frozen=True)
class Thrown:
    """An event an instance threw that nothing in its own workflow caught."""

    kind: str
    name: str
    payload: Any
    correlation: dict[str, Any] = field(default_factory=dict)


def _definitions(definition: Any) -> list[Any]:
    if isinstance(definition, MultipleEventDefinition):  # an event-based gateway
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _of_kind(definition: Any, kind: str, name: str) -> bool:
    return isinstance(definition, _KINDS[kind]) and definition.name == name


def catches(specs: SpecBundle, kind: str, name: str) -> bool:
    """Whether any catching event of these specs waits for `kind` `name` (start events too)."""
    spec, subprocess_specs = specs
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, CatchingEvent) and any(
                _of_kind(d, kind, name) for d in _definitions(task_spec.event_definition)
            ):
                return True
    return False


def starts_on(specs: SpecBundle, kind: str, name: str) -> bool:
    """Whether the top-level process has a start event for `kind` `name`."""
    spec, _ = specs
    return any(
        isinstance(task_spec, StartEvent)
        and any(_of_kind(d, kind, name) for d in _definitions(task_spec.event_definition))
        for task_spec in spec.task_specs.values()
    )


def start_timer(specs: SpecBundle) -> Any:
    """The timer of the top-level process's start event (None if it starts otherwise)."""
    spec, _ = specs
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, StartEvent) and isinstance(definition, TimerEventDefinition):
            return definition
    return None


def waiting_names(workflow: BpmnWorkflow) -> set[tuple[str, str]]:
    """(kind, name) of every message and signal the workflow waits for now."""
    found = set()
    for task in _waiting_tasks(workflow):
        for definition in _definitions(task.task_spec.event_definition):
            for kind, cls in _KINDS.items():
                if isinstance(definition, cls):
                    found.add((kind, definition.name))
    return found


def _waiting_tasks(workflow: BpmnWorkflow) -> list[Any]:
    # SpiffWorkflow keeps one event manager, on the top workflow, for the waiting
    # tasks of every subprocess and call activity too (BpmnSubWorkflow has none).
    return list(workflow.event_manager.tasks.values())


def _flat(correlations: dict[str, Any]) -> dict[str, Any]:
    """SpiffWorkflow's {key: {property: value}} as {property: value}."""
    flat: dict[str, Any] = {}
    for value in correlations.values():
        if isinstance(value, dict):
            flat.update(value)
    return flat


def _matches(task: Any, correlation: dict[str, Any]) -> bool:
    known = _flat(task.workflow.correlations)
    for key, wanted in correlation.items():
        have = known[key] if key in known else task.data.get(key, _MISSING)
        if have is _MISSING or str(have) != str(wanted):
            return False
    return True


_MISSING = object()


def deliver(
    workflow: BpmnWorkflow, kind: str, name: str, payload: Any, correlation: dict[str, Any]
) -> list[str]:
    """Give the event to every task of `workflow` waiting for it with a matching
    correlation; return the BPMN ids of the tasks that caught it."""
    if isinstance(payload, dict) and correlation:  # a message carries its correlation
        payload = {**correlation, **payload}
    caught = []
    for task in _waiting_tasks(workflow):
        definition = next(
            (d for d in _definitions(task.task_spec.event_definition) if _of_kind(d, kind, name)),
            None,
        )
        if definition is None or not _matches(task, correlation):
            continue
        if isinstance(payload, dict) and _plain(definition):
            task.data.update(payload)  # an event without a variable: its fields are data
        # The task's own correlations: we matched by our rule already (module docstring).
        event = BpmnEvent(definition, payload=payload, correlations=task.workflow.correlations)
        spiff_internals.deliver(task, event)
        caught.append(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)
    return caught


def _plain(definition: Any) -> bool:
    """Whether the event names no variable to put its payload in."""
    return getattr(definition, "message_var", None) is None and (
        getattr(definition, "variable", None) is None
    )


def take_thrown(workflow: BpmnWorkflow) -> list[Thrown]:
    """The messages and signals the workflow threw for others (and forget them)."""
    thrown = []
    for event in workflow.get_events():
        definition = event.event_definition
        for kind, cls in _KINDS.items():
            if isinstance(definition, cls):
                correlation = _flat(event.correlations or {})
                thrown.append(Thrown(kind, definition.name, event.payload, correlation))
    return thrown
