"""Diagrams: BPMN read safely, drawn by graphviz as SVG, coloured by an instance's progress."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from lxml import etree

from engine.errors import NotFound, UnsafeXml
from web.diagram import (
    COLOURS,
    DiagramLimits,
    DiagramState,
    DiagramUnavailable,
    SvgCache,
    infer_state,
    parse_process,
    recorded_state,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://raciflow.test">
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_sales" name="Sales &amp; field">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>take</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_credit" name="Credit">
        <bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>ok</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>wait</bpmn:flowNodeRef><bpmn:flowNodeRef>release</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>chase</bpmn:flowNodeRef><bpmn:flowNodeRef>joined</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Order in"/>
    <bpmn:userTask id="take" name="Take the order &lt;b&gt;now&lt;/b&gt; \\N"/>
    <bpmn:scriptTask id="check" name="Check the balance"/>
    <bpmn:exclusiveGateway id="ok" name="Balance ok?"/>
    <bpmn:intermediateCatchEvent id="wait" name="Wait a day"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="release" name="Release for delivery"/>
    <bpmn:userTask id="chase" name="Chase the payment"/>
    <bpmn:boundaryEvent id="late" name="Too late" attachedToRef="chase"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="joined"/>
    <bpmn:endEvent id="end" name="Done"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="take"/>
    <bpmn:sequenceFlow id="f2" sourceRef="take" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="ok"/>
    <bpmn:sequenceFlow id="f_yes" name="yes" sourceRef="ok" targetRef="wait"/>
    <bpmn:sequenceFlow id="f_no" name="overdue" sourceRef="ok" targetRef="chase"/>
    <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="release"/>
    <bpmn:sequenceFlow id="f5" sourceRef="release" targetRef="joined"/>
    <bpmn:sequenceFlow id="f6" sourceRef="chase" targetRef="joined"/>
    <bpmn:sequenceFlow id="f7" sourceRef="joined" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
SOURCES = {"order.bpmn": BPMN}


@pytest.fixture(scope="module")
def graph():
    return parse_process(SOURCES, "order")


def node(svg: str, element_id: str):
    [found] = etree.fromstring(svg.encode()).xpath(
        "//*[local-name()='g'][@id=$id]", id=f"bpmn-{element_id}"
    )
    return found


def fill(svg: str, element_id: str) -> str:
    shape = node(svg, element_id).xpath("*[local-name()='path' or local-name()='ellipse']")
    return shape[0].get("fill")


def test_reads_elements_flows_and_lanes(graph):
    assert graph.elements["ok"].kind == "exclusiveGateway"
    assert graph.elements["wait"].timer and graph.elements["late"].attached_to == "chase"
    assert [(f.source, f.target, f.name) for f in graph.outgoing("ok")] == [
        ("ok", "wait", "yes"),
        ("ok", "chase", "overdue"),
    ]
    assert graph.lanes["lane_sales"] == ("Sales & field", ["start", "take"])
    assert "late" not in graph.lanes["lane_credit"][1]  # outside every lane


def test_draws_valid_svg_with_every_element_flow_name_and_lane(graph):
    svg = render_svg(graph)
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg" and "<!DOCTYPE" not in svg
    for element_id in graph.elements:
        assert node(svg, element_id) is not None
    texts = {" ".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"yes", "overdue", "Sales & field", "Credit", "Balance ok?"} <= texts
    assert fill(svg, "take") == COLOURS[None][0]


def test_names_are_drawn_literally_never_as_markup_or_escapes(graph):
    svg = render_svg(graph)
    label = " ".join(" ".join(t.itertext()) for t in node(svg, "take").iter(f"{SVG}text"))
    assert label == "Take the order <b>now</b> \\N"


def test_colours_active_waiting_done_and_failed_elements(graph):
    state = DiagramState(
        done=frozenset({"take"}),
        active=frozenset({"chase"}),
        waiting=frozenset({"wait"}),
        failed=frozenset({"release"}),
    )
    svg = render_svg(graph, state)
    assert fill(svg, "take") == COLOURS["done"][0]
    assert fill(svg, "chase") == COLOURS["active"][0]
    assert fill(svg, "wait") == COLOURS["waiting"][0]
    assert fill(svg, "release") == COLOURS["failed"][0]
    assert "active" in node(svg, "chase").get("class").split()


def test_the_flow_proves_which_automatic_steps_ran(graph):
    recorded = DiagramState(active=frozenset({"chase"}))
    state = infer_state(graph, recorded, completed=False)
    assert state.done == {"start", "take", "check", "ok"}  # the only way to 'chase'
    assert state.active == {"chase"}


def test_a_join_does_not_tell_which_branch_was_taken(graph):
    recorded = DiagramState(done=frozenset({"take"}))
    state = infer_state(graph, recorded, completed=True)
    assert {"start", "take", "check", "ok"} <= state.done
    assert "release" not in state.done and "chase" not in state.done
    assert "end" in state.done  # the only end of a completed instance


def test_the_recorded_state_comes_from_the_read_model():
    facts = {
        "status": "error",
        "error_element": "check",
        "done": {"take"},
        "active": set(),
        "waiting": {"wait"},
    }
    assert recorded_state(facts) == DiagramState(
        done=frozenset({"take"}), waiting=frozenset({"wait"}), failed=frozenset({"check"})
    )


def test_unsafe_or_missing_processes_are_refused():
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    with pytest.raises(UnsafeXml):
        parse_process({"evil.bpmn": doctype}, "order")
    with pytest.raises(NotFound):
        parse_process(SOURCES, "other")


def test_the_cache_renders_each_version_and_state_once():
    cache, calls = SvgCache(size=2), []

    def render() -> str:
        calls.append(1)
        return f"<svg>{len(calls)}</svg>"

    assert cache.get(("v1", DiagramState()), render) == "<svg>1</svg>"
    assert cache.get(("v1", DiagramState()), render) == "<svg>1</svg>"
    cache.get(("v2", DiagramState()), render)
    cache.get(("v3", DiagramState()), render)  # pushes v1 out
    assert cache.get(("v1", DiagramState()), render) == "<svg>4</svg>"


# Size and time limits (issue 11 D7): a huge graph is refused before graphviz sees it,
# and a `dot` that hangs is killed, with whatever it started, when its time is up.
def test_a_graph_above_the_node_limit_is_not_drawn():
    graph = parse_process({"order.bpmn": BPMN}, "order")
    with pytest.raises(DiagramUnavailable) as caught:
        render_svg(graph, limits=DiagramLimits(max_nodes=len(graph.elements) - 1))
    assert caught.value.too_large == (len(graph.elements), len(graph.elements) - 1)


def test_a_slow_dot_is_killed_with_its_children_at_the_timeout(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho $$ > {pids}\nsleep 60 &\necho $! >> {pids}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    graph = parse_process({"order.bpmn": BPMN}, "order")
    started = time.monotonic()
    with pytest.raises(DiagramUnavailable) as caught:
        render_svg(graph, limits=DiagramLimits(timeout=1))
    assert caught.value.timed_out == 1
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert [pid for pid in map(int, pids.read_text().split()) if running(pid)] == []


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"
