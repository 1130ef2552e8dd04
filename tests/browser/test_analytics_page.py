"""The process owner reads how the credit limit change performed: figures, charts, the heat
map of waiting times, and exports a table as CSV. In Greek, at a desk and on a phone; a
BD (a peer doing the work) finds no link and gets a page that says why not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.analytics_history import History
from tests.browser.conftest import ARTIFACTS, Person, _serve_demo
from web.config import Settings

PROCESS = "credit_limit_change"


@pytest.fixture(scope="module")
def history_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The demo company in Greek, with eleven weeks of credit limit changes behind it,
    the finished ones rolled up."""
    folder = tmp_path_factory.mktemp("analytics")
    for served in _serve_demo(folder, "el", test_config={"RATELIMIT_ENABLED": False}):
        url = Settings.from_env({"RACIFLOW_INSTANCE_DIR": str(folder)}).database_url
        History(url).generate()
        _, engine = served
        assert engine.roll_up_analytics() > 0  # as the worker does: the page reads the roll-up
        yield served


def figure(person: Person, key: str) -> str:
    return person.page.locator(f".figure-{key} dd").inner_text()


def test_the_owner_reads_the_analytics_of_credit_limit_change_and_exports_a_table(
    history_app, browser
):
    base_url, _engine = history_app
    owner = Person(browser, base_url, "lena.owner")
    owner.sign_in()
    owner.follow_menu("Αναλύσεις")
    owner.page.get_by_role("link", name="Αλλαγή πιστωτικού ορίου").click()
    owner.page.wait_for_selector("h1:has-text('Αναλύσεις')")

    assert figure(owner, "started") == "33"
    assert figure(owner, "completed") == "31"
    assert figure(owner, "cancelled") == "1"
    assert "ημέρ" in figure(owner, "cycle_time_p90_s") or "ώ." in figure(owner, "cycle_time_p90_s")
    assert "1,5σ" in owner.page.locator(".sigma-note").inner_text()
    # Three charts: throughput, and the two panels of the control chart, whose slow week
    # (40 hours' wait for the controller) is out of control.
    assert owner.page.locator("svg.chart").count() == 3
    assert owner.page.locator("#throughput-chart rect.bar").count() == 12
    assert owner.page.locator("#control-chart .point.out").count() >= 1
    # The heat map: the controller's analysis is where work waits longest.
    heat = owner.page.locator(".heat-map")
    heat.scroll_into_view_if_needed()
    if owner.page.locator("#bpmn-viewer").count():
        owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    assert (
        heat.locator(
            '[data-element-id="analyse_controller"].heat-4, #bpmn-analyse_controller.heat-4'
        ).count()
        == 1
    )
    owner.shot("analytics-01-owner-desk")
    assert owner.has_no_horizontal_scroll()

    with owner.page.expect_download() as download:
        owner.page.locator("a.csv[href*='/summary.csv']").click()
    rows = dict(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert (rows["started"], rows["completed"], rows["cancelled"]) == ("33", "31", "1")
    assert download.value.suggested_filename.startswith(f"{PROCESS}-summary-")
    assert not owner.console_errors, owner.console_errors

    phone = Person(browser, base_url, "lena.owner", phone=True)
    phone.sign_in()
    phone.page.goto(owner.page.url)
    phone.page.wait_for_selector(".figure-started")
    if phone.page.locator("#bpmn-viewer").count():
        phone.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    phone.shot("analytics-02-owner-phone")
    assert phone.has_no_horizontal_scroll()
    assert not phone.console_errors, phone.console_errors


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_the_demo_analyst_finds_analytics_in_the_menu_and_reads_them(history_app, browser, phone):
    base_url, _engine = history_app
    analyst = Person(browser, base_url, "zoi.analyst", phone=phone)
    analyst.sign_in()
    analyst.page.wait_for_load_state("networkidle")  # the desk's CSS hides the menu toggle
    analyst.follow_menu("Αναλύσεις")
    analyst.page.get_by_role("link", name="Αλλαγή πιστωτικού ορίου").click()
    analyst.page.wait_for_selector(".figure-started")
    assert figure(analyst, "started") == "33"
    analyst.shot(f"analytics-04-analyst-{'phone' if phone else 'desk'}")
    assert analyst.has_no_horizontal_scroll()
    assert not analyst.console_errors, analyst.console_errors


def test_a_bd_has_no_link_and_is_told_why_not(history_app, browser):
    base_url, _engine = history_app
    bd = Person(browser, base_url, "giorgos.bd", phone=True)
    bd.sign_in()
    bd.page.locator(".menu-toggle").click()
    assert bd.page.get_by_role("link", name="Αναλύσεις").count() == 0
    bd.expected_status = 403
    answer = bd.page.goto(f"/processes/{PROCESS}/analytics")
    assert answer.status == 403
    assert "για τους ιδιοκτήτες" in bd.page.locator(".flash.error").inner_text()
    bd.shot("analytics-03-bd-refused-phone")
    assert bd.has_no_horizontal_scroll()
    assert ARTIFACTS.exists()
