"""Emergency orders in Greek, by the roles of bpmn/emergency_order.raci.csv: a BD's urgent
order that customer service releases for same-day delivery (then logistics plans it in
the release), one customer service cancels with a reason, and a blocked customer's order
refused at once."""

from __future__ import annotations

from sqlalchemy import select

from tests.browser.journeys import athens_today
from tests.browser.order_cases import WAREHOUSE, clean_line, customer_ids
from workflows.tables import orders

PROCESS = "emergency_order"
CUSTOMERS = range(140, 160)  # this module's (order journeys take 160-199)
BLOCKED = {"desk": 53, "phone": 106}
SLOT = {"desk": 0, "phone": 1}


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def enter_emergency(journey, who: str, customer_id: int, product: str, quantity: int) -> dict:
    journey.as_(who).start(
        PROCESS,
        customer=code(customer_id),
        channel="hht" if who.endswith(".bd") else "call_agent",
        warehouse_code=WAREHOUSE,
        urgency="Έμεινε χωρίς νερό πριν από αγώνα",
        **{"lines-0-product_code": product, "lines-0-quantity": str(quantity)},
    )
    with journey.engine.uow() as uow:
        query = select(orders).where(orders.c.customer_id == customer_id)
        return dict(uow.session.execute(query.order_by(orders.c.id.desc())).mappings().first())


def logistics_answers(journey, customer: str, comment: str) -> None:
    """Logistics is consulted before customer service decides (RACI C, not advisory)."""
    logistics = journey.as_("michalis.log")
    logistics.open_task("Handle the emergency order", customer=customer)
    logistics.answer(comment)
    logistics.shot("consulted")


def test_emergency_released_same_day_and_planned(journey):
    customer_id = customer_ids(journey, CUSTOMERS, overdue=False)[SLOT[journey.viewport]]
    product, quantity = clean_line(journey, customer_id)
    order = enter_emergency(journey, "giorgos.bd", customer_id, product, quantity)
    assert order["emergency"] and order["status"] != "cancelled"

    customer = code(customer_id)
    logistics_answers(journey, customer, "Φεύγει φορτηγό στις 14:00, χωράει")
    agent = journey.as_("yannis.cs")
    agent.open_task("Handle the emergency order", customer=customer)
    agent.complete("handle", emergency_decision="release", same_day=True)
    logistics = journey.as_("michalis.log")
    logistics.open_task("Plan the delivery", customer=customer)
    logistics.complete("plan-delivery", delivery_date=athens_today().isoformat(), route="Επείγον")
    assert journey.row(orders, id=order["id"])["status"] == "released"


def test_emergency_cancelled_by_customer_service_with_a_reason(journey):
    customer_id = customer_ids(journey, CUSTOMERS, overdue=False)[2 + SLOT[journey.viewport]]
    product, quantity = clean_line(journey, customer_id)
    order = enter_emergency(journey, "katerina.call", customer_id, product, quantity)

    logistics_answers(journey, code(customer_id), "Δεν υπάρχει δρομολόγιο σήμερα")
    agent = journey.as_("yannis.cs")
    agent.open_task("Handle the emergency order", customer=code(customer_id))
    instance_id = agent.instance_id()
    agent.complete("cancel", emergency_decision="cancel", cancel_reason="Ο πελάτης το βρήκε αλλού")
    assert journey.instance(instance_id)["status"] == "completed"
    assert journey.row(orders, id=order["id"])["status"] == "cancelled"


def test_blocked_customers_emergency_refused_at_once(journey):
    customer_id = BLOCKED[journey.viewport]
    bd = journey.as_("giorgos.bd" if customer_id % 3 == 1 else "katerina.call")
    order = enter_emergency(journey, bd.username, customer_id, "P0005", 3)
    bd.shot("refused")
    assert journey.row(orders, id=order["id"])["status"] == "cancelled"
