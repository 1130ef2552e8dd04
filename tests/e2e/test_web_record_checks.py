"""A serial or a technician that is not in the records is a form error, not a failed step:
beside its input on the page, by field from the API and on the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from engine import SourceFile, views
from tests.e2e.inprocess_cli import in_process
from tests.e2e.staff_helpers import DEMO_PASSWORD, ROOT, days, next_working_day, open_task, sign_in
from workflows import form_checks

pytest_plugins = ["tests.e2e.staff_helpers"]


@pytest.fixture
def crm(crm: Any) -> Any:
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("equipment_request.*"))]
    crm.deploy(files, user="lena.owner")
    for username in ("irini.service", "alexandra.tm"):
        crm.set_password(username, DEMO_PASSWORD, by="admin")
        crm.set_locale(username, "en")
    return crm


def placement_at(crm: Any, step: str) -> tuple[str, str]:
    """A cooler placement for customer 1, taken as far as `step`: (instance, task id)."""
    instance = crm.start(
        "equipment_request",
        user="giorgos.bd",
        data={
            "kind": "placement",
            "customer_id": 1,
            "asset_type": "cooler",
            "description": "Asked by the owner on today's visit",
        },
        business_key="C00001",
    ).instance_id
    crm.complete(
        open_task(crm, instance, "decide"),
        user="alexandra.tm",
        data={"decision": "approve", "reason": "Strong outlet on a busy corner"},
    )
    if step == "work":
        crm.complete(
            open_task(crm, instance, "schedule"),
            user="irini.service",
            data={"technician": "thanasis.tech", "due_on": next_working_day(days(3)).isoformat()},
        )
    return instance, open_task(crm, instance, step)


def test_a_serial_that_does_not_exist_is_said_beside_it(web_app, crm):
    instance, work = placement_at(crm, "work")
    tech = sign_in(web_app, "thanasis.tech")
    answer = tech.post(f"/tasks/{work}/complete", {"serial": "eq-99999", "work_notes": "Installed"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert '<p class="field-error" id="e-serial">there is no asset with this serial</p>' in html
    assert views.instance(crm.uow(), instance)["status"] == "waiting"  # nothing failed


def test_an_asset_placed_elsewhere_is_refused_before_any_step_fails(web_app, crm):
    _, work = placement_at(crm, "work")
    with crm.uow() as uow:
        placed = uow.session.execute(
            text("SELECT serial FROM crm_assets WHERE status = 'placed' LIMIT 1")
        ).scalar_one()
    tech = sign_in(web_app, "thanasis.tech")
    answer = tech.post(f"/tasks/{work}/complete", {"serial": placed, "work_notes": "Installed"})
    assert answer.status_code == 422
    assert "this asset is not in stock" in answer.get_data(as_text=True)
    assert views.task_detail(crm.uow(), work)["status"] == "ready"


def test_only_a_technician_is_scheduled_and_not_for_a_day_that_is_over(web_app, crm):
    _, schedule = placement_at(crm, "schedule")
    irini = sign_in(web_app, "irini.service")
    page = irini.page(f"/tasks/{schedule}")
    assert 'name="due_on" type="date"' in page  # the browser's date picker
    answer = irini.post(
        f"/tasks/{schedule}/complete", {"technician": "giorgos.bd", "due_on": "2020-01-06"}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "that day is over" in html
    day = next_working_day(days(3)).isoformat()
    answer = irini.post(f"/tasks/{schedule}/complete", {"technician": "giorgos.bd", "due_on": day})
    assert answer.status_code == 422 and "not an active technician" in answer.get_data(as_text=True)
    done = irini.post(f"/tasks/{schedule}/complete", {"technician": "thanasis.tech", "due_on": day})
    assert done.status_code == 302


@pytest.fixture
def complaints(crm: Any) -> Any:
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("complaint.*"))]
    crm.deploy(files, user="lena.owner")
    crm.set_password("yannis.cs", DEMO_PASSWORD, by="admin")
    crm.set_locale("yannis.cs", "en")
    return crm


def complaint_at(crm: Any, step: str, **extra: Any) -> tuple[str, str]:
    """A complaint of customer 1 taken as far as `step`: (instance, task id)."""
    kind = "invoice_difference" if step == "check_invoice" else "broken_product"
    if kind == "invoice_difference":
        extra = {"invoice_number": "TIM-2026/00412", "claimed_amount": 120.50, **extra}
    instance = crm.start(
        "complaint",
        user="sofia.cs",
        data={
            "customer_id": 1,
            "kind": kind,
            "description": "The customer says: " + kind,
            **extra,
        },
        business_key="C00001",
    ).instance_id
    if step == "inform_customer":
        crm.complete(
            open_task(crm, instance, "arrange_replacement"),
            user="michalis.log",
            data={"outcome": "rejected", "resolution": "Damaged in the customer's storeroom"},
        )
    return instance, open_task(crm, instance, step)


def test_a_contact_before_the_complaint_was_opened_is_said_beside_it(web_app, complaints):
    instance, inform = complaint_at(complaints, "inform_customer")
    agent = sign_in(web_app, "yannis.cs")
    contact = {
        "contact_channel": "phone",
        "contact_person": "Μαρία Οικονόμου",
        "contact_summary": "Explained the resolution; the customer is satisfied",
    }
    before = agent.post(
        f"/tasks/{inform}/complete", {**contact, "contacted_at": "2020-01-02T10:00"}
    )
    assert before.status_code == 422
    assert "this is before the complaint was opened" in before.get_data(as_text=True)
    later = agent.post(f"/tasks/{inform}/complete", {**contact, "contacted_at": "2099-01-02T10:00"})
    assert later.status_code == 422
    assert "the contact time is in the future" in later.get_data(as_text=True)
    assert views.instance(complaints.uow(), instance)["status"] == "waiting"  # nothing stopped


def test_a_credit_above_the_claim_is_said_beside_the_amount(web_app, complaints):
    _, check = complaint_at(complaints, "check_invoice")
    anna = sign_in(web_app, "anna.credit")
    verdict = {"outcome": "accepted", "resolution": "Delivery note shows 10 cases, billed 12"}
    above = anna.post(f"/tasks/{check}/complete", {**verdict, "credit_amount": "150.00"})
    assert above.status_code == 422
    assert "more than the customer claimed" in above.get_data(as_text=True)
    assert views.task_detail(complaints.uow(), check)["status"] == "ready"
    within = anna.post(f"/tasks/{check}/complete", {**verdict, "credit_amount": "120.50"})
    assert within.status_code == 302
    assert views.task_detail(complaints.uow(), check)["status"] == "awaiting_signoff"


# --- the same rules from the API and the command line (the engine runs them) ------------


def test_the_api_refuses_an_asset_placed_elsewhere_by_field(web_app, crm):
    _, work = placement_at(crm, "work")
    placed = a_placed_serial(crm)
    token = crm.create_token("thanasis.tech", label="terminal")
    answer = web_app.test_client().post(
        f"/api/v1/tasks/{work}/complete",
        json={"data": {"serial": placed, "work_notes": "Installed"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert (error["code"], error["fields"]) == (
        "InvalidTaskData",
        {"serial": ["this asset is not in stock"]},
    )
    assert views.task_detail(crm.uow(), work)["status"] == "ready"  # nothing ran, nothing failed


def test_the_command_line_refuses_a_credit_above_the_claim(
    web_app, complaints, tmp_path, monkeypatch, capsys
):
    instance, check = complaint_at(complaints, "check_invoice")
    url = complaints.database.url.render_as_string(hide_password=False)
    cli = in_process(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_DATABASE_URL": url},
        monkeypatch,
        capsys,
    )
    verdict = {"outcome": "accepted", "resolution": "Billed 12 cases", "credit_amount": 150}

    refused = cli(
        "complete", check, "--user", "anna.credit", "--data", json.dumps(verdict), ok=False
    )

    assert refused.returncode != 0
    assert "credit_amount: more than the customer claimed" in refused.stderr
    for_a_script = cli(
        "complete", check, "--user", "anna.credit", "--data", json.dumps(verdict), "--json",
        ok=False,
    )  # fmt: skip
    error = json.loads(for_a_script.stderr)["error"]
    assert (error["code"], error["fields"]) == (
        "InvalidTaskData",
        {"credit_amount": ["more than the customer claimed: credit at most the claim"]},
    )
    assert views.task_detail(complaints.uow(), check)["status"] == "ready"
    assert views.instance(complaints.uow(), instance)["status"] == "waiting"


def a_placed_serial(crm: Any) -> str:
    with crm.uow() as uow:
        return uow.session.execute(
            text("SELECT serial FROM crm_assets WHERE status = 'placed' LIMIT 1")
        ).scalar_one()


def test_a_first_step_that_fails_after_the_form_is_worded_without_the_engines_english(
    web_app, crm, monkeypatch
):
    """A record can change between the form's check and the service (here: the check is
    taken away): the starter is told in words, and the case page names the step."""
    monkeypatch.delitem(form_checks._CHECKS, ("equipment_request", "start"))
    placed = a_placed_serial(crm)
    bd = sign_in(web_app, "giorgos.bd")
    other_customer = "2" if customer_of(crm, placed) == 1 else "1"
    answer = bd.post(
        "/start/equipment_request",
        {
            "kind": "repair",
            "customer_id": other_customer,
            "asset_serial": placed,
            "description": "Does not cool any more",
        },
    )
    assert answer.status_code == 302
    case = bd.page(answer.location)
    assert "The case started, but its first step failed." in case
    assert "waits for an administrator" in case
    assert "is not placed at customer" not in case[: case.index("Technical details")]
    # The administrators, who retry it, are told (in their language: English here).
    instance_id = answer.location.rstrip("/").rsplit("/", 1)[-1]
    [notice] = [n for n in crm.notifications("admin") if n.instance_id == instance_id]
    assert notice.subject == "Equipment placement, relocation and repair: the first step failed"
    assert "then its step 'Register the service request' failed" in notice.body
    assert "is not placed" not in notice.body  # the technical words stay on the case page


def customer_of(crm: Any, serial: str) -> int:
    with crm.uow() as uow:
        return uow.session.execute(
            text("SELECT customer_id FROM crm_assets WHERE serial = :s"), {"s": serial}
        ).scalar_one()


def test_without_the_authority_the_records_are_not_consulted(web_app, crm):
    """Who may do the work is asked first: a BD posting a job report (not theirs to do)
    is refused as such, and learns nothing of the asset register from the answer."""
    _, work = placement_at(crm, "work")
    token = crm.create_token("giorgos.bd", label="terminal")
    answer = web_app.test_client().post(
        f"/api/v1/tasks/{work}/complete",
        json={"data": {"serial": a_placed_serial(crm), "work_notes": "Installed"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert "not in stock" not in answer.get_data(as_text=True)
    assert views.task_detail(crm.uow(), work)["status"] == "ready"
