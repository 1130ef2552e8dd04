"""Give a BPMN file without diagram interchange (DI) a layout, so bpmn-js can draw it.

bpmn-js draws only what a file's BPMNDiagram places. The processes in bpmn/ were
written by hand, without one: `scripts/lay-out-bpmn` wrote theirs once with this
module (then checked by eye), and a draft of a file without DI gets one before it
opens in the modeler. From then on the owner's own layout is kept.

The layout: graphviz orders the elements left to right (its ranks give x, its order
within a rank which row comes first); each lane is a band across the whole width,
stacked in the order the laneSet lists them, with as many rows as its elements need;
boundary events sit on their activity's lower edge; a subprocess is drawn collapsed,
its inside on a plane of its own (bpmn-js drills down into it). The edges are
orthogonal (web/bpmn_routes.py).
"""

from __future__ import annotations

import json

from lxml import etree

from engine.safe_xml import parse_xml

from .bpmn_routes import Bounds, flow_label, route
from .diagram import BPMN_NS, DiagramLimits, Element, ProcessGraph, _read, _run_dot

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (130, 90)}
ROW = 140  # a row's height: a task, the label under an event or gateway, a gap
LANE_HEADER = 30  # the band at a lane's left where bpmn-js writes its name
MARGIN = 20
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}


def has_di(text: str) -> bool:
    return f"{{{DI_NS}}}BPMNDiagram" in {e.tag for e in parse_xml(text, "draft.bpmn").iter()}


def with_layout(text: str, limits: DiagramLimits | None = None) -> str:
    """`text` with a BPMNDiagram for each process that has none (unchanged otherwise)."""
    root = parse_xml(text, "draft.bpmn")
    if root.find(f"{{{DI_NS}}}BPMNDiagram") is not None:
        return text
    for diagram in diagrams(root, limits or DiagramLimits()):
        root.append(diagram)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def diagrams(root: etree._Element, limits: DiagramLimits) -> list[etree._Element]:
    """A BPMNDiagram per process of `root`, and one per subprocess inside it."""
    found = []
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        containers = [
            process,
            *(e for k in SUBPROCESSES for e in process.iter(f"{{{BPMN_NS}}}{k}")),
        ]
        for container in containers:
            graph = _read(container, container.get("id", ""))
            if graph.elements:
                found.append(_diagram(graph, *_placed(graph, limits)))
    return found


def _size(element: Element) -> tuple[int, int]:
    if element.kind.endswith("Event"):
        return SIZES["event"]
    if element.kind.endswith("Gateway"):
        return SIZES["gateway"]
    return SIZES["task"]


def _dot_positions(graph: ProcessGraph, limits: DiagramLimits) -> dict[str, tuple[float, float]]:
    """Each element's centre as graphviz lays it out (points, y downwards), lanes as clusters
    so that a lane's elements stay together; a boundary event's flows leave from its host."""
    host = {e.id: e.attached_to for e in graph.elements.values() if e.attached_to}
    lines = ["digraph G {", "rankdir=LR; newrank=true; nodesep=0.45; ranksep=0.55; ordering=out;"]
    in_lanes: set[str] = set()
    for number, (_, members) in enumerate(graph.lanes.values()):
        nodes = [m for m in members if m not in host]
        in_lanes.update(nodes)
        lines.append(f"subgraph cluster_{number} {{ {' '.join(json.dumps(n) for n in nodes)} }}")
    for element in graph.elements.values():
        if element.id not in host:
            width, height = _size(element)
            size = f"width={width / 72} height={height / 72}"
            lines.append(f"{json.dumps(element.id)} [shape=box fixedsize=true {size}];")
    for flow in graph.flows:
        source, target = host.get(flow.source, flow.source), flow.target
        if source in graph.elements and target in graph.elements and target not in host:
            lines.append(f"{json.dumps(source)} -> {json.dumps(target)};")
    laid = json.loads(_run_dot("\n".join(lines) + "}", limits.timeout, "json"))
    top = float(laid["bb"].split(",")[3])
    return {
        node["name"]: (float(node["pos"].split(",")[0]), top - float(node["pos"].split(",")[1]))
        for node in laid.get("objects", [])
        if "pos" in node
    }


def _rows(members: list[str], graph: ProcessGraph, at: dict[str, tuple[float, float]]) -> dict:
    """Put a lane's elements in rows: in graphviz's order top to bottom, each in the first
    row where it overlaps nothing."""
    rows: list[list[tuple[float, float]]] = []
    row_of: dict[str, int] = {}
    for element_id in sorted(members, key=lambda m: (at[m][1], at[m][0])):
        width = _size(graph.elements[element_id])[0]
        span = (at[element_id][0] - width / 2 - 10, at[element_id][0] + width / 2 + 10)
        for number, taken in enumerate(rows):
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
                row_of[element_id] = number
                break
        else:
            rows.append([span])
            row_of[element_id] = len(rows) - 1
    return row_of


def _placed(
    graph: ProcessGraph, limits: DiagramLimits
) -> tuple[dict[str, Bounds], dict[str, Bounds]]:
    """Each element's bounds and each lane's, in pixels."""
    at = _dot_positions(graph, limits)
    in_lanes = {m for _, members in graph.lanes.values() for m in members}
    bands = [(lane_id, members) for lane_id, (_, members) in graph.lanes.items()]
    loose = [e for e in at if e not in in_lanes]
    if loose:
        bands.append(("", loose))  # elements of no lane: a band of their own, unnamed
    left = MARGIN + (LANE_HEADER + 20 if graph.lanes else 0)
    placed: dict[str, Bounds] = {}
    lanes: dict[str, Bounds] = {}
    y = MARGIN
    for lane_id, members in bands:
        row_of = _rows([m for m in members if m in at], graph, at)
        for element_id, row in row_of.items():
            width, height = _size(graph.elements[element_id])
            centre = y + row * ROW + ROW / 2
            placed[element_id] = (
                left + at[element_id][0] - width / 2,
                centre - height / 2,
                width,
                height,
            )
        height = ROW * max(row_of.values(), default=0) + ROW
        if lane_id:
            lanes[lane_id] = (MARGIN, y, 0, height)  # the width once every element is placed
        y += height
    right = max((x + w for x, _, w, _ in placed.values()), default=left) + 40
    lanes = {k: (x, y, right - x, h) for k, (x, y, _, h) in lanes.items()}
    _keep_gateway_order(graph, placed)
    attached: dict[str, int] = {}
    for element in graph.elements.values():
        if element.attached_to in placed:
            hx, hy, hw, hh = placed[element.attached_to]
            count = attached[element.attached_to] = attached.get(element.attached_to, 0) + 1
            placed[element.id] = (hx + hw - 18 - 40 * count + 22, hy + hh - 18, 36, 36)
    return placed, lanes


def _keep_gateway_order(graph: ProcessGraph, placed: dict[str, Bounds]) -> None:
    """SpiffWorkflow tries a gateway's ways out from the top of the diagram down (the file's
    order when there is no diagram): targets side by side in one column swap rows until the
    top-down order is the file's, so that a diagram never changes which way is taken."""
    lane_of = {m: lane for lane, (_, members) in graph.lanes.items() for m in members}
    for element_id in graph.elements:
        targets = [f.target for f in graph.outgoing(element_id) if f.target in placed]
        columns = {placed[t][0] + placed[t][2] / 2 for t in targets}
        if len(targets) < 2 or len(columns) > 1 or len({lane_of.get(t) for t in targets}) > 1:
            continue
        middles = sorted(placed[t][1] + placed[t][3] / 2 for t in targets)
        for target, middle in zip(targets, middles, strict=True):
            x, _, width, height = placed[target]
            placed[target] = (x, middle - height / 2, width, height)


def _diagram(
    graph: ProcessGraph, placed: dict[str, Bounds], lanes: dict[str, Bounds]
) -> etree._Element:
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
    for lane_id, bounds in lanes.items():
        _shape(plane, lane_id, bounds).set("isHorizontal", "true")
    for element_id, bounds in placed.items():
        element = graph.elements[element_id]
        shape = _shape(plane, element_id, bounds)
        if element.kind in SUBPROCESSES:
            shape.set("isExpanded", "false")
        if element.name and (label := _label(element, bounds)):
            _add_label(shape, label)
    for flow in graph.flows:
        if flow.source not in placed or flow.target not in placed:
            continue
        edge = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id
        )
        source = graph.elements[flow.source]
        points = route(
            placed[flow.source],
            placed[flow.target],
            from_gateway=source.kind.endswith("Gateway"),
            to_gateway=graph.elements[flow.target].kind.endswith("Gateway"),
            from_boundary=source.attached_to is not None,
            obstacles=placed.values(),
        )
        for x, y in points:
            etree.SubElement(edge, f"{{{DD_NS}}}waypoint", x=_n(x), y=_n(y))
        if flow.name:
            _add_label(edge, flow_label(points))
    return diagram


def _label(element: Element, bounds: Bounds) -> Bounds | None:
    """Where a name outside its shape goes, clear of the flows: a gateway's above it on the
    left (its ways out leave from its top and bottom), a boundary event's beside it on the
    right; other events keep bpmn-js's place under them."""
    x, y, width, height = bounds
    if element.kind.endswith("Gateway"):
        return (x - 70, y - 34, 90, 28)
    if element.attached_to:
        return (x + width + 2, y + height - 6, 80, 28)
    return None


def _add_label(parent: etree._Element, bounds: Bounds) -> None:
    label = etree.SubElement(parent, f"{{{DI_NS}}}BPMNLabel")
    x, y, width, height = bounds
    etree.SubElement(
        label, f"{{{DC_NS}}}Bounds", x=_n(x), y=_n(y), width=_n(width), height=_n(height)
    )


def _shape(plane: etree._Element, element_id: str, bounds: Bounds) -> etree._Element:
    shape = etree.SubElement(
        plane, f"{{{DI_NS}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id
    )
    x, y, width, height = bounds
    etree.SubElement(
        shape, f"{{{DC_NS}}}Bounds", x=_n(x), y=_n(y), width=_n(width), height=_n(height)
    )
    return shape


def _n(value: float) -> str:
    return str(round(value))
