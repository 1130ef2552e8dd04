"""Order cleaning and order release in Greek, by the roles of bpmn/order_cleaning.raci.csv
and bpmn/order_release.raci.yaml. A call agent or BD enters the order on the start page;
a clean order goes to release by itself, where logistics plans the delivery. A flagged order
is fixed by customer service, sent back by the supervisor, fixed again and signed; a blocked
customer's order is cancelled with only a reason; a release blocked for credit is released
by one credit controller and signed by another, or held by the finance manager."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.journeys import athens_today
from tests.browser.order_cases import WAREHOUSE, clean_line, customer_ids, list_price
from workflows.tables import orders

PROCESS = "order_cleaning"
ORDER_CUSTOMERS = range(160, 200)  # this module's; emergency orders take 140-159
LONG_OVERDUE = range(45, 100)  # few are overdue more than 60 days: look wider
BLOCKED = {"desk": 159, "phone": 106}  # blocked by credit control (demo data)
SLOT = {"desk": 0, "phone": 1}


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def pick(journey, offset: int, ids: range = ORDER_CUSTOMERS, **conditions) -> int:
    found = customer_ids(journey, ids, **conditions)
    return found[offset * 2 + SLOT[journey.viewport]]


def enter_order(journey, who: str, customer_id: int, product: str, quantity: int, **line) -> dict:
    """The order taker enters a one-line order from the start page; the order's row."""
    journey.as_(who).start(
        PROCESS,
        customer=code(customer_id),
        channel="hht" if who.endswith(".bd") else "call_agent",
        warehouse_code=WAREHOUSE,
        **{"lines-0-product_code": product, "lines-0-quantity": str(quantity)},
        **{f"lines-0-{key}": value for key, value in line.items()},
    )
    with journey.engine.uow() as uow:
        from sqlalchemy import select

        query = select(orders).where(orders.c.customer_id == customer_id)
        return dict(uow.session.execute(query.order_by(orders.c.id.desc())).mappings().first())


def plan_delivery(journey, customer: str) -> None:
    logistics = journey.as_("michalis.log")
    logistics.open_task("Plan the delivery", customer=customer)
    day = (athens_today() + timedelta(days=1)).isoformat()
    logistics.complete("plan-delivery", delivery_date=day, route="Αθήνα Κέντρο 3")


def order_status(journey, order_id: int) -> str:
    return journey.row(orders, id=order_id)["status"]


def test_clean_order_goes_to_release_and_is_planned(journey):
    customer_id = pick(journey, 0, overdue=False)
    product, quantity = clean_line(journey, customer_id)
    order = enter_order(journey, "katerina.call", customer_id, product, quantity)
    assert order["status"] != "needs_cleaning", order
    plan_delivery(journey, code(customer_id))
    assert order_status(journey, order["id"]) == "released"


def test_flagged_order_fixed_sent_back_fixed_again_and_released(journey):
    customer_id = pick(journey, 1, overdue=False)
    product, quantity = clean_line(journey, customer_id)
    too_dear = f"{list_price(journey, product) * 3:.2f}".replace(".", ",")  # Greek decimals
    order = enter_order(journey, "giorgos.bd", customer_id, product, quantity, unit_price=too_dear)
    assert order["status"] == "needs_cleaning"

    customer = code(customer_id)
    agent = journey.as_("sofia.cs")
    agent.open_task("Clean the order", customer=customer)
    # The corrected lines begin as the order: the agent drops the price above list and,
    # by mistake, the quantity.
    assert agent.page.input_value("[name='corrected_lines-0-product_code']") == product
    agent.complete(
        "clean-order",
        outcome="fix",
        **{"corrected_lines-0-unit_price": "", "corrected_lines-0-quantity": "1"},
    )
    supervisor = journey.as_("maria.cssup")
    supervisor.open_task("Clean the order", customer=customer, to_sign=True)
    supervisor.shot("signoff")
    supervisor.reject("Ο πελάτης θέλει την ποσότητα της παραγγελίας, όχι ένα τεμάχιο")

    agent.open_task("Clean the order", customer=customer)
    assert agent.sees("όχι ένα τεμάχιο")
    agent.complete("rework", outcome="fix", **{"corrected_lines-0-quantity": str(quantity)})
    supervisor.open_task("Clean the order", customer=customer, to_sign=True)
    supervisor.approve()
    plan_delivery(journey, customer)
    assert order_status(journey, order["id"]) == "released"


def test_blocked_customers_order_cancelled_with_only_a_reason(journey):
    customer_id = BLOCKED[journey.viewport]
    order = enter_order(journey, "katerina.call", customer_id, "P0005", 3)
    assert order["status"] == "needs_cleaning"
    agent = journey.as_("sofia.cs")
    agent.open_task("Clean the order", customer=code(customer_id))
    agent.complete("cancel", outcome="cancel", cancel_reason="Ο πελάτης είναι μπλοκαρισμένος")
    supervisor = journey.as_("maria.cssup")
    supervisor.open_task("Clean the order", customer=code(customer_id), to_sign=True)
    supervisor.approve()
    assert order_status(journey, order["id"]) == "cancelled"


def test_release_blocked_for_credit_released_by_controllers(journey):
    customer_id = pick(journey, 0, max_days=60)
    product, quantity = clean_line(journey, customer_id)
    order = enter_order(journey, "katerina.call", customer_id, product, quantity)
    assert order_status(journey, order["id"]) == "blocked_credit"

    task = "Review the credit block (controller sign-off)"
    analyst = journey.as_("anna.credit")
    analyst.open_task(task, customer=code(customer_id))
    analyst.complete(
        "credit-review", credit_decision="release", analysis="Υποσχέθηκε πληρωμή την Παρασκευή"
    )
    signer = journey.as_("kostas.credit")
    signer.open_task(task, customer=code(customer_id), to_sign=True)
    signer.approve()
    plan_delivery(journey, code(customer_id))
    assert order_status(journey, order["id"]) == "released"


def test_release_blocked_for_credit_held_by_the_finance_manager(journey):
    customer_id = pick(journey, 0, LONG_OVERDUE, min_days=60)
    product, quantity = clean_line(journey, customer_id)
    order = enter_order(journey, "katerina.call", customer_id, product, quantity)
    assert order_status(journey, order["id"]) == "blocked_credit"

    task = "Review the credit block (finance manager sign-off)"
    analyst = journey.as_("anna.credit")
    analyst.open_task(task, customer=code(customer_id))
    analyst.complete(
        "credit-review", credit_decision="hold", analysis="Οφειλή άνω των εξήντα ημερών"
    )
    finance = journey.as_("vasso.finance")
    finance.open_task(task, customer=code(customer_id), to_sign=True)
    finance.shot("signoff")
    finance.approve()
    assert order_status(journey, order["id"]) == "on_hold"
