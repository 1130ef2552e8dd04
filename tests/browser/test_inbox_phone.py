"""The inbox on a hand-held terminal (360x640) and a desk (1366x900), in Greek.

What a person sees first must be their work: the inbox opens on the section that
holds it, the header folds its menu behind a button, the filters fold behind
"Φίλτρα", and nothing scrolls sideways. The instances and audit lists fold their
filters the same way.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import Person
from workflows.demo.instances import start_demo_instances

PHONE_HEIGHT, PHONE_WIDTH = 640, 360
DESK_HEIGHT = 900


@pytest.fixture(scope="module")
def company(greek_app):
    """The Greek demo company with one case of every process in flight."""
    base_url, engine = greek_app
    start_demo_instances(engine)
    return base_url


def first_row_bottom(person: Person) -> float:
    """Where the first listed row ends, in CSS pixels from the top of the page."""
    row = person.page.locator("table.cards tbody tr").first
    box = row.bounding_box()
    assert box is not None, "no row is shown"
    return box["y"] + box["height"]


def page_width(person: Person) -> int:
    return person.page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("username", ["anna.credit", "sofia.cs"])
def test_a_phone_shows_tasks_on_the_first_screen(company, browser, username):
    person = Person(browser, company, username, phone=True)
    person.sign_in()
    person.page.goto("/inbox/")
    person.shot(f"inbox-phone-{username}")

    assert first_row_bottom(person) <= PHONE_HEIGHT
    assert page_width(person) <= PHONE_WIDTH
    first = person.page.locator("table.cards tbody tr").first
    assert "€" in first.inner_text() or username == "anna.credit"
    assert "_" not in first.locator("td.title").inner_text()  # no raw process id

    menu = person.page.get_by_role("button", name="Μενού")
    inbox_link = person.page.get_by_role("link", name="Εισερχόμενα", exact=True)
    assert menu.is_visible() and not inbox_link.is_visible()
    menu.click()
    assert inbox_link.is_visible() and menu.get_attribute("aria-expanded") == "true"
    person.shot(f"inbox-phone-menu-{username}")

    customer = person.page.locator("input[name=customer]:not([type=hidden])")
    assert not customer.is_visible()  # folded behind "Φίλτρα"
    person.page.locator("details.filters > summary", has_text="Φίλτρα").click()
    assert customer.is_visible()
    assert page_width(person) <= PHONE_WIDTH
    person.shot(f"inbox-phone-filters-{username}")
    assert person.console_errors == []
    person.close()


def test_a_desk_shows_menu_filters_and_rows_at_once(company, browser):
    person = Person(browser, company, "sofia.cs")
    person.sign_in()
    person.page.goto("/inbox/")
    person.shot("inbox-desk-sofia.cs")
    assert first_row_bottom(person) <= DESK_HEIGHT
    assert person.page.get_by_role("link", name="Εισερχόμενα", exact=True).is_visible()
    assert not person.page.get_by_role("button", name="Μενού").is_visible()
    assert person.page.locator(
        "input[name=customer]:not([type=hidden])"
    ).is_visible()  # opened on a desk
    assert person.has_no_horizontal_scroll()
    assert person.console_errors == []
    person.close()


def test_a_customer_name_typed_without_accents_finds_the_case(company, browser):
    person = Person(browser, company, "sofia.cs", phone=True)
    person.sign_in()
    person.page.goto("/inbox/")
    name = person.page.locator("td.customer-cell").first.inner_text()
    word = max(name.split(), key=len)
    person.page.locator("details.filters > summary").click()
    person.page.fill(
        "input[name=customer]:not([type=hidden])", word.upper().replace("Ά", "Α").replace("Ί", "Ι")
    )
    with person.page.expect_navigation():
        person.page.get_by_role("button", name="Εφαρμογή").click()
    assert word in person.page.locator("td.customer-cell").first.inner_text()
    person.shot("inbox-phone-customer-search")
    person.close()


@pytest.mark.parametrize("path", ["/instances/", "/audit/"])
def test_list_pages_fold_their_filters_on_a_phone(company, browser, path):
    person = Person(browser, company, "fotis.audit", phone=True)
    person.sign_in()
    person.page.goto(path)
    name = path.strip("/")
    person.shot(f"{name}-phone")
    assert first_row_bottom(person) <= PHONE_HEIGHT
    assert page_width(person) <= PHONE_WIDTH
    assert not person.page.locator("form.filters").is_visible()
    person.page.locator("details.fold > summary", has_text="Φίλτρα").click()
    assert person.page.locator("form.filters").is_visible()
    assert page_width(person) <= PHONE_WIDTH
    person.shot(f"{name}-phone-filters")
    assert person.console_errors == []
    person.close()


def test_on_a_phone_the_bulk_button_hides_no_card_until_a_task_is_ticked(company, browser):
    """The sticky "claim selected" bar sat over the first card's deadline on a phone,
    for a button nobody could use before ticking a task."""
    person = Person(browser, company, "sofia.cs", phone=True)
    person.sign_in()
    person.page.goto("/inbox/?section=queue")
    bar = person.page.locator("form.task-list > .sticky")
    first = person.page.locator("table.cards tbody tr").first

    def overlaps() -> bool:
        row, button = first.bounding_box(), bar.bounding_box()
        return button["y"] < row["y"] + row["height"] and row["y"] < button["y"] + button["height"]

    assert bar.evaluate("e => getComputedStyle(e).position") == "static"
    assert not overlaps()
    first.locator("input[type=checkbox]").check()
    assert bar.evaluate("e => getComputedStyle(e).position") == "sticky"
    assert bar.is_visible()
    person.shot("inbox-phone-ticked-sofia.cs")
    person.close()


def test_an_unread_notices_open_buttons_read_as_links_not_white_on_white(company, browser):
    """They took the white text of the header's buttons: on a card, nothing showed."""
    person = Person(browser, company, "anna.credit", phone=True)
    person.sign_in()
    person.page.goto("/inbox/?section=notifications")
    button = person.page.locator(".notices button.link").first
    assert button.is_visible()
    colour = button.evaluate("e => getComputedStyle(e).color")
    card = button.evaluate("e => getComputedStyle(e.closest('.card')).backgroundColor")
    link = person.page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '#';"
        " document.querySelector('main').append(a); return getComputedStyle(a).color; }"
    )
    assert colour == link and colour != card
    person.shot("inbox-phone-notices-anna.credit")
    person.close()
