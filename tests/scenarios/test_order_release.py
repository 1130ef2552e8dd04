"""Order release: ATP reservation, substitutes, allocation of scarce stock, credit, delivery."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from engine import InstanceStatus, ServiceContext, SourceFile, views
from engine.errors import InvalidState, InvalidTaskData
from engine.governance import RaciRefusal
from engine.signature import digest
from tests.scenarios.conftest import BPMN, process_files
from workflows.orders import records
from workflows.orders.records import HOLDING_STOCK
from workflows.orders.stock import reallocate
from workflows.tables import customers, order_lines, orders, record_changes, stock

PROCESS = "order_release"
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}
COLA, COLA_MULTI, COLA_HORECA = "P0005", "P0029", "P0041"  # P0029, P0041: ranked substitutes
WATER, ORANGE = "P0002", "P0006"


@pytest.fixture
def crm(crm):
    [deployment] = crm.engine.deploy(process_files(PROCESS), user="lena.owner")
    assert deployment.warnings == ()
    return crm


# --- the demo data a scenario needs --------------------------------------------------------


def customer(crm, segment="C", *, overdue=False, headroom=1500, overdue_days=60) -> int:
    """An active customer of `segment`, overdue or not, with room under the credit limit."""
    query = select(customers.c.id).where(
        customers.c.segment == segment,
        customers.c.status == "active",
        customers.c.credit_limit - customers.c.exposure > headroom,
        customers.c.overdue_balance > 0 if overdue else customers.c.overdue_balance == 0,
        customers.c.overdue_days <= overdue_days,
    )
    return crm.rows(query.order_by(customers.c.id))[0]["id"]


def set_stock(crm, product: str, on_hand: int, warehouse: str = "ATH") -> None:
    with crm.engine.uow() as uow:
        uow.session.execute(
            update(stock)
            .where(stock.c.warehouse_code == warehouse, stock.c.product_code == product)
            .values(on_hand=on_hand, reserved=0, allocated=0)
        )
        uow.commit()


def stock_of(crm, product: str, warehouse: str = "ATH") -> tuple[int, int, int]:
    """(on hand, reserved, allocated) of a product in a warehouse."""
    [row] = crm.rows(
        select(stock.c.on_hand, stock.c.reserved, stock.c.allocated).where(
            stock.c.warehouse_code == warehouse, stock.c.product_code == product
        )
    )
    return row["on_hand"], row["reserved"], row["allocated"]


def place(crm, customer_id: int, *lines: tuple[str, int], warehouse: str = "ATH") -> int:
    """A clean order of `lines` (product, quantity) at list prices; return its id."""
    with crm.engine.uow() as uow:
        order_id, _ = records.create_order(
            uow.session,
            customer_id=customer_id,
            channel="hht",
            warehouse_code=warehouse,
            lines=[{"product_code": code, "quantity": quantity} for code, quantity in lines],
            emergency=False,
            by="giorgos.bd",
            at=uow.now,
            instance_id=None,
        )
        records.set_status(uow.session, order_id, "clean")
        uow.commit()
    return order_id


def release(crm, order_id: int) -> str:
    number = order(crm, order_id)["number"]
    return crm.start(PROCESS, "giorgos.bd", business_key=number, order_id=order_id).instance_id


def order(crm, order_id: int) -> dict:
    [row] = crm.rows(select(orders).where(orders.c.id == order_id))
    return row


def lines(crm, order_id: int) -> list[tuple]:
    """(product, quantity, reserved, allocated, substitute for) of each line, in line order."""
    query = (
        select(
            order_lines.c.product_code,
            order_lines.c.quantity,
            order_lines.c.reserved,
            order_lines.c.allocated,
            order_lines.c.substitute_for,
        )
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    return [tuple(row.values()) for row in crm.rows(query)]


def assert_stock_matches_the_orders(crm) -> None:
    """crm_stock holds exactly what the open orders' lines say, and is never overcommitted."""
    for row in crm.rows(select(stock)):
        held = select(
            func.coalesce(func.sum(order_lines.c.reserved), 0),
            func.coalesce(func.sum(order_lines.c.allocated), 0),
        ).join(orders)
        held = held.where(
            orders.c.warehouse_code == row["warehouse_code"],
            order_lines.c.product_code == row["product_code"],
            orders.c.status.in_(HOLDING_STOCK),
        )
        with crm.engine.uow() as uow:
            reserved, allocated = uow.session.execute(held).one()
        assert (row["reserved"], row["allocated"]) == (reserved, allocated), row
        assert 0 <= row["reserved"] + row["allocated"] <= row["on_hand"], row


def bds_told(crm, instance: str, element: str) -> bool:
    """The customer's own BD was told, and no other BD (bd is scoped to customer_bd)."""
    [start] = views.audit_events(crm.engine.uow(), instance_id=instance, action="start", limit=1)
    customer_id = order(crm, start["details"]["data"]["order_id"])["customer_id"]
    return crm.bds_told(instance, element) == crm.own_bd(customer_id)


def plan_delivery(crm, instance: str) -> None:
    crm.complete(instance, "plan_delivery", "michalis.log", delivery_date="2026-11-03", route="A4")


# --- the straight path ---------------------------------------------------------------------


def test_an_available_order_of_a_good_payer_is_reserved_released_and_planned(crm):
    set_stock(crm, COLA, 100)
    buyer = customer(crm)
    exposure = crm.customer(buyer)["exposure"]
    order_id = place(crm, buyer, (COLA, 10))
    instance = release(crm, order_id)

    assert order(crm, order_id)["status"] == "released"
    assert lines(crm, order_id) == [(COLA, 10, 10, 0, None)]  # reserved = delivered quantity
    assert stock_of(crm, COLA) == (90, 0, 0)  # the goods left with the delivery
    total = float(order(crm, order_id)["total"])
    assert crm.customer(buyer)["exposure"] == pytest.approx(exposure + total)
    assert crm.open_elements(instance) == ["plan_delivery"]

    plan_delivery(crm, instance)
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert "delivery planned for 2026-11-03 on route A4" in order(crm, order_id)["notes"]
    assert bds_told(crm, instance, "plan_delivery")
    assert_stock_matches_the_orders(crm)


def test_an_order_that_is_not_clean_cannot_be_released_twice(crm):
    set_stock(crm, COLA, 100)
    order_id = place(crm, customer(crm), (COLA, 10))
    release(crm, order_id)
    again = crm.start(PROCESS, "giorgos.bd", order_id=order_id)
    assert again.status == InstanceStatus.ERROR
    assert "is released, not clean" in again.error
    assert stock_of(crm, COLA) == (90, 0, 0)


# --- substitutes -----------------------------------------------------------------------------


def test_a_short_line_is_offered_the_best_ranked_substitute_and_the_customer_accepts(crm):
    set_stock(crm, COLA, 4)
    set_stock(crm, COLA_MULTI, 100)
    order_id = place(crm, customer(crm), (COLA, 10))
    instance = release(crm, order_id)

    assert crm.open_elements(instance) == ["offer_substitutes"]
    assert order(crm, order_id)["status"] == "clean"  # not confirmed yet...
    assert stock_of(crm, COLA) == (4, 4, 0)  # ...but what there is, is held for it
    assert lines(crm, order_id) == [(COLA, 10, 4, 0, None)]
    assert_stock_matches_the_orders(crm)

    crm.complete(
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 1, "decision": "accept"}],
        customer_contact="Mr Papadopoulos by phone",
    )

    assert lines(crm, order_id) == [(COLA, 4, 4, 0, None), (COLA_MULTI, 6, 6, 0, COLA)]
    assert order(crm, order_id)["status"] == "released"
    assert (stock_of(crm, COLA), stock_of(crm, COLA_MULTI)) == ((0, 0, 0), (94, 0, 0))
    assert "6 x P0005 replaced by P0029" in order(crm, order_id)["notes"]
    assert bds_told(crm, instance, "offer_substitutes")
    assert_stock_matches_the_orders(crm)


def test_a_substitute_without_enough_stock_is_passed_over_for_the_next_ranked(crm):
    set_stock(crm, COLA, 0)
    set_stock(crm, COLA_MULTI, 5)  # rank 1 cannot cover 10
    set_stock(crm, COLA_HORECA, 50)
    order_id = place(crm, customer(crm), (COLA, 10))
    instance = release(crm, order_id)
    crm.complete(
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 1, "decision": "accept"}],
        customer_contact="shop owner",
    )
    # Nothing of the original product was reserved: the new line records what it replaced.
    assert lines(crm, order_id) == [(COLA_HORECA, 10, 10, 0, COLA)]
    assert stock_of(crm, COLA_HORECA) == (40, 0, 0)


def test_a_declined_substitute_leaves_the_order_short_and_blocked_for_stock(crm):
    set_stock(crm, COLA, 4)
    set_stock(crm, COLA_MULTI, 100)
    order_id = place(crm, customer(crm), (COLA, 10))
    instance = release(crm, order_id)
    crm.complete(
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 1, "decision": "decline"}],
        customer_contact="shop owner",
    )

    assert crm.open_elements(instance) == ["resolve_shortage"]
    assert order(crm, order_id)["status"] == "blocked_stock"
    assert lines(crm, order_id) == [(COLA, 10, 4, 0, None)]
    assert stock_of(crm, COLA_MULTI) == (100, 0, 0)

    crm.complete(
        instance,
        "resolve_shortage",
        "sofia.cs",
        shortage_decision="ship_available",
        customer_contact="shop owner",
    )
    assert order(crm, order_id)["status"] == "blocked_stock"  # the supervisor signs first
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "resolve_shortage", "yannis.cs")  # an agent is not accountable
    crm.approve(instance, "resolve_shortage", "maria.cssup")

    assert order(crm, order_id)["status"] == "released"
    assert lines(crm, order_id) == [(COLA, 10, 4, 0, None)]  # 4 of the 10 ordered delivered
    assert float(order(crm, order_id)["total"]) == pytest.approx(4 * 12.45)
    assert stock_of(crm, COLA) == (0, 0, 0)
    assert bds_told(crm, instance, "resolve_shortage")


def test_a_substitute_decision_for_a_line_never_offered_is_refused_with_nothing_changed(crm):
    set_stock(crm, COLA, 4)
    set_stock(crm, COLA_MULTI, 100)
    set_stock(crm, ORANGE, 100)
    order_id = place(crm, customer(crm), (COLA, 10), (ORANGE, 5))
    instance = release(crm, order_id)
    before = (lines(crm, order_id), order(crm, order_id)["notes"])

    with pytest.raises(InvalidTaskData) as refused:  # line 2 is fully reserved: no offer
        crm.complete(
            instance,
            "offer_substitutes",
            "sofia.cs",
            decisions=[{"line_no": 1, "decision": "accept"}, {"line_no": 2, "decision": "accept"}],
            customer_contact="shop owner",
        )

    assert list(refused.value.errors) == ["decisions"]
    assert crm.instance(instance)["status"] == InstanceStatus.WAITING
    assert (lines(crm, order_id), order(crm, order_id)["notes"]) == before
    assert stock_of(crm, COLA_MULTI) == (100, 0, 0)

    done = crm.complete(
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 1, "decision": "accept"}],
        customer_contact="shop owner",
    )
    assert done.status == InstanceStatus.WAITING
    assert lines(crm, order_id)[1] == (ORANGE, 5, 5, 0, None)
    assert lines(crm, order_id)[2] == (COLA_MULTI, 6, 6, 0, COLA)


# --- shortage and allocation ----------------------------------------------------------------


def test_a_short_order_without_substitutes_can_be_cancelled_and_gives_its_stock_back(crm):
    set_stock(crm, COLA, 4)
    for substitute in (COLA_MULTI, COLA_HORECA):
        set_stock(crm, substitute, 0)
    order_id = place(crm, customer(crm), (COLA, 10))
    instance = release(crm, order_id)
    assert crm.open_elements(instance) == ["resolve_shortage"]  # no substitute to offer
    assert stock_of(crm, COLA) == (4, 4, 0)

    crm.complete(
        instance,
        "resolve_shortage",
        "sofia.cs",
        shortage_decision="cancel",
        cancel_reason="customer buys elsewhere",
        customer_contact="shop owner",
    )
    crm.reject(instance, "resolve_shortage", "maria.cssup", reason="call them back first")
    [task] = crm.open_tasks(instance)
    assert (task["element"], task["assignee"]) == ("resolve_shortage", "sofia.cs")
    assert stock_of(crm, COLA) == (4, 4, 0)
    crm.complete(
        instance,
        "resolve_shortage",
        "sofia.cs",
        shortage_decision="cancel",
        cancel_reason="customer buys elsewhere, called back",
        customer_contact="shop owner",
    )
    crm.approve(instance, "resolve_shortage", "maria.cssup")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert order(crm, order_id)["status"] == "cancelled"
    assert "cancelled: customer buys elsewhere, called back" in order(crm, order_id)["notes"]
    assert lines(crm, order_id) == [(COLA, 10, 0, 0, None)]
    assert stock_of(crm, COLA) == (4, 0, 0)
    assert bds_told(crm, instance, "resolve_shortage")
    assert_stock_matches_the_orders(crm)


def test_an_order_with_nothing_available_is_cancelled_when_customer_service_goes_on(crm):
    for product in (COLA, COLA_MULTI, COLA_HORECA):
        set_stock(crm, product, 0)
    order_id = place(crm, customer(crm), (COLA, 10))
    instance = release(crm, order_id)
    crm.complete(
        instance,
        "resolve_shortage",
        "sofia.cs",
        shortage_decision="ship_available",
        customer_contact="shop owner",
    )
    crm.approve(instance, "resolve_shortage", "maria.cssup")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert order(crm, order_id)["status"] == "cancelled"
    assert "nothing available to deliver" in order(crm, order_id)["notes"]


def test_freed_scarce_stock_is_allocated_to_waiting_orders_a_before_c(crm):
    set_stock(crm, WATER, 6)
    for substitute in ("P0014", "P0026"):
        set_stock(crm, substitute, 0)
    overdue = place(crm, customer(crm, overdue=True, headroom=0), (WATER, 6))
    blocked = release(crm, overdue)
    assert order(crm, overdue)["status"] == "blocked_credit"
    assert stock_of(crm, WATER) == (6, 6, 0)  # it holds the last six

    small_shop = place(crm, customer(crm, "C"), (WATER, 4))
    key_account = place(crm, customer(crm, "A"), (WATER, 3))
    waiting_c, waiting_a = release(crm, small_shop), release(crm, key_account)
    assert [lines(crm, small_shop), lines(crm, key_account)] == [
        [(WATER, 4, 0, 0, None)],
        [(WATER, 3, 0, 0, None)],
    ]

    # Credit control holds the first order: its six units are shared out, A first.
    crm.complete(
        blocked,
        "credit_review_controller",
        "anna.credit",
        credit_decision="hold",
        analysis="Overdue for weeks: hold until paid",
    )
    crm.approve(blocked, "credit_review_controller", "kostas.credit")
    assert order(crm, overdue)["status"] == "on_hold"
    assert lines(crm, overdue) == [(WATER, 6, 0, 0, None)]
    assert lines(crm, key_account) == [(WATER, 3, 0, 3, None)]
    assert lines(crm, small_shop) == [(WATER, 4, 0, 3, None)]
    assert stock_of(crm, WATER) == (6, 0, 6)
    assert_stock_matches_the_orders(crm)

    # The key account goes on with its allocation: it becomes a reservation, then ships.
    crm.complete(
        waiting_a,
        "resolve_shortage",
        "yannis.cs",
        shortage_decision="ship_available",
        customer_contact="purchasing manager",
    )
    crm.approve(waiting_a, "resolve_shortage", "maria.cssup")
    assert order(crm, key_account)["status"] == "released"
    assert lines(crm, key_account) == [(WATER, 3, 3, 0, None)]
    assert stock_of(crm, WATER) == (3, 0, 3)  # three shipped, three still allocated to C

    # The small shop cancels: its allocation goes back to the stock.
    crm.complete(
        waiting_c,
        "resolve_shortage",
        "sofia.cs",
        shortage_decision="cancel",
        cancel_reason="will order next week",
        customer_contact="owner",
    )
    crm.approve(waiting_c, "resolve_shortage", "maria.cssup")
    assert lines(crm, small_shop) == [(WATER, 4, 0, 0, None)]
    assert stock_of(crm, WATER) == (3, 0, 0)
    assert_stock_matches_the_orders(crm)


class ChangesSeen(list):
    """A business trail that keeps what it is told (entity, key, field, old, new)."""

    def add(self, entity, key, field, old, new, reason):
        self.append((entity, key, field, old, new))
        return True


def goods_receipt(uow, trail):
    return ServiceContext(
        session=uow.session,
        now=uow.now,
        instance_id="goods-receipt",
        process_id="goods_receipt",
        business_key=None,
        actor="warehouse",
        trail=trail,
    )


def test_a_new_key_account_order_takes_over_allocation_from_a_waiting_c_order(crm):
    set_stock(crm, WATER, 0)
    for substitute in ("P0014", "P0026"):
        set_stock(crm, substitute, 0)
    small_shop = place(crm, customer(crm, "C"), (WATER, 4))
    release(crm, small_shop)
    set_stock(crm, WATER, 5)  # goods arrive: nobody has them yet
    changes = ChangesSeen()
    with crm.engine.uow() as uow:  # as a goods receipt would, share them out
        reallocate(goods_receipt(uow, changes), "ATH", WATER)
        uow.commit()
    assert changes == [
        ("order_line", f"{order(crm, small_shop)['number']}/1", "allocated", 0, 4),
        ("stock", f"ATH/{WATER}", "allocated", 0, 4),
    ]
    assert lines(crm, small_shop) == [(WATER, 4, 0, 4, None)]
    assert stock_of(crm, WATER) == (5, 0, 4)

    key_account = place(crm, customer(crm, "A"), (WATER, 3))
    release(crm, key_account)  # reserves the 1 free unit, lacks 2, takes them from C

    assert lines(crm, key_account) == [(WATER, 3, 1, 2, None)]
    assert lines(crm, small_shop) == [(WATER, 4, 0, 2, None)]
    assert stock_of(crm, WATER) == (5, 1, 4)
    assert_stock_matches_the_orders(crm)


# --- credit ------------------------------------------------------------------------------------


def test_an_overdue_customer_is_blocked_and_another_controller_signs_the_release(crm):
    set_stock(crm, COLA, 100)
    order_id = place(crm, customer(crm, overdue=True, headroom=0), (COLA, 10))
    instance = release(crm, order_id)

    assert crm.open_elements(instance) == ["credit_review_controller"]
    assert order(crm, order_id)["status"] == "blocked_credit"
    assert "blocked for credit: overdue balance" in order(crm, order_id)["notes"]
    assert stock_of(crm, COLA) == (100, 10, 0)  # the goods stay reserved meanwhile

    crm.complete(
        instance,
        "credit_review_controller",
        "anna.credit",
        credit_decision="release",
        analysis="Promised to pay on Friday; small order",
    )
    with pytest.raises(RaciRefusal, match="four eyes"):
        crm.approve(instance, "credit_review_controller", "anna.credit")
    crm.approve(instance, "credit_review_controller", "kostas.credit")

    assert order(crm, order_id)["status"] == "released"
    assert stock_of(crm, COLA) == (90, 0, 0)
    assert bds_told(crm, instance, "credit_review_controller")
    assert crm.open_elements(instance) == ["plan_delivery"]


def test_a_large_order_over_the_limit_goes_to_the_finance_manager_who_holds_it(crm):
    set_stock(crm, COLA, 1000)
    buyer = customer(crm, headroom=0)
    exposure = crm.customer(buyer)["exposure"]
    order_id = place(crm, buyer, (COLA, 500))  # 6225.00: over the limit and over 5000
    instance = release(crm, order_id)
    assert crm.open_elements(instance) == ["credit_review_finance"]
    assert "exceeds the credit limit" in order(crm, order_id)["notes"]

    crm.complete(
        instance,
        "credit_review_finance",
        "anna.credit",
        credit_decision="hold",
        analysis="Far above the limit: ask for a limit change first",
    )
    with pytest.raises(RaciRefusal):  # a controller cannot sign at this level
        crm.approve(instance, "credit_review_finance", "kostas.credit")
    crm.approve(instance, "credit_review_finance", "vasso.finance")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert order(crm, order_id)["status"] == "on_hold"
    assert lines(crm, order_id) == [(COLA, 500, 0, 0, None)]
    assert stock_of(crm, COLA) == (1000, 0, 0)  # hold gives the reservation back
    assert crm.customer(buyer)["exposure"] == exposure
    assert bds_told(crm, instance, "credit_review_finance")


def test_a_partial_release_delivers_only_the_lines_credit_control_releases(crm):
    set_stock(crm, COLA, 100)
    set_stock(crm, ORANGE, 100)
    order_id = place(crm, customer(crm, overdue=True, headroom=0), (COLA, 10), (ORANGE, 20))
    instance = release(crm, order_id)
    crm.complete(
        instance,
        "credit_review_controller",
        "anna.credit",
        credit_decision="partial",
        release_lines=[1],
        analysis="Only the cola: it sells through quickly",
    )
    crm.approve(instance, "credit_review_controller", "kostas.credit")

    assert order(crm, order_id)["status"] == "released"
    assert lines(crm, order_id) == [(COLA, 10, 10, 0, None), (ORANGE, 20, 0, 0, None)]
    assert (stock_of(crm, COLA), stock_of(crm, ORANGE)) == ((90, 0, 0), (100, 0, 0))
    assert float(order(crm, order_id)["total"]) == pytest.approx(124.50)  # 10 x 12.45
    assert "partly released: lines [1]; not delivered: 2" in order(crm, order_id)["notes"]
    number = order(crm, order_id)["number"]
    [total] = crm.rows(
        select(record_changes).where(
            record_changes.c.entity == "order",
            record_changes.c.key == number,
            record_changes.c.field == "total",
        )
    )
    assert Decimal(total["new_value"]) == Decimal("124.5")  # the trail says what it came to
    assert Decimal(total["old_value"]) > Decimal(total["new_value"])


def test_editing_the_dmn_threshold_changes_who_signs_the_credit_release(crm):
    set_stock(crm, COLA, 1000)
    overdue = customer(crm, overdue=True, headroom=0)
    first = release(crm, place(crm, overdue, (COLA, 100)))  # 1245.00
    assert crm.open_elements(first) == ["credit_review_controller"]

    dmn = BPMN / f"{PROCESS}.credit_level.dmn"
    stricter = dmn.read_text().replace("&gt; 5000", "&gt; 1000")
    edited = [
        SourceFile(f.name, stricter.encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]
    [deployment] = crm.engine.deploy(edited, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)

    assert crm.open_elements(release(crm, place(crm, overdue, (COLA, 100)))) == [
        "credit_review_finance"
    ]


# --- forms -------------------------------------------------------------------------------------


def test_bad_form_input_is_refused_by_field_and_changes_nothing(crm):
    with pytest.raises(InvalidTaskData, match="order_id"):
        crm.start(PROCESS, "giorgos.bd", order_id="12; drop table")
    set_stock(crm, COLA, 100)
    order_id = place(crm, customer(crm, overdue=True, headroom=0), (COLA, 10))
    instance = release(crm, order_id)

    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(
            instance,
            "credit_review_controller",
            "anna.credit",
            credit_decision="partial",
            analysis="short",
        )
    assert set(refused.value.errors) == {"release_lines", "analysis"}
    with pytest.raises(InvalidTaskData, match="credit_decision"):
        crm.complete(
            instance,
            "credit_review_controller",
            "anna.credit",
            credit_decision="approve",
            analysis="Looks fine to me really",
        )
    assert crm.open_elements(instance) == ["credit_review_controller"]
    assert order(crm, order_id)["status"] == "blocked_credit"


def test_delivery_and_substitute_forms_check_their_fields(crm):
    set_stock(crm, COLA, 100)
    instance = release(crm, place(crm, customer(crm), (COLA, 10)))
    with pytest.raises(InvalidTaskData, match="delivery_date"):
        crm.complete(instance, "plan_delivery", "michalis.log", delivery_date="tomorrow")
    set_stock(crm, COLA, 4)
    set_stock(crm, COLA_MULTI, 100)
    offered = release(crm, place(crm, customer(crm), (COLA, 10)))
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(offered, "offer_substitutes", "sofia.cs", decisions=[], customer_contact="")
    assert set(refused.value.errors) == {"decisions", "customer_contact"}
    twice = [{"line_no": 1, "decision": "accept"}, {"line_no": 1, "decision": "decline"}]
    with pytest.raises(InvalidTaskData, match="decisions"):
        crm.complete(
            offered, "offer_substitutes", "sofia.cs", decisions=twice, customer_contact="x y z"
        )


def test_a_missing_stock_record_leaves_the_instance_in_error_until_fixed(crm):
    set_stock(crm, COLA, 100)
    order_id = place(crm, customer(crm), (COLA, 10), (ORANGE, 5))
    with crm.engine.uow() as uow:
        uow.session.execute(
            delete(stock).where(stock.c.warehouse_code == "ATH", stock.c.product_code == ORANGE)
        )
        uow.commit()
    failed = crm.start(PROCESS, "giorgos.bd", order_id=order_id)
    assert failed.status == InstanceStatus.ERROR
    assert "no stock record of P0006 in ATH" in failed.error
    assert stock_of(crm, COLA) == (100, 0, 0)
    assert order(crm, order_id)["status"] == "clean"

    with crm.engine.uow() as uow:
        uow.session.execute(
            stock.insert().values(
                warehouse_code="ATH", product_code=ORANGE, on_hand=50, reserved=0, allocated=0
            )
        )
        uow.commit()
    crm.engine.retry(failed.instance_id, user="admin")
    assert order(crm, order_id)["status"] == "released"
    assert [e["action"] for e in views.audit_events(crm.engine.uow(), action="retry")] == ["retry"]


def test_cancelling_the_release_cancels_the_order_and_gives_its_stock_to_who_waits(crm):
    set_stock(crm, COLA, 6)
    for substitute in (COLA_MULTI, COLA_HORECA):
        set_stock(crm, substitute, 0)
    first = place(crm, customer(crm, overdue=True), (COLA, 6))
    first_release = release(crm, first)
    assert order(crm, first)["status"] == "blocked_credit"  # holding its six units
    waiting = place(crm, customer(crm), (COLA, 4))
    release(crm, waiting)
    assert order(crm, waiting)["status"] == "blocked_stock"
    assert stock_of(crm, COLA) == (6, 6, 0)

    cancelled = crm.engine.cancel(first_release, user="lena.owner", reason="duplicate order")

    assert cancelled.status == InstanceStatus.CANCELLED
    assert order(crm, first)["status"] == "cancelled"
    assert "its process was cancelled: duplicate order" in order(crm, first)["notes"]
    assert lines(crm, first) == [(COLA, 6, 0, 0, None)]
    assert lines(crm, waiting)[0][3] == 4  # the freed units went to the waiting order
    [event] = views.audit_events(crm.engine.uow(), instance_id=first_release, action="cancel")
    assert event["details"]["compensation"]["status"] == "cancelled"
    assert_stock_matches_the_orders(crm)


def test_the_case_of_a_released_order_goes_on_to_the_delivery_and_is_not_cancelled(crm):
    """A call agent cancelled the release case of an order already released: the order
    stayed released, its stock out and the customer owing it, and nobody planned the
    delivery."""
    order_id = place(crm, customer(crm), (WATER, 2))
    instance = release(crm, order_id)
    with crm.engine.uow() as uow:  # released, while the instance still waits
        records.set_status(uow.session, order_id, "released")
        uow.commit()
    for user in ("lena.owner", "admin"):
        with pytest.raises(InvalidState, match="is released: its case goes on to the delivery"):
            crm.engine.cancel(instance, user=user, reason="handled by phone")
    assert order(crm, order_id)["status"] == "released"
    assert views.instance(crm.engine.uow(), instance)["status"] != "cancelled"
    assert not views.audit_events(crm.engine.uow(), instance_id=instance, action="cancel")


def test_the_credit_release_level_is_decided_again_on_the_data_signed(crm):
    """Issue 10: the level table runs on the review as submitted, and the trail says so."""
    set_stock(crm, COLA, 100)
    order_id = place(crm, customer(crm, overdue=True, headroom=0), (COLA, 10))
    instance = release(crm, order_id)
    review = {"credit_decision": "release", "analysis": "Promised to pay on Friday; small order"}
    crm.complete(instance, "credit_review_controller", "anna.credit", **review)

    [asked] = views.audit_events(crm.engine.uow(), instance_id=instance, action="signoff_requested")
    assert asked["details"]["role"] == "credit_controller"
    assert asked["details"]["authority"]["decided_by"] == "credit_level"
    assert asked["details"]["authority"]["level"] == "credit_controller"
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "credit_review_controller", "giorgos.bd")
    crm.approve(instance, "credit_review_controller", "kostas.credit")

    signed = [
        e
        for e in views.audit_events(crm.engine.uow(), instance_id=instance, action="approve")
        if e["details"]["element"] == "credit_review_controller"
    ]
    assert [e["details"]["digest"] for e in signed] == [asked["details"]["digest"]]
    assert asked["details"]["digest"] == digest(review)
    assert order(crm, order_id)["status"] == "released"


def record_problems(crm, instance: str, element: str, user: str, **data) -> dict:
    """What the engine says against `data` from the CRM records, before anyone signs
    ({}: it took the work)."""
    try:
        crm.complete(instance, element, user, **data)
    except InvalidTaskData as invalid:
        assert crm.open_elements(instance) == [element]  # still to do, nothing run
        return invalid.errors
    return {}


def test_a_line_number_no_substitute_was_offered_for_is_said_on_the_form(crm):
    """A mistyped line stopped the case after the form was accepted; said beside it now."""
    set_stock(crm, COLA, 4)
    set_stock(crm, COLA_MULTI, 100)
    instance = release(crm, place(crm, customer(crm), (COLA, 10)))
    said = {"customer_contact": "Mr Papadopoulos by phone"}

    wrong = record_problems(
        crm,
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 5, "decision": "accept"}],
        **said,
    )
    right = record_problems(
        crm,
        instance,
        "offer_substitutes",
        "sofia.cs",
        decisions=[{"line_no": 1, "decision": "accept"}],
        **said,
    )

    assert wrong == {
        "decisions": ["no substitute was offered for this line number: see the offers"]
    }
    assert right == {}


def test_a_partial_release_of_a_line_the_order_does_not_hold_is_said_on_the_form(crm):
    set_stock(crm, COLA, 100)
    set_stock(crm, ORANGE, 100)
    order_id = place(crm, customer(crm, overdue=True, headroom=0), (COLA, 10), (ORANGE, 20))
    instance = release(crm, order_id)
    review = {"credit_decision": "partial", "analysis": "Only the cola: it sells through quickly"}

    controller, element = "anna.credit", "credit_review_controller"
    # One submit is told of every mistake: the form's (too short) and the records'.
    both = record_problems(
        crm, instance, element, controller, release_lines=[9], **{**review, "analysis": "short"}
    )
    assert set(both) == {"analysis", "release_lines"}
    wrong = record_problems(crm, instance, element, controller, release_lines=[9], **review)
    right = record_problems(crm, instance, element, controller, release_lines=[1], **review)

    assert wrong == {"release_lines": ["the order holds no reserved line with this number"]}
    assert right == {}
