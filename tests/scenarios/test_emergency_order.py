"""Emergency order: same-day handling with logistics consulted, SLA escalation, then release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidTaskData
from engine.governance import RaciRefusal
from tests.scenarios.conftest import BPMN, process_files
from workflows.tables import customers, order_lines, orders, stock

PROCESS = "emergency_order"
COLA = "P0005"
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}


@pytest.fixture
def crm(crm):
    deployments = crm.engine.deploy(
        process_files(PROCESS) + process_files("order_release"), user="lena.owner"
    )
    assert [d.warnings for d in deployments] == [(), ()]
    with crm.engine.uow() as uow:
        uow.session.execute(update(stock).values(on_hand=1000))
        uow.commit()
    return crm


def good_customer(crm, segment: str = "C") -> int:
    query = select(customers.c.id).where(
        customers.c.segment == segment,
        customers.c.status == "active",
        customers.c.overdue_balance == 0,
        customers.c.credit_limit - customers.c.exposure > 1000,
    )
    return crm.rows(query.order_by(customers.c.id))[0]["id"]


def submit(crm, customer_id: int, quantity: int = 10, **extra) -> str:
    data = {
        "customer_id": customer_id,
        "channel": "hht",
        "warehouse_code": "ATH",
        "lines": [{"product_code": COLA, "quantity": quantity}],
        "urgency": "Festival tonight, ran out of cola",
        **extra,
    }
    return crm.start(PROCESS, "eleni.bd", **data).instance_id


def the_order(crm, instance: str) -> dict:
    [row] = crm.rows(select(orders).where(orders.c.instance_id == instance))
    return row


def reserved(crm, order_id: int) -> list[int]:
    query = select(order_lines.c.reserved).where(order_lines.c.order_id == order_id)
    return [row["reserved"] for row in crm.rows(query)]


def release_of(crm, instance: str) -> dict | None:
    started = [
        e
        for e in views.audit_events(crm.engine.uow(), process_id="order_release", action="start")
        if e["details"].get("started_by_instance") == instance
    ]
    return crm.instance(started[0]["instance_id"]) if started else None


def logistics_answers(crm, instance: str, comment: str = "Van 3 can take it at 14:00") -> None:
    task_id = crm.task(instance, "handle_emergency")
    [consultation] = views.task_detail(crm.engine.uow(), task_id)["consultations"]
    assert consultation["role"] == "logistics"
    crm.engine.answer_consultation(consultation["id"], user="michalis.log", comment=comment)


def test_an_urgent_order_is_handled_after_logistics_answers_and_goes_to_release(crm):
    instance = submit(crm, good_customer(crm))
    order = the_order(crm, instance)
    assert (order["emergency"], order["status"], order["channel"]) == (True, "received", "hht")
    assert crm.open_elements(instance) == ["handle_emergency"]

    with pytest.raises(RaciRefusal, match="consultation with logistics"):
        crm.complete(
            instance, "handle_emergency", "sofia.cs", emergency_decision="release", same_day=True
        )
    logistics_answers(crm, instance)
    crm.complete(
        instance, "handle_emergency", "sofia.cs", emergency_decision="release", same_day=True
    )

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    order = the_order(crm, instance)
    assert order["status"] == "released"
    assert reserved(crm, order["id"]) == [10]
    assert "emergency: same-day delivery agreed with logistics" in order["notes"]
    release = release_of(crm, instance)
    assert release["business_key"] == f"C{order['customer_id']:05d}"  # found by customer
    assert crm.open_elements(release["id"]) == ["plan_delivery"]
    assert crm.bds_told(instance, "handle_emergency") == crm.own_bd(
        the_order(crm, instance)["customer_id"]
    )


def test_the_cleaning_checks_other_than_a_blocked_customer_are_skipped(crm):
    lines = [{"product_code": COLA, "quantity": 1, "unit_price": 5.0, "discount_pct": 40}]
    instance = submit(crm, good_customer(crm), lines=lines)  # tiny and far under list price
    logistics_answers(crm, instance, "Not today, tomorrow first thing")
    crm.complete(
        instance, "handle_emergency", "yannis.cs", emergency_decision="release", same_day=False
    )

    order = the_order(crm, instance)
    assert order["status"] == "released"
    assert float(order["total"]) == 3.0
    assert "emergency: logistics cannot deliver today" in order["notes"]


def test_a_blocked_customers_urgent_order_is_refused_at_once(crm):
    started = crm.start(
        PROCESS,
        "katerina.call",
        customer_id=106,
        channel="call_agent",
        warehouse_code="ATH",
        lines=[{"product_code": COLA, "quantity": 10}],
        urgency="Needs it for tonight",
    )
    assert started.status == InstanceStatus.COMPLETED
    assert crm.open_tasks(started.instance_id) == []
    order = the_order(crm, started.instance_id)
    assert order["status"] == "cancelled"
    assert "cancelled: the customer is blocked" in order["notes"]
    assert release_of(crm, started.instance_id) is None


def test_a_cancelled_emergency_order_is_not_released(crm):
    instance = submit(crm, good_customer(crm))
    logistics_answers(crm, instance, "No vans left today or tomorrow")
    crm.complete(
        instance,
        "handle_emergency",
        "sofia.cs",
        emergency_decision="cancel",
        cancel_reason="cannot deliver in time, customer cancelled",
    )
    order = the_order(crm, instance)
    assert order["status"] == "cancelled"
    assert reserved(crm, order["id"]) == [0]
    assert release_of(crm, instance) is None
    assert crm.bds_told(instance, "handle_emergency") == crm.own_bd(
        the_order(crm, instance)["customer_id"]
    )


def test_an_overdue_order_is_escalated_to_the_supervisor_while_the_agent_keeps_it(crm):
    instance = submit(crm, good_customer(crm, "C"))  # C: 4 hours
    [task] = crm.open_tasks(instance)
    assert task["due_at"] == "2026-11-02T13:00:00+00:00"

    crm.clock.advance(timedelta(hours=3, minutes=59))
    assert crm.engine.fire_due_timers() == 0
    crm.clock.advance(timedelta(minutes=2))
    assert crm.engine.fire_due_timers() == 1
    assert crm.open_elements(instance) == ["chase_overdue", "handle_emergency"]
    with pytest.raises(RaciRefusal):
        crm.complete(instance, "chase_overdue", "sofia.cs", action="chased_agent", note="hurry up")

    crm.complete(
        instance, "chase_overdue", "maria.cssup", action="called_customer", note="Promised 17:00"
    )
    assert "christina.sales: chase_overdue" in crm.notified(instance)
    own_bd = crm.own_bd(the_order(crm, instance)["customer_id"])
    assert crm.bds_told(instance, "chase_overdue") == own_bd
    logistics_answers(crm, instance)
    crm.complete(
        instance, "handle_emergency", "sofia.cs", emergency_decision="release", same_day=True
    )
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert the_order(crm, instance)["status"] == "released"


def test_handling_in_time_removes_the_escalation(crm):
    instance = submit(crm, good_customer(crm, "A"))  # A: 2 hours
    logistics_answers(crm, instance)
    crm.complete(
        instance, "handle_emergency", "sofia.cs", emergency_decision="release", same_day=True
    )
    crm.clock.advance(timedelta(hours=5))
    assert crm.engine.fire_due_timers() == 0
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED


def test_key_accounts_escalate_sooner_and_editing_the_dmn_changes_the_sla(crm):
    key_account = submit(crm, good_customer(crm, "A"))
    assert crm.open_tasks(key_account)[0]["due_at"] == "2026-11-02T11:00:00+00:00"

    dmn = BPMN / f"{PROCESS}.sla.dmn"
    faster = dmn.read_text().replace('"PT4H"', '"PT1H"')
    edited = [
        SourceFile(f.name, faster.encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]
    [deployment] = crm.engine.deploy(edited, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)

    small_shop = submit(crm, good_customer(crm, "C"))
    assert crm.open_tasks(small_shop)[0]["due_at"] == "2026-11-02T10:00:00+00:00"
    crm.clock.advance(timedelta(hours=1, minutes=1))
    assert crm.engine.fire_due_timers() == 1
    assert "chase_overdue" in crm.open_elements(small_shop)
    assert "chase_overdue" not in crm.open_elements(key_account)


def test_bad_form_input_is_refused_by_field(crm):
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(
            PROCESS,
            "eleni.bd",
            customer_id=good_customer(crm),
            channel="phone",  # emergencies come from a BD or a call agent
            warehouse_code="ATH",
            lines=[{"product_code": COLA, "quantity": 10}],
        )
    assert set(refused.value.errors) == {"channel", "urgency"}
    instance = submit(crm, good_customer(crm))
    logistics_answers(crm, instance)
    with pytest.raises(InvalidTaskData, match="same_day"):
        crm.complete(instance, "handle_emergency", "sofia.cs", emergency_decision="release")
    with pytest.raises(InvalidTaskData, match="cancel_reason"):
        crm.complete(instance, "handle_emergency", "sofia.cs", emergency_decision="cancel")
    with pytest.raises(InvalidTaskData, match="same_day"):
        crm.complete(
            instance, "handle_emergency", "sofia.cs", emergency_decision="release", same_day="yes"
        )
    assert crm.open_elements(instance) == ["handle_emergency"]
    assert the_order(crm, instance)["status"] == "received"


def test_an_unknown_customer_leaves_the_instance_in_error_and_no_order(crm):
    started = crm.start(
        PROCESS,
        "eleni.bd",
        customer_id=99999,
        channel="hht",
        warehouse_code="ATH",
        lines=[{"product_code": COLA, "quantity": 10}],
        urgency="Needs it today",
    )
    assert started.status == InstanceStatus.ERROR
    assert "customer 99999 does not exist" in started.error
    assert crm.rows(select(orders)) == []
