"""Convert specs and workflow state to and from storable form.

A workflow's state is stored without its spec: the spec lives once per process
version and is handed back in on restore (SpiffWorkflow's converter registry is
the injection point). State is compact JSON, compressed, because most of it is
repetitive task-tree bookkeeping.
"""

from __future__ import annotations

import json
import zlib
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .decisions import RecordedBusinessRuleTaskConverter
from .spiff_internals import state_encoder

SpecBundle = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]
_VERSION_KEY = "serializer_version"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serialize a top-level workflow without its specs; restore it with given ones."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], specs: SpecBundle | None = None) -> BpmnWorkflow:
        if specs is None:
            raise ValueError("a stored workflow can only be restored with its version's specs")
        spec, subprocess_specs = specs
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_REGISTRY = BpmnWorkflowSerializer.configure(
    {
        **SPIFF_CONFIG,
        BpmnWorkflow: SpeclessWorkflowConverter,
        BusinessRuleTask: RecordedBusinessRuleTaskConverter,  # decisions on the record
    }
)
_ENCODER = state_encoder(_REGISTRY)


def spec_to_dict(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> dict:
    """Return a JSON-ready dict of a process spec and the subprocess specs it calls."""
    return {
        "spec": _REGISTRY.convert(spec),
        "subprocess_specs": {name: _REGISTRY.convert(s) for name, s in subprocess_specs.items()},
    }


def spec_from_dict(data: dict) -> SpecBundle:
    """Restore what `spec_to_dict` produced."""
    # restore() consumes parts of the dict it is given, so hand it a copy.
    data = json.loads(json.dumps(data))
    spec = _REGISTRY.restore(data["spec"])
    subprocess_specs = {name: _REGISTRY.restore(s) for name, s in data["subprocess_specs"].items()}
    return spec, subprocess_specs


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Return the workflow's runtime state, without its spec, as compressed JSON."""
    state = _REGISTRY.convert(workflow)
    state[_VERSION_KEY] = VERSION
    text = json.dumps(state, separators=(",", ":"), cls=_ENCODER)
    return zlib.compress(text.encode("utf-8"), 6)


def load_state(blob: bytes, specs: SpecBundle) -> BpmnWorkflow:
    """Rebuild a workflow from `dump_state` output and its version's specs."""
    state = json.loads(zlib.decompress(blob))
    version = state.pop(_VERSION_KEY, VERSION)
    if version in MIGRATIONS:  # stored by an older SpiffWorkflow: upgrade it first
        MIGRATIONS[version](state)
    return _REGISTRY.restore(state, specs=specs)
