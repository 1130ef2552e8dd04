"""A step that fails after a sign-off is an incident: recorded, told, retried with the form.

The case the issue found: an equipment placement signed with the serial of an asset that
is no longer in stock (another job placed it while the report waited for its signature);
the asset register refuses it after the service manager's sign-off.
"""

from __future__ import annotations

import pytest

from engine import InstanceStatus, views
from engine.errors import InvalidState, InvalidTaskData
from engine.views import incidents
from tests.scenarios.test_equipment_request import (
    a_customer,
    decided,
    in_stock,
    placed,
    placed_meanwhile,
    requested,
    scheduled,
    service_request,
    spiff_reads_the_test_clock,  # noqa: F401  (autouse: timers read the test clock)
)

PROCESS = "equipment_request"


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


@pytest.fixture
def taken(crm) -> str:
    """The serial the job report names: in stock when reported, placed before it is signed."""
    return in_stock(crm, "cooler")


@pytest.fixture
def failed_placement(crm, taken) -> str:
    """A placement whose signed job report names an asset placed elsewhere meanwhile."""
    instance = requested(crm, "placement", a_customer(crm, "A"), asset_type="cooler")
    decided(crm, instance)
    scheduled(crm, instance)
    crm.complete(instance, "work", "thanasis.tech", serial=taken, work_notes="Installed")
    placed_meanwhile(crm, taken)
    state = crm.approve(instance, "work", "irini.service")
    assert state.status == InstanceStatus.ERROR
    return instance


def test_the_incident_says_what_failed_when_and_after_whose_act(crm, failed_placement):
    found = incidents.incident(crm.engine.uow(), failed_placement)

    assert found["element"] == "complete_request"
    assert "is not in stock (it is placed)" in found["message"]
    assert (found["after_action"], found["after_actor"]) == ("approve", "irini.service")
    assert found["after_element"] == "work"
    assert found["form_element"] == "work"
    assert found["at"] == crm.clock.now().isoformat()


def test_the_r_role_the_a_role_and_the_admins_are_told(crm, failed_placement):
    told = {
        e["details"]["recipient"]
        for e in views.audit_events(
            crm.engine.uow(), instance_id=failed_placement, action="notified"
        )
        if e["details"].get("after") == "incident"
    }
    assert told == {"thanasis.tech", "stelios.tech", "irini.service", "admin"}
    [notice] = [n for n in crm.engine.notifications("admin") if n.instance_id == failed_placement]
    assert "failed" in notice.subject
    # The step by its name; the service's English error stays on the case page.
    assert "then the step 'Update the asset register' failed." in notice.body
    assert "is not in stock" not in notice.body and "complete_request" not in notice.body
    assert "Ειρήνη Χατζή" in notice.body and "irini.service" not in notice.body  # by name


def test_an_instance_that_runs_on_has_no_incident(crm):
    instance = requested(crm, "placement", a_customer(crm, "A"), asset_type="cooler")
    assert incidents.incident(crm.engine.uow(), instance) is None


def test_the_retry_form_starts_from_the_failed_steps_data(crm, failed_placement, taken):
    values = crm.engine.incident_data(failed_placement)
    assert values["serial"] == taken
    assert values["work_notes"] == "Installed"


def test_a_retry_through_the_form_is_validated_and_recorded(crm, failed_placement):
    with pytest.raises(InvalidTaskData) as refused:
        crm.engine.retry_incident(
            failed_placement, user="admin", data={"serial": "cooler 7", "work_notes": "Installed"}
        )
    assert set(refused.value.errors) == {"serial"}
    assert crm.instance(failed_placement)["status"] == InstanceStatus.ERROR

    cooler = in_stock(crm, "cooler")
    done = crm.engine.retry_incident(
        failed_placement, user="admin", data={"serial": cooler.lower(), "work_notes": "Installed"}
    )

    # The serial was signed: the corrected one waits for a new signature before it runs.
    assert done.held_for_signoff and done.status == InstanceStatus.ERROR
    assert service_request(crm, failed_placement)["asset_serial"] is None
    crm.approve(failed_placement, "work", "irini.service")
    assert crm.instance(failed_placement)["status"] == InstanceStatus.COMPLETED
    assert service_request(crm, failed_placement)["asset_serial"] == cooler
    # The admin's retry is on the trail as the change that voided the first signature.
    [voided] = views.audit_events(
        crm.engine.uow(), instance_id=failed_placement, action="signoff_voided"
    )
    assert voided["actor"] == "admin"
    assert voided["details"]["changes"]["serial"][1] == cooler  # as the form loaded it


def test_only_an_instance_in_error_can_be_retried_through_the_form(crm):
    instance = requested(crm, "placement", a_customer(crm, "A"), asset_type="cooler")
    with pytest.raises(InvalidState):
        crm.engine.retry_incident(instance, user="admin", data={})


def test_a_resigned_retry_that_fails_again_is_told_again(crm, failed_placement):
    """The signer read "the admins and the task's roles were told"; the second time
    nobody was."""
    other = placed(crm)[1]["serial"]  # placed elsewhere too: the step fails again
    crm.engine.retry_incident(
        failed_placement, user="admin", data={"serial": other, "work_notes": "Installed"}
    )
    crm.approve(failed_placement, "work", "irini.service")

    assert crm.instance(failed_placement)["status"] == InstanceStatus.ERROR
    incident_notices = [
        e["details"]["recipient"]
        for e in views.audit_events(
            crm.engine.uow(), instance_id=failed_placement, action="notified"
        )
        if e["details"].get("after") == "incident"
    ]
    assert sorted(incident_notices).count("admin") == 2  # the first failure, and this one
    assert set(incident_notices) == {"thanasis.tech", "stelios.tech", "irini.service", "admin"}
