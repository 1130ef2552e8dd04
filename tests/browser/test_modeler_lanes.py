"""The modeler shows a diagram's lanes in the reader's words, as it shows its tasks, and
saves them in the file's own (a Greek owner read "BD" and "Credit controller")."""

from __future__ import annotations

from tests.browser.conftest import Person

PROCESS = "credit_limit_change"


def opened_modeler(browser, base_url: str) -> Person:
    """The process owner, signed in, on a new draft of PROCESS in the modeler."""
    owner = Person(browser, base_url, "lena.owner")
    owner.sign_in()
    owner.follow_menu("Αλλαγές")
    owner.page.select_option("select[name=process_id]", PROCESS)
    owner.page.get_by_role("button", name="Άνοιγμα προσχεδίου").click()
    owner.page.wait_for_selector("body[data-modeler-ready=true]")
    return owner


def test_the_lanes_read_greek_and_the_file_keeps_its_names(greek_app, browser):
    base_url, engine = greek_app
    owner = opened_modeler(browser, base_url)
    shown = owner.page.evaluate(
        """() => [...document.querySelectorAll('.djs-element[data-element-id^=lane_] text')]
            .map((t) => t.textContent).join(' ')"""
    )
    owner.shot("modeler-lanes-desk")
    assert "Πωλητής" in shown and "Ελεγκτής πιστώσεων" in shown, shown
    assert "Credit controller" not in shown

    owner.page.get_by_role("button", name="Αποθήκευση και έλεγχος").click()
    owner.page.wait_for_selector("#problems li.ok")
    draft_id = owner.page.url.rstrip("/").rsplit("/", 1)[1]
    saved = engine.draft(draft_id, user="lena.owner").files[f"{PROCESS}.bpmn"]
    assert 'name="Credit controller"' in saved and 'name="BD"' in saved
    assert owner.console_errors == [] or all("Inferno" in e for e in owner.console_errors)
    owner.close()


def test_a_draft_with_errors_is_not_sent_and_keeps_the_comment(greek_app, browser):
    """Submitting saves first; with an error the page stays, lists it under the checks and
    keeps the comment (it used to be sent, refused, and come back with neither)."""
    base_url, engine = greek_app
    owner = opened_modeler(browser, base_url)
    owner.page.wait_for_selector("#problems li.ok")  # the checks as the draft stands
    draft_page = owner.page.url
    # Two roles sign the controller's analysis: an error of the matrix.
    owner.page.locator("#raci-grid tr[data-activity=analyse_controller] input[data-role=bd]").fill(
        "A"
    )
    owner.page.fill("textarea[name=comment]", "Και ο πωλητής υπογράφει")
    owner.page.get_by_role("button", name="Υποβολή για έγκριση").click()
    owner.page.wait_for_selector("#problems li.error")
    assert owner.page.url == draft_page
    assert owner.page.input_value("textarea[name=comment]") == "Και ο πωλητής υπογράφει"
    assert "διορθώστε πρώτα" in owner.page.inner_text("#save-state")
    draft_id = draft_page.rstrip("/").rsplit("/", 1)[1]
    assert engine.draft(draft_id, user="lena.owner").status == "editing"
    owner.shot("modeler-submit-with-errors-desk")
    owner.close()
