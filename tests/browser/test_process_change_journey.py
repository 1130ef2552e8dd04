"""A process owner changes credit limit change in the browser; another person signs it.

The owner opens a draft in the modeler, consults the sales manager on the controller's
analysis in the RACI panel, lowers the increase above which the finance manager signs
(500 instead of 5000) in the decision table, checks and submits; the approver reads the
diff and signs with their password; an instance started afterwards runs on version 2 and
decides with the new threshold. In Greek, at desk and phone size.
"""

from __future__ import annotations

import re

from engine import views
from tests.browser.conftest import Person
from workflows.customers import get_customer

PROCESS = "credit_limit_change"
CUSTOMER = 150


def page_errors(person: Person) -> list[str]:
    """The console's errors, but dmn-js's own notice that its bundle carries Inferno's
    development build (printed as an error by the library as shipped, harmless)."""
    return [e for e in person.console_errors if "development build of Inferno" not in e]


def test_owner_changes_a_threshold_and_a_raci_row_and_another_signs(greek_app, browser):
    base_url, engine = greek_app
    owner = Person(browser, base_url, "lena.owner")
    owner.sign_in()
    owner.page.wait_for_load_state("networkidle")
    owner.follow_menu("Αλλαγές")
    owner.page.select_option("select[name=process_id]", PROCESS)
    owner.page.get_by_role("button", name="Άνοιγμα προσχεδίου").click()
    owner.page.wait_for_selector("body[data-modeler-ready=true]")
    owner.shot("process-change-01-modeler-desk")

    # The RACI panel: the sales manager is consulted on the controller's analysis.
    row = owner.page.locator("#raci-grid tr[data-activity=analyse_controller]")
    row.locator("input[data-role=sales_manager]").fill("C")

    # The decision table: the finance manager signs increases above 500.
    owner.page.get_by_role("tab", name=re.compile("Πίνακας απόφασης")).click()
    cell = owner.page.locator(".tjs-container td").filter(has_text=re.compile(r"^> 5000$"))
    cell.click()
    owner.page.keyboard.press("End")
    owner.page.keyboard.press("Backspace")
    owner.shot("process-change-02-decision-table-desk")

    owner.page.get_by_role("button", name="Αποθήκευση και έλεγχος").click()
    owner.page.wait_for_selector("#problems li.ok")
    owner.page.get_by_role("tab", name="Διάγραμμα").click()
    owner.shot("process-change-03-checked-desk")
    owner.page.fill(
        "textarea[name=comment]", "Ο οικονομικός διευθυντής υπογράφει αυξήσεις από 500 €"
    )
    owner.page.get_by_role("button", name="Υποβολή για έγκριση").click()
    owner.page.wait_for_selector(".draft-status")
    assert "υποβλήθηκε" in owner.page.locator(".draft-status").inner_text()
    assert not page_errors(owner), owner.console_errors

    # The approver, at a desk and on a phone, reads the diff and signs.
    approver = Person(browser, base_url, "stavros.approver")
    approver.sign_in()
    approver.page.wait_for_load_state("networkidle")
    approver.follow_menu("Αλλαγές")
    approver.page.locator("table.drafts a").first.click()
    # The modeler's own way of writing the file is no change; the table and row are.
    assert approver.page.locator("table.elements-diff").count() == 0
    dmn = approver.page.locator("table.dmn-diff tbody tr")
    assert [c.strip() for c in dmn.first.locator("td").all_inner_texts()][2:] == ["> 5000", "> 500"]
    raci = approver.page.locator("table.raci-diff tbody tr").first.locator("td").all_inner_texts()
    assert raci[2:] == ["I", "C"]
    approver.shot("process-change-04-review-desk")
    phone = Person(browser, base_url, "stavros.approver", phone=True)
    phone.sign_in()
    phone.page.goto(approver.page.url)
    phone.shot("process-change-05-review-phone")
    assert phone.has_no_horizontal_scroll()
    approver.page.fill("form.sign input[name=password]", "raciflow-demo")
    approver.page.get_by_role("button", name="Έγκριση και εγκατάσταση").click()
    assert "έκδοση 2" in approver.page.locator(".flash").first.inner_text()
    approver.shot("process-change-06-approved-desk")
    assert not page_errors(approver), approver.console_errors

    # A new instance runs on version 2: an increase of 1000 now goes to the finance manager.
    started = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    assert started.version == 2
    [request] = started.ready_tasks
    with engine.uow() as uow:
        limit = get_customer(uow.session, CUSTOMER)["credit_limit"]
    done = engine.complete(
        request,
        user="giorgos.bd",
        data={"requested_limit": limit + 1000, "justification": "Δεύτερο κατάστημα"},
    )
    [task] = views.open_tasks(engine.uow(), instance_id=done.instance_id)
    assert task["element"] == "analyse_finance"

    owner.page.goto(f"/processes/{PROCESS}/versions")
    owner.shot("process-change-07-versions-desk")
    assert "Σταύρος Κυριακίδης" in owner.page.content()
