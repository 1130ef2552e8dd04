"""A task whose consultation holds its work back says so beside Complete, before the
agent fills the form in and is refused (the emergency order: logistics is asked)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine import views
from tests.e2e.staff_helpers import (
    DEMO_PASSWORD,
    emergency_order,
    open_task,
    order_desk,
    sign_in,
)
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
    instance = emergency_order(crm, customer)
    return instance, open_task(crm, instance, "handle_emergency")


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


def test_the_accountable_agent_goes_on_without_the_answer_from_the_page(web_app, crm):
    """sofia.cs, R/A of the emergency, could only override through the API: the page
    said the work waits for logistics and offered no way on."""
    instance, task = emergency(crm)
    agent = sign_in(web_app, "sofia.cs")
    page = agent.page(f"/tasks/{task}")
    assert f'action="/tasks/{task}/consultations/override"' in page
    assert 'href="#override"' in page  # pointed to from beside Complete
    # not the consulted role's, nor anyone else's way on
    assert "consultations/override" not in sign_in(web_app, "michalis.log").page(f"/tasks/{task}")

    wrong = agent.post(
        f"/tasks/{task}/consultations/override", {"reason": "Van leaves now", "password": "x"}
    )
    assert wrong.status_code == 403 and ">Van leaves now</textarea>" in wrong.get_data(True)
    blank = agent.post(f"/tasks/{task}/consultations/override", {"password": DEMO_PASSWORD})
    assert blank.status_code == 422
    [consultation] = views.task_detail(crm.uow(), task)["consultations"]
    assert consultation["overridden_by"] is None  # neither did anything

    done = agent.post(
        f"/tasks/{task}/consultations/override",
        {"reason": "The van leaves now", "password": DEMO_PASSWORD},
    )
    assert done.status_code == 302
    page = agent.page(f"/tasks/{task}")
    assert NOTE not in page and "Overridden by Σοφία" in page  # by name, not username
    [act] = views.audit_events(crm.uow(), instance_id=instance, action="consult_overridden")
    assert (act["actor"], act["reason"]) == ("sofia.cs", "The van leaves now")
