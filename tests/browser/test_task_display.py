"""Task pages in Greek, at a desk and on a phone: the order's problems on top, its lines as a
table, the form within the first screens, the delivery address with a map link."""

from __future__ import annotations

import pytest

from engine import views
from tests.browser.conftest import Person
from workflows.demo.instances import SAMPLE_STARTS

FLAGGED_ORDER = {
    "customer_id": 5,
    "channel": "hht",
    "warehouse_code": "ATH",
    "lines": [
        {"product_code": "P9999", "quantity": 10},
        {"product_code": "P0003", "quantity": 9000},
        {"product_code": "P0005", "quantity": 24, "discount_pct": 2.0},
    ],
}
REPR = ("{'", "[{", "None", "True", "False")
SCREENS = 3  # on a phone the form starts within the first three screens


@pytest.fixture(scope="module")
def tasks(greek_app) -> dict[str, str]:
    """A flagged order waiting to be cleaned, and a clean one waiting for delivery."""
    _, engine = greek_app
    flagged = engine.start("order_cleaning", user="giorgos.bd", data=FLAGGED_ORDER)
    user, data, _ = SAMPLE_STARTS["order_cleaning"]
    engine.start("order_cleaning", user=user, data=data)
    found = {}
    for task in views.open_tasks(engine.uow()):
        if task["instance_id"] == flagged.instance_id:
            found["clean"] = task["id"]
        elif task["process_id"] == "order_release":
            found["deliver"] = task["id"]
    return found


@pytest.mark.parametrize("phone", [False, True], ids=["1366x900", "360x640"])
def test_a_flagged_order_reads_for_the_agent(greek_app, browser, tasks, phone):
    base_url, _ = greek_app
    agent = Person(browser, base_url, "sofia.cs", phone=phone)
    agent.sign_in()
    agent.page.goto(f"/tasks/{tasks['clean']}")
    size = "phone" if phone else "desk"
    agent.shot(f"task-display-order-cleaning-{size}")

    text = agent.page.inner_text("main")
    for dump in REPR:
        assert dump not in text, dump
    warnings = agent.page.locator("section.warnings")
    assert warnings.is_visible() and "Άγνωστο προϊόν" in warnings.inner_text()
    assert agent.page.locator("table.records").first.is_visible()
    form_top = agent.page.locator("form.work-form").bounding_box()["y"]
    assert warnings.bounding_box()["y"] < form_top
    if phone:
        assert form_top < SCREENS * 640, form_top
        assert agent.has_no_horizontal_scroll()
    assert agent.console_errors == []
    agent.close()


@pytest.mark.parametrize("phone", [False, True], ids=["1366x900", "360x640"])
def test_logistics_sees_where_to_deliver(greek_app, browser, tasks, phone):
    base_url, _ = greek_app
    logistics = Person(browser, base_url, "michalis.log", phone=phone)
    logistics.sign_in()
    logistics.page.goto(f"/tasks/{tasks['deliver']}")
    logistics.shot(f"task-display-order-release-{'phone' if phone else 'desk'}")

    site = logistics.page.locator("section.site")
    assert site.is_visible() and "Διεύθυνση παράδοσης" in site.inner_text()
    link = site.locator("a.map-link")
    assert link.get_attribute("href").startswith("https://www.openstreetmap.org/search?query=")
    customer = logistics.page.locator("dl.facts div", has_text="Πελάτης").locator("dd")
    assert "SO-" not in customer.inner_text()  # the customer, not the order number
    if phone:
        assert logistics.has_no_horizontal_scroll()
    assert logistics.console_errors == []
    logistics.close()
