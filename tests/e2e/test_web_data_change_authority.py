"""Longer payment terms asked through a customer data change are signed at the credit
level they need, on the pages as in the engine: master data alone had given a customer
180 days (from 45), which for a new customer only the CFO may."""

from __future__ import annotations

from engine import SourceFile, views
from tests.e2e.staff_helpers import DEMO_PASSWORD, ROOT, open_task, sign_in
from workflows.customers import get_customer

pytest_plugins = ["tests.e2e.staff_helpers"]
CUSTOMER = 150  # 30 days


def terms_asked(crm, days: int) -> str:
    """giorgos.bd asks for `days` of payment terms; the submission waits for sign-off."""
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("customer_data_change.*"))]
    crm.deploy(files, user="lena.owner")
    state = crm.start(
        "customer_data_change",
        user="giorgos.bd",
        data={"customer_id": CUSTOMER, "requester_role": "bd"},
        business_key=f"C{CUSTOMER:05d}",
    )
    enter = open_task(crm, state.instance_id, "enter_change_bd")
    crm.complete(enter, user="giorgos.bd", data={"payment_terms_days": days})
    submit = open_task(crm, state.instance_id, "submit_sensitive_change")
    crm.complete(submit, user="giorgos.bd", data={"justification": "Pays on time for years"})
    return submit


def terms(crm) -> int:
    with crm.uow() as uow:
        return get_customer(uow.session, CUSTOMER)["payment_terms_days"]


def test_master_data_reads_that_180_days_are_the_cfos_to_sign(web_app, crm):
    task = terms_asked(crm, 180)
    crm.set_password("despina.md", DEMO_PASSWORD, by="admin")
    crm.set_locale("despina.md", "en")
    steward = sign_in(web_app, "despina.md")
    page = steward.page(f"/tasks/{task}")
    assert 'name="password"' not in page
    assert "Waiting for sign-off by Chief financial officer" in page
    assert "The change to be signed" in page and "The change you sign" not in page
    forced = steward.post(f"/tasks/{task}/approve", {"password": DEMO_PASSWORD})
    assert forced.status_code == 403 and terms(crm) == 30
    assert views.task_detail(crm.uow(), task)["status"] == "awaiting_signoff"

    cfo = sign_in(web_app, "petros.cfo")
    assert "The change you sign" in cfo.page(f"/tasks/{task}")
    signed = cfo.post(f"/tasks/{task}/approve", {"password": DEMO_PASSWORD})
    assert signed.status_code == 302 and terms(crm) == 180


def test_the_case_so_far_lists_what_was_asked_not_every_field_left_empty(web_app, crm):
    """Asking for longer terms alone listed a dozen contact fields as "—", twice: in the
    case's data and again in the requested changes."""
    task = terms_asked(crm, 60)
    crm.set_password("vasso.finance", DEMO_PASSWORD, by="admin")
    crm.set_locale("vasso.finance", "en")
    page = sign_in(web_app, "vasso.finance").page(f"/tasks/{task}")
    case = page[page.index('id="case-title"') :]
    case = case[: case.index("</section>")]
    assert "Payment terms (days)" in case and "60" in case
    assert "—" not in case, case
