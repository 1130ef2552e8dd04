"""Convert specs and workflow state to and from storable form.

A workflow's state is stored without its spec: the spec lives once per process
version and is handed back in on restore (SpiffWorkflow's converter registry is
the injection point). State is compact JSON, compressed, because most of it is
repetitive task-tree bookkeeping.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.helpers.spec import BpmnDataSpecificationConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.data_spec import DataObject as PlainDataObject
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .decisions import RecordedBusinessRuleTaskConverter
from .errors import InvalidState
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


class KeyedRegistry(DefaultRegistry):
    """SpiffWorkflow's registry, keeping dictionary keys that are not text.

    JSON objects have text keys only: {0: 2} would come back as {'0': 2}. A dict
    with any other key is stored as its list of pairs instead (`keep_keys`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.convert_from_dict[_KEYED] = self._restore_keyed
        # Values the script sandbox hands out (datetime, decimal) that SpiffWorkflow's
        # registry does not store; datetime, timedelta and UUID it does. Restoring
        # one runs only fromisoformat/Decimal on text, never code from the state.
        self.register(date, _iso, lambda v: date.fromisoformat(v["value"]), "raciflow.date")
        self.register(time, _iso, lambda v: time.fromisoformat(v["value"]), "raciflow.time")
        self.register(Decimal, _text, lambda v: Decimal(v["value"]), "raciflow.Decimal")

    def keep_keys(self, value: Any) -> Any:
        """`value` with every dict that has a non-text key made into a list of pairs."""
        kind = type(value)
        if kind is dict:
            if all(type(key) is str for key in value):
                return {key: self.keep_keys(item) for key, item in value.items()}
            pairs = [[self.keep_keys(k), self.keep_keys(v)] for k, v in value.items()]
            return {"typename": _KEYED, "pairs": pairs}
        if kind is list or kind is tuple:
            return [self.keep_keys(item) for item in value]
        return value

    def _restore_keyed(self, dct: dict[str, Any], **kwargs: Any) -> dict[Any, Any]:
        return {_key(self.restore(k, **kwargs)): self.restore(v, **kwargs) for k, v in dct["pairs"]}


_KEYED = "raciflow.KeyedDict"


def _iso(value: date | time) -> dict[str, str]:
    return {"value": value.isoformat()}


def _text(value: Decimal) -> dict[str, str]:
    return {"value": str(value)}


def _key(value: Any) -> Any:
    """A key as it was: a tuple key comes back from JSON as a list."""
    return tuple(_key(item) for item in value) if isinstance(value, list) else value


class PlainDataObjectConverter(BpmnDataSpecificationConverter):
    """SpiffWorkflow's spiff parser makes the data objects of an ad-hoc subprocess with
    the plain BPMN class, which its spiff serializer config no longer knows: any spec
    with one failed to store ("Object of type DataObject is not JSON serializable").
    Its own name keeps it apart from the spiff DataObject's ("DataObject")."""

    def __init__(self, target_class: type, registry: Any, typename: str | None = None) -> None:
        super().__init__(target_class, registry, "raciflow.PlainDataObject")


_REGISTRY = BpmnWorkflowSerializer.configure(
    {
        **SPIFF_CONFIG,
        PlainDataObject: PlainDataObjectConverter,
        BpmnWorkflow: SpeclessWorkflowConverter,
        BusinessRuleTask: RecordedBusinessRuleTaskConverter,  # decisions on the record
    },
    registry=KeyedRegistry(),
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
    _keep_data_keys(state)
    state[_VERSION_KEY] = VERSION
    try:
        text = json.dumps(state, separators=(",", ":"), cls=_ENCODER).encode("utf-8")
    except (TypeError, ValueError) as err:  # e.g. a service returned a set
        raise UnstorableState(f"the case's data cannot be stored: {err}") from err
    blob = zlib.compress(text, 6)
    if len(blob) <= _REMEMBERED_BLOB:
        _RECENT_TEXT_SIZES[blob] = len(text)
        if len(_RECENT_TEXT_SIZES) > _RECENT_SIZES_KEPT:
            _RECENT_TEXT_SIZES.popitem(last=False)
    return blob


# The text sizes of the states dumped last: the workflow cache weighs a state just
# dumped by its text without decompressing it again. Small states only, and few: this
# holds at most 1 MiB of them.
_RECENT_TEXT_SIZES: OrderedDict[bytes, int] = OrderedDict()
_RECENT_SIZES_KEPT = 16
_REMEMBERED_BLOB = 64 * 1024


def state_text_size(blob: bytes, largest: int) -> int | None:
    """The length of the JSON text `blob` (from `dump_state`) holds, or None if over
    `largest`: at most that much is decompressed to find out."""
    size = _RECENT_TEXT_SIZES.get(blob)
    if size is None:
        try:
            size = len(zlib.decompressobj().decompress(blob, largest + 1))
        except zlib.error:
            return None
    return None if size > largest else size


def as_stored(values: dict[str, Any]) -> dict[str, Any]:
    """`values` as a restore of the saved state gives them back (a tuple as a list), or
    ValueError saying which one cannot be saved.

    The same conversion the save makes, so a script that leaves, say, a frozenset or
    bytes fails at its own step with this reason, instead of the whole command later;
    and a workflow kept in memory (engine/workflow_cache.py) holds what a restored one
    would.
    """
    stored = {}
    for name, value in values.items():
        try:
            text = json.dumps(_REGISTRY.keep_keys(_REGISTRY.convert(value)), cls=_ENCODER)
        except (TypeError, ValueError) as err:
            raise ValueError(f"'{name}' cannot be stored with the case: {err}") from err
        stored[name] = _REGISTRY.restore(json.loads(text))
    return stored


class UnstorableState(InvalidState):
    """Workflow state that JSON cannot hold (a value no converter knows): the command
    changes nothing and says so in one line."""


def _keep_data_keys(state: dict[str, Any]) -> None:
    """Task data is written as JSON as it is: keep its non-text dict keys (KeyedRegistry).

    Only what holds data is walked: the workflow's data, the root task's, and
    each task's delta of updates (small), in the workflow and its subprocesses.
    """
    keep = _REGISTRY.keep_keys
    state["data"] = keep(state.get("data", {}))
    for task in state.get("tasks", {}).values():
        if task.get("data"):
            task["data"] = keep(task["data"])
        updates = (task.get("delta") or {}).get("updates")
        if updates:
            task["delta"]["updates"] = keep(updates)
    for subprocess in state.get("subprocesses", {}).values():
        _keep_data_keys(subprocess)


def load_state(blob: bytes, specs: SpecBundle) -> BpmnWorkflow:
    """Rebuild a workflow from `dump_state` output and its version's specs."""
    state = json.loads(zlib.decompress(blob))
    version = state.pop(_VERSION_KEY, VERSION)
    if version in MIGRATIONS:  # stored by an older SpiffWorkflow: upgrade it first
        MIGRATIONS[version](state)
    return _REGISTRY.restore(state, specs=specs)


def converter_registry() -> DefaultRegistry:
    """The converters specs and state go through (SpiffWorkflow's diff compares with them)."""
    return _REGISTRY
