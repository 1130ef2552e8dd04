"""Credit limit change: BD requests, a credit controller analyses, the DMN-chosen level signs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidDefinition, InvalidTaskData
from engine.governance import RaciRefusal
from engine.views.inbox import inbox_page
from engine.views.inbox_sections import InboxQuery
from tests.scenarios.conftest import BPMN, process_files
from workflows.tables import customer_changes

PROCESS = "credit_limit_change"
CUSTOMER = 150  # a C-segment customer of the demo data


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


def requested(crm, new_limit: float, customer: int = CUSTOMER) -> str:
    """A BD asks for `new_limit`; return the instance id (waiting for the analysis)."""
    started = crm.start(
        PROCESS, "giorgos.bd", business_key=f"C{customer:05d}", customer_id=customer
    )
    crm.complete(
        started.instance_id,
        "request",
        "giorgos.bd",
        requested_limit=new_limit,
        justification="Opens a second shop next month",
    )
    return started.instance_id


def analysed(crm, instance_id: str, element: str, recommendation: str = "approve", limit=None):
    data = {"recommendation": recommendation, "analysis": "Pays within terms for two years"}
    if limit is not None:
        data["approved_limit"] = limit
    crm.complete(instance_id, element, "anna.credit", **data)


def test_a_small_increase_is_signed_by_another_credit_controller(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, before + 1000)
    assert crm.open_elements(instance) == ["analyse_controller"]

    analysed(crm, instance, "analyse_controller", limit=before + 800)
    assert crm.customer(CUSTOMER)["credit_limit"] == before  # nothing changes before sign-off
    with pytest.raises(RaciRefusal, match="four eyes"):
        crm.approve(instance, "analyse_controller", "anna.credit")
    crm.approve(instance, "analyse_controller", "kostas.credit")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert crm.customer(CUSTOMER)["credit_limit"] == before + 800
    [change] = crm.rows(select(customer_changes).where(customer_changes.c.instance_id == instance))
    assert (change["field"], change["changed_by"]) == ("credit_limit", "kostas.credit")
    assert "christina.sales: analyse_controller" in crm.notified(instance)
    assert crm.bds_told(instance, "analyse_controller") == crm.own_bd(CUSTOMER)  # not every BD


def test_a_larger_increase_needs_the_finance_manager(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, before + 8000)
    assert crm.open_elements(instance) == ["analyse_finance"]
    analysed(crm, instance, "analyse_finance", limit=before + 6000)
    with pytest.raises(RaciRefusal):  # a credit controller cannot sign at this level
        crm.approve(instance, "analyse_finance", "kostas.credit")

    crm.approve(instance, "analyse_finance", "vasso.finance")

    assert crm.customer(CUSTOMER)["credit_limit"] == before + 6000


def test_a_large_limit_goes_to_the_cfo_with_finance_consulted_but_not_blocking(crm):
    instance = requested(crm, 60000)
    assert crm.open_elements(instance) == ["analyse_cfo"]
    analysed(crm, instance, "analyse_cfo", limit=55000)  # advisory: no need to wait for finance
    crm.approve(instance, "analyse_cfo", "petros.cfo")
    assert crm.customer(CUSTOMER)["credit_limit"] == 55000


def test_a_declined_request_leaves_the_limit_alone(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, before + 1000)
    analysed(crm, instance, "analyse_controller", recommendation="decline")
    crm.approve(instance, "analyse_controller", "kostas.credit")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert crm.customer(CUSTOMER)["credit_limit"] == before
    assert crm.rows(select(customer_changes)) == []


def test_a_rejected_analysis_goes_back_to_the_same_controller(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, before + 8000)
    analysed(crm, instance, "analyse_finance", limit=before + 8000)
    crm.reject(instance, "analyse_finance", "vasso.finance", reason="too generous: 5000 at most")

    [task] = crm.open_tasks(instance)
    assert (task["element"], task["assignee"]) == ("analyse_finance", "anna.credit")
    assert crm.customer(CUSTOMER)["credit_limit"] == before
    analysed(crm, instance, "analyse_finance", limit=before + 5000)
    crm.approve(instance, "analyse_finance", "vasso.finance")
    assert crm.customer(CUSTOMER)["credit_limit"] == before + 5000


def test_editing_the_dmn_threshold_changes_who_signs(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    assert crm.open_elements(requested(crm, before + 3000)) == ["analyse_controller"]

    files = process_files(PROCESS)
    dmn = BPMN / f"{PROCESS}.approval_level.dmn"
    stricter = dmn.read_text().replace("&gt; 5000", "&gt; 2000")
    edited = [SourceFile(f.name, stricter.encode()) if f.name == dmn.name else f for f in files]
    [deployment] = crm.engine.deploy(edited, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)

    assert crm.open_elements(requested(crm, before + 3000)) == ["analyse_finance"]


def test_bad_form_input_is_refused_by_field_and_changes_nothing(crm):
    started = crm.start(PROCESS, "giorgos.bd", customer_id=CUSTOMER)
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(
            started.instance_id, "request", "giorgos.bd", requested_limit=-5, justification="x"
        )
    assert set(refused.value.errors) == {"requested_limit", "justification"}
    assert crm.open_elements(started.instance_id) == ["request"]
    with pytest.raises(InvalidTaskData, match="customer_id"):
        crm.start(PROCESS, "giorgos.bd", customer_id="7; drop table")


def test_an_unknown_customer_puts_the_instance_in_error_with_the_reason(crm):
    started = crm.start(PROCESS, "giorgos.bd", customer_id=99999)
    assert started.status == InstanceStatus.ERROR
    assert "customer 99999 does not exist" in started.error


def test_a_limit_changed_by_another_case_after_the_request_is_not_applied_by_this_one(crm):
    """Case A was judged on the old limit: signed by a controller as a small change, it
    would have raised 1,000 to far more than a controller may sign. It stops instead."""
    before = crm.customer(CUSTOMER)["credit_limit"]
    first = requested(crm, before + 1000)  # a controller's level, judged on `before`
    second = requested(crm, 1000)
    analysed(crm, second, "analyse_controller", limit=1000)
    crm.approve(second, "analyse_controller", "kostas.credit")
    assert crm.customer(CUSTOMER)["credit_limit"] == 1000

    analysed(crm, first, "analyse_controller", limit=before + 1000)
    crm.approve(first, "analyse_controller", "kostas.credit")

    assert crm.customer(CUSTOMER)["credit_limit"] == 1000  # what was signed did not apply
    stopped = crm.instance(first)
    assert stopped["status"] == InstanceStatus.ERROR
    assert "changed from" in stopped["error_message"]
    assert "cancel this case and request again" in stopped["error_message"]


# Authority follows the value signed: the level table runs again on the approved limit.


def test_a_request_for_9000_recommended_at_5_million_needs_the_cfo(crm):
    """The original attempt: another credit controller signed 5,000,000 on a 9,000 request."""
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, 9000)
    assert crm.open_elements(instance) == ["analyse_controller"]  # routed on the request

    analysed(crm, instance, "analyse_controller", limit=5_000_000)
    with pytest.raises(RaciRefusal, match="authority of cfo"):
        crm.approve(instance, "analyse_controller", "kostas.credit")
    with pytest.raises(RaciRefusal, match="authority of cfo"):
        crm.approve(instance, "analyse_controller", "vasso.finance")  # finance is too low too
    assert crm.customer(CUSTOMER)["credit_limit"] == before

    refused = audit(crm, instance, "refused")
    assert [(e["actor"], e["raci_role"]) for e in refused] == [
        ("kostas.credit", "A"),
        ("vasso.finance", "A"),
    ]
    [requested_event] = audit(crm, instance, "signoff_requested")
    assert requested_event["details"]["role"] == "cfo"
    assert requested_event["details"]["authority"]["inputs"] == {"requested_limit": 5_000_000}

    crm.approve(instance, "analyse_controller", "petros.cfo")
    assert crm.customer(CUSTOMER)["credit_limit"] == 5_000_000
    [approved] = [
        e for e in audit(crm, instance, "approve") if e["details"]["element"] != "request"
    ]
    assert approved["actor"] == "petros.cfo"
    assert approved["details"]["authority"]["level"] == "cfo"


def test_the_raised_sign_off_is_in_the_cfo_inbox_not_the_controllers(crm):
    instance = requested(crm, 9000)
    analysed(crm, instance, "analyse_controller", limit=5_000_000)
    task = crm.awaiting_signoff(instance, "analyse_controller")

    def signoffs(user: str) -> list[str]:
        page = inbox_page(crm.engine.uow(), user, InboxQuery(section="signoffs"))
        return [item["id"] for item in page["items"]]

    assert task in signoffs("petros.cfo")
    assert task not in signoffs("kostas.credit")


def test_a_recommendation_below_the_routed_level_is_still_signed_by_the_routed_a(crm):
    instance = requested(crm, 60000)
    analysed(crm, instance, "analyse_cfo", limit=9000)
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "analyse_cfo", "kostas.credit")  # never lower than the matrix's A
    crm.approve(instance, "analyse_cfo", "petros.cfo")
    assert crm.customer(CUSTOMER)["credit_limit"] == 9000


def test_a_decline_is_signed_at_the_routed_level(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    instance = requested(crm, 9000)
    analysed(crm, instance, "analyse_controller", recommendation="decline")
    crm.approve(instance, "analyse_controller", "kostas.credit")
    assert crm.customer(CUSTOMER)["credit_limit"] == before


def test_a_reworked_recommendation_is_decided_again(crm):
    instance = requested(crm, 9000)
    analysed(crm, instance, "analyse_controller", limit=5_000_000)
    crm.reject(instance, "analyse_controller", "petros.cfo", reason="9,000 was asked: stay there")
    analysed(crm, instance, "analyse_controller", limit=9000)

    crm.approve(instance, "analyse_controller", "kostas.credit")
    assert crm.customer(CUSTOMER)["credit_limit"] == 9000


def audit(crm, instance: str, action: str) -> list[dict]:
    return views.audit_events(crm.engine.uow(), instance_id=instance, action=action)


def redeployed_with(crm, old: str, new: str):
    files = process_files(PROCESS)
    dmn = BPMN / f"{PROCESS}.approval_level.dmn"
    edited = dmn.read_text().replace(old, new)
    assert edited != dmn.read_text()
    return crm.engine.deploy(
        [SourceFile(f.name, edited.encode()) if f.name == dmn.name else f for f in files],
        user="lena.owner",
    )


def test_a_process_owners_new_table_decides_who_signs_without_code(crm):
    before = crm.customer(CUSTOMER)["credit_limit"]
    redeployed_with(crm, "&gt; 5000", "&gt; 2000")  # finance from an increase over 2,000
    instance = requested(crm, before + 1000)
    assert crm.open_elements(instance) == ["analyse_controller"]

    analysed(crm, instance, "analyse_controller", limit=before + 3000)
    with pytest.raises(RaciRefusal, match="authority of finance_manager"):
        crm.approve(instance, "analyse_controller", "kostas.credit")
    crm.approve(instance, "analyse_controller", "vasso.finance")
    assert crm.customer(CUSTOMER)["credit_limit"] == before + 3000


def test_a_table_naming_a_signer_outside_the_levels_is_refused_at_deploy(crm):
    with pytest.raises(InvalidDefinition, match="can give 'boss', which is not a level"):
        redeployed_with(crm, '<text>"cfo"</text>', '<text>"boss"</text>')
