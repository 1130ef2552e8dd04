"""How large a process may be: checked on the BPMN XML at deploy, before parsing it further.

Every element of a process costs at every step of every instance (SpiffWorkflow
walks the task tree) and on its diagram (graphviz lays out every node), so a
process with 10,000 parallel user tasks took 15 s to start and more than 30 s
to draw. What the XML shows statically is bounded here; the element count also
bounds what nesting can multiply. A multi-instance cardinality computed from
data is not known until it runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .errors import InvalidDefinition

BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
FLOW_NODES = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway",
}  # fmt: skip
# Their outgoing flows are alternatives, one taken: not parallel branches.
CHOICES = {"exclusiveGateway", "eventBasedGateway"}


@dataclass(frozen=True)
class ProcessLimits:
    """The largest process deploy accepts (settings RACIFLOW_MAX_PROCESS_*)."""

    max_elements: int = 500  # flow nodes of one process, its subprocesses included
    max_parallel_branches: int = 25  # outgoing flows of one element taken together
    max_instances: int = 100  # a multi-instance activity's literal loopCardinality


def check_process_size(root: Any, file_name: str, limits: ProcessLimits) -> None:
    """Raise InvalidDefinition naming the first process or element over `limits`."""
    for process in root.iter(f"{BPMN_NS}process"):
        nodes = [node for node in process.iter() if _kind(node) in FLOW_NODES]
        if len(nodes) > limits.max_elements:
            raise InvalidDefinition(
                f"process has {len(nodes)} elements; the limit is {limits.max_elements}",
                file_name=file_name,
                line=process.sourceline,
                element_id=process.get("id"),
            )
        outgoing = Counter(flow.get("sourceRef") for flow in process.iter(f"{BPMN_NS}sequenceFlow"))
        for node in nodes:
            _check_node(node, outgoing[node.get("id")], file_name, limits)


def _check_node(node: Any, outgoing: int, file_name: str, limits: ProcessLimits) -> None:
    if _kind(node) not in CHOICES and outgoing > limits.max_parallel_branches:
        raise InvalidDefinition(
            f"element opens {outgoing} parallel branches;"
            f" the limit is {limits.max_parallel_branches}",
            file_name=file_name,
            line=node.sourceline,
            element_id=node.get("id"),
        )
    cardinality = node.find(f"{BPMN_NS}multiInstanceLoopCharacteristics/{BPMN_NS}loopCardinality")
    text = (cardinality.text or "").strip() if cardinality is not None else ""
    if text.isdigit() and int(text) > limits.max_instances:
        raise InvalidDefinition(
            f"multi-instance activity runs {int(text)} instances;"
            f" the limit is {limits.max_instances}",
            file_name=file_name,
            line=cardinality.sourceline,
            element_id=node.get("id"),
        )


def _kind(node: Any) -> str:
    tag = node.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
