"""Order forms as people fill them in: one line, the cancel path, Greek numbers and dates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine import views
from tests.e2e.staff_helpers import DEMO_PASSWORD, open_task, order_desk, sign_in
from web.display_values import show
from workflows.orders import records
from workflows.tables import customers, order_lines, orders

pytest_plugins = ["tests.e2e.staff_helpers"]
START = "/start/order_cleaning"
BLOCKED = 53  # a demo customer blocked by credit control: its orders are flagged
COLA = "P0005"


@pytest.fixture
def crm(crm: Any) -> Any:
    return order_desk(crm, "order_cleaning", "order_release")


def latest_order(crm: Any) -> tuple[dict, list[dict]]:
    """The last order registered, and its lines."""
    with crm.uow() as uow:
        order = uow.session.execute(select(orders).order_by(orders.c.id.desc())).mappings().first()
        lines = uow.session.execute(
            select(order_lines).where(order_lines.c.order_id == order["id"])
        ).mappings()
        return dict(order), [dict(line) for line in lines]


def order_count(crm: Any) -> int:
    with crm.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(orders))


def one_line_order(customer: int, **line: str) -> dict[str, str]:
    """The start form as a call agent sends it: one line filled, the spare row blank."""
    return {
        "customer_id": str(customer),
        "channel": "call_agent",
        "warehouse_code": "ATH",
        "lines-0-product_code": COLA,
        "lines-0-quantity": "2",
        **{f"lines-0-{k}": v for k, v in line.items()},
        "lines-1-product_code": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-1-discount_pct": "",
    }


def test_the_start_page_draws_one_optional_row_and_no_required_cell(web_app, crm):
    html = sign_in(web_app, "katerina.call").page(START)
    assert 'name="lines-0-product_code"' in html and 'name="lines-1-product_code"' not in html
    row = html[html.index('data-rows="lines"') : html.index("</fieldset>")]
    assert " required" not in row  # a blank row is dropped, never blocks the browser
    assert 'data-add-label="Add a row"' in row and "forms.js" in html


def test_the_start_page_offers_the_product_and_warehouse_codes_with_their_names(web_app, crm):
    # A clerk does not know the codes: the warehouses are a select (a few; "Αθήνα" was
    # typed for "ATH"), the products offered as one types (a datalist).
    html = sign_in(web_app, "katerina.call").page(START)
    assert re.search(r'<select id="f-warehouse_code" name="warehouse_code"', html)
    assert re.search(r'<label for="f-warehouse_code"[^>]*>\s*Warehouse\b', html)
    assert re.search(r'name="lines-0-product_code"[^>]*list="s-products"', html)
    assert '<option value="ATH">ATH · ' in html
    assert '<option value="P0003">P0003 · ' in html
    assert html.count('<datalist id="s-products">') == 1  # once, for every row


def test_a_one_line_order_is_accepted_from_the_start_page(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    answer = agent.post(START, one_line_order(150))
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    order, lines = latest_order(crm)
    assert order["customer_id"] == 150 and order["created_by"] == "katerina.call"
    assert [(line["product_code"], line["quantity"]) for line in lines] == [(COLA, 2)]


def test_the_order_taken_names_its_warehouse_as_the_form_offered_it(web_app, crm):
    """The case's data showed "ATH": the clerk had chosen "ATH · Αποθήκη Αθήνας"."""
    agent = sign_in(web_app, "katerina.call")
    started = agent.post(START, one_line_order(150))
    assert started.status_code == 302
    [task] = [t for t in views.open_tasks(crm.uow()) if t["business_key"] == "C00150"]
    crm.set_locale("katerina.call", "el")
    html = agent.page(f"/instances/{task['instance_id']}")
    assert "ATH · Αποθήκη Αθήνας (Ασπρόπυργος)" in html
    with web_app.test_request_context():
        assert str(show("XYZ", "warehouse_code")) == "XYZ"  # an unknown code as written


def test_codes_are_taken_as_typed_and_an_unknown_warehouse_is_said_beside_it(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    before = len(views.open_tasks(crm.uow())), order_count(crm)
    unknown = agent.post(START, {**one_line_order(150), "warehouse_code": "XXX"})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "there is no warehouse with this code" in html
    assert (len(views.open_tasks(crm.uow())), order_count(crm)) == before  # nothing began

    lower = {**one_line_order(150), "warehouse_code": " ath ", "lines-0-product_code": COLA.lower()}
    assert agent.post(START, lower).status_code == 302
    order, lines = latest_order(crm)
    assert order["warehouse_code"] == "ATH" and lines[0]["product_code"] == COLA


def refused_order(web_app, crm, changes: dict[str, str]) -> str:
    """The page a call agent gets for a one-line order with `changes`: refused (422),
    nothing begun (no task, no order)."""
    agent = sign_in(web_app, "katerina.call")
    before = len(views.open_tasks(crm.uow())), order_count(crm)
    answer = agent.post(START, {**one_line_order(150), **changes})
    assert answer.status_code == 422
    assert (len(views.open_tasks(crm.uow())), order_count(crm)) == before  # nothing began
    return answer.get_data(as_text=True)


def test_a_line_of_an_unknown_product_is_said_beside_its_code_not_dropped(web_app, crm):
    """Four lines taken, one of them P9999: the order was stored with three and nobody
    was told."""
    unknown = {"lines-1-product_code": "p9999", "lines-1-quantity": "3"}
    html = refused_order(
        web_app, crm, {**unknown, "lines-2-product_code": "P0003", "lines-2-quantity": "1"}
    )
    row = html[html.index('name="lines-1-product_code"') :]
    assert 'value="P9999"' in row[: row.index(">")] or 'value="p9999"' in row[: row.index(">")]
    assert '<p class="field-error" id="e-lines-1-product_code">there is no product' in html
    assert html.count("there is no product with this code") == 1  # only the unknown line
    top = html.index("Not started: please correct the marked fields.")
    assert top < html.index('id="start-form"')


def test_one_submit_names_every_mistake_of_the_order_not_one_per_try(web_app, crm):
    """An unknown product was said, and a quantity of 2,5 only on the next try."""
    mistakes = {"lines-0-quantity": "2,5", "lines-1-product_code": "P9999"}
    html = refused_order(
        web_app, crm, {**mistakes, "lines-1-quantity": "3", "warehouse_code": "XXX"}
    )
    assert '<p class="field-error" id="e-lines-1-product_code">there is no product' in html
    assert '<p class="field-error" id="e-lines-0-quantity">' in html
    assert '<p class="field-error" id="e-warehouse_code">there is no warehouse' in html


def test_an_order_without_any_line_says_so(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    form = one_line_order(150)
    form.update({"lines-0-product_code": "", "lines-0-quantity": ""})
    answer = agent.post(START, form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "give at least one order line" in html
    assert 'name="lines-0-product_code"' in html and 'name="lines-1-product_code"' not in html


def test_a_greek_decimal_price_is_read_and_shown_back_as_typed_after_an_error(web_app, crm):
    agent = sign_in(web_app, "katerina.call")
    crm.set_locale("katerina.call", "el")
    bad = one_line_order(150, unit_price="1.234,50")
    bad["lines-0-quantity"] = "0"  # refused: the price must come back as typed
    html = agent.post(START, bad).get_data(as_text=True)
    assert 'value="1.234,50"' in html and "Πρέπει να είναι από 1 έως 10000." in html
    garbage = agent.post(START, one_line_order(150, unit_price="12,3,4")).get_data(as_text=True)
    assert "Μη έγκυρος αριθμός." in garbage
    good = agent.post(START, one_line_order(150, unit_price="1.234,50"))
    assert good.status_code == 302
    _, [line] = latest_order(crm)
    assert float(line["unit_price"]) == 1234.5


def flagged_order(crm: Any) -> str:
    """An order of a blocked customer, waiting for customer service: the review task's id."""
    state = crm.start(
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
    return open_task(crm, state.instance_id, "review_order")


def review_form(**fields: str) -> dict[str, str]:
    """The review form as the browser sends it: the spare corrected line left blank."""
    blank = {f"corrected_lines-0-{c}": "" for c in ("product_code", "quantity", "unit_price")}
    return {"outcome": "", "customer_contact": "", "cancel_reason": "", **blank, **fields}


def test_the_review_page_requires_nothing_the_chosen_outcome_does_not_need(web_app, crm):
    task = flagged_order(crm)
    html = sign_in(web_app, "sofia.cs").page(f"/tasks/{task}")
    contact = html[html.index('id="f-customer_contact"') :]
    assert " required" not in contact[: contact.index(">")]
    assert 'data-needed-when="{&#34;outcome&#34;: [&#34;cancel&#34;]}"' in html
    assert "Needed when Outcome is: cancel" in html


def test_a_flagged_order_is_cancelled_with_only_a_reason(web_app, crm):
    task = flagged_order(crm)
    sofia = sign_in(web_app, "sofia.cs")
    answer = sofia.post(
        f"/tasks/{task}/complete",
        review_form(outcome="cancel", cancel_reason="The customer is blocked by credit control"),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    detail = views.task_detail(crm.uow(), task)
    assert detail["status"] == "awaiting_signoff"
    assert detail["submitted_data"]["cancel_reason"].startswith("The customer is blocked")
    assert "corrected_lines" not in detail["submitted_data"]


def test_the_corrected_lines_begin_as_the_order_and_a_cancel_leaves_them_out(web_app, crm):
    task = flagged_order(crm)
    html = sign_in(web_app, "sofia.cs").page(f"/tasks/{task}")
    assert f'name="corrected_lines-0-product_code" type="text" value="{COLA}"' in html
    quantity = html[html.index('name="corrected_lines-0-quantity"') :]
    assert 'value="20"' in quantity[: quantity.index(">")], quantity[:200]
    sent = review_form(outcome="cancel", cancel_reason="The customer cancelled by phone")
    sent.update({"corrected_lines-0-product_code": COLA, "corrected_lines-0-quantity": "20"})
    assert sign_in(web_app, "sofia.cs").post(f"/tasks/{task}/complete", sent).status_code == 302
    submitted = views.task_detail(crm.uow(), task)["submitted_data"]
    assert "corrected_lines" not in submitted  # shown to begin with, not the agent's to submit


def test_fixing_needs_a_corrected_line_and_says_so(web_app, crm):
    task = flagged_order(crm)
    answer = sign_in(web_app, "sofia.cs").post(
        f"/tasks/{task}/complete", review_form(outcome="fix")
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "needed for the choice you made" in html
    assert 'name="corrected_lines-0-product_code"' in html
    assert 'name="corrected_lines-1-product_code"' not in html  # no sixth (or second) row


def test_confirming_problems_a_confirmation_cannot_accept_is_refused_beside_the_choice(
    web_app, crm
):
    """Confirmed with the customer, a blocked customer's order came straight back for
    cleaning once the supervisor had signed: a signature spent on nothing."""
    task = flagged_order(crm)  # the customer is blocked: a hard problem
    cs = sign_in(web_app, "sofia.cs")
    cs.post(f"/tasks/{task}/claim")
    answer = cs.post(
        f"/tasks/{task}/complete",
        review_form(outcome="confirm", customer_contact="Mr Lambrakis by phone"),
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert '<p class="field-error" id="e-outcome">a confirmation cannot accept' in html
    assert views.task_detail(crm.uow(), task)["status"] == "ready"  # nothing went to sign


def test_the_supervisor_signs_a_correction_seeing_its_total_beside_the_orders(web_app, crm):
    state = crm.start(
        "order_cleaning",
        user="katerina.call",
        data={
            "customer_id": 150,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines": [{"product_code": COLA, "quantity": 100, "discount_pct": 20}],
        },
        business_key="C00150",
    )
    task = open_task(crm, state.instance_id, "review_order")
    order, [line] = latest_order(crm)
    price = float(line["unit_price"])

    sofia = sign_in(web_app, "sofia.cs")
    page = sofia.page(f"/tasks/{task}")
    typed_price = page[page.index('name="corrected_lines-0-unit_price"') :]
    assert f'value="{price}"' in typed_price[: typed_price.index(">")]  # the registered price
    corrected = review_form(outcome="fix")
    corrected.update(
        {
            "corrected_lines-0-product_code": COLA,
            "corrected_lines-0-quantity": "120",
            "corrected_lines-0-unit_price": str(price),
            "corrected_lines-0-discount_pct": "10",
        }
    )
    assert sofia.post(f"/tasks/{task}/complete", corrected).status_code == 302

    new_total = round(120 * price * 0.9, 2)
    maria, change = signer_and_change(web_app, crm, "maria.cssup", task)
    old, new = (f"€{amount:,.2f}" for amount in (float(order["total"]), new_total))
    assert "Order amount" in change and old in change and f"<strong>{new}</strong>" in change
    assert new in maria.page("/inbox/?section=signoffs")  # the row shows what is signed
    sent_back = maria.post(
        f"/tasks/{task}/reject", {"reason": "Ask the customer first", "password": DEMO_PASSWORD}
    )
    assert sent_back.status_code == 302
    mine = sofia.page("/inbox/?section=mine")  # not signed: the order's amount again
    assert old in mine and new not in mine


def test_a_partial_release_is_signed_seeing_what_the_released_lines_come_to(web_app, crm):
    overdue = 54  # a customer at its credit limit: any order of theirs waits for credit control
    with crm.uow() as uow:
        uow.session.execute(
            update(customers)
            .where(customers.c.id == overdue)
            .values(exposure=customers.c.credit_limit)
        )
        order_id, _ = records.create_order(
            uow.session,
            customer_id=overdue,
            channel="hht",
            warehouse_code="ATH",
            lines=[
                {"product_code": COLA, "quantity": 10},
                {"product_code": "P0006", "quantity": 20},
            ],
            emergency=False,
            by="giorgos.bd",
            at=uow.now,
            instance_id=None,
        )
        uow.session.execute(update(orders).where(orders.c.id == order_id).values(status="clean"))
        uow.commit()
    order, lines = latest_order(crm)
    state = crm.start("order_release", user="giorgos.bd", data={"order_id": order_id})
    task = open_task(crm, state.instance_id, "credit_review_controller")
    crm.claim(task, user="anna.credit")
    crm.complete(
        task,
        user="anna.credit",
        data={
            "credit_decision": "partial",
            "release_lines": [1],
            "analysis": "Only the cola for now",
        },
    )
    kostas, change = signer_and_change(web_app, crm, "kostas.credit", task)
    cola = next(line for line in lines if line["product_code"] == COLA)
    released = round(10 * float(cola["unit_price"]), 2)
    assert "Order amount" in change
    assert (
        f"€{float(order['total']):,.2f}" in change
        and f"<strong>€{released:,.2f}</strong>" in change
    )
    row = kostas.page("/inbox/?section=signoffs")  # the row shows what is signed, too
    assert f"€{released:,.2f}" in row and f"€{float(order['total']):,.2f}" not in row


def signer_and_change(web_app: Any, crm: Any, signer: str, task: str) -> tuple[Any, str]:
    """`signer` signed in (English pages), and the "change you sign" table of the task."""
    crm.set_password(signer, DEMO_PASSWORD, by="admin")
    crm.set_locale(signer, "en")
    person = sign_in(web_app, signer)
    page = person.page(f"/tasks/{task}")
    change = page[page.index('id="signed-change-title"') :]
    return person, change[: change.index("</table>")]
