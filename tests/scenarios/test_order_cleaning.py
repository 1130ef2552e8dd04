"""Order cleaning: clean orders go straight to release; anomalies go to customer service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidTaskData
from engine.governance import RaciRefusal
from engine.views import visibility
from raci import visibility as rules
from tests.scenarios.conftest import BPMN, process_files
from workflows.tables import customers, order_lines, orders, products, record_changes, stock

PROCESS = "order_cleaning"
COLA, ORANGE, DISCONTINUED = "P0005", "P0006", "P0017"
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}


@pytest.fixture
def crm(crm):
    deployments = crm.engine.deploy(
        process_files(PROCESS) + process_files("order_release"), user="lena.owner"
    )
    assert [d.warnings for d in deployments] == [(), ()]
    with crm.engine.uow() as uow:  # enough of everything: these scenarios are about cleaning
        uow.session.execute(update(stock).values(on_hand=1000))
        uow.commit()
    return crm


def good_customer(crm) -> dict:
    """A C customer in good standing, with room for a few of its average orders."""
    query = select(customers).where(
        customers.c.segment == "C",
        customers.c.status == "active",
        customers.c.overdue_balance == 0,
        customers.c.credit_limit - customers.c.exposure > 3 * customers.c.average_order_value,
        customers.c.average_order_value > 200,
    )
    return crm.rows(query.order_by(customers.c.id))[0]


def price(crm, code: str) -> float:
    return float(crm.rows(select(products.c.price).where(products.c.code == code))[0]["price"])


def usual_lines(crm, customer: dict) -> list[dict]:
    """Cola worth about the customer's average order, at list price."""
    quantity = round(float(customer["average_order_value"]) / price(crm, COLA))
    return [{"product_code": COLA, "quantity": quantity}]


def take(
    crm, customer_id: int, lines: list[dict], channel: str = "call_agent", user="katerina.call"
):
    return crm.start(
        PROCESS, user, customer_id=customer_id, channel=channel, warehouse_code="ATH", lines=lines
    )


def the_order(crm, instance: str) -> dict:
    [row] = crm.rows(select(orders).where(orders.c.instance_id == instance))
    return row


def lines_of(crm, order_id: int) -> list[tuple]:
    query = (
        select(order_lines.c.product_code, order_lines.c.quantity, order_lines.c.reserved)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    return [tuple(row.values()) for row in crm.rows(query)]


def release_of(crm, instance: str) -> dict | None:
    """The order_release instance this cleaning started, if any."""
    started = [
        e
        for e in views.audit_events(crm.engine.uow(), process_id="order_release", action="start")
        if e["details"].get("started_by_instance") == instance
    ]
    return crm.instance(started[0]["instance_id"]) if started else None


def anomalies_shown(crm, instance: str) -> list[str]:
    """The anomaly codes in the data of the open review task."""
    data = crm.engine.task_data(crm.task(instance, "review_order"))
    return [anomaly["code"] for anomaly in data["check"]["anomalies"]]


def review(crm, instance: str, outcome: str, user: str = "sofia.cs", **data) -> None:
    crm.complete(instance, "review_order", user, outcome=outcome, **data)


# --- clean orders ------------------------------------------------------------------------------


def test_a_clean_order_is_registered_and_goes_straight_to_release(crm):
    customer = good_customer(crm)
    lines = [
        *usual_lines(crm, customer),
        {"product_code": ORANGE, "quantity": 2, "discount_pct": 5},
    ]
    started = take(crm, customer["id"], lines)

    assert started.status == InstanceStatus.COMPLETED  # nobody had to look at it
    order = the_order(crm, started.instance_id)
    assert (order["channel"], order["created_by"], order["emergency"]) == (
        "call_agent",
        "katerina.call",
        False,
    )
    assert order["number"].startswith("SO-2026-")
    quantity = lines[0]["quantity"]
    expected = round(quantity * price(crm, COLA), 2) + round(2 * price(crm, ORANGE) * 0.95, 2)
    assert float(order["total"]) == pytest.approx(expected)  # list prices, less discount

    release = release_of(crm, started.instance_id)
    assert release["business_key"] == f"C{order['customer_id']:05d}"  # found by customer
    assert order["status"] == "released"
    assert lines_of(crm, order["id"]) == [(COLA, quantity, quantity), (ORANGE, 2, 2)]
    assert crm.open_elements(release["id"]) == ["plan_delivery"]


# --- anomalies -------------------------------------------------------------------------------


def test_the_release_belongs_to_whoever_took_the_order_not_to_whoever_moved_it_on(crm):
    """The release was recorded as started by the agent whose review moved the order on:
    the call agent who took it could not open it, nor learn that it was blocked."""
    customer = good_customer(crm)
    instance = take(crm, customer["id"], [{"product_code": COLA, "quantity": 1}]).instance_id
    review(crm, instance, "fix", corrected_lines=usual_lines(crm, customer))
    crm.approve(instance, "review_order", "maria.cssup")

    release = release_of(crm, instance)
    assert release["started_by"] == "katerina.call"
    part = visibility.case_part(crm.engine.uow(), release["id"], "katerina.call")
    assert rules.may_see_case({"call_agent"}, part)
    [start] = views.audit_events(crm.engine.uow(), instance_id=release["id"], action="start")
    assert start["actor"] == "maria.cssup"  # whose act started it, on the trail
    assert start["details"]["requested_by"] == "katerina.call"


def test_an_order_with_anomalies_waits_for_customer_service_with_them_listed(crm):
    customer = good_customer(crm)
    lines = [
        {"product_code": COLA, "quantity": 2, "unit_price": 9.0},
        {"product_code": "X999", "quantity": 1},
    ]
    started = take(crm, customer["id"], lines, channel="phone")

    assert crm.open_elements(started.instance_id) == ["review_order"]
    order = the_order(crm, started.instance_id)
    assert order["status"] == "needs_cleaning"
    assert anomalies_shown(crm, started.instance_id) == [
        "unknown_product",
        "below_minimum",
        "unusually_small",
        "discount_above_policy",
    ]
    assert "needs cleaning: X999 is not in the catalogue" in order["notes"]
    assert lines_of(crm, order["id"]) == [(COLA, 2, 0)]  # unknown products cannot be stored
    assert release_of(crm, started.instance_id) is None
    [consultation] = views.task_detail(
        crm.engine.uow(), crm.task(started.instance_id, "review_order")
    )["consultations"]
    assert consultation["role"] == "bd"


def test_fixed_lines_are_checked_again_and_released_once_the_supervisor_signs(crm):
    customer = good_customer(crm)
    started = take(crm, customer["id"], [{"product_code": COLA, "quantity": 1}])
    instance = started.instance_id
    task_id = crm.task(instance, "review_order")
    [consultation] = views.task_detail(crm.engine.uow(), task_id)["consultations"]
    crm.engine.answer_consultation(  # the customer's own BD is the one consulted
        consultation["id"], user=customer["bd"], comment="They always take a full pallet"
    )

    review(crm, instance, "fix", corrected_lines=usual_lines(crm, customer))
    order = the_order(crm, instance)
    assert order["status"] == "needs_cleaning"  # nothing changes before sign-off
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "review_order", "yannis.cs")  # agents are not accountable
    crm.approve(instance, "review_order", "maria.cssup")

    order = the_order(crm, instance)
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert order["status"] == "released"
    quantity = usual_lines(crm, customer)[0]["quantity"]
    assert lines_of(crm, order["id"]) == [(COLA, quantity, quantity)]
    assert "lines corrected" in order["notes"]
    assert crm.bds_told(instance, "review_order") == crm.own_bd(
        the_order(crm, instance)["customer_id"]
    )
    assert views.task_detail(crm.engine.uow(), task_id)["consultations"][0]["comment"] == (
        "They always take a full pallet"
    )


def test_a_possible_duplicate_confirmed_with_the_customer_is_accepted_as_is(crm):
    customer = good_customer(crm)
    take(crm, customer["id"], usual_lines(crm, customer))
    crm.clock.advance(timedelta(hours=20))
    again = take(crm, customer["id"], usual_lines(crm, customer)).instance_id
    assert anomalies_shown(crm, again) == ["possible_duplicate"]

    review(crm, again, "confirm", customer_contact="Mrs Georgiou, owner, by phone")
    crm.approve(again, "review_order", "maria.cssup")

    order = the_order(crm, again)
    assert order["status"] == "released"
    assert "accepted as is, confirmed with Mrs Georgiou, owner, by phone" in order["notes"]
    assert release_of(crm, again) is not None


def test_a_duplicate_outside_the_window_is_no_anomaly(crm):
    customer = good_customer(crm)
    take(crm, customer["id"], usual_lines(crm, customer))
    crm.clock.advance(timedelta(days=2, hours=1))
    later = take(crm, customer["id"], usual_lines(crm, customer))
    assert later.status == InstanceStatus.COMPLETED


def test_a_confirmation_cannot_accept_a_discontinued_product(crm):
    customer = good_customer(crm)
    lines = [*usual_lines(crm, customer), {"product_code": DISCONTINUED, "quantity": 5}]
    instance = take(crm, customer["id"], lines).instance_id
    assert anomalies_shown(crm, instance) == ["discontinued_product"]

    with pytest.raises(InvalidTaskData) as refused:  # any surface: page, API or CLI
        review(crm, instance, "confirm", customer_contact="the owner")

    assert list(refused.value.errors) == ["outcome"]
    assert crm.open_elements(instance) == ["review_order"]
    assert the_order(crm, instance)["status"] == "needs_cleaning"


def test_a_product_discontinued_while_its_confirmation_waits_brings_the_order_back(crm):
    """The records may change between the work and its signature: the order is checked
    again once signed, and comes back to customer service instead of going to release."""
    customer = good_customer(crm)
    [line] = usual_lines(crm, customer)
    instance = take(crm, customer["id"], [{**line, "quantity": line["quantity"] * 10}]).instance_id
    assert anomalies_shown(crm, instance) == ["unusually_large"]
    review(crm, instance, "confirm", customer_contact="the owner: a shop opening")

    with crm.engine.uow() as uow:
        uow.session.execute(
            update(products).where(products.c.code == COLA).values(discontinued=True)
        )
        uow.commit()
    crm.approve(instance, "review_order", "maria.cssup")

    assert crm.open_elements(instance) == ["review_order"]  # back: it must be fixed
    assert "discontinued_product" in anomalies_shown(crm, instance)
    assert the_order(crm, instance)["status"] == "needs_cleaning"
    assert release_of(crm, instance) is None


def test_a_blocked_customers_order_can_only_be_cancelled(crm):
    instance = take(crm, 53, [{"product_code": COLA, "quantity": 20}]).instance_id
    assert anomalies_shown(crm, instance)[0] == "customer_blocked"

    review(crm, instance, "cancel", cancel_reason="customer is blocked by credit control")
    crm.approve(instance, "review_order", "maria.cssup")

    order = the_order(crm, instance)
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert order["status"] == "cancelled"
    assert "cancelled: customer is blocked by credit control" in order["notes"]
    assert release_of(crm, instance) is None
    assert lines_of(crm, order["id"]) == [(COLA, 20, 0)]
    assert crm.bds_told(instance, "review_order") == crm.own_bd(
        the_order(crm, instance)["customer_id"]
    )


def test_a_rejected_review_goes_back_to_the_same_agent(crm):
    customer = good_customer(crm)
    instance = take(crm, customer["id"], [{"product_code": COLA, "quantity": 1}]).instance_id
    review(crm, instance, "cancel", user="yannis.cs", cancel_reason="too small to deliver")
    crm.reject(instance, "review_order", "maria.cssup", reason="ask them to add to it first")

    [task] = crm.open_tasks(instance)
    assert (task["element"], task["assignee"]) == ("review_order", "yannis.cs")
    assert the_order(crm, instance)["status"] == "needs_cleaning"


def test_editing_the_dmn_minimum_order_value_changes_what_is_clean(crm):
    customer = good_customer(crm)
    assert take(crm, customer["id"], usual_lines(crm, customer)).status == "completed"

    dmn = BPMN / f"{PROCESS}.policy.dmn"
    minimum = '<outputEntry id="r4_minimum"><text>50</text>'
    stricter = dmn.read_text().replace(minimum, minimum.replace("50", "5000"))
    assert stricter != dmn.read_text()
    edited = [
        SourceFile(f.name, stricter.encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]
    [deployment] = crm.engine.deploy(edited, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)

    crm.clock.advance(timedelta(days=3))  # no duplicate of the first order
    instance = take(crm, customer["id"], usual_lines(crm, customer)).instance_id
    assert anomalies_shown(crm, instance) == ["below_minimum"]


# --- bad input and failures ------------------------------------------------------------------


def test_bad_start_input_is_refused_by_field(crm):
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(
            PROCESS,
            "giorgos.bd",
            customer_id=0,
            channel="fax",
            warehouse_code="athens",
            lines=[{"product_code": COLA, "quantity": 0, "discount_pct": 120}],
        )
    assert set(refused.value.errors) == {
        "customer_id",
        "channel",
        "warehouse_code",
        "lines.0.quantity",
        "lines.0.discount_pct",
    }
    twice = [{"product_code": COLA, "quantity": 1}, {"product_code": COLA, "quantity": 2}]
    with pytest.raises(InvalidTaskData, match="one line per product"):
        take(crm, 150, twice)
    with pytest.raises(InvalidTaskData, match="lines"):
        take(crm, 150, [])
    assert crm.rows(select(orders)) == []


def test_a_review_outcome_needs_what_it_acts_on(crm):
    instance = take(crm, 53, [{"product_code": COLA, "quantity": 1}]).instance_id
    for outcome, fields in (
        ("fix", {"corrected_lines"}),
        # and the records say a blocked customer's order cannot be confirmed, at once
        ("confirm", {"customer_contact", "outcome"}),
        ("cancel", {"cancel_reason"}),
    ):
        with pytest.raises(InvalidTaskData) as refused:
            review(crm, instance, outcome)
        assert set(refused.value.errors) == fields
    assert crm.open_elements(instance) == ["review_order"]


def test_a_failing_registration_leaves_the_instance_in_error_and_no_order(crm):
    started = from_the_terminal(crm, customer_id=99999, warehouse="ATH")
    assert started.status == InstanceStatus.ERROR
    assert "customer 99999 does not exist" in started.error
    assert crm.rows(select(orders)) == []
    assert crm.rows(select(order_lines)) == []


def test_an_unknown_warehouse_is_refused_by_field_and_nothing_starts(crm):
    """From the terminal too (the API): an order that could not be registered is said
    to its sender, instead of a case that stops at its first step."""
    with pytest.raises(InvalidTaskData) as refused:
        from_the_terminal(crm, customer_id=150, warehouse="XYZ")
    assert refused.value.errors == {"warehouse_code": ["there is no warehouse with this code"]}
    assert views.audit_events(crm.engine.uow(), process_id=PROCESS, action="start") == []
    assert crm.rows(select(orders)) == []


def from_the_terminal(crm, *, customer_id: int, warehouse: str):
    """A BD's order of five colas, sent from the hand-held terminal."""
    lines = [{"product_code": COLA, "quantity": 5}]
    return crm.start(
        PROCESS,
        "giorgos.bd",
        customer_id=customer_id,
        channel="hht",
        warehouse_code=warehouse,
        lines=lines,
    )


def test_cancelling_the_cleaning_cancels_the_order_it_registered(crm):
    instance = take(crm, 53, [{"product_code": COLA, "quantity": 20}]).instance_id
    assert the_order(crm, instance)["status"] == "needs_cleaning"  # waiting for a review

    crm.engine.cancel(instance, user="lena.owner", reason="entered twice")

    order = the_order(crm, instance)
    assert order["status"] == "cancelled"
    assert "its process was cancelled: entered twice" in order["notes"]
    assert release_of(crm, instance) is None


def test_a_corrected_line_of_a_product_not_in_the_catalogue_is_refused_by_field(crm):
    """A fix typed with an unknown code lost the line when the order was stored: the
    engine refuses it beside its input, whoever sends it (page, API or CLI)."""
    customer = good_customer(crm)
    instance = take(crm, customer["id"], [{"product_code": COLA, "quantity": 1}]).instance_id
    corrected = [{"product_code": "P0005", "quantity": 1}, {"product_code": " zz9 ", "quantity": 2}]

    with pytest.raises(InvalidTaskData) as refused:
        review(crm, instance, "fix", corrected_lines=corrected)

    assert refused.value.errors == {
        "corrected_lines.1.product_code": ["there is no product with this code"]
    }
    assert crm.open_elements(instance) == ["review_order"]  # still to do
    assert the_order(crm, instance)["status"] == "needs_cleaning"


def test_a_line_correction_is_on_the_trail_line_by_line_old_to_new(crm):
    customer = good_customer(crm)
    lines = [{"product_code": COLA, "quantity": 1}, {"product_code": ORANGE, "quantity": 2}]
    instance = take(crm, customer["id"], lines).instance_id
    before = the_order(crm, instance)
    corrected = usual_lines(crm, customer)  # cola only, more of it: the orange line goes
    review(crm, instance, "fix", corrected_lines=corrected)
    crm.approve(instance, "review_order", "maria.cssup")

    after = the_order(crm, instance)
    number = after["number"]
    changes = {
        (row["entity"], row["key"], row["field"]): (row["old_value"], row["new_value"])
        for row in crm.rows(select(record_changes).where(record_changes.c.instance_id == instance))
        if row["reason"] == "lines corrected"
    }
    assert changes[("order_line", f"{number}/1", "quantity")] == (
        "1",
        str(corrected[0]["quantity"]),
    )
    assert changes[("order_line", f"{number}/2", "product_code")] == (ORANGE, None)
    assert changes[("order_line", f"{number}/2", "quantity")] == ("2", None)
    assert ("order_line", f"{number}/1", "product_code") not in changes  # unchanged: not said
    was, now = changes[("order", number, "total")]
    assert (Decimal(was), Decimal(now)) == (before["total"], after["total"])
    assert after["total"] != before["total"]
