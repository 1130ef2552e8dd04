"""An ad-hoc subprocess with a data object deploys, waits, and ends on its condition."""

from __future__ import annotations

from engine import InstanceStatus, build_engine, views
from tests.conftest import fixture_files


def test_an_adhoc_subprocess_with_a_data_object_runs_to_its_end(database_url, services, clock):
    # Found comparing with bare SpiffWorkflow: the deploy failed with "Object of type
    # DataObject is not JSON serializable" (its spiff parser's ad-hoc data objects).
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("adhoc_followup.bpmn"), user="owner")
    started = engine.start("adhoc_followup", user="ana")
    assert started.status is InstanceStatus.WAITING

    restarted = build_engine(database_url, services=services, clock=clock)  # from storage only
    tasks = {t["element"]: t for t in views.open_tasks(restarted.uow())}
    assert sorted(tasks) == ["call_customer", "send_offer"]  # either step, in any order
    restarted.complete(tasks["call_customer"]["id"], user="ana", data={"done": True})

    assert views.instance(restarted.uow(), started.instance_id)["status"] == "completed"
    assert views.open_tasks(restarted.uow()) == []
