"""Every process in bpmn/ carries its diagram (DI), so bpmn-js draws it as its owner sees
it; a file written without one gets one before the modeler opens it; a diagram never
changes what the process does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.definitions import SourceFile, parse_definitions
from web.bpmn_layout import DC_NS, DD_NS, DI_NS, has_di, with_layout
from web.bpmn_routes import route
from web.diagram import BPMN_NS

ROOT = Path(__file__).resolve().parents[2]
BPMN = sorted((ROOT / "bpmn").glob("*.bpmn"))
FLOW_NODES = (
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "startEvent",
    "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "lane",
)  # fmt: skip


def without_di(text: str) -> str:
    root = etree.fromstring(text.encode())
    for diagram in root.findall(f"{{{DI_NS}}}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def missing_di(text: str) -> list[str]:
    """The flow nodes, lanes and sequence flows the file's diagrams do not place."""
    root = etree.fromstring(text.encode())
    shapes = {
        s.get("bpmnElement")
        for s in root.iter(f"{{{DI_NS}}}BPMNShape")
        if s.find(f"{{{DC_NS}}}Bounds") is not None
    }
    edges = {
        e.get("bpmnElement")
        for e in root.iter(f"{{{DI_NS}}}BPMNEdge")
        if len(e.findall(f"{{{DD_NS}}}waypoint")) >= 2
    }
    nodes = [e.get("id") for kind in FLOW_NODES for e in root.iter(f"{{{BPMN_NS}}}{kind}")]
    flows = [e.get("id") for e in root.iter(f"{{{BPMN_NS}}}sequenceFlow")]
    return [n for n in nodes if n not in shapes] + [f for f in flows if f not in edges]


def behaviour(text: str, path: Path) -> list[dict]:
    """What SpiffWorkflow makes of the file. It tries an exclusive gateway's conditions from
    the top of the diagram down and its default way last whatever its place: so the
    conditions' order counts, the default's place does not."""
    dmn = [SourceFile.read(p) for p in path.parent.glob(f"{path.stem}.*.dmn")]
    specs = []
    for definition in parse_definitions([SourceFile(path.name, text.encode()), *dmn]):
        tasks = {}
        for name, task in definition.spec["spec"]["task_specs"].items():
            task = dict(task)
            if task.get("default_task_spec"):
                task["outputs"] = sorted(task["outputs"])
                task["cond_task_specs"] = [c for c in task["cond_task_specs"] if c["condition"]]
            tasks[name] = task
        specs.append(tasks)
    return specs


@pytest.mark.parametrize("path", BPMN, ids=lambda p: p.stem)
def test_every_process_places_every_element_and_flow(path):
    assert missing_di(path.read_text()) == []


@pytest.mark.parametrize("path", BPMN, ids=lambda p: p.stem)
def test_the_diagram_changes_nothing_the_process_does(path):
    text = path.read_text()
    assert behaviour(text, path) == behaviour(without_di(text), path)


@pytest.mark.parametrize("path", BPMN, ids=lambda p: p.stem)
def test_a_file_without_a_diagram_gets_a_complete_one_and_stays_the_same_process(path):
    bare = without_di(path.read_text())
    assert not has_di(bare)
    laid_out = with_layout(bare)
    assert missing_di(laid_out) == []
    assert behaviour(laid_out, path) == behaviour(bare, path)
    assert with_layout(laid_out) == laid_out  # a diagram the owner drew is kept


def test_a_subprocess_is_drawn_collapsed_with_its_inside_on_a_plane_of_its_own():
    path = ROOT / "tests" / "fixtures" / "events" / "refund_in_subprocess.bpmn"
    laid_out = with_layout(without_di(path.read_text()))
    assert missing_di(laid_out) == []
    root = etree.fromstring(laid_out.encode())
    planes = {p.get("bpmnElement") for p in root.iter(f"{{{DI_NS}}}BPMNPlane")}
    subprocesses = {s.get("id") for s in root.iter(f"{{{BPMN_NS}}}subProcess")}
    assert subprocesses and subprocesses <= planes


def test_a_flow_goes_round_a_shape_in_its_way():
    source, target, between = (0, 0, 100, 80), (400, 0, 100, 80), (200, 0, 100, 80)
    assert route(source, target) == [(100, 40), (400, 40)]
    detour = route(source, target, obstacles=[source, target, between])
    assert all(not 0 < y < 80 for _, y in detour[1:-1])  # not along the row it would cross
