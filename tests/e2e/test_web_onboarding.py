"""New customer onboarding on the pages: the BD's entry says its units, and the correction
of an entry master data sent back begins with the entry and says first why it came back."""

from __future__ import annotations

import io
import re
from pathlib import Path

from engine import SourceFile, views
from tests.e2e.staff_helpers import open_task, sign_in
from tests.scenarios.test_customer_onboarding import NEW_CUSTOMER

pytest_plugins = ["tests.e2e.staff_helpers"]

PROCESS = "customer_onboarding"
ENTRY = NEW_CUSTOMER  # the scenarios' new customer, entered by a BD
REASON = "Λείπει η διεύθυνση παράδοσης."
BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def deployed(crm) -> None:
    crm.deploy([SourceFile.read(p) for p in sorted(BPMN.glob(f"{PROCESS}.*"))], user="lena.owner")


def returned(crm) -> tuple[str, str]:
    """A BD's entry master data sent back: (instance id, the correction task's id)."""
    deployed(crm)
    instance = crm.start(PROCESS, user="giorgos.bd", data=ENTRY).instance_id
    crm.complete(
        open_task(crm, instance, "validate_customer"),
        user="despina.md",
        data={"decision": "return", "reason": REASON},
    )
    return instance, open_task(crm, instance, "revise_customer")


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_correction_begins_with_the_entry_and_the_reason_it_came_back(web_app, crm):
    _, task = returned(crm)

    html = sign_in(web_app, "giorgos.bd").page(f"/tasks/{task}")

    assert "Why it came back to you" in html and REASON in html
    assert html.index(REASON) < html.index('id="work-title"')  # read before the work
    assert value_of(html, "name") == ENTRY["name"]
    assert value_of(html, "billing_address-street") == "Ναυαρίνου 14"
    assert value_of(html, "contacts-0-role") == "Ιδιοκτήτης"


def test_a_contact_corrected_keeps_what_the_bd_did_not_touch(web_app, crm):
    """Typing the contact's new phone into an empty row replaced the contact, role lost."""
    instance, task = returned(crm)
    bd = sign_in(web_app, "giorgos.bd")
    html = bd.page(f"/tasks/{task}")
    form = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([\w-]+)"[^>]*value="([^"]*)"', html)
        if name != "csrf_token"
    }

    answer = bd.post(
        f"/tasks/{task}/complete",
        {
            **form,
            "contacts-0-phone": "6944999999",
            "delivery_address-street": "Αριστομένους 2",
            "delivery_address-city": "Καλαμάτα",
            "delivery_address-postcode": "24100",
            "action": "resubmit",
        },
    )

    assert answer.status_code == 302, answer.get_data(as_text=True)
    [validation] = [
        t
        for t in views.open_tasks(crm.uow(), instance_id=instance)
        if t["element"] == "validate_customer"
    ]
    [contact] = crm.task_data(validation["id"])["contacts"]
    assert contact == {**ENTRY["contacts"][0], "phone": "6944999999", "email": None}


def test_the_visit_frequency_says_its_unit_on_the_entry_and_the_correction(web_app, crm):
    """ "Visit frequency" alone: a BD typed "weekly" and was told it is not an integer."""
    _, task = returned(crm)
    bd = sign_in(web_app, "giorgos.bd")

    for html in (bd.page(f"/start/{PROCESS}"), bd.page(f"/tasks/{task}")):
        label = re.search(r'<label for="f-visit_frequency"[^>]*>([^<]*)', html).group(1)
        assert label.strip() == "Visits a month"


def test_a_refused_entry_keeps_what_the_chosen_file_is(web_app, crm):
    """After a refusal the file must be chosen again, and "What is it?" had gone back to
    "a photo or another document": sent so, the contract master data needs was missing."""
    deployed(crm)
    bd = sign_in(web_app, "giorgos.bd")

    answer = bd.post(
        f"/start/{PROCESS}",
        {
            "name": ENTRY["name"],
            "visit_frequency": "weekly",
            "file_kind": "signed_contract",
            "files": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "contract.pdf"),
        },
        content_type="multipart/form-data",
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert '<option value="signed_contract" selected>' in html


def test_the_bd_is_told_the_entry_came_back_not_only_that_it_was_signed(web_app, crm):
    """The BD's notice read "Επικύρωση του νέου πελάτη: υπογράφηκε" for an entry master
    data had sent back."""
    crm.set_locale("giorgos.bd", "el")
    returned(crm)

    [notice] = [n for n in crm.notifications("giorgos.bd") if n.subject.startswith("Επικύρωση")]
    assert notice.subject == "Επικύρωση του νέου πελάτη: υπογράφηκε (επιστροφή)"
    assert notice.body.endswith("Απόφαση: επιστροφή.")
