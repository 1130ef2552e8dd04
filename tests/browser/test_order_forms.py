"""Order forms in Chromium, in Greek, at a desk (1366x900) and on a phone (360x640).

A call agent enters a one-line order (the spare row stays blank and blocks nothing);
a customer-service agent cleans it; a flagged order is cancelled with only a reason.
Screenshots: test-artifacts/screenshots/order-forms-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine import views
from tests.browser.conftest import ARTIFACTS, Person, _serve_demo
from workflows.tables import order_lines, orders

CUSTOMER = 150
BLOCKED = 53  # blocked by credit control: its orders always wait for customer service
COLA = "P0005"
VIEWPORTS = pytest.mark.parametrize("phone", [False, True], ids=["1366x900", "360x640"])


@pytest.fixture(scope="module")
def greek_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The Greek demo company, with the sign-in rate limit off: four people sign in per
    test, from one address, within a minute (the limit has tests of its own)."""
    yield from _serve_demo(
        tmp_path_factory.mktemp("orders-el"), "el", test_config={"RATELIMIT_ENABLED": False}
    )


def latest_order(engine) -> tuple[dict, list[dict]]:
    with engine.uow() as uow:
        order = uow.session.execute(select(orders).order_by(orders.c.id.desc())).mappings().first()
        lines = uow.session.execute(
            select(order_lines).where(order_lines.c.order_id == order["id"])
        ).mappings()
        return dict(order), [dict(line) for line in lines]


def review_task(engine, instance_id: str) -> str:
    [task] = [
        t["id"]
        for t in views.open_tasks(engine.uow(), instance_id=instance_id)
        if t["element"] == "review_order"
    ]
    return task


def shoot_form(person: Person, name: str) -> None:
    """The page, and the form alone (what these tests are about), as screenshots."""
    person.shot(name)
    form = person.page.locator("form.work-form")
    form.screenshot(path=str(ARTIFACTS / f"{name}-form.png"))


def submit(person: Person) -> None:
    person.page.click("form.work-form button[type=submit]")
    person.page.wait_for_load_state()


@VIEWPORTS
def test_a_one_line_order_is_entered_by_a_call_agent_and_cleaned(greek_app, browser, phone):
    base_url, engine = greek_app
    size = "phone" if phone else "desk"
    agent = Person(browser, base_url, "katerina.call", phone=phone)
    agent.sign_in()
    page = agent.page
    page.goto(f"/start/order_cleaning?customer_id={CUSTOMER}")
    assert page.locator("[name=lines-0-product_code]").count() == 1
    assert page.locator("[name=lines-1-product_code]").count() == 0
    page.select_option("[name=channel]", "call_agent")
    page.select_option("[name=warehouse_code]", "ATH")
    page.fill("[name=lines-0-product_code]", COLA)
    page.fill("[name=lines-0-quantity]", "2")
    page.fill("[name=lines-0-unit_price]", "1.234,50")  # Greek decimal comma; far above list
    # A second row added and left blank blocks nothing; a third added and removed is gone.
    page.get_by_role("button", name="Προσθήκη γραμμής").click()
    page.get_by_role("button", name="Προσθήκη γραμμής").click()
    assert page.locator("[name=lines-2-product_code]").count() == 1
    page.get_by_role("button", name="Αφαίρεση γραμμής").nth(2).click()
    assert page.locator("[name=lines-2-product_code]").count() == 0
    assert page.locator("[name=lines-1-product_code]").evaluate("e => !e.required")
    shoot_form(agent, f"order-forms-01-one-line-order-{size}")
    if phone:
        assert agent.has_no_horizontal_scroll()
    submit(agent)
    assert "/start/" not in page.url, page.inner_text("main")[:500]
    order, lines = latest_order(engine)
    assert (order["customer_id"], order["created_by"]) == (CUSTOMER, "katerina.call")
    assert [(x["product_code"], x["quantity"], float(x["unit_price"])) for x in lines] == [
        (COLA, 2, 1234.5)
    ]
    assert order["status"] == "needs_cleaning"  # the price is far above the list price

    # Customer service cleans it: the corrected line at the list price, nothing else.
    cs = Person(browser, base_url, "sofia.cs", phone=phone)
    cs.sign_in()
    task_id = review_task(engine, order["instance_id"])
    cs.page.goto(f"/tasks/{task_id}")
    cs.page.select_option("[name=outcome]", "fix")
    assert cs.page.locator("[name=cancel_reason]").evaluate("e => !e.required")
    assert cs.page.locator("[name=customer_contact]").evaluate("e => !e.required")
    cs.page.fill("[name=corrected_lines-0-product_code]", COLA)
    cs.page.fill("[name=corrected_lines-0-quantity]", "2")
    shoot_form(cs, f"order-forms-02-clean-the-order-{size}")
    if phone:
        assert cs.has_no_horizontal_scroll()
    submit(cs)
    assert "field-error" not in cs.page.content(), cs.page.inner_text("main")[:800]
    task = views.task_detail(engine.uow(), task_id)
    assert task["status"] == "awaiting_signoff"
    [line] = task["submitted_data"]["corrected_lines"]
    assert (line["product_code"], line["quantity"]) == (COLA, 2)
    cs.shot(f"order-forms-03-cleaned-awaiting-signoff-{size}")
    assert agent.console_errors == [] and cs.console_errors == []
    agent.close()
    cs.close()


@VIEWPORTS
def test_a_flagged_order_is_cancelled_with_only_a_reason(greek_app, browser, phone):
    base_url, engine = greek_app
    size = "phone" if phone else "desk"
    state = engine.start(
        "order_cleaning",
        user="katerina.call",
        data={
            "customer_id": BLOCKED,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines": [{"product_code": COLA, "quantity": 20}],
        },
        business_key=f"C{BLOCKED:05d}",
    )
    task_id = review_task(engine, state.instance_id)
    cs = Person(browser, base_url, "sofia.cs", phone=phone)
    cs.sign_in()
    cs.page.goto(f"/tasks/{task_id}")
    cs.page.select_option("[name=outcome]", "cancel")
    assert cs.page.locator("[name=cancel_reason]").evaluate("e => e.required")
    cs.page.fill("[name=cancel_reason]", "Ο πελάτης είναι μπλοκαρισμένος από τον πιστωτικό έλεγχο")
    shoot_form(cs, f"order-forms-04-cancel-with-a-reason-{size}")
    if phone:
        assert cs.has_no_horizontal_scroll()
    submit(cs)
    assert "field-error" not in cs.page.content(), cs.page.inner_text("main")[:800]
    task = views.task_detail(engine.uow(), task_id)
    assert task["status"] == "awaiting_signoff"
    assert task["submitted_data"]["outcome"] == "cancel"
    assert "corrected_lines" not in task["submitted_data"]
    assert cs.console_errors == []
    cs.close()


def test_a_second_press_of_start_while_the_page_is_on_its_way_sends_nothing(greek_app, browser):
    """Two presses of Start while the page was on its way started two emergency orders."""
    base_url, _engine = greek_app
    agent = Person(browser, base_url, "katerina.call")
    agent.sign_in()
    page = agent.page
    page.goto(f"/start/emergency_order?customer_id={CUSTOMER}")
    page.select_option("[name=channel]", "call_agent")
    page.select_option("[name=warehouse_code]", "ATH")
    page.fill("[name=lines-0-product_code]", COLA)
    page.fill("[name=lines-0-quantity]", "3")
    page.fill("[name=urgency]", "Γιορτή απόψε")
    sent = page.evaluate(
        """() => {
        const form = document.querySelector("form.work-form");
        let sent = 0;
        // after the page's own handlers: count the sends they let through, send none
        form.addEventListener("submit", (e) => { if (!e.defaultPrevented) sent++; e.preventDefault(); });
        form.requestSubmit();
        form.requestSubmit();
        return sent;
    }"""
    )
    assert sent == 1
    agent.close()
