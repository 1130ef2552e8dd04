"""The people pages in Chromium, in Greek, at the desk (1366x900) and on a phone (360x640).

A credit controller sets her deputy and changes her password; the administrator creates
a user, who must choose their own password at first sign-in, and adds a role; a task is
reassigned from its reassign page. Each page is also looked at on a phone: no
horizontal scrolling. Screenshots: test-artifacts/screenshots/people-*.png.
"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from engine import views
from tests.browser.conftest import Person
from tests.e2e.staff_helpers import requested

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 640}


def sign_in(person: Person, password: str = "raciflow-demo") -> None:
    """Sign in and wait until the answer has arrived (its cookie set) before going on."""
    person.sign_in(password)
    person.page.wait_for_url(lambda url: "/login" not in url)


def both_sizes(person: Person, name: str) -> None:
    """Screenshot the page at the desk and on a phone; a phone must not scroll sideways."""
    person.page.set_viewport_size(DESK)
    person.shot(f"people-{name}-desk")
    person.page.set_viewport_size(PHONE)
    person.shot(f"people-{name}-phone")
    assert person.has_no_horizontal_scroll(), name
    person.page.set_viewport_size(DESK)


def test_people_pages_in_greek(greek_app, browser):
    base_url, engine = greek_app
    people: list[Person] = []
    try:
        _deputy_and_password(browser, base_url, engine, people)
        _admin_creates_a_user(browser, base_url, engine, people)
        _a_task_is_reassigned(browser, base_url, engine, people)
    finally:
        for person in people:
            person.close()
    for person in people:
        assert person.console_errors == [], (person.username, person.console_errors)


def _deputy_and_password(browser, base_url, engine, people) -> None:
    anna = Person(browser, base_url, "anna.credit")
    people.append(anna)
    sign_in(anna)
    anna.page.click("a.who")  # the header's link to my account
    expect(anna.page.get_by_role("heading", name="Ο λογαριασμός μου")).to_be_visible()
    # An auditor is not offered, and a forged choice is refused in Greek.
    assert anna.page.locator("select[name=deputy] option[value='fotis.audit']").count() == 0
    first, last = date.today() + timedelta(days=1), date.today() + timedelta(days=14)
    anna.page.select_option("select[name=deputy]", "kostas.credit")
    anna.page.fill("input[name=starts]", first.isoformat())
    anna.page.fill("input[name=ends]", last.isoformat())
    anna.page.get_by_role("button", name="Ορισμός αναπληρωτή").click()
    expect(anna.page.get_by_text("Ο αναπληρωτής ορίστηκε.")).to_be_visible()
    expect(anna.page.locator("table.cards").get_by_text("Κώστας Οικονόμου")).to_be_visible()
    both_sizes(anna, "01-deputy-set")

    anna.page.fill("input[name=current_password]", "wrong password 1")
    anna.page.fill("input[name=new_password]", "a new 2nd password")
    anna.page.fill("input[name=new_password_again]", "a new 2nd password")
    anna.expected_status = 403
    anna.page.get_by_role("button", name="Αλλαγή κωδικού").click()
    expect(anna.page.get_by_text("Ο τρέχων κωδικός είναι λάθος.")).to_be_visible()
    anna.page.wait_for_load_state("networkidle")
    anna.expected_status = None
    both_sizes(anna, "02-password-refused")
    anna.page.fill("input[name=current_password]", "raciflow-demo")
    anna.page.fill("input[name=new_password]", "a new 2nd password")
    anna.page.fill("input[name=new_password_again]", "a new 2nd password")
    anna.page.get_by_role("button", name="Αλλαγή κωδικού").click()
    expect(anna.page.get_by_text("Ο κωδικός άλλαξε.")).to_be_visible()
    assert engine.authenticate("anna.credit", "a new 2nd password")
    [event] = views.audit_events(engine.uow(), action="deputy_set")
    assert event["details"]["deputy"] == "kostas.credit"


def _admin_creates_a_user(browser, base_url, engine, people) -> None:
    admin = Person(browser, base_url, "admin", phone=True)
    people.append(admin)
    sign_in(admin)
    admin.follow_menu("Χρήστες")
    admin.page.fill("input[name=q]", "κωστας")
    admin.page.get_by_role("button", name="Αναζήτηση").click()
    expect(admin.page.get_by_role("link", name="Κώστας Οικονόμου")).to_be_visible()
    both_sizes(admin, "03-users-search")
    admin.page.get_by_role("link", name="Νέος χρήστης").click()
    admin.page.fill("input[name=username]", "eva.credit")
    admin.page.fill("input[name=name]", "Εύα Παππά")
    admin.page.fill("input[name=email]", "eva.credit@example.com")
    both_sizes(admin, "04-user-new")
    admin.page.get_by_role("button", name="Δημιουργία χρήστη").click()
    password = admin.page.locator("#one-time-password").inner_text()
    both_sizes(admin, "05-one-time-password")
    admin.page.get_by_role("link", name="Το παρέδωσα: πίσω στον χρήστη").click()
    admin.page.select_option("select[name=role]", "credit_controller")
    admin.page.get_by_role("button", name="Προσθήκη ρόλου").click()
    expect(admin.page.get_by_text("Ο ρόλος Ελεγκτής πιστώσεων προστέθηκε.")).to_be_visible()
    both_sizes(admin, "06-user-role-added")
    assert engine.directory().users["eva.credit"].roles == {"credit_controller"}

    # Eva's first sign-in leads to the password form, and nowhere else until she is done.
    eva = Person(browser, base_url, "eva.credit", phone=True)
    people.append(eva)
    sign_in(eva, password)
    assert eva.page.url.endswith("/account/")
    eva.page.goto("/inbox/")
    assert eva.page.url.endswith("/account/")
    both_sizes(eva, "07-first-sign-in")
    eva.page.fill("input[name=current_password]", password)
    eva.page.fill("input[name=new_password]", "Eva's own password 7")
    eva.page.fill("input[name=new_password_again]", "Eva's own password 7")
    eva.page.get_by_role("button", name="Αλλαγή κωδικού").click()
    expect(eva.page.get_by_text("Ο κωδικός άλλαξε.")).to_be_visible()
    eva.page.goto("/inbox/")
    assert eva.page.url.endswith("/inbox/")


def _a_task_is_reassigned(browser, base_url, engine, people) -> None:
    task = requested(engine)  # a credit analysis for the credit controllers
    engine.claim(task, user="kostas.credit")
    # The reassigner, at the desk: an administrator (the rule: an R member or an admin).
    admin = Person(browser, base_url, "admin")
    people.append(admin)
    sign_in(admin)
    admin.page.goto(f"/tasks/{task}")
    admin.page.get_by_role("link", name="Νέα ανάθεση…").click()
    admin.page.wait_for_url("**/reassign")
    options = admin.page.locator("select[name=to] option").all_inner_texts()
    assert any("eva.credit" in o for o in options) and any("anna.credit" in o for o in options)
    assert not any("fotis.audit" in o or "giorgos.bd" in o for o in options)
    admin.page.select_option("select[name=to]", "eva.credit")
    admin.page.fill("textarea[name=reason]", "Ο Κώστας λείπει σήμερα")
    both_sizes(admin, "08-reassign")
    admin.page.get_by_role("button", name="Νέα ανάθεση").click()
    expect(admin.page.get_by_text("Ανατέθηκε εκ νέου σε: Εύα Παππά.")).to_be_visible()
    both_sizes(admin, "09-reassigned")
    assert views.task_detail(engine.uow(), task)["assignee"] == "eva.credit"

    # Someone who may not reassign gets no link on the task page.
    bd = Person(browser, base_url, "giorgos.bd", phone=True)
    people.append(bd)
    sign_in(bd)
    bd.page.goto(f"/tasks/{task}")
    assert bd.page.get_by_role("link", name="Νέα ανάθεση…").count() == 0
