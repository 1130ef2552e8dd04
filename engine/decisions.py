"""DMN decisions on the record: every decision table a process evaluates leaves an event.

SpiffWorkflow evaluates a business rule task with the `DMNEngine` its spec holds
(SpiffWorkflow/dmn/engine/DMNEngine.py); the spec is rebuilt from our stored
form by the serializer's converter registry, which is the injection point: our
converter gives each business rule task a `RecordedDMNEngine`. After deciding,
it hands the verdict to the business trail of the command running the step
(engine/changes.py), as a `decision` event whose details are:

    element        the business rule task's BPMN id; task_name its name
    table          the decision table's id; table_name its name
    table_digest   SHA-256 (first 16 hex digits) of the table's inputs, rules and outputs:
                   which version of the table decided, across process versions
    process_version  the deployed process version (added by the trail)
    hit_policy     UNIQUE, FIRST, COLLECT, ...
    inputs         [{"label", "expression", "value"}] as evaluated on the task's data
    rules          [{"row", "id", "description"}] the rule that decided (every matching
                   rule under COLLECT)
    outputs        what the table returned (merged into the task's data)
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from functools import cached_property
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.model import HitPolicy
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter

from .scripting import current_context

_matched: ContextVar[tuple[Any, ...]] = ContextVar("dmn_matched_rules", default=())


class RecordedDMNEngine(DMNEngine):
    """SpiffWorkflow's DMN engine, which also records each decision it takes."""

    def decide(self, task: Any) -> list[Any]:
        rules = super().decide(task)
        _matched.set(tuple(rules))  # for result(), which calls this once per decision
        return rules

    def result(self, task: Any) -> dict[str, Any]:
        outputs = super().result(task)
        context = current_context()
        if context is not None and context.trail is not None:
            context.trail.decision(self.describe(task, _matched.get(), outputs))
        return outputs

    def describe(
        self, task: Any, matched: tuple[Any, ...], outputs: dict[str, Any]
    ) -> dict[str, Any]:
        """The decision as the trail records it (the shape is in the module docstring)."""
        table = self.decision_table
        # Every matching rule gives an output only under COLLECT; otherwise the first decides.
        rules = matched if table.hit_policy == HitPolicy.COLLECT.value else matched[:1]
        return _plain(
            {
                "element": getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name,
                "task_name": getattr(task.task_spec, "bpmn_name", None),
                "table": table.id,
                "table_name": table.name,
                "table_digest": self.digest,
                "hit_policy": table.hit_policy,
                "inputs": [_input(task, entry) for entry in table.inputs],
                "rules": [
                    {"row": rule.row_number, "id": rule.id, "description": rule.description or None}
                    for rule in rules
                ],
                "outputs": outputs,
            }
        )

    @cached_property
    def digest(self) -> str:
        table = self.decision_table
        content = {
            "inputs": [(i.label, i.expression) for i in table.inputs],
            "outputs": [(o.label, o.name) for o in table.outputs],
            "rules": [
                ([e.lhs for e in rule.inputEntries], [e.text for e in rule.outputEntries])
                for rule in table.rules
            ],
            "hit_policy": table.hit_policy,
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class RecordedBusinessRuleTaskConverter(BusinessRuleTaskConverter):
    """Restore business rule tasks with a RecordedDMNEngine (stored form unchanged)."""

    def from_dict(self, dct: dict[str, Any]) -> Any:
        table = self.decision_table_from_dict(dct.pop("decision_table"))
        dct["dmnEngine"] = RecordedDMNEngine(table)
        return self.task_spec_from_dict(dct)


def _input(task: Any, entry: Any) -> dict[str, Any]:
    expression = entry.expression
    try:
        if expression:
            value = task.workflow.script_engine.evaluate(task, expression)
        else:
            value = task.data.get(entry.label)
    except Exception as err:  # the decision itself already evaluated it; record why not here
        value = f"<{type(err).__name__}>"
    return {"label": entry.label, "expression": expression, "value": value}


def _plain(value: Any) -> Any:
    """JSON-ready (the audit trail stores and hashes JSON)."""
    return json.loads(json.dumps(value, default=str))
