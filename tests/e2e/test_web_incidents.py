"""A step that fails after a sign-off, as the signer and the admin see it on the pages.

The signer is told that the process did not move on and why; the instance page shows the
incident; an admin retries with the failed task's own form, validated, never raw JSON.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from engine import views
from tests.e2e.staff_helpers import DEMO_PASSWORD, failed_placement, open_notice, sign_in

pytest_plugins = ["tests.e2e.staff_helpers"]


def in_stock_cooler(engine) -> str:
    with engine.uow() as uow:
        return uow.session.scalar(
            text(
                "SELECT serial FROM crm_assets WHERE status = 'in_stock' AND type = 'cooler'"
                " ORDER BY serial LIMIT 1"
            )
        )


def test_the_signer_sees_that_the_next_step_failed_and_why(web_app, crm):
    instance, work = failed_placement(crm)
    signer = sign_in(web_app, "irini.service")

    answer = signer.post(f"/tasks/{work}/approve", {"password": DEMO_PASSWORD})

    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/instances/{instance}")
    page = signer.page(f"/instances/{instance}")
    assert "moved on" not in page
    assert "Signed off, but the step after it failed." in page
    # The step by its name, the engine's technical words folded beneath, and only there.
    assert "The step «Update the asset register» failed." in page, page
    flashes = re.findall(r'<p class="flash[^>]*>(.*?)</p>', page, re.S)
    assert flashes and not any("not in stock" in flash for flash in flashes)
    technical = page[page.index('<details class="technical">') :]
    assert "is not in stock (it is placed)" in technical[: technical.index("</details>")]
    told = signer.page("/inbox/?section=notifications")  # the R, A and admins are told
    assert "then the step &#39;Update the asset register&#39; failed." in told
    assert "ValueError" not in told and "complete_equipment_request" not in told
    assert open_notice(signer, told, "Open the case") == f"/instances/{instance}"  # what failed
    assert "after approved by Ειρήνη Χατζή" in page  # the incident: after whose act
    assert "Retry the failed step" not in page  # an admin's act


def test_an_admin_retries_with_the_tasks_own_form_validated(web_app, crm):
    instance, work = failed_placement(crm)
    crm.approve(work, user="irini.service")
    admin = sign_in(web_app, "admin")
    page = admin.page(f"/instances/{instance}")
    assert 'name="serial"' in page and 'name="work_notes"' in page
    assert 'name="data"' not in page  # no raw JSON box
    [bad_serial] = [
        e["details"]["data"]["serial"]
        for e in views.audit_events(crm.uow(), instance_id=instance, action="complete")
        if e["details"]["element"] == "work"
    ]
    assert f'value="{bad_serial}"' in page  # pre-filled with what the step ran with

    path = f"/instances/{instance}/retry"
    refused = admin.post(path, {"serial": "cooler 7", "work_notes": "Installed"})
    assert refused.status_code == 422
    assert "a serial looks like EQ-00042" in refused.get_data(as_text=True)
    assert views.instance(crm.uow(), instance)["status"] == "error"

    cooler = in_stock_cooler(crm)
    done = admin.post(path, {"serial": cooler, "work_notes": "Installed"})
    assert done.status_code == 302
    # The serial was signed: the corrected one waits for a new signature, and says so.
    notice = admin.page(f"/instances/{instance}")
    assert "The data changes what was signed: it waits for a new sign-off." in notice
    assert "waits for a new sign-off; the step runs again once it is signed" in notice
    assert 'name="serial"' not in notice  # no second retry while the signature is pending
    assert views.instance(crm.uow(), instance)["status"] == "error"
    [voided] = views.audit_events(crm.uow(), instance_id=instance, action="signoff_voided")
    assert (voided["actor"], voided["details"]["changes"]["serial"][1]) == ("admin", cooler)
    # The timeline says what the admin changed, in words, not the event's code.
    row = notice[notice.index('class="action-signoff_voided"') :]
    row = row[: row.index("</tr>")]
    assert "sign-off voided: the signed data was changed" in row
    assert f"<del>{bad_serial}</del> → <ins>{cooler}</ins>" in row
    assert "retry with data that changes what was signed" in row

    crm.approve(work, user="irini.service")
    assert views.instance(crm.uow(), instance)["status"] == "completed"


def test_the_api_answers_the_signer_with_the_incident(web_app, crm):
    _, work = failed_placement(crm)
    token = crm.create_token("irini.service", label="test")
    client = web_app.test_client()
    answer = client.post(
        f"/api/v1/tasks/{work}/approve",
        json={"password": DEMO_PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "error"
    assert "is not in stock" in body["error"]
    assert body["incident"]["element"] == "complete_request"
    assert body["incident"]["after_actor"] == "irini.service"


def test_a_retry_after_the_start_form_names_the_customer_not_its_id(web_app, crm, monkeypatch):
    from engine import SourceFile
    from tests.e2e.staff_helpers import ROOT

    complaint = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("complaint.*"))]
    crm.deploy(complaint, user="lena.owner")
    functions = crm.runtime.services._functions

    def unreachable(**_params):
        raise ConnectionError("the CRM did not answer")

    working = functions["load_complaint_customer"]
    monkeypatch.setitem(functions, "load_complaint_customer", unreachable)
    started = crm.start(
        "complaint",
        user="giorgos.bd",
        data={
            "customer_id": 2,
            "kind": "broken_product",
            "description": "Broken bottles, two cases",
        },
        business_key="C00002",
    )
    assert started.status.value == "error"
    monkeypatch.setitem(functions, "load_complaint_customer", working)
    with crm.uow() as uow:
        code, name, phone = uow.session.execute(
            text("SELECT code, name, phone FROM crm_customers WHERE id = 2")
        ).one()

    admin = sign_in(web_app, "admin")
    page = admin.page(f"/instances/{started.instance_id}")
    form = page[page.index("Retry the failed step") :]
    chooser = form[form.index('name="customer_id"') :]
    chooser = chooser[: chooser.index("</select>")]
    # The customer as on the start form, the case's own and the only choice: not "2".
    assert f'<option value="2" selected>{code} · {name} · {phone}</option>' in chooser, chooser
    assert chooser.count("<option value=") == 1 + chooser.count('<option value=""')

    done = admin.post(
        f"/instances/{started.instance_id}/retry",
        {"customer_id": "2", "kind": "broken_product", "description": "Broken bottles, two cases"},
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    after = views.instance(crm.uow(), started.instance_id)
    assert after["status"] == "waiting", after["error_message"]
    # The step ran as the BD asked it, not as the admin who retried: the complaint is the
    # BD's to have opened (an admin may not open one); the trail names the admin's retry.
    with crm.uow() as uow:
        opened_by = uow.session.scalar(
            text("SELECT opened_by FROM crm_complaints WHERE customer_id = 2 ORDER BY id DESC")
        )
    assert opened_by == "giorgos.bd"
    [retried] = views.audit_events(crm.uow(), instance_id=started.instance_id, action="retry")
    assert retried["actor"] == "admin"
