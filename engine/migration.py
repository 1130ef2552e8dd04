"""Move a running instance to a newer version of its process, where SpiffWorkflow says it is safe.

SpiffWorkflow's `diff_workflow` aligns the instance's tasks with the new version's
specs (by BPMN id); `migrate_workflow` swaps the specs in and re-predicts the path
ahead of each ready or waiting task. The instance may move only if nothing it has
done or is doing would be lost or changed under its feet:

- every task it has (done, open or predicted) still exists in the new version;
- the specs of its open tasks are unchanged (the work in progress stays the same work);
- the RACI rows of its open user tasks are unchanged (who may work and sign stays put);
- it runs no subprocess, and waits on no timer (a timer would start counting again);
- it is running, waiting, or stopped on an error (not finished or cancelled): a failed
  step moves with the rest, and runs as the new version has it when retried.

Each refusal is a reason people read (a Message); nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from raci.matrix import RaciMatrix
from raci.messages import N_, Message

from .serialization import SpecBundle, converter_registry

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class MigrationPlan:
    """Whether an instance can move, why not, and (if it can) the diff to apply."""

    reasons: list[Message]
    diff: Any = None

    @property
    def movable(self) -> bool:
        return not self.reasons


def plan_migration(
    workflow: BpmnWorkflow,
    new_specs: SpecBundle,
    *,
    old_matrix: RaciMatrix | None,
    new_matrix: RaciMatrix | None,
    timers: Iterable[str] = (),
) -> MigrationPlan:
    """Check `workflow` against `new_specs`; the plan holds the reasons it may not move."""
    reasons: list[Message] = []
    if workflow.subprocesses:
        reasons.append(Message(N_("it runs a subprocess")))
    if list(timers):
        reasons.append(Message(N_("it waits on a timer, which would start counting again")))
    spec, subprocess_specs = new_specs
    diff, _ = diff_workflow(converter_registry(), workflow, spec, subprocess_specs)
    for task in diff.removed:
        reasons.append(
            Message(N_("its step '%(task)s' is not in the new version"), task=_name(task))
        )
    for task in diff.changed:
        if task.state & OPEN:
            reasons.append(
                Message(
                    N_("its open step '%(task)s' is changed in the new version"), task=_name(task)
                )
            )
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED, manual=True):
        if _row(old_matrix, task) != _row(new_matrix, task):
            reasons.append(
                Message(
                    N_("the RACI row of its open task '%(task)s' is changed in the new version"),
                    task=_name(task),
                )
            )
    unique = list({str(reason): reason for reason in reasons}.values())
    return MigrationPlan(unique, diff if not unique else None)


def migrate(workflow: BpmnWorkflow, plan: MigrationPlan, new_specs: SpecBundle) -> None:
    """Apply a movable plan: the workflow runs on the new specs from here on."""
    if not plan.movable:
        raise ValueError("this instance cannot be migrated")
    spec, subprocess_specs = new_specs
    migrate_workflow(plan.diff, workflow, spec)
    workflow.subprocess_specs = subprocess_specs


def _name(task: Any) -> str:
    spec = task.task_spec
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _row(matrix: RaciMatrix | None, task: Any) -> Any:
    if matrix is None:
        return None
    spec = task.task_spec
    row = matrix.row_for(
        getattr(spec, "bpmn_id", None) or spec.name, getattr(spec, "bpmn_name", None)
    )
    return None if row is None else (row.cells, row.rules)
