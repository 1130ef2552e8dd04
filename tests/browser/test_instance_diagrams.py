"""The instance page of every demo process draws the owner's diagram (bpmn-js, from the
file's DI), not graphviz's, with where the case stands: the steps done, the flows taken,
the open tasks. In Greek, at desk and phone size, with no sideways scroll on the phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from engine import views
from engine.views import oversight
from tests.browser.conftest import ARTIFACTS, Person, _serve_demo

PROCESSES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "bpmn").glob("*.bpmn"))


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The demo company in Greek with one instance of every process in flight, as
    `init --demo` leaves it (the credit limit change a step on: the BD's request is in)."""
    yield from _serve_demo(tmp_path_factory.mktemp("diagrams"), "el", instances=True)


@pytest.fixture(scope="module")
def owners(demo_app, browser) -> Iterator[dict[str, Person]]:
    """The process owner signed in once at each screen size (sign-ins are rate-limited)."""
    base_url, _ = demo_app
    signed_in: dict[str, Person] = {}
    for size in ("desk", "phone"):
        signed_in[size] = Person(browser, base_url, "lena.owner", phone=size == "phone")
        signed_in[size].sign_in()
    yield signed_in
    for person in signed_in.values():
        person.close()


def broken_words(person: Person, instance_id: str) -> list[tuple[str, str]]:
    """(element, line) for each drawn line of a name that holds a piece of a word:
    bpmn-js broke a word wider than its label's box ("Μπλοκαρισμένο" over "ς")."""
    drawing = person.page.request.get(f"/instances/{instance_id}/diagram.json").json()["bpmn"]
    names = {
        element.get("id"): element.get("name")
        for element in etree.fromstring(drawing.encode()).iter()
        if element.get("id") and element.get("name")
    }
    drawn = person.page.evaluate(
        """() => [...document.querySelectorAll('#bpmn-viewer .djs-element')].map((e) => [
          e.dataset.elementId,
          [...e.querySelectorAll(':scope > .djs-visual text tspan')].map((s) => s.textContent),
        ])"""
    )
    return [
        (element, line)
        for element, lines in drawn
        if (name := names.get(element.removesuffix("_label")))
        for line in lines
        if not set(line.split()) <= set(name.split())
    ]


def instance_of(engine: object, process_id: str) -> dict:
    query = oversight.InstanceQuery(process_id=process_id)
    [instance] = oversight.instances(engine.uow(), query, limit=1)["items"]
    return instance


@pytest.mark.parametrize("process_id", PROCESSES)
def test_the_instance_page_draws_the_owners_diagram_with_the_case_on_it(
    demo_app, owners, viewport, process_id
):
    _, engine = demo_app
    owner = owners[viewport]
    owner.console_errors.clear()
    instance = instance_of(engine, process_id)
    owner.page.goto(f"/instances/{instance['id']}")
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    viewer = owner.page.locator("#bpmn-viewer")
    assert owner.page.locator("img[src$='diagram.svg']").count() == 0  # not graphviz's
    assert viewer.locator(".djs-shape[data-element-id=start].state-done").count() == 1
    assert viewer.locator(".djs-connection.state-taken").count() >= 1
    pending = viewer.locator(".djs-shape.state-active, .djs-shape.state-waiting").count()
    badges = viewer.locator(".state-badge").all_inner_texts()
    assert set(badges) <= {"ανοιχτή εργασία", "αναμονή χρονομέτρου"}, badges
    if instance["status"] == "completed":  # a clean order goes on to its release at once
        assert viewer.locator(".djs-shape.state-done").count() >= 4
        assert pending == 0 and not badges
    else:
        assert pending >= 1 and len(badges) == pending, "a case waits somewhere, and says so"
    lanes = owner.page.locator(".djs-shape[data-element-id^=lane_]").count()
    assert lanes >= 2  # the lanes are drawn, not left out
    assert broken_words(owner, instance["id"]) == []
    viewer.scroll_into_view_if_needed()
    owner.shot(f"instance-diagram-{process_id}-{viewport}")
    owner.page.locator("figure.diagram").screenshot(
        path=str(ARTIFACTS / f"instance-diagram-{process_id}-{viewport}-figure.png")
    )
    assert owner.has_no_horizontal_scroll()
    assert not owner.console_errors


def test_the_process_page_puts_each_activitys_open_tasks_and_median_wait_on_it(
    demo_app, owners, viewport
):
    _, engine = demo_app
    owner = owners[viewport]
    owner.console_errors.clear()
    waiting = {
        t["element"] for t in views.open_tasks(engine.uow()) if t["process_id"] == "complaint"
    }
    owner.page.goto("/raci/complaint")
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    assert owner.page.locator("figure.diagram img").count() == 0  # not graphviz's
    badges = owner.page.locator("#bpmn-viewer .load-badge")
    assert badges.count() == len(waiting) >= 1
    assert badges.first.inner_text().startswith("ανοιχτές εργασίες: 1 · διάμεση αναμονή")
    owner.page.locator("#bpmn-viewer").scroll_into_view_if_needed()
    owner.shot(f"process-diagram-complaint-{viewport}")
    owner.page.locator("figure.diagram").screenshot(
        path=str(ARTIFACTS / f"process-diagram-complaint-{viewport}-figure.png")
    )
    assert owner.has_no_horizontal_scroll()
    assert not owner.console_errors


def test_a_failed_step_is_marked_and_named_on_the_drawing(demo_app, owners):
    from engine import SourceFile
    from tests.e2e.test_web_instances import FRAGILE
    from web.bpmn_layout import with_layout

    _, engine = demo_app
    engine.deploy([SourceFile("fragile.bpmn", with_layout(FRAGILE).encode())], user="lena.owner")
    failed = engine.start("fragile", user="lena.owner", data={"divisor": 0}).instance_id
    owner = owners["desk"]
    owner.console_errors.clear()
    owner.page.goto(f"/instances/{failed}")
    owner.page.wait_for_selector("#bpmn-viewer[data-ready=true]")
    viewer = owner.page.locator("#bpmn-viewer")
    assert viewer.locator(".djs-shape[data-element-id=compute].state-failed").count() == 1
    assert viewer.locator(".state-badge-failed").all_inner_texts() == ["απέτυχε"]
    assert viewer.locator(".djs-connection[data-element-id=f1].state-taken").count() == 1
    owner.page.locator("figure.diagram").screenshot(
        path=str(ARTIFACTS / "instance-diagram-failed-step-desk-figure.png")
    )
    assert not owner.console_errors
