"""The ends that fall short of a case's goal name end events the processes have."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from workflows.outcomes import SHORT_ENDS, fell_short

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


def test_every_end_that_falls_short_is_an_end_event_of_its_process():
    for process_id, ends in SHORT_ENDS.items():
        tree = etree.parse(str(BPMN / f"{process_id}.bpmn"))
        drawn = set(tree.xpath("//bpmn:endEvent/@id", namespaces=NS))
        assert ends <= drawn, (process_id, ends - drawn)


def test_a_case_falls_short_at_those_ends_only():
    assert fell_short("emergency_order", "cancelled")
    assert not fell_short("emergency_order", "sent")
    assert not fell_short("emergency_order", None)
    assert not fell_short(None, "cancelled")
    assert not fell_short("a_new_process", "cancelled")  # until the deployment says so
