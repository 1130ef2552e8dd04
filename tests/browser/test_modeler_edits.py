"""Edits in the modeler are kept as the owner made them, or asked about before they go.

A name still being typed when the owner clicks Save is saved with the rest; removing a
role's whole column from the RACI panel asks first, and is unsaved work until Save.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Person

PROCESS = "complaint"


def opened_draft(person: Person) -> None:
    person.sign_in()
    person.open_draft(PROCESS)


def typing_a_task_name(greek_app, browser, name: str) -> tuple[Person, str]:
    """The owner in a draft, typing `name` on the diagram's first user task (still in its
    text box); the owner and the task's id."""
    base_url, _engine = greek_app
    owner = Person(browser, base_url, "lena.owner")
    opened_draft(owner)
    task = owner.page.evaluate(
        """() => window.raciflowModeler.get('elementRegistry')
            .filter((e) => e.type === 'bpmn:UserTask')[0].id"""
    )
    owner.page.locator(f'g[data-element-id="{task}"]').dblclick()
    owner.page.keyboard.press("Control+A")
    owner.page.keyboard.type(name)
    return owner, task


def test_a_name_still_being_typed_is_saved_with_the_draft(greek_app, browser):
    owner, task = typing_a_task_name(greek_app, browser, "Έλεγχος από τον υπεύθυνο βάρδιας")

    owner.page.locator("#save").click()  # straight from the text box, never leaving it
    expect(owner.page.locator("#save-state")).to_have_text("Αποθηκεύτηκε.")
    owner.page.reload()
    owner.page.wait_for_selector("body[data-modeler-ready=true]")

    name = owner.page.evaluate(
        f"() => window.raciflowModeler.get('elementRegistry').get('{task}').businessObject.name"
    )
    assert name == "Έλεγχος από τον υπεύθυνο βάρδιας"


def test_a_name_typed_on_the_diagram_reaches_the_grid_when_the_owner_turns_to_it(
    greek_app, browser
):
    """The grid kept the old name until the owner clicked in the drawing again."""
    owner, _task = typing_a_task_name(greek_app, browser, "Δεύτερη ματιά του προϊσταμένου")

    owner.page.locator("#raci-grid").click(position={"x": 5, "y": 5})  # off the drawing
    expect(owner.page.locator("#raci-grid")).to_contain_text("Δεύτερη ματιά του προϊσταμένου")


def test_removing_a_role_column_asks_first_and_is_unsaved_work(greek_app, browser):
    base_url, _engine = greek_app
    owner = Person(browser, base_url, "lena.owner")
    opened_draft(owner)
    columns = owner.page.locator("#raci-grid .remove-role")
    before = columns.count()
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    owner.page.once("dialog", lambda d: answer(d, accept=False))
    columns.first.click()
    assert columns.count() == before  # kept: the owner said no
    owner.page.once("dialog", lambda d: answer(d, accept=True))
    columns.first.click()
    expect(columns).to_have_count(before - 1)
    assert all(m.startswith("Αφαίρεση της στήλης") for m in asked) and len(asked) == 2

    owner.page.once("dialog", lambda d: answer(d, accept=False))  # leaving asks: unsaved
    owner.page.get_by_role("link", name="Αλλαγές διαδικασιών").first.click()
    assert len(asked) == 3


def test_a_second_tab_is_told_the_first_saved_and_saves_nothing(greek_app, browser):
    """Two tabs on one draft both read "Saved." and the second silently put back what the
    first had just changed."""
    base_url, _engine = greek_app
    owner = Person(browser, base_url, "lena.owner")
    opened_draft(owner)
    draft_url = owner.page.url
    second = owner.context.new_page()  # the same session, another tab
    second.goto(draft_url)
    second.wait_for_selector("body[data-modeler-ready=true]")

    owner.page.locator("#save").click()
    expect(owner.page.locator("#save-state")).to_have_text("Αποθηκεύτηκε.")
    second.locator("#save").click()
    expect(second.locator("#save-state")).to_contain_text(
        "Το προσχέδιο αποθηκεύτηκε από άλλη καρτέλα ή άλλο παράθυρο"
    )
    expect(second.locator("#save-state")).to_have_class(re.compile(r"\berror\b"))
    owner.page.locator("#save").click()  # the first tab goes on saving
    expect(owner.page.locator("#save-state")).to_have_text("Αποθηκεύτηκε.")


def test_a_cell_typed_on_a_greek_keyboard_saves_and_a_refused_save_is_not_called_checked(
    greek_app, browser
):
    """Greek Rho/Alpha (what the R and A keys type there) were refused, and under the refusal the
    checks still said "no problems: it may be submitted"."""
    base_url, _engine = greek_app
    owner = Person(browser, base_url, "lena.owner")
    opened_draft(owner)
    cell = owner.page.locator("#raci-grid input[data-role]").first
    problems = owner.page.locator("#problems")

    cell.fill("\u03a9")  # Omega: no RACI letter on any keyboard
    owner.page.locator("#save").click()
    expect(owner.page.locator("#save-state")).to_contain_text("Δεν αποθηκεύτηκε")
    expect(problems).to_have_text("Δεν ελέγχθηκε: ό,τι δείχνει η σελίδα δεν αποθηκεύτηκε.")

    cell.fill("\u03c1/\u03b1")  # ρ/α, as the R and A keys type them in Greek
    owner.page.locator("#save").click()
    expect(owner.page.locator("#save-state")).to_have_text("Αποθηκεύτηκε.")
    expect(problems).not_to_contain_text("Δεν ελέγχθηκε")
    owner.page.reload()
    owner.page.wait_for_selector("body[data-modeler-ready=true]")
    assert owner.page.locator("#raci-grid input[data-role]").first.input_value() == "R/A"


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_a_new_process_is_drawn_under_its_greek_name(greek_app, browser, phone):
    """A new process went live as "product_returns", its one task "First task", and its
    checks read "προειδοποίηση · : ..." with no place to name."""
    base_url, _engine = greek_app
    owner = Person(browser, base_url, "lena.owner", phone=phone)
    owner.sign_in()
    owner.page.wait_for_load_state("networkidle")
    owner.follow_menu("Αλλαγές")
    new_id = f"returns_{'phone' if phone else 'desk'}"
    owner.page.fill("input[name=new_id]", new_id)
    owner.expected_status = 422
    owner.page.get_by_role("button", name="Άνοιγμα προσχεδίου").click()
    expect(owner.page.locator(".flash.error")).to_contain_text("Δώστε στη νέα διαδικασία ένα όνομα")
    assert owner.page.input_value("input[name=new_id]") == new_id  # kept as typed

    owner.expected_status = None
    owner.page.fill("input[name=new_name]", "Επιστροφές προϊόντων")
    owner.page.get_by_role("button", name="Άνοιγμα προσχεδίου").click()
    owner.page.wait_for_selector("body[data-modeler-ready=true]")
    expect(owner.page.locator("h1")).to_contain_text("Επιστροφές προϊόντων")
    expect(owner.page.locator('g[data-element-id="first_task"]')).to_contain_text("Πρώτη")
    # Without forms of its own, its task may still take a general one (it was not offered).
    form = owner.page.locator("#raci-grid select[data-form]")
    expect(form).to_have_count(1)
    expect(form).to_contain_text("Έλεγχος με σημείωση")
    problems = owner.page.locator("#problems li")
    expect(problems.first).to_be_visible()
    checks = problems.all_inner_texts()
    assert all(" · :" not in text and new_id not in text for text in checks), checks
    assert any("Επιστροφές προϊόντων" in text for text in checks), checks  # by its name
    owner.shot(f"modeler-new-process-{'phone' if phone else 'desk'}")
    assert owner.has_no_horizontal_scroll()
    # dmn-js's bundle warns of its development build of Inferno: not this page's error.
    errors = [e for e in owner.console_errors if "development build of Inferno" not in e]
    assert not errors, errors
