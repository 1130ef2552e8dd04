"""A task whose consultation holds its work back says so beside Complete, before the
agent fills the form in and is refused (the emergency order: logistics is asked)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine import views
from tests.e2e.staff_helpers import open_task, order_desk, sign_in
from workflows.tables import customers

pytest_plugins = ["tests.e2e.staff_helpers"]
NOTE = "It can be completed once Logistics and warehouse answer (see Consultations)"


@pytest.fixture
def crm(crm: Any) -> Any:
    return order_desk(crm, "emergency_order", "order_release")


def emergency(crm: Any) -> tuple[str, str]:
    """An urgent order waiting for customer service: (instance, task)."""
    with crm.uow() as uow:
        customer = uow.session.scalar(
            select(customers.c.id)
            .where(customers.c.status == "active", customers.c.overdue_balance == 0)
            .order_by(customers.c.id)
        )
    state = crm.start(
        "emergency_order",
        user="katerina.call",
        data={
            "customer_id": customer,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines": [{"product_code": "P0005", "quantity": 10}],
            "urgency": "Festival tonight, ran out of cola",
        },
    )
    return state.instance_id, open_task(crm, state.instance_id, "handle_emergency")


def test_the_agent_reads_that_the_work_waits_for_logistics_before_filling_it_in(web_app, crm):
    _, task = emergency(crm)
    agent = sign_in(web_app, "sofia.cs")
    assert NOTE in agent.page(f"/tasks/{task}")

    [consultation] = views.task_detail(crm.uow(), task)["consultations"]
    logistics = sign_in(web_app, "michalis.log")
    answered = logistics.post(
        f"/tasks/{task}/consultations/{consultation['id']}/answer",
        {"comment": "A van leaves at 17:00"},
    )
    assert answered.status_code == 302
    assert NOTE not in agent.page(f"/tasks/{task}")  # answered: nothing holds it now
