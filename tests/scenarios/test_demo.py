"""The demo company can start every process of bpmn/, and the inboxes are not empty after."""

from __future__ import annotations

import pytest

from engine import InstanceStatus, collect_files, views
from tests.scenarios.conftest import BPMN
from workflows.demo.instances import SAMPLE_STARTS, STARTED_BY_OTHERS, start_demo_instances


@pytest.fixture
def crm(crm):
    crm.engine.deploy(collect_files([BPMN]), user="lena.owner")
    return crm


def deployed(crm) -> set[str]:
    return {v["process_id"] for v in views.process_versions(crm.engine.uow())}


def test_every_process_in_bpmn_deploys_without_warnings(crm):
    again = crm.engine.deploy(collect_files([BPMN]), user="lena.owner")
    assert [d.warnings for d in again if d.warnings] == []
    assert all(not d.created for d in again)  # the same content is the same version


def test_every_process_has_a_demo_start(crm):
    assert deployed(crm) == set(SAMPLE_STARTS) | set(STARTED_BY_OTHERS)


@pytest.mark.parametrize("process_id", sorted(SAMPLE_STARTS))
def test_every_process_can_be_started_with_the_demo_data(crm, process_id):
    user, data, business_key = SAMPLE_STARTS[process_id]
    state = crm.start(process_id, user, business_key=business_key, **data)
    assert state.status in (InstanceStatus.WAITING, InstanceStatus.COMPLETED), state.error
    follow_ups = [
        e
        for e in views.audit_events(crm.engine.uow(), action="start")
        if e["details"].get("started_by_instance") == state.instance_id
    ]
    for follow_up in follow_ups:
        instance = crm.instance(follow_up["instance_id"])
        assert instance["status"] != InstanceStatus.ERROR, instance["error_message"]
    if process_id in STARTED_BY_OTHERS.values():
        assert {f["process_id"] for f in follow_ups} == {
            p for p, by in STARTED_BY_OTHERS.items() if by == process_id
        }


def test_the_demo_leaves_work_in_the_inboxes(crm):
    started = start_demo_instances(crm.engine)
    assert len(started) == len(SAMPLE_STARTS)
    assert views.open_tasks(crm.engine.uow(), user="anna.credit")  # the credit analysis
    assert start_demo_instances(crm.engine) == []  # only once
