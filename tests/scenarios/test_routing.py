"""Routing to a named person: the technician the dispatcher scheduled gets the job, alone.

The equipment matrix routes `work` to `schedule.technician` (docs/raci.md, "Routing to
a named person"); runs on SQLite and PostgreSQL (the `database_url` fixture).
"""

from __future__ import annotations

import pytest

from engine import views
from engine.governance import RaciRefusal
from tests.scenarios.test_equipment_request import (
    PROCESS,
    placed,
    requested,
    scheduled,
    spiff_reads_the_test_clock,  # noqa: F401 - the equipment scenarios' autouse fixture
)


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


@pytest.fixture
def job(crm) -> str:
    """A repair scheduled for stelios.tech; return its instance id."""
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    scheduled(crm, instance, technician="stelios.tech")
    return instance


def serial_of(crm, instance: str) -> str:
    [start] = views.audit_events(crm.engine.uow(), instance_id=instance, action="start", limit=1)
    return start["details"]["data"]["asset_serial"]


def test_the_scheduled_technician_gets_the_job_in_my_tasks(crm, job):
    [task] = crm.open_tasks(job)
    assert (task["element"], task["assignee"], task["routed_to"]) == (
        "work",
        "stelios.tech",
        "stelios.tech",
    )
    [routed] = views.audit_events(crm.engine.uow(), instance_id=job, action="routed")
    assert (routed["raci_role"], routed["details"]["to"]) == ("R", "stelios.tech")


def test_another_technician_may_neither_claim_nor_complete_it(crm, job):
    task_id = crm.task(job, "work")
    message = r"assigned to stelios\.tech: thanasis\.tech may not take it"
    with pytest.raises(RaciRefusal, match=message) as refused:
        crm.engine.claim(task_id, user="thanasis.tech")
    assert refused.value.msg.params["task"] == "Do the job at the customer"
    with pytest.raises(RaciRefusal, match=message):
        crm.complete(job, "work", "thanasis.tech", serial=serial_of(crm, job), work_notes="Done")

    refusals = views.audit_events(crm.engine.uow(), instance_id=job, action="refused")
    assert [(e["actor"], e["details"]["attempted"]) for e in refusals] == [
        ("thanasis.tech", "claim"),
        ("thanasis.tech", "complete"),
    ]
    assert crm.open_tasks(job)[0]["assignee"] == "stelios.tech"


def test_releasing_does_not_hand_the_job_to_the_others(crm, job):
    task_id = crm.task(job, "work")
    crm.engine.release(task_id, user="stelios.tech")
    with pytest.raises(RaciRefusal, match=r"assigned to stelios\.tech"):
        crm.engine.claim(task_id, user="thanasis.tech")
    crm.engine.claim(task_id, user="stelios.tech")
    crm.complete(job, "work", "stelios.tech", serial=serial_of(crm, job), work_notes="Fixed it")
    assert crm.awaiting_signoff(job, "work")


def test_another_technician_cannot_reassign_it_to_himself(crm, job):
    with pytest.raises(RaciRefusal, match=r"only they, service_manager or an admin"):
        crm.engine.reassign(crm.task(job, "work"), user="thanasis.tech", to="thanasis.tech")
    assert crm.open_tasks(job)[0]["routed_to"] == "stelios.tech"


def test_the_supervisor_reassigns_it_and_then_only_the_new_technician_works_it(crm, job):
    task_id = crm.task(job, "work")
    crm.engine.reassign(task_id, user="irini.service", to="thanasis.tech", reason="Stelios is ill")
    [task] = crm.open_tasks(job)
    assert (task["assignee"], task["routed_to"]) == ("thanasis.tech", "thanasis.tech")
    with pytest.raises(RaciRefusal, match=r"assigned to thanasis\.tech: stelios\.tech"):
        crm.engine.claim(task_id, user="stelios.tech")
    crm.complete(job, "work", "thanasis.tech", serial=serial_of(crm, job), work_notes="Fixed it")
    crm.approve(job, "work", "irini.service")
    assert crm.instance(job)["status"] == "completed"
