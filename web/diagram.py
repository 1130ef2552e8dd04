"""Draw a process version's BPMN as SVG (graphviz), coloured by where an instance stands.

The layout is graphviz's, not the modeller's: BPMN diagram coordinates are
ignored, so every version can be drawn, even one written by hand.

What the colours can and cannot know without deserializing the workflow (see
`infer_state`): human tasks (done, open) and timers (pending, fired) are in the
records; a failed element is on the instance. Script, service and gateway steps
leave no record of their own, so they are shown as passed only when the flow
proves it: the single way into an element that was reached, or, for a completed
instance, the single way on from one that finished. Which branch of a join was
taken, and which of several end events a completed instance reached, stay unknown.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import graphviz

from engine.errors import NotFound
from engine.safe_xml import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TASKS = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
}  # fmt: skip
EVENTS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
}  # fmt: skip
GATEWAYS = {
    "exclusiveGateway": "X", "parallelGateway": "+", "inclusiveGateway": "○",
    "eventBasedGateway": "◇", "complexGateway": "✱",
}  # fmt: skip
# (fill, stroke) per state; the page's legend uses the same colours (oversight.css).
COLOURS = {
    "done": ("#dcfce7", "#1a7f37"),
    "active": ("#dbeafe", "#0b5cad"),
    "waiting": ("#fef3c7", "#9a6700"),
    "failed": ("#fdecea", "#b42318"),
    None: ("#ffffff", "#5b6472"),
}
FONT = "Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class DiagramLimits:
    """The largest graph drawn, and how long graphviz may take (RACIFLOW_DIAGRAM_*)."""

    max_nodes: int = 500
    timeout: float = 10.0  # seconds; well below gunicorn's 30 s, which kills the worker


class DiagramUnavailable(Exception):
    """The diagram is not drawn: the graph is too large, or graphviz took too long."""

    def __init__(
        self, *, too_large: tuple[int, int] | None = None, timed_out: float | None = None
    ) -> None:
        super().__init__(f"diagram not drawn: too_large={too_large} timed_out={timed_out}")
        self.too_large = too_large  # (nodes, limit)
        self.timed_out = timed_out  # the timeout in seconds


@dataclass(frozen=True)
class Element:
    id: str
    name: str
    kind: str  # the BPMN tag: userTask, exclusiveGateway, endEvent, ...
    timer: bool = False
    attached_to: str | None = None  # boundary events: the activity they sit on


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str


@dataclass
class ProcessGraph:
    """The drawable parts of one BPMN process."""

    process_id: str
    elements: dict[str, Element] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    lanes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id: (name, elements)

    def incoming(self, element_id: str) -> list[Flow]:
        return [f for f in self.flows if f.target == element_id]

    def outgoing(self, element_id: str) -> list[Flow]:
        return [f for f in self.flows if f.source == element_id]

    def of_kind(self, kind: str) -> list[str]:
        return [e.id for e in self.elements.values() if e.kind == kind]


@dataclass(frozen=True)
class DiagramState:
    """Element ids by how far the instance got with them."""

    done: frozenset[str] = frozenset()
    active: frozenset[str] = frozenset()
    waiting: frozenset[str] = frozenset()
    failed: frozenset[str] = frozenset()

    def of(self, element_id: str) -> str | None:
        for state in ("failed", "active", "waiting", "done"):
            if element_id in getattr(self, state):
                return state
        return None


def parse_process(sources: dict[str, str], process_id: str) -> ProcessGraph:
    """Find `process_id` among a version's BPMN sources and read its elements, flows, lanes."""
    for file_name, text in sources.items():
        root = parse_xml(text.encode("utf-8"), file_name)
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("id") == process_id:
                return _read(process, process_id)
    raise NotFound(f"no BPMN process '{process_id}' in this version's sources")


def _read(process: Any, process_id: str) -> ProcessGraph:
    graph = ProcessGraph(process_id)
    for child in process:
        if not isinstance(child.tag, str):
            continue  # comments
        kind = child.tag.rpartition("}")[2]
        element_id = child.get("id", "")
        if kind in TASKS or kind in EVENTS or kind in GATEWAYS:
            timer = child.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None
            name, host = child.get("name") or "", child.get("attachedToRef")
            graph.elements[element_id] = Element(element_id, name, kind, timer, host)
        elif kind == "sequenceFlow":
            source, target = child.get("sourceRef", ""), child.get("targetRef", "")
            graph.flows.append(Flow(element_id, source, target, child.get("name") or ""))
    # Nested lanes come after their parent in document order: the innermost wins.
    owner: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        graph.lanes[lane.get("id", "")] = (lane.get("name") or lane.get("id", ""), [])
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            owner[(ref.text or "").strip()] = lane.get("id", "")
    for element_id, lane_id in owner.items():
        if element_id in graph.elements:
            graph.lanes[lane_id][1].append(element_id)
    graph.lanes = {k: v for k, v in graph.lanes.items() if v[1]}
    return graph


def translated(graph: ProcessGraph, tr: Callable[[str], str]) -> ProcessGraph:
    """The graph with every name in the reader's language (`tr`: the catalog's gettext)."""
    word = lambda text: tr(text) if text else text  # noqa: E731
    return ProcessGraph(
        graph.process_id,
        {k: replace(e, name=word(e.name)) for k, e in graph.elements.items()},
        [replace(f, name=word(f.name)) for f in graph.flows],
        {k: (word(name), members) for k, (name, members) in graph.lanes.items()},
    )


def recorded_state(facts: dict[str, Any]) -> DiagramState:
    """What the records prove, from engine.views.oversight.diagram_facts, before inference."""
    active, waiting = frozenset(facts["active"]), frozenset(facts["waiting"])
    failed = frozenset({facts["error_element"]} if facts["status"] == "error" else ())
    done = frozenset(facts["done"]) - active - waiting - failed
    return DiagramState(done, active, waiting, failed)


def infer_state(graph: ProcessGraph, recorded: DiagramState, *, completed: bool) -> DiagramState:
    """Add the elements the flow proves were passed (see the module docstring)."""
    done = set(recorded.done)
    starts = graph.of_kind("startEvent")
    if len(starts) == 1:
        done.update(starts)
    if completed and len(ends := graph.of_kind("endEvent")) == 1:
        done.update(ends)
    pending = recorded.active | recorded.waiting | recorded.failed
    changed = True
    while changed:  # to a fixed point: each pass can prove more
        reached = done | pending
        proven = {
            flow.source
            for element_id in reached
            for flow in _proof_in(graph, element_id)
            if flow.source not in reached
        }
        if completed:
            proven |= {
                flows[0].target
                for element_id in done
                if len(flows := graph.outgoing(element_id)) == 1 and flows[0].target not in reached
            }
        done |= proven
        changed = bool(proven)
    return DiagramState(frozenset(done), recorded.active, recorded.waiting, recorded.failed)


def taken_flows(graph: ProcessGraph, state: DiagramState) -> set[str]:
    """The flows the instance went along: from a passed element to one it reached."""
    return {
        flow.id
        for flow in graph.flows
        if state.of(flow.source) == "done" and state.of(flow.target) is not None
    }


def _proof_in(graph: ProcessGraph, element_id: str) -> list[Flow]:
    """The flows that must have been taken for `element_id` to be reached."""
    incoming = graph.incoming(element_id)
    element = graph.elements.get(element_id)
    if len(incoming) == 1 or (element is not None and element.kind == "parallelGateway"):
        return incoming
    return []


def render_svg(
    graph: ProcessGraph, state: DiagramState | None = None, limits: DiagramLimits | None = None
) -> str:
    """Lay the process out left to right and return the SVG document (no DOCTYPE).

    DiagramUnavailable if the graph has more nodes than `limits` allow (graphviz's
    layout time grows much faster than the graph) or `dot` runs past its timeout.
    """
    state = state or DiagramState()
    limits = limits or DiagramLimits()
    if len(graph.elements) > limits.max_nodes:
        raise DiagramUnavailable(too_large=(len(graph.elements), limits.max_nodes))
    dot = graphviz.Digraph(graph.process_id, format="svg", engine="dot")
    dot.attr(rankdir="LR", fontname=FONT, fontsize="11", forcelabels="true", nodesep="0.35")
    dot.attr("node", fontname=FONT, fontsize="10")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#5b6472")
    in_lanes = {e for _, members in graph.lanes.values() for e in members}
    for lane_id, (name, members) in graph.lanes.items():
        with dot.subgraph(name=f"cluster_{lane_id}") as lane:
            lane.attr(label=_text(name), style="rounded", color="#d7dce3", id=f"lane-{lane_id}")
            for element_id in members:
                _node(lane, graph.elements[element_id], state)
    for element in graph.elements.values():
        if element.id not in in_lanes:
            _node(dot, element, state)
    for element in graph.elements.values():
        if element.attached_to in graph.elements:
            dot.edge(element.attached_to, element.id, style="dotted", arrowhead="none")
    taken = taken_flows(graph, state)
    for flow in graph.flows:
        if flow.source not in graph.elements or flow.target not in graph.elements:
            continue  # a broken reference: drawing it would invent a node
        colour = {"color": COLOURS["done"][1], "penwidth": "1.6"} if flow.id in taken else {}
        dot.edge(
            flow.source, flow.target, label=_text(flow.name, 16), id=f"flow-{flow.id}", **colour
        )
    svg = _run_dot(dot.source, limits.timeout)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, count=1)


def _run_dot(source: str, timeout: float, fmt: str = "svg") -> str:
    """`dot -T<fmt>` on `source`; at the timeout, kill it and anything it started.

    It runs in a session of its own, so that killing the process group leaves no
    orphan behind (subprocess.run's timeout kills only the direct child).
    """
    with subprocess.Popen(  # noqa: S603 - fmt is the caller's constant, never input
        ["dot", f"-T{fmt}"],  # noqa: S607 - graphviz is found on PATH, as its library does
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(source.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise DiagramUnavailable(timed_out=timeout) from None
    if process.returncode != 0:
        raise graphviz.CalledProcessError(process.returncode, "dot", output=out, stderr=err)
    return out.decode("utf-8")


def _node(dot: graphviz.Digraph, element: Element, state: DiagramState) -> None:
    status = state.of(element.id)
    fill, stroke = COLOURS[status]
    attrs = {
        "id": f"bpmn-{element.id}",
        "class": f"{element.kind} {status or 'untouched'}",
        "style": "filled",
        "fillcolor": fill,
        "color": stroke,
        "penwidth": "2.2" if status in ("active", "failed") else "1.2",
    }
    if element.kind in TASKS:
        rounded = "rounded,filled,bold" if element.kind == "callActivity" else "rounded,filled"
        attrs.update(shape="box", style=rounded, label=_text(element.name or element.id, 20))
        attrs.update(width="1.3", height="0.6", margin="0.1,0.05")
    elif element.kind in GATEWAYS:
        attrs.update(shape="diamond", label=GATEWAYS[element.kind], width="0.5", height="0.5")
        attrs.update(fixedsize="true", xlabel=_text(element.name, 18))
    else:
        shape = "doublecircle" if element.kind not in ("startEvent", "endEvent") else "circle"
        attrs.update(shape=shape, label="◷" if element.timer else "", width="0.35")
        attrs.update(fixedsize="true", xlabel=_text(element.name, 18))
        if element.kind == "endEvent":
            attrs["penwidth"] = "3"
    dot.node(element.id, **attrs)


def _text(text: str, width: int = 0) -> str:
    """Wrap `text`; backslashes and <...> are literal (graphviz gives both a meaning)."""
    lines: Iterable[str] = textwrap.wrap(text, width) if width else [text]
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))


class SvgCache:
    """Rendered diagrams by (version, state): a deployed version never changes.

    A diagram that could not be drawn is remembered too: drawing it again would
    take as long again, for every view of the page.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, str | DiagramUnavailable] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
        if found is None:
            try:
                found = render()
            except DiagramUnavailable as unavailable:
                found = unavailable
            with self._lock:
                self._items[key] = found
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        if isinstance(found, DiagramUnavailable):
            raise found
        return found


_rendered = SvgCache()


def instance_svg(
    facts: dict[str, Any],
    sources: Callable[[], dict[str, str]],
    limits: DiagramLimits,
    language: tuple[str, Callable[[str], str]] = ("en", str),
) -> str:
    """An instance's diagram from engine.views.oversight.diagram_facts, cached by
    (version, recorded state, language); `sources` (the version's BPMN) is read only to
    render; `language` is (locale, gettext) for its names."""
    recorded, completed = recorded_state(facts), facts["status"] == "completed"
    locale, tr = language

    def render() -> str:
        graph = translated(parse_process(sources(), facts["process_id"]), tr)
        return render_svg(graph, infer_state(graph, recorded, completed=completed), limits)

    key = (facts["content_hash"], facts["process_id"], recorded, completed, limits, locale)
    return _rendered.get(key, render)


def process_svg(
    content_hash: str,
    process_id: str,
    sources: Callable[[], dict[str, str]],
    limits: DiagramLimits,
    language: tuple[str, Callable[[str], str]] = ("en", str),
) -> str:
    """A version's diagram with nothing coloured, cached by version and language."""
    locale, tr = language
    return _rendered.get(
        (content_hash, process_id, limits, locale),
        lambda: render_svg(translated(parse_process(sources(), process_id), tr), limits=limits),
    )
