"""Drive one SpiffWorkflow workflow: run steps, expose human tasks and timers.

This is the only module that touches a live BpmnWorkflow; the service layer
asks it questions and gets plain values back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import events, spiff_internals
from .clock import Clock
from .errors import InvalidState, NotFound
from .sandbox import DEFAULT_MEMORY_LIMIT
from .scripting import (
    SandboxEnvironment,
    SandboxScriptEngine,
    ServiceContext,
    ServiceRegistry,
    service_context,
)
from .serialization import SpecBundle, dump_state, load_state

MAX_STEPS = 10_000  # engine steps one command may run: a loop without a wait is stopped
MAX_DEPTH = 20  # call activities inside call activities: a process calling itself is stopped


class _OverBudget(Exception):
    def __init__(self, task: Any, message: str) -> None:
        super().__init__(message)
        self.task, self.message = task, message


class _StepBudget:
    """Counts the steps of one `advance` and stops a run that would never wait.

    Without it a process that calls itself, or loops through scripts and gateways
    without a wait, would spin inside one command for ever, holding its transaction
    (and SQLite's write lock) while it does.
    """

    def __init__(self, max_steps: int, max_depth: int) -> None:
        self.left, self.max_steps, self.max_depth = max_steps, max_steps, max_depth
        self.last_task: Any = None

    def step(self, task: Any) -> None:
        self.last_task = task
        self.left -= 1
        if self.left < 0:
            raise _OverBudget(
                task,
                f"stopped after {self.max_steps} steps without a wait: the process loops"
                " (a cycle of scripts and gateways with no task or event to wait for)",
            )
        if task.workflow.depth > self.max_depth:
            raise _OverBudget(
                task,
                f"stopped at {self.max_depth} call activities inside each other: the process"
                " calls itself (or a cycle of processes call each other) without end",
            )


@dataclass(frozen=True)
class HumanTaskInfo:
    """A ready user or manual task, as the task projection stores it."""

    task_id: str
    spec_id: str
    name: str
    lane: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class TimerInfo:
    """A timer event waiting to fire."""

    task_id: str
    spec_id: str
    due_at: datetime


@dataclass(frozen=True)
class StepFailure:
    """A script, service or gateway that failed while the engine ran steps."""

    spec_id: str
    message: str


class Runtime:
    """Run workflows with a sandboxed script engine and a given clock."""

    def __init__(
        self,
        services: ServiceRegistry,
        clock: Clock,
        *,
        script_time_limit: float = 1.0,
        script_memory_limit: int = DEFAULT_MEMORY_LIMIT,
        max_steps: int = MAX_STEPS,
        max_depth: int = MAX_DEPTH,
    ):
        self.clock = clock
        self.services = services
        self.max_steps = max_steps
        self.max_depth = max_depth
        self.script_engine = SandboxScriptEngine(
            SandboxEnvironment(
                services,
                time_limit=script_time_limit,
                memory_limit=script_memory_limit,
                now=clock.now,
            )
        )

    def create(self, specs: SpecBundle, data: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = specs
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.data.update(data)
        workflow.task_tree.data.update(data)
        return workflow

    def restore(self, specs: SpecBundle, state: bytes) -> BpmnWorkflow:
        workflow = load_state(state, specs)
        workflow.script_engine = self.script_engine
        return workflow

    @staticmethod
    def snapshot(workflow: BpmnWorkflow) -> bytes:
        return dump_state(workflow)

    def advance(
        self, workflow: BpmnWorkflow, context: ServiceContext | None = None
    ) -> StepFailure | None:
        """Run engine steps until only human work, timers or an error remain.

        Service tasks run on the way receive `context` (the command's transaction).
        """
        budget = _StepBudget(self.max_steps, self.max_depth)
        failure = None
        try:
            with service_context(context):
                workflow.do_engine_steps(will_complete_task=budget.step)
        except _OverBudget as over:
            failure = StepFailure(spec_id=_spec_id(over.task), message=over.message)
        except SpiffWorkflowException as err:
            failed = getattr(err, "task", None)
            spec_id = _spec_id(failed) if failed is not None else "?"
            failure = StepFailure(spec_id=spec_id, message=_message(err))
        except Exception as err:  # SpiffWorkflow's own bugs and odd BPMN: one line, no trace
            failed = budget.last_task
            spec_id = _spec_id(failed) if failed is not None else "?"
            kind = "" if type(err) is Exception else f"{type(err).__name__}: "
            failure = StepFailure(spec_id=spec_id, message=f"{kind}{err}")
        try:
            self._schedule_new_timers(workflow)
        except Exception as err:  # a timer expression that is no date or duration
            if failure is None:
                failure = StepFailure(spec_id="?", message=f"a timer could not be set: {err}")
        return failure

    def complete_human_task(self, workflow: BpmnWorkflow, task_id: str, data: dict) -> None:
        task = self.human_task(workflow, task_id)
        task.data.update(data)
        task.run()

    def human_task(self, workflow: BpmnWorkflow, task_id: str) -> Any:
        task = _find_task(workflow, task_id)
        if not task.task_spec.manual:
            raise InvalidState(f"task {task_id} is not a human task")
        if task.state != TaskState.READY:
            raise InvalidState(f"task {task_id} is {TaskState.get_name(task.state).lower()}")
        return task

    def decide(
        self, workflow: BpmnWorkflow, task_id: str, element_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Run the table of business rule task `element_id` on human task `task_id`'s data
        with `data` laid over it; the workflow is left as it was."""
        spec = _task_spec(workflow, element_id)
        engine = getattr(spec, "dmnEngine", None)
        if engine is None:
            raise InvalidState(f"'{element_id}' is not a business rule task")
        probe = copy.copy(_find_task(workflow, task_id))
        probe.data = {**probe.data, **data}
        try:
            return dict(engine.result(probe))
        except Exception as err:  # a table failing on these data decides nothing
            raise InvalidState(f"the table of '{element_id}' failed on this data: {err}") from err

    @staticmethod
    def data_of(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        """A task's data, whatever its state (a signed task waiting to be signed again)."""
        return dict(_find_task(workflow, task_id).data)

    @staticmethod
    def is_done(workflow: BpmnWorkflow, task_id: str) -> bool:
        """Whether the task ran already (a human task whose work the process has taken)."""
        return _find_task(workflow, task_id).state == TaskState.COMPLETED

    def fire_timer(self, workflow: BpmnWorkflow, task_id: str) -> str:
        """Fire a waiting timer; return the timer's BPMN id.

        A cycle timer (R3/PT1H) fires once and waits again, due one period from now,
        until its repetitions are used up.
        """
        task = _find_task(workflow, task_id)
        if task.state != TaskState.WAITING:
            raise InvalidState(f"timer {task_id} is not waiting")
        cycle = spiff_internals.cycle_state(task)
        if cycle is None:
            spiff_internals.mark_timer_fired(task)
            workflow.refresh_timers()
            return _spec_id(task)
        spiff_internals.fire_cycle(task)
        workflow.refresh_timers()
        left = spiff_internals.cycle_state(task)
        if left is not None and left["cycles"] != 0:
            due = self.clock.now() + timedelta(seconds=cycle["duration"])
            spiff_internals.schedule_cycle(task, due, left["cycles"], cycle["duration"])
        return _spec_id(task)

    def start_schedule(
        self, specs: SpecBundle, now: datetime
    ) -> tuple[datetime, int, float | None] | None:
        """When a process whose start event is a timer is first due, how many times it
        starts (-1: for ever), and its period; None for a process that starts otherwise."""
        definition = events.start_timer(specs)
        if definition is None:
            return None
        expression = self.script_engine.environment.evaluate(definition.expression, {})
        if isinstance(definition, CycleTimerEventDefinition):
            cycles, due, every = _cycle(expression, now)
            return due, cycles, every.total_seconds()
        if isinstance(definition, DurationTimerEventDefinition):
            duration = TimerEventDefinition.parse_iso_duration(expression)
            return now + TimerEventDefinition.get_timedelta_from_start(duration, now), 1, None
        return TimeDateEventDefinition.get_datetime(expression), 1, None

    def fire_start_event(self, workflow: BpmnWorkflow) -> str | None:
        """Fire the timer start event a new instance waits at, once (a cycle's next
        occurrence is another instance); return its BPMN id, None if there is none."""
        for task in _timer_tasks(workflow):
            if not isinstance(task.task_spec, StartEvent) or task.workflow is not workflow:
                continue
            cycle = spiff_internals.cycle_state(task)
            if cycle is not None:
                spiff_internals.schedule_cycle(task, self.clock.now(), 1, cycle["duration"])
                spiff_internals.fire_cycle(task)
            else:
                spiff_internals.mark_timer_fired(task)
            workflow.refresh_timers()
            return _spec_id(task)
        return None

    @staticmethod
    def reset_failed_tasks(workflow: BpmnWorkflow, data: dict[str, Any]) -> list[str]:
        """Make every failed task runnable again, with `data` merged in; return their ids."""
        failed = workflow.get_tasks(state=TaskState.ERROR)
        for task in failed:
            task.data.update(data)
            spiff_internals.make_ready(task)
        return [_spec_id(task) for task in failed]

    @staticmethod
    def failed_task_data(workflow: BpmnWorkflow) -> dict[str, Any]:
        """The data the (first) failed task ran with: what a retry starts from."""
        failed = workflow.get_tasks(state=TaskState.ERROR)
        return dict(failed[0].data) if failed else {}

    @staticmethod
    def cancel(workflow: BpmnWorkflow) -> None:
        workflow.cancel()

    @staticmethod
    def latest_data(workflow: BpmnWorkflow) -> dict[str, Any]:
        """What the workflow knew last: its data, and that of its last completed task."""
        last = workflow.last_task.data if workflow.last_task is not None else {}
        return {**workflow.data, **last}

    @staticmethod
    def is_completed(workflow: BpmnWorkflow) -> bool:
        return workflow.is_completed()

    @staticmethod
    def end_reached(workflow: BpmnWorkflow) -> str | None:
        """The BPMN id of the end event a completed workflow reached last (its outcome:
        "Refused: customer blocked", "Order released for delivery", ...)."""
        ends = [
            task
            for task in workflow.get_tasks(state=TaskState.COMPLETED)
            if isinstance(task.task_spec, EndEvent) and task.workflow is workflow
        ]
        if not ends:
            return None
        return max(ends, key=lambda task: task.last_state_change).task_spec.bpmn_id

    @staticmethod
    def element_name(workflow: BpmnWorkflow, bpmn_id: str) -> str | None:
        """The name the BPMN gives one of the process's own elements, if any."""
        spec = workflow.spec.task_specs.get(bpmn_id)
        return getattr(spec, "bpmn_name", None) or None

    @staticmethod
    def ready_human_tasks(workflow: BpmnWorkflow) -> list[HumanTaskInfo]:
        tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
        return [
            HumanTaskInfo(
                task_id=str(task.id),
                spec_id=_spec_id(task),
                name=task.task_spec.bpmn_name or _spec_id(task),
                lane=task.task_spec.lane,
                due_at=_boundary_due(task),
            )
            for task in tasks
        ]

    @staticmethod
    def waiting_timers(workflow: BpmnWorkflow) -> list[TimerInfo]:
        return [
            TimerInfo(task_id=str(task.id), spec_id=_spec_id(task), due_at=due)
            for task in _timer_tasks(workflow)
            if spiff_internals.is_scheduled(task)
            and (due := spiff_internals.timer_due(task)) is not None
        ]

    @staticmethod
    def timer_ids(workflow: BpmnWorkflow) -> set[str]:
        """Ids of the timers waiting now (to compare with after a change)."""
        return {timer.task_id for timer in Runtime.waiting_timers(workflow)}

    def _schedule_new_timers(self, workflow: BpmnWorkflow) -> None:
        """Set each new timer's due time from our clock, so tests can move time."""
        now = self.clock.now()
        for task in _timer_tasks(workflow):
            if spiff_internals.is_scheduled(task):
                continue
            definition = _timer_definition(task)
            expression = self.script_engine.evaluate(task, definition.expression)
            if isinstance(definition, CycleTimerEventDefinition):
                cycles, due, every = _cycle(expression, now)
                spiff_internals.schedule_cycle(task, due, cycles, every.total_seconds())
                continue
            if isinstance(definition, DurationTimerEventDefinition):
                duration = TimerEventDefinition.parse_iso_duration(expression)
                due = now + TimerEventDefinition.get_timedelta_from_start(duration, now)
            else:
                due = TimeDateEventDefinition.get_datetime(expression)
            spiff_internals.schedule_timer(task, due)


def _timer_tasks(workflow: BpmnWorkflow) -> list[Any]:
    # SpiffWorkflow keeps the waiting events at hand: no walk over the task tree, which
    # cost several per command.
    return [
        task
        for task in spiff_internals.waiting_events(workflow)
        if _timer_definition(task) is not None
    ]


def _timer_definition(task: Any) -> TimerEventDefinition | None:
    """The timer a task waits for: its own, or the timer branch of an
    event-based gateway (whose events are one MultipleEventDefinition)."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        timers = [d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)]
        return timers[0] if timers else None
    return None


def _cycle(expression: str, now: datetime) -> tuple[int, datetime, timedelta]:
    """(repetitions, first due time, period) of an ISO 8601 cycle, from our clock.

    `R3/PT1H` is due one period from now; `R3/2026-01-01T08:00Z/PT1H` at its start.
    """
    cycles, start, every = TimerEventDefinition.parse_iso_recurring_interval(expression)
    explicit_start = "/" in expression and len(expression.strip().split("/")) == 3
    return cycles, (start if explicit_start else now + every), every


def _boundary_due(task: Any) -> datetime | None:
    """The earliest timer attached to this task, which is its due time."""
    dues = [
        due
        for event in spiff_internals.boundary_events(task)
        if event.state == TaskState.WAITING
        and isinstance(getattr(event.task_spec, "event_definition", None), TimerEventDefinition)
        and (due := spiff_internals.timer_due(event)) is not None
    ]
    return min(dues, default=None)


def _find_task(workflow: BpmnWorkflow, task_id: str) -> Any:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, SpiffWorkflowException):
        task = None
    if task is None:
        raise NotFound(f"task {task_id} is not part of this instance")
    return task


def _task_spec(workflow: BpmnWorkflow, element_id: str) -> Any:
    for process_spec in (workflow.spec, *workflow.subprocess_specs.values()):
        for spec in process_spec.task_specs.values():
            if getattr(spec, "bpmn_id", None) == element_id:
                return spec
    raise NotFound(f"no element '{element_id}' in this process")


def _spec_id(task: Any) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def _message(err: SpiffWorkflowException) -> str:
    notes = [n for n in getattr(err, "notes", []) if n]
    return "; ".join([str(err.args[0]) if err.args else str(err), *notes])
