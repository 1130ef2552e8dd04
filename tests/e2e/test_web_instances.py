"""Instances pages: who sees which instance, filters, the detail with its timeline and
diagram, and who may cancel or retry.

The helpers at the top (a seeded database copied per test, a signed-in browser) are
shared with test_web_audit.py and test_web_raci.py.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from lxml import html as lxml_html

from engine import ProcessEngine, SourceFile, build_engine, views
from engine.errors import InvalidState
from tests.unit.test_diagram import running
from web import create_app
from web.config import Settings
from web.diagram import DiagramLimits
from workflows import forms
from workflows.demo import demo_directory, load_data
from workflows.services import build_registry

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
USERS = (
    "giorgos.bd", "eleni.bd", "anna.credit", "kostas.credit", "vasso.finance",
    "lena.owner", "fotis.audit", "zoi.analyst", "admin",
)  # fmt: skip

# Only credit controllers (R) and the finance manager (A) have a part in this one.
CREDIT_REVIEW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1" targetNamespace="http://raciflow.test">
  <bpmn:process id="credit_review" name="Credit review" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the account"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
CREDIT_REVIEW_RACI = "activity,credit_controller,finance_manager\nreview,R,A\n"
# A script that fails when `divisor` is 0: an instance in error, to retry.
FRAGILE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d2" targetNamespace="http://raciflow.test">
  <bpmn:process id="fragile" name="Fragile" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="Compute the ratio"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>ratio = 100 / divisor</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def process_files() -> list[SourceFile]:
    crm = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("credit_limit_change.*"))]
    return [
        *crm,
        SourceFile("credit_review.bpmn", CREDIT_REVIEW.encode()),
        SourceFile("credit_review.raci.csv", CREDIT_REVIEW_RACI.encode()),
        SourceFile("fragile.bpmn", FRAGILE.encode()),
    ]


# Fixtures are named apart from their functions so that other modules can import them.
@pytest.fixture(name="seeded", scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo company, its data, the processes and passwords (built once)."""
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    engine = build_engine(
        f"sqlite:///{path}", services=build_registry(), forms=forms.validator, migrate=True
    )
    engine.import_directory(demo_directory(), user="admin")
    engine.deploy(process_files(), user="lena.owner")
    load_data(engine)
    for user in USERS:
        engine.set_password(user, PASSWORD, by="admin")
        engine.set_locale(user, "en")  # the tests read English, whatever is translated later
    return path


@pytest.fixture(name="app")
def web_app(tmp_path: Path, seeded: Path):
    with sqlite3.connect(seeded) as source, sqlite3.connect(tmp_path / "raciflow.sqlite") as copy:
        source.backup(copy)  # includes what is still in the WAL
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
        }
    )
    # Enabled explicitly: Flask-Limiter is one object, and keeps a previous app's setting.
    return create_app(settings, test_config={"RATELIMIT_ENABLED": True})


@pytest.fixture(name="engine")
def process_engine(app):
    return app.extensions["raciflow"]


class Browser:
    """A test client signed in as one user, posting forms with their CSRF token."""

    def __init__(self, app: Any, username: str) -> None:
        self.client = app.test_client()
        self.username = username
        answer = self.client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": self.token("/login")},
        )
        assert answer.status_code == 302, f"{username} could not sign in"

    def token(self, path: str = "/raci/") -> str:
        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, headers={"Accept-Language": "en"}, **kwargs)

    def page(self, path: str, **kwargs: Any) -> str:
        answer = self.get(path, **kwargs)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.get_data(as_text=True)

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token()
        return self.client.post(path, data=data, headers={"Accept-Language": "en"})


def as_user(app: Any, username: str) -> Browser:
    return Browser(app, username)


def start_credit_change(engine: Any, user: str = "giorgos.bd", key: str = "C00007") -> str:
    return engine.start(
        "credit_limit_change", user=user, data={"customer_id": 7}, business_key=key
    ).instance_id


def open_task(engine: Any, instance_id: str, element: str) -> str:
    [task] = [
        t["id"]
        for t in views.open_tasks(engine.uow(), instance_id=instance_id)
        if t["element"] == element
    ]
    return task


def request_limit(engine: Any, instance_id: str, user: str = "giorgos.bd") -> None:
    """The BD asks for a small increase (self-approved): a credit controller analyses and signs."""
    task = open_task(engine, instance_id, "request")
    data = {"requested_limit": 18000, "justification": "Καλοκαίρι: δύο νέα ψυγεία"}
    engine.complete(task, user=user, data=data)


def listed_ids(page: str) -> set[str]:
    return set(re.findall(r'href="/instances/([0-9a-f-]{36})"', page))


def text_of(page: str) -> str:
    """The page's text, one space between words and between elements."""
    return " ".join(" ".join(lxml_html.fromstring(page).itertext()).split())


# --- the list -------------------------------------------------------------------------


def test_the_list_filters_by_process_status_key_starter_and_date(app, engine):
    first = start_credit_change(engine, key="C00007")
    second = start_credit_change(engine, user="eleni.bd", key="C00008")
    review = engine.start("credit_review", user="anna.credit").instance_id
    engine.cancel(second, user="lena.owner", reason="Duplicate request")
    auditor = as_user(app, "fotis.audit")

    assert listed_ids(auditor.page("/instances/")) == {first, second, review}
    assert listed_ids(auditor.page("/instances/?process=credit_review")) == {review}
    assert listed_ids(auditor.page("/instances/?status=cancelled")) == {second}
    assert listed_ids(auditor.page("/instances/?business_key=C0000")) == {first, second}
    assert listed_ids(auditor.page("/instances/?business_key=C00008")) == {second}
    assert listed_ids(auditor.page("/instances/?started_by=giorgos.bd")) == {first}
    name = engine.directory().users["giorgos.bd"].name
    assert listed_ids(auditor.page(f"/instances/?started_by={quote(name)}")) == {first}
    started = datetime.fromisoformat(views.instance(engine.uow(), first)["started_at"])
    today = started.astimezone(ZoneInfo("Europe/Athens")).date().isoformat()  # pages' days
    assert listed_ids(auditor.page(f"/instances/?since={today}&until={today}")) == {
        first,
        second,
        review,
    }
    assert listed_ids(auditor.page("/instances/?since=2999-01-01")) == set()


def test_bad_filters_show_field_errors(app, engine):
    start_credit_change(engine)
    page = as_user(app, "fotis.audit").page("/instances/?since=yesterday&status=lost")
    assert "Not a valid date value" in page
    assert "Choose a status from the list" in page
    assert listed_ids(page) == set()


def test_the_list_is_paged(app, engine):
    started = {engine.start("credit_review", user="anna.credit").instance_id for _ in range(27)}
    auditor = as_user(app, "fotis.audit")
    first = auditor.page("/instances/")
    assert len(listed_ids(first)) == 25 and "Page 1 of 2 (27 in all)" in first
    assert 'rel="next" href="/instances/?page=2"' in first
    second = auditor.page("/instances/?page=2")
    assert listed_ids(first) | listed_ids(second) == started


# --- who sees what -----------------------------------------------------------------------


def test_staff_see_only_the_instances_they_have_a_part_in(app, engine):
    credit_change = start_credit_change(engine)  # bd is R/A of its request: every BD's
    review = engine.start("credit_review", user="anna.credit").instance_id  # no BD part

    bd = as_user(app, "eleni.bd")
    assert listed_ids(bd.page("/instances/")) == {credit_change}
    assert bd.get(f"/instances/{review}").status_code == 403
    assert bd.get(f"/instances/{review}/diagram.svg").status_code == 403

    controller = as_user(app, "kostas.credit")  # R of the review, I of the request
    assert listed_ids(controller.page("/instances/")) == {credit_change, review}
    finance = as_user(app, "vasso.finance")  # A of the review only
    assert listed_ids(finance.page("/instances/")) == {review}
    request_limit(engine, credit_change)  # now the analysis waits for a controller (R)
    assert listed_ids(controller.page("/instances/")) == {credit_change, review}
    assert bd.get(f"/instances/{credit_change}").status_code == 403  # another BD's request

    for overseer in ("fotis.audit", "lena.owner", "admin"):
        browser = as_user(app, overseer)
        assert listed_ids(browser.page("/instances/")) == {credit_change, review}
        assert browser.get(f"/instances/{review}").status_code == 200


def test_taking_part_in_an_instance_makes_it_visible(app, engine):
    review = engine.start("credit_review", user="anna.credit").instance_id
    [task] = views.open_tasks(engine.uow(), instance_id=review)
    engine.complete(task["id"], user="kostas.credit", data={})  # an act of his
    engine.approve(task["id"], user="vasso.finance")  # the case is over: no open task left
    assert listed_ids(as_user(app, "kostas.credit").page("/instances/")) == {review}
    assert listed_ids(as_user(app, "eleni.bd").page("/instances/")) == set()


def test_signing_in_is_required(app):
    answer = app.test_client().get("/instances/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


# --- one instance ---------------------------------------------------------------------


def test_the_detail_shows_data_open_tasks_and_the_timeline_with_raci_letters(app, engine):
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    analyse = open_task(engine, instance_id, "analyse_controller")
    engine.complete(
        analyse,
        user="anna.credit",
        data={"recommendation": "approve", "approved_limit": 17000, "analysis": "Pays on time."},
    )
    engine.reject(analyse, user="kostas.credit", reason="Check the overdue invoices first")

    page = as_user(app, "fotis.audit").page(f"/instances/{instance_id}")
    text = text_of(page)
    assert "C00007" in text and "v1" in text and "waiting" in text
    assert "Customer Φούρνος Γεωργίου (C00007)" in text  # start data: the customer, by name
    assert "Requested limit €18,000.00" in text and "Καλοκαίρι: δύο νέα ψυγεία" in text
    assert "Approved limit €17,000.00" in text and "submitted for sign-off" in text
    assert f'href="/tasks/{analyse}"' in page  # the task is open again, for rework

    rows = lxml_html.fromstring(page).xpath("//table[contains(@class, 'timeline')]/tbody/tr")
    timeline = [" ".join(" ".join(row.itertext()).split()) for row in rows]
    assert any("completed task Γιώργος Παπαδόπουλος R" in row for row in timeline)
    assert any("approved Γιώργος Παπαδόπουλος A" in row for row in timeline)  # self-approval
    assert any(
        "rejected Κώστας Οικονόμου A" in row and "Check the overdue invoices first" in row
        for row in timeline
    )
    assert any("notified" in row and "I" in row for row in timeline)
    # The process's file carries its diagram: the page draws it with bpmn-js.
    assert f'data-src="/instances/{instance_id}/diagram.json"' in page
    assert "diagram.svg" not in page


def test_an_unknown_instance_is_not_found(app):
    assert as_user(app, "fotis.audit").get("/instances/no-such-id").status_code == 404


def shape_fill(svg: bytes, element_id: str) -> tuple[str, str]:
    """The state (the last class) and fill colour of an element's node in a diagram."""
    root = etree.fromstring(svg)
    [node] = root.xpath("//*[local-name()='g'][@id=$id]", id=f"bpmn-{element_id}")
    shape = node.xpath("*[local-name()='path' or local-name()='polygon' or local-name()='ellipse']")
    return node.get("class").split()[-1], shape[0].get("fill")


def test_the_diagram_is_an_svg_coloured_by_progress(app, engine):
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    answer = as_user(app, "giorgos.bd").get(f"/instances/{instance_id}/diagram.svg")
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    assert etree.fromstring(answer.data).tag == "{http://www.w3.org/2000/svg}svg"
    assert shape_fill(answer.data, "analyse_controller") == ("active", "#dbeafe")
    assert shape_fill(answer.data, "request") == ("done", "#dcfce7")
    assert shape_fill(answer.data, "load_profile")[0] == "done"  # a service: proven by the flow
    assert shape_fill(answer.data, "analyse_cfo") == ("untouched", "#ffffff")


def test_the_owners_drawing_comes_with_where_the_case_stands(app, engine):
    instance_id = start_credit_change(engine)
    request_limit(engine, instance_id)
    answer = as_user(app, "giorgos.bd").get(f"/instances/{instance_id}/diagram.json")
    found = answer.get_json()
    assert "BPMNDiagram" in found["bpmn"]
    assert found["state"]["active"] == ["analyse_controller"]
    assert {"start", "load_profile", "request"} <= set(found["state"]["done"])
    assert {"f1", "f2", "f3"} <= set(found["taken"])  # the path taken, to the open task
    assert "analyse_cfo" not in found["state"]["done"]
    assert found["words"]["active"] == "open task"


def test_a_failed_step_shows_in_the_diagram(app, engine):
    instance_id = engine.start("fragile", user="anna.credit", data={"divisor": 0}).instance_id
    answer = as_user(app, "anna.credit").get(f"/instances/{instance_id}/diagram.svg")
    assert shape_fill(answer.data, "compute") == ("failed", "#fdecea")
    drawing = as_user(app, "anna.credit").get(f"/instances/{instance_id}/diagram.json")
    assert drawing.get_json()["state"]["failed"] == ["compute"]  # bpmn-js marks it too


# --- cancel and retry ------------------------------------------------------------------


def test_the_starter_and_process_owners_may_cancel_with_a_reason(app, engine):
    instance_id = start_credit_change(engine)
    path = f"/instances/{instance_id}/cancel"
    assert as_user(app, "eleni.bd").post(path, {"reason": "not mine"}).status_code == 403
    assert as_user(app, "fotis.audit").post(path, {"reason": "audit"}).status_code == 403

    starter = as_user(app, "giorgos.bd")
    assert "Cancel this instance" in starter.page(f"/instances/{instance_id}")
    assert starter.post(path, {"reason": "x"}, csrf=False).status_code == 400
    refused = starter.post(path, {"reason": "   "})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    assert views.instance(engine.uow(), instance_id)["status"] == "waiting"

    done = starter.post(path, {"reason": "The customer withdrew the request"})
    assert done.status_code == 302
    assert views.instance(engine.uow(), instance_id)["cancel_reason"] == (
        "The customer withdrew the request"
    )
    page = starter.page(f"/instances/{instance_id}")
    assert "cancelled" in page and "Cancel this instance" not in page
    again = as_user(app, "lena.owner").post(path, {"reason": "twice"})
    assert again.status_code == 403  # nothing left to cancel


def test_process_owners_may_cancel_any_instance(app, engine):
    instance_id = start_credit_change(engine)
    owner = as_user(app, "lena.owner")
    assert owner.post(f"/instances/{instance_id}/cancel", {"reason": "Test"}).status_code == 302
    assert views.instance(engine.uow(), instance_id)["status"] == "cancelled"


def test_a_cancel_the_engine_refuses_is_explained_beside_the_reason(app, engine, monkeypatch):
    instance_id = start_credit_change(engine)

    def refuse(*_args, **_kwargs):
        raise InvalidState("undoing its effects failed (the order is gone)")

    monkeypatch.setattr(ProcessEngine, "cancel", refuse)
    answer = as_user(app, "lena.owner").post(f"/instances/{instance_id}/cancel", {"reason": "x"})
    assert answer.status_code == 409
    assert "the order is gone" in answer.get_data(as_text=True)
    assert views.instance(engine.uow(), instance_id)["status"] == "waiting"


def test_only_process_owners_and_admins_retry_a_failed_step(app, engine):
    instance_id = engine.start("fragile", user="anna.credit", data={"divisor": 0}).instance_id
    path = f"/instances/{instance_id}/retry"
    starter = as_user(app, "anna.credit")
    page = starter.page(f"/instances/{instance_id}")
    assert "division by zero" in page and "Retry the failed step" not in page
    assert starter.post(path).status_code == 403

    owner = as_user(app, "lena.owner")
    assert "Retry the failed step" in owner.page(f"/instances/{instance_id}")
    # A step with no form runs again as it was: here it fails again, and says so.
    page = owner.page(f"/instances/{instance_id}")
    assert 'name="data"' not in page and "no form" in page
    assert owner.post(path).status_code == 302
    assert views.instance(engine.uow(), instance_id)["status"] == "error"
    assert "failed again" in owner.page(f"/instances/{instance_id}")
    engine.retry(instance_id, user="lena.owner", data={"divisor": 4})
    assert views.instance(engine.uow(), instance_id)["status"] == "completed"
    assert owner.post(path).status_code == 403  # no longer in error


def test_a_diagram_above_the_size_limit_is_a_clear_refusal(app, engine):
    """Issue 11 D7: a huge graph is never handed to graphviz (it held the worker past 30 s)."""
    app.config["RACIFLOW_DIAGRAM_LIMITS"] = DiagramLimits(max_nodes=3)
    instance_id = start_credit_change(engine)
    for path in (f"/instances/{instance_id}/diagram.svg", "/raci/credit_limit_change/diagram.svg"):
        answer = as_user(app, "giorgos.bd").get(path)
        assert answer.status_code == 422
        assert answer.mimetype == "image/svg+xml"
        assert "the limit is 3" in svg_text(answer.data)


def test_a_diagram_that_takes_too_long_is_refused_and_dot_is_killed(
    app, engine, tmp_path, monkeypatch
):
    pids = tmp_path / "pids"
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho $$ >> {pids}\nsleep 60 &\necho $! >> {pids}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    app.config["RACIFLOW_DIAGRAM_LIMITS"] = DiagramLimits(timeout=1)
    instance_id = engine.start("fragile", user="anna.credit", data={"divisor": 0}).instance_id
    started = time.monotonic()
    answer = as_user(app, "anna.credit").get(f"/instances/{instance_id}/diagram.svg")
    assert answer.status_code == 503
    assert "took longer than 1 seconds" in svg_text(answer.data)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert [pid for pid in map(int, pids.read_text().split()) if running(pid)] == []


def svg_text(svg: bytes) -> str:
    """The words an SVG shows, one space apart (its lines are separate tspans)."""
    return " ".join(" ".join(etree.fromstring(svg).itertext()).split())
