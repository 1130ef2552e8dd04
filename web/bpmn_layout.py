"""Give a BPMN file without diagram interchange (DI) a layout, so the modeler can draw it.

bpmn-js draws only what a file's BPMNDiagram places. The processes in bpmn/ were
written by hand, without one: before a draft of such a file opens in the modeler, its
elements are placed by graphviz (left to right, as the instance diagrams are) and the
shapes and edges written into the file. From then on the owner's own layout is kept.
Lanes, and the insides of subprocesses, are left without DI (bpmn-js then omits them).
"""

from __future__ import annotations

import json

from lxml import etree

from engine.safe_xml import parse_xml

from .diagram import BPMN_NS, DiagramLimits, Element, ProcessGraph, _read, _run_dot

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (100, 80)}
Bounds = tuple[float, float, float, float]  # x, y, width, height


def has_di(text: str) -> bool:
    return f"{{{DI_NS}}}BPMNDiagram" in {e.tag for e in parse_xml(text, "draft.bpmn").iter()}


def with_layout(text: str, limits: DiagramLimits | None = None) -> str:
    """`text` with a BPMNDiagram for each process that has none (unchanged otherwise)."""
    root = parse_xml(text, "draft.bpmn")
    if root.find(f"{{{DI_NS}}}BPMNDiagram") is not None:
        return text
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        graph = _read(process, process.get("id", ""))
        if graph.elements:
            root.append(_diagram(graph, _placed(graph, limits or DiagramLimits())))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def _size(element: Element) -> tuple[int, int]:
    if element.kind.endswith("Event"):
        return SIZES["event"]
    if element.kind.endswith("Gateway"):
        return SIZES["gateway"]
    return SIZES["task"]


def _placed(graph: ProcessGraph, limits: DiagramLimits) -> dict[str, Bounds]:
    """Each element's bounds, from `dot -Tjson` (points, y upwards) to pixels, y downwards."""
    lines = ["digraph G {", "rankdir=LR; nodesep=0.6; ranksep=0.7;"]
    for element in graph.elements.values():
        if element.attached_to:
            continue
        width, height = _size(element)
        lines.append(
            f'"{element.id}" [shape=box fixedsize=true width={width / 72} height={height / 72}];'
        )
    for flow in graph.flows:
        source, target = graph.elements.get(flow.source), graph.elements.get(flow.target)
        if source and target and not source.attached_to:
            lines.append(f'"{flow.source}" -> "{flow.target}";')
    laid = json.loads(_run_dot("\n".join(lines) + "}", limits.timeout, "json"))
    top = float(laid["bb"].split(",")[3])
    placed: dict[str, Bounds] = {}
    for node in laid.get("objects", []):
        element = graph.elements[node["name"]]
        x, y = (float(v) for v in node["pos"].split(","))
        width, height = _size(element)
        placed[element.id] = (x - width / 2 + 40, top - y - height / 2 + 40, width, height)
    hosts: dict[str, int] = {}
    for element in graph.elements.values():
        if element.attached_to in placed:
            hx, hy, hw, hh = placed[element.attached_to]
            count = hosts[element.attached_to] = hosts.get(element.attached_to, 0) + 1
            placed[element.id] = (hx + hw - 18 - 40 * count + 22, hy + hh - 18, 36, 36)
    return placed


def _diagram(graph: ProcessGraph, placed: dict[str, Bounds]) -> etree._Element:
    diagram = etree.Element(
        f"{{{DI_NS}}}BPMNDiagram",
        id=f"diagram_{graph.process_id}",
        nsmap={"bpmndi": DI_NS, "dc": DC_NS, "di": DD_NS},
    )
    plane = etree.SubElement(
        diagram,
        f"{{{DI_NS}}}BPMNPlane",
        id=f"plane_{graph.process_id}",
        bpmnElement=graph.process_id,
    )
    for element_id, (x, y, width, height) in placed.items():
        shape = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id
        )
        if graph.elements[element_id].kind == "subProcess":
            shape.set("isExpanded", "false")
        etree.SubElement(
            shape, f"{{{DC_NS}}}Bounds", x=_n(x), y=_n(y), width=_n(width), height=_n(height)
        )
    for flow in graph.flows:
        if flow.source not in placed or flow.target not in placed:
            continue
        edge = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id
        )
        for x, y in _route(placed[flow.source], placed[flow.target]):
            etree.SubElement(edge, f"{{{DD_NS}}}waypoint", x=_n(x), y=_n(y))
    return diagram


def _route(source: Bounds, target: Bounds) -> list[tuple[float, float]]:
    """Right side to left side, with an elbow when the two are not level; a flow going
    back (a loop) leaves from below and comes in from below."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    start, end = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
    if tx >= sx + sw:
        if abs(start[1] - end[1]) < 1:
            return [start, end]
        middle = (start[0] + end[0]) / 2
        return [start, (middle, start[1]), (middle, end[1]), end]
    below = max(sy + sh, ty + th) + 30
    return [
        (sx + sw / 2, sy + sh),
        (sx + sw / 2, below),
        (tx + tw / 2, below),
        (tx + tw / 2, ty + th),
    ]


def _n(value: float) -> str:
    return str(round(value))
