"""How a case ended, said where people look: a clerk starting an emergency order for a
blocked customer read "Started: the next step is with the people responsible" and the
case page said only "completed", so the customer was told the order was in."""

from __future__ import annotations

from typing import Any

import pytest

from engine import views
from tests.e2e.staff_helpers import order_desk, sign_in

pytest_plugins = ["tests.e2e.staff_helpers"]
BLOCKED = 53  # a demo customer blocked by credit control


@pytest.fixture
def crm(crm: Any) -> Any:
    return order_desk(crm, "emergency_order", "order_release")


def phoned_in(agent: Any, customer: int) -> str:
    """The call agent sends an emergency order of two colas for `customer` from the
    start form: the page it leads to."""
    answer = agent.post(
        "/start/emergency_order",
        {
            "customer_id": str(customer),
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines-0-product_code": "P0005",
            "lines-0-quantity": "2",
            "urgency": "Festival tonight",
        },
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def blocked_customers_emergency(agent: Any) -> str:
    """The call agent takes an emergency order for a blocked customer: the case's page."""
    return phoned_in(agent, BLOCKED)


def test_a_refused_emergency_order_says_it_was_refused(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    case = blocked_customers_emergency(agent)
    instance_id = case.rstrip("/").rsplit("/", 1)[-1]
    assert views.instance(crm.uow(), instance_id)["outcome"] == "refused"

    page = agent.page(case)
    assert "The case ended at once (Refused: customer blocked)." in page
    assert '<span class="outcome">Refused: customer blocked</span>' in page
    listed = agent.page("/instances/")
    assert '<span class="outcome">Refused: customer blocked</span>' in listed
    [ended] = views.audit_events(crm.uow(), instance_id=instance_id, action="instance_completed")
    assert ended["details"] == {"element": "refused"}


def test_the_diagram_of_a_case_with_several_ends_marks_the_one_it_reached(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    instance_id = blocked_customers_emergency(agent).rstrip("/").rsplit("/", 1)[-1]
    drawn = agent.get(f"/instances/{instance_id}/diagram.json").get_json()
    assert "refused" in drawn["state"]["done"]  # four end events: the one reached is marked
    assert "sent" not in drawn["state"]["done"]


def test_the_call_agent_reads_the_order_number_to_give_the_customer(web_app, crm):
    """After sending an emergency order she read only "Started: the next step is with
    the people responsible"; its number was deep in the case's history, and the case
    list named cases by the customer's code alone."""
    agent = sign_in(web_app, "katerina.call")
    case = phoned_in(agent, 54)
    summary = views.instance(crm.uow(), case.rstrip("/").rsplit("/", 1)[-1])["summary"]
    number, customer = summary["order_number"], summary["customer_name"]
    assert number.startswith("SO-")

    page = agent.page(case)
    assert f"Started: order {number}. The next step is with the people responsible" in page
    assert f"<dt>Order number</dt><dd>{number}</dd>" in page
    assert f"<dt>Customer</dt><dd>{customer}</dd>" in page
    assert f'<span class="muted">{customer} · {number}</span>' in agent.page("/instances/")
