"""A credit-limit change end to end in the browser, as the four people involved do it.

A BD asks on a phone; a credit controller analyses; the finance manager sends it back,
then signs with their password; the controller's own sign-off is refused (four eyes);
an auditor finds the trail and exports it.
"""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from tests.browser.conftest import Person
from workflows.tables import customers

CUSTOMER = 150  # a C-segment demo customer: an increase of over 5000 needs the finance manager


def customer_limit(engine) -> float:
    with engine.uow() as uow:
        return float(
            uow.session.scalar(select(customers.c.credit_limit).where(customers.c.id == CUSTOMER))
        )


def open_task_from_inbox(person: Person, text: str) -> str:
    person.page.goto("/inbox/")
    with person.page.expect_navigation():
        person.page.get_by_role("link", name=re.compile("My roles' queue")).click()
    person.shot("04-inbox-credit-controller")
    with person.page.expect_navigation():
        person.page.get_by_role("link", name=re.compile(text)).first.click()
    return person.page.url.rsplit("/", 1)[-1]


def submit(person: Person, button: str) -> None:
    """Press a button that sends a form, and wait for the answer's page.

    A click returns once the form is sent; the next step must not act on the page
    that is going away, nor read the database before the server has answered.
    """
    with person.page.expect_navigation():
        person.page.get_by_role("button", name=button, exact=True).click()


def test_a_credit_limit_change_from_request_to_audit(live_app, browser):
    base_url, engine = live_app
    before = customer_limit(engine)
    people = []

    # The BD, on a hand-held terminal (360x640).
    bd = Person(browser, base_url, "giorgos.bd", phone=True)
    people.append(bd)
    bd.sign_in()
    bd.page.goto(f"/start/credit_limit_change?customer_id={CUSTOMER}")
    bd.shot("01-start-page-phone")
    assert bd.has_no_horizontal_scroll()
    bd.page.click("form.work-form button[type=submit]")
    bd.page.fill("[name=requested_limit]", str(before + 8000))
    bd.page.fill("[name=justification]", "Opens a second shop on the square")
    bd.shot("02-request-task-phone")
    assert bd.has_no_horizontal_scroll()
    with bd.page.expect_navigation():
        bd.page.get_by_role("button", name="Complete").click()
    bd.page.goto("/inbox/")
    bd.shot("03-inbox-phone")
    assert bd.has_no_horizontal_scroll()

    # The credit controller analyses.
    controller = Person(browser, base_url, "anna.credit")
    people.append(controller)
    controller.sign_in()
    task_id = open_task_from_inbox(controller, "finance manager sign-off")
    if controller.page.get_by_role("button", name="Claim").count():
        submit(controller, "Claim")
    controller.page.select_option("[name=recommendation]", "approve")
    # Bad input past the browser's own checks: the server answers with field errors.
    controller.page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    controller.page.fill("[name=approved_limit]", "-5")
    controller.page.fill("[name=analysis]", "Pays within terms; volume grew 30% this year")
    controller.expected_status = 422
    submit(controller, "Complete")
    assert controller.page.locator("#e-approved_limit.field-error").count() == 1
    assert controller.page.locator(".field-error").count() == 1  # the choice was kept
    controller.shot("05-task-field-error")
    controller.page.wait_for_load_state("networkidle")
    controller.expected_status = None
    controller.page.fill("[name=approved_limit]", str(before + 6000))
    submit(controller, "Complete")

    # Not hers to sign: she sees no signing form, only whom it waits for (not "four
    # eyes": a controller could never sign at this level), and a forged request is refused.
    controller.page.goto(f"/tasks/{task_id}")
    assert controller.page.locator("form[action$='/approve']").count() == 0
    assert controller.page.get_by_text("Waiting for sign-off by Finance manager.").count() == 1
    assert controller.page.get_by_text("four eyes").count() == 0
    token = controller.page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = controller.page.request.post(
        f"/tasks/{task_id}/approve",
        form={"csrf_token": token, "password": "raciflow-demo"},
    )
    assert forged.status == 403
    controller.shot("06-four-eyes")

    # The finance manager sends it back, then signs.
    finance = Person(browser, base_url, "vasso.finance")
    people.append(finance)
    finance.sign_in()
    finance.page.goto(f"/tasks/{task_id}")
    finance.shot("07-signoff-page")
    finance.page.fill("#reject-reason", "Attach the last twelve months of payments")
    finance.page.fill("#reject-password", "raciflow-demo")
    submit(finance, "Send back")

    controller.page.goto(f"/tasks/{task_id}")
    assert controller.page.get_by_text("Attach the last twelve months").count() >= 1
    controller.page.select_option("[name=recommendation]", "approve")
    controller.page.fill("[name=approved_limit]", str(before + 6000))
    controller.page.fill("[name=analysis]", "Twelve months attached: never late")
    submit(controller, "Complete")

    finance.page.goto(f"/tasks/{task_id}")
    finance.page.fill("#approve-password", "not my password")
    finance.expected_status = 403
    submit(finance, "Approve and sign")
    assert customer_limit(engine) == before  # a wrong password signs nothing
    finance.page.wait_for_load_state("networkidle")
    finance.expected_status = None
    finance.page.fill("#approve-password", "raciflow-demo")
    submit(finance, "Approve and sign")
    assert customer_limit(engine) == before + 6000

    # The auditor finds the trail and exports it.
    auditor = Person(browser, base_url, "fotis.audit")
    people.append(auditor)
    auditor.sign_in()
    auditor.page.goto("/audit/?process=credit_limit_change")
    auditor.shot("08-audit-explorer")
    assert auditor.page.get_by_text("reject").count() >= 1
    with auditor.page.expect_download() as download:
        auditor.page.get_by_role("link", name=re.compile("CSV")).first.click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    actions = [row["action"] for row in rows]
    assert {"start", "complete", "reject", "approve", "refused"} <= set(actions)
    auditor.page.goto("/instances/")
    auditor.shot("09-instances")
    with auditor.page.expect_navigation():
        auditor.page.get_by_role("link", name=re.compile("credit", re.I)).first.click()
    auditor.shot("10-instance-detail")

    for person in people:
        assert person.console_errors == [], (person.username, person.console_errors)
        person.close()
