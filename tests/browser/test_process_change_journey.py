"""A process owner changes credit limit change in the browser; another person signs it.

The owner opens a draft in the modeler, consults the sales manager on the controller's
analysis in the RACI panel, adds a step where the sales manager checks the request (a
general form, R and A in the panel), lowers the increase above which the finance manager signs
(500 instead of 5000) in the decision table, checks and submits; the approver reads the
diff and signs with their password; an instance started afterwards runs on version 2 and
decides with the new threshold. In Greek, at desk and phone size.
"""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta

from playwright.sync_api import expect

from engine import collect_files, views
from tests.browser.conftest import Person, demo_company
from tests.browser.page_checks import english_words
from workflows.customers import get_customer

PROCESS = "credit_limit_change"
CUSTOMER = 150


def requested(engine, task_id: str, increase: float):
    """The BD asks for `increase` over the customer's limit."""
    with engine.uow() as uow:
        limit = get_customer(uow.session, CUSTOMER)["credit_limit"]
    data = {"requested_limit": limit + increase, "justification": "Δεύτερο κατάστημα"}
    return engine.complete(task_id, user="giorgos.bd", data=data)


def checked(engine, task_id: str) -> None:
    """The sales manager writes the check; the finance manager, its A, signs it."""
    with_note = {"check_note": "Ο πελάτης πληρώνει στην ώρα του"}
    engine.complete(task_id, user="christina.sales", data=with_note)
    engine.approve(task_id, user="vasso.finance")


def paths_taken(engine, increase: float) -> list[list[str]]:
    """The open steps of a new case, after its start, its request and any check."""
    started = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    steps = [open_elements(engine, started.instance_id)]
    done = requested(engine, started.ready_tasks[0], increase)
    steps.append(open_elements(engine, started.instance_id))
    if steps[-1] == ["check_1"]:
        checked(engine, done.ready_tasks[0])
        steps.append(open_elements(engine, started.instance_id))
    return steps


def open_elements(engine, instance_id: str) -> list[str]:
    return sorted(t["element"] for t in views.open_tasks(engine.uow(), instance_id=instance_id))


def page_errors(person: Person) -> list[str]:
    """The console's errors, but dmn-js's own notice that its bundle carries Inferno's
    development build (printed as an error by the library as shipped, harmless)."""
    return [e for e in person.console_errors if "development build of Inferno" not in e]


def test_owner_changes_a_threshold_and_a_raci_row_and_another_signs(greek_app, browser, tmp_path):
    base_url, engine = greek_app
    # Two cases in flight on version 1: one still at the request (it may move to version
    # 2), one at the controller's analysis, whose RACI row changes (it stays on version 1).
    at_request = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    at_analysis = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    requested(engine, at_analysis.ready_tasks[0], 1000)
    owner = Person(browser, base_url, "lena.owner")
    owner.sign_in()
    owner.open_draft(PROCESS)
    owner.shot("process-change-01-modeler-desk")
    # The same draft on a phone: diagram, then the RACI panel below it.
    owner_phone = Person(browser, base_url, "lena.owner", phone=True)
    owner_phone.sign_in()
    owner_phone.page.goto(owner.page.url)
    owner_phone.page.wait_for_selector("body[data-modeler-ready=true]")
    owner_phone.shot("process-change-01-modeler-phone")
    assert owner_phone.has_no_horizontal_scroll()
    # Deleting asks first: the button alone does nothing until its box is ticked.
    delete = owner_phone.page.locator("form.delete-draft")
    delete.scroll_into_view_if_needed()
    assert "Ναι, να διαγραφεί αυτό το προσχέδιο" in delete.inner_text()
    assert not english_words(delete.inner_text()), delete.inner_text()
    delete.get_by_role("button", name="Διαγραφή του προσχεδίου").click()
    assert delete.locator("input[name=confirm]").evaluate("box => box.validity.valueMissing")
    owner_phone.page.wait_for_selector("body[data-modeler-ready=true]")
    owner_phone.shot("process-change-01-delete-asks-phone")

    # Drawing a task with no way in is flagged at once, and its row follows the diagram.
    owner.page.evaluate(
        """() => {
        const modeling = window.raciflowModeler.get('modeling');
        const root = window.raciflowModeler.get('canvas').getRootElement();
        const shape = window.raciflowModeler.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
        window.looseTask = modeling.createShape(shape, { x: 300, y: 420 }, root);
    }"""
    )
    loose = "εργασία χρήστη (χωρίς όνομα)"
    expect(owner.page.locator("#lint li")).to_have_text(
        [
            f"{loose}: Δεν συνδέεται με τίποτα: δεν θα εκτελεστεί ποτέ",
            f"{loose}: Τελειώνει χωρίς γεγονός λήξης",
            f"{loose}: Ξεκινά χωρίς γεγονός έναρξης",
        ]
    )
    expect(owner.page.locator(".bjsl-overlay")).to_have_count(1)  # bpmnlint's mark on it
    assert owner.page.locator("#raci-grid tr[data-activity]").count() == 5
    owner.shot("process-change-01a-lint-desk")
    owner.page.evaluate("window.raciflowModeler.get('modeling').removeElements([window.looseTask])")
    expect(owner.page.locator("#lint li")).to_have_count(0)
    assert owner.page.locator("#raci-grid tr[data-activity]").count() == 4

    # The RACI panel: the sales manager is consulted on the controller's analysis; each
    # user task shows the form it uses.
    row = owner.page.locator("#raci-grid tr[data-activity=analyse_controller]")
    assert row.locator("td.form-key").inner_text() == "η δική της"
    scope = row.locator("td.scopes .scope")
    assert scope.inner_text().startswith("Πωλητής (BD): ο πωλητής του πελάτη")
    row.locator("input[data-role=sales_manager]").fill("C")

    # A new step: the sales manager checks the request once its sign-off level is known,
    # and the finance manager signs the check. It has no form until one is picked: the
    # general check form names it check_1, and its row follows.
    drawn = owner.page.evaluate(
        """() => {
        const m = window.raciflowModeler;
        const registry = m.get('elementRegistry'), modeling = m.get('modeling');
        const flow = registry.get('f5');
        const from = flow.source, to = flow.target;
        modeling.removeConnection(flow);
        const shape = m.get('elementFactory').createShape({ type: 'bpmn:UserTask' });
        // Below the lanes: in the credit controller's lane the sales manager's task would
        // be warned about (the lane names none of its R roles).
        const lanes = registry.filter((e) => e.type === 'bpmn:Lane');
        const below = Math.max(...lanes.map((lane) => lane.y + lane.height)) + 80;
        const task = modeling.createShape(shape, { x: from.x + 60, y: below }, from.parent);
        modeling.updateLabel(task, 'Έλεγχος από τη διεύθυνση πωλήσεων');
        modeling.connect(from, task);
        modeling.connect(task, to);
        return task.id;
    }"""
    )
    # The wrench's menu (change the element's type) speaks Greek.
    owner.page.evaluate(
        """(id) => {
        const m = window.raciflowModeler, element = m.get('elementRegistry').get(id);
        m.get('popupMenu').open(element, 'bpmn-replace', { x: 400, y: 300 });
    }""",
        drawn,
    )
    menu = owner.page.locator(".djs-popup").inner_text()
    assert "Εργασία υπηρεσίας" in menu and "Service task" not in menu, menu
    owner.page.keyboard.press("Escape")
    new_row = owner.page.locator(f"#raci-grid tr[data-activity={drawn}]")
    assert new_row.locator("select[data-form]").input_value() == ""
    new_row.locator("select[data-form]").select_option(label="Έλεγχος με σημείωση (γενική φόρμα)")
    check = owner.page.locator("#raci-grid tr[data-activity=check_1]")
    assert check.locator("th").inner_text() == "Έλεγχος από τη διεύθυνση πωλήσεων"
    check.locator("input[data-role=sales_manager]").fill("R")
    check.locator("input[data-role=finance_manager]").fill("A")
    # The finance manager has two working days to sign (shown as a count and a unit).
    assert row.locator("td.due input").input_value() == "1"
    assert row.locator("td.due select option:checked").inner_text() == "ημέρες"
    check.locator("td.due input").fill("2")
    # The BD is told of the check, only the customer's own BD: a scope picked on the row.
    check.locator("input[data-role=bd]").fill("I")
    # Only the BD can be narrowed to the customer's BD, not the managers on the row.
    offered = check.locator("select.add-scope option").all_inner_texts()[1:]
    assert offered == ["Πωλητής (BD): ο πωλητής του πελάτη"], offered
    check.locator("select.add-scope").select_option(label="Πωλητής (BD): ο πωλητής του πελάτη")
    assert (
        check.locator("td.scopes .scope")
        .inner_text()
        .startswith("Πωλητής (BD): ο πωλητής του πελάτη")
    )
    assert owner.page.locator("#raci-grid tr[data-activity]").count() == 5
    owner.shot("process-change-01b-new-step-desk")

    # The decision table: the finance manager signs increases above 500.
    tab = owner.page.get_by_role("tab", name=re.compile("Πίνακας απόφασης"))
    # The tab is titled by the decision, in Greek, not by a word of its file name.
    assert tab.inner_text() == "Πίνακας απόφασης: Ποιος υπογράφει μια αλλαγή πιστωτικού ορίου"
    tab.click()
    assert owner.has_no_horizontal_scroll()  # a wide table scrolls in its own frame
    cell = owner.page.locator(".tjs-container td").filter(has_text=re.compile(r"^> 5000$"))
    cell.click()
    owner.page.keyboard.press("End")
    owner.page.keyboard.press("Backspace")
    # The table speaks the reader's language (the file keeps its own words: see below).
    table = owner.page.locator(".tjs-container").inner_text()
    assert "Αύξηση πάνω από το τρέχον όριο (EUR)" in table and "επίπεδο έγκρισης" in table
    assert "Requested limit" not in table and "Τα μεγάλα όρια χρειάζονται" in table
    owner.shot("process-change-02-decision-table-desk")

    # Leaving with the edit unsaved asks first; staying keeps it.
    asked: list[str] = []
    owner.page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    draft_page = owner.page.url
    owner.page.get_by_role("link", name="← Αλλαγές διαδικασιών").click()
    owner.page.wait_for_timeout(300)
    assert asked == ["beforeunload"] and owner.page.url == draft_page

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
    # The modeler's own way of writing the file is no change; the new step, the table
    # and the rows are.
    elements = approver.page.locator("table.elements-diff tbody tr")
    added = elements.filter(has_text="προστέθηκε").all_inner_texts()
    # The step and its two flows, each flow known by what it joins; the flow it replaced.
    assert len(added) == 3 and all("Έλεγχος από τη διεύθυνση πωλήσεων" in a for a in added)
    assert sum("→" in a for a in added) == 2, added
    assert elements.filter(has_text="αφαιρέθηκε").count() == 1
    # Only the two elements the new step joins changed: the names the modeler showed in
    # Greek were saved as the file had them.
    assert elements.filter(has_text="άλλαξε").count() == 2, elements.all_inner_texts()
    dmn = approver.page.locator("table.dmn-diff tbody tr")
    assert [c.strip() for c in dmn.first.locator("td").all_inner_texts()][2:] == ["> 5000", "> 500"]
    raci = approver.page.locator("table.raci-diff tbody tr")
    new_step = "\n".join(
        raci.filter(has_text="Έλεγχος από τη διεύθυνση πωλήσεων").all_inner_texts()
    )
    assert "Διευθυντής πωλήσεων: R" in new_step and "Οικονομικός διευθυντής: A" in new_step
    # The new row's settings are signed too: its sign-off time and its narrowed BD.
    assert "υπογραφής\t\t2 ημέρες" in new_step, new_step
    assert "Πωλητής (BD): ο πωλητής του πελάτη" in new_step
    consulted = raci.filter(has_text="Ανάλυση").first.locator("td").all_inner_texts()
    assert consulted[2:] == ["I", "C"]
    approver.shot("process-change-04-review-desk")
    # On the phone the approver comes by the notice of the submission: it links to the review.
    phone = Person(browser, base_url, "stavros.approver", phone=True)
    phone.sign_in()
    phone.page.goto("/inbox/?section=notifications")
    assert "περιμένει την υπογραφή σας" in phone.page.locator(".notices").inner_text()
    phone.page.get_by_role("button", name="Άνοιγμα της αλλαγής").click()  # counts it read
    phone.page.wait_for_selector("table.elements-diff")
    assert phone.page.url == approver.page.url
    phone.shot("process-change-05-review-phone")
    assert phone.has_no_horizontal_scroll()
    approver.page.fill("form.sign input[name=password]", "raciflow-demo")
    with approver.page.expect_navigation():
        approver.page.get_by_role("button", name="Έγκριση και εγκατάσταση").click()
    assert "έκδοση 2" in approver.page.locator(".flash").first.inner_text()
    approver.shot("process-change-06-approved-desk")
    assert not page_errors(approver), approver.console_errors

    # A new instance runs on version 2: the sales manager checks, the finance manager signs
    # the check, and an increase of 1000 now goes to the finance manager.
    with engine.reader() as uow:
        saved_table = uow.versions.find(PROCESS, 2).attachments[f"{PROCESS}.approval_level.dmn"]
    assert 'label="Increase over the current limit (EUR)"' in saved_table
    assert 'name="Who signs off a credit limit change"' in saved_table
    assert 'name="approval_level"' in saved_table and "επίπεδο" not in saved_table
    assert "Large limits need the CFO" in saved_table
    _, matrix = engine.matrix(PROCESS, 2)
    [check_row] = [r for r in matrix.rows if r.activity == "check_1"]
    assert check_row.rules.signoff_due == timedelta(days=2)
    assert check_row.rules.scopes == (("bd", "customer_bd"),)
    started = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    assert started.version == 2
    done = requested(engine, started.ready_tasks[0], 1000)
    assert open_elements(engine, done.instance_id) == ["check_1"]
    checked(engine, done.ready_tasks[0])
    assert open_elements(engine, done.instance_id) == ["analyse_finance"]

    # The owner moves the case that can move; the other stays on version 1, and says why.
    owner.page.goto(f"/processes/{PROCESS}/versions")
    assert "Σταύρος Κυριακίδης" in owner.page.content()
    movable = owner.page.locator(f"input[name=instance][value='{at_request.instance_id}']")
    assert movable.is_checked()
    assert owner.page.locator(f"input[value='{at_analysis.instance_id}']").count() == 0
    assert "η γραμμή RACI της ανοιχτής εργασίας" in owner.page.content()
    owner.shot("process-change-07-migration-preview-desk")
    with owner.page.expect_navigation():
        owner.page.get_by_role("button", name="Μεταφορά των επιλεγμένων υποθέσεων").click()
    assert "μεταφέρθηκε" in owner.page.locator(".flash").first.inner_text()
    assert views.instance(engine.uow(), at_request.instance_id)["version"] == 2
    assert views.instance(engine.uow(), at_analysis.instance_id)["version"] == 1
    owner.page.goto(f"/instances/{at_request.instance_id}")
    assert "μεταφέρθηκε σε άλλη έκδοση" in owner.page.content()
    # Version 2 was drawn in the modeler: the case shows that drawing, its open task marked.
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    assert owner.page.locator("#bpmn-viewer .djs-element.state-active").count() == 1
    assert "Αίτημα νέου πιστωτικού ορίου" in owner.page.locator("#bpmn-viewer").inner_text()
    owner.page.locator("#bpmn-viewer").scroll_into_view_if_needed()
    owner.shot("process-change-08-migrated-trail-desk")
    # A case on version 1 shows version 1's drawing, at its own open task.
    owner.page.goto(f"/instances/{at_analysis.instance_id}")
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    active = owner.page.locator("#bpmn-viewer .djs-element.state-active")
    assert active.get_attribute("data-element-id") == "analyse_controller"
    assert not page_errors(owner), owner.console_errors
    # The process page draws version 2 as it was saved, with each activity's open tasks.
    owner.page.goto(f"/raci/{PROCESS}?version=2")
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    badges = owner.page.locator("#bpmn-viewer .load-badge").all_inner_texts()
    # The moved case waits at the request; the case started on version 2 at the finance
    # manager's analysis.
    assert len(badges) == 2, badges
    assert all(b.startswith("ανοιχτές εργασίες: 1 · διάμεση αναμονή") for b in badges), badges
    owner.page.locator("#bpmn-viewer").scroll_into_view_if_needed()
    owner.shot("process-change-09-process-page-desk")
    # The moved case takes the new step and decides with version 2's table.
    moved = requested(engine, at_request.ready_tasks[0], 1000)
    checked(engine, moved.ready_tasks[0])
    assert open_elements(engine, at_request.instance_id) == ["analyse_finance"]
    assert open_elements(engine, at_analysis.instance_id) == ["analyse_controller"]

    # What the modeler saved round-trips: the owner downloads version 2's files, another
    # installation deploys them, and the same requests take the same paths there.
    owner.page.goto(f"/processes/{PROCESS}/versions")
    with owner.page.expect_download() as download:
        owner.page.locator("a.download").first.click()
    assert download.value.suggested_filename == f"{PROCESS}-v2.zip"
    download.value.save_as(tmp_path / "v2.zip")
    with zipfile.ZipFile(tmp_path / "v2.zip") as archive:
        archive.extractall(tmp_path / "v2")
    elsewhere = demo_company(tmp_path / "elsewhere", "el").extensions["raciflow"]
    [redeployed] = elsewhere.deploy(collect_files([tmp_path / "v2"]), user="lena.owner")
    assert redeployed.version == 2
    for increase in (300, 1000, 40000):
        assert paths_taken(elsewhere, increase) == paths_taken(engine, increase)
    assert paths_taken(engine, 1000) == [["request"], ["check_1"], ["analyse_finance"]]
