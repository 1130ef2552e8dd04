"""New customer onboarding: BD enters, master data validates, credit sets terms, activation."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidTaskData
from engine.governance import RaciRefusal
from tests.scenarios.conftest import BPMN, photo, process_files, signed_contract
from workflows.afm import complete_afm
from workflows.tables import customer_addresses, customer_changes, customer_contacts, customers

PROCESS = "customer_onboarding"
FIRST_NEW_CODE = "C00201"  # the demo data has C00001..C00200
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}

NEW_CUSTOMER = {
    "name": "Καφετέρια Το Λιμάνι",
    "afm": complete_afm("80012345"),
    "segment": "B",
    "visit_frequency": 2,
    "average_order_value": 650.0,
    "purchasing_manager": "Σταύρος Λιμνιός",
    "payments_manager": "Ιωάννα Λιμνιού",
    "phone": "+30 27210 12345",
    "email": "limani@example.com",
    "billing_address": {"street": "Ναυαρίνου 14", "city": "Καλαμάτα", "postcode": "241 00"},
    "contacts": [{"name": "Σταύρος Λιμνιός", "role": "Ιδιοκτήτης", "phone": "6944123456"}],
}


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


def entered(crm, user: str = "giorgos.bd", *, contract: bool = True, **changes: Any) -> str:
    """A BD enters the new customer (with the contract the customer signed, unless told
    otherwise); return the instance id."""
    files = [signed_contract()] if contract else []
    return crm.start(PROCESS, user, files=files, **{**NEW_CUSTOMER, **changes}).instance_id


def task_input(crm, instance_id: str, element: str) -> dict[str, Any]:
    """The process data the user of an open task sees (the pre-check's findings, proposals)."""
    return crm.engine.task_data(crm.task(instance_id, element))


def new_customer(crm, code: str = FIRST_NEW_CODE) -> dict[str, Any]:
    [row] = crm.rows(select(customers).where(customers.c.code == code))
    return crm.customer(row["id"])


def customer_count(crm) -> int:
    return crm.rows(select(func.count().label("n")).select_from(customers))[0]["n"]


def changes_of(crm, customer_id: int) -> list[tuple[str, str | None, str | None, str]]:
    rows = crm.rows(
        select(customer_changes)
        .where(customer_changes.c.customer_id == customer_id)
        .order_by(customer_changes.c.id)
    )
    return [(r["field"], r["old_value"], r["new_value"], r["changed_by"]) for r in rows]


def accepted(crm, instance_id: str) -> None:
    crm.complete(instance_id, "validate_customer", "despina.md", decision="accept")


def test_a_new_customer_is_registered_validated_and_activated_within_the_proposal(crm):
    instance = entered(crm)

    prospect = new_customer(crm)
    assert (prospect["status"], prospect["bd"], prospect["credit_limit"]) == (
        "prospect",
        "giorgos.bd",
        0,
    )
    assert (prospect["afm"], prospect["phone"], prospect["average_order_value"]) == (
        NEW_CUSTOMER["afm"],
        "2721012345",
        650.0,
    )
    addresses = crm.rows(
        select(customer_addresses).where(customer_addresses.c.customer_id == prospect["id"])
    )
    assert {(a["kind"], a["street"], a["postcode"]) for a in addresses} == {
        ("billing", "Ναυαρίνου 14", "24100"),
        ("delivery", "Ναυαρίνου 14", "24100"),  # none given: delivered to the billing address
    }
    [contact] = crm.rows(
        select(customer_contacts).where(customer_contacts.c.customer_id == prospect["id"])
    )
    assert (contact["name"], contact["role"]) == ("Σταύρος Λιμνιός", "Ιδιοκτήτης")
    assert crm.open_elements(instance) == ["validate_customer"]
    assert task_input(crm, instance, "validate_customer")["screening"]["duplicates_found"] == 0

    accepted(crm, instance)
    proposal = task_input(crm, instance, "set_credit_terms")
    assert (proposal["proposed_limit"], proposal["proposed_terms_days"]) == (8000, 45)
    with pytest.raises(RaciRefusal):  # a BD does not set credit terms
        crm.complete(
            instance, "set_credit_terms", "giorgos.bd", credit_limit=1, payment_terms_days=1
        )
    crm.complete(
        instance, "set_credit_terms", "anna.credit", credit_limit=6000, payment_terms_days=30
    )

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    active = new_customer(crm)
    assert (active["status"], active["credit_limit"], active["payment_terms_days"]) == (
        "active",
        6000,
        30,
    )
    assert changes_of(crm, active["id"]) == [
        ("status", None, "prospect", "giorgos.bd"),
        ("status", "prospect", "active", "anna.credit"),
        ("credit_limit", "0", "6000", "anna.credit"),
        ("payment_terms_days", "0", "30", "anna.credit"),
    ]
    assert {r["instance_id"] for r in crm.rows(select(customer_changes))} == {instance}
    told = set(crm.notified(instance))
    assert "christina.sales: set_credit_terms" in told
    # The BD who brought the customer owns it and is told; no other BD (bd[customer_bd]).
    assert {"giorgos.bd: set_credit_terms", "giorgos.bd: validate_customer"} <= told
    assert not {note for note in told if note.split(":")[0] in BDS - {"giorgos.bd"}}


def test_terms_above_the_proposal_need_the_finance_managers_signoff(crm):
    instance = entered(crm, segment="A")
    accepted(crm, instance)
    assert task_input(crm, instance, "set_credit_terms")["proposed_limit"] == 20000

    crm.complete(
        instance, "set_credit_terms", "anna.credit", credit_limit=25000, payment_terms_days=60
    )
    assert crm.open_elements(instance) == ["approve_terms_above_default"]
    assert new_customer(crm)["status"] == "prospect"

    justified = {"justification": "Chain of three cafés, pays cash elsewhere for years"}
    crm.complete(
        instance,
        "approve_terms_above_default",
        "anna.credit",
        credit_limit=25000,
        payment_terms_days=60,
        **justified,
    )
    assert new_customer(crm)["status"] == "prospect"  # waits for the finance manager
    with pytest.raises(RaciRefusal):  # another credit controller cannot sign above the default
        crm.approve(instance, "approve_terms_above_default", "kostas.credit")
    crm.reject(instance, "approve_terms_above_default", "vasso.finance", reason="20000 at most")

    [task] = crm.open_tasks(instance)
    detail = views.task_detail(crm.engine.uow(), task["id"])
    assert (task["element"], task["assignee"]) == ("approve_terms_above_default", "anna.credit")
    assert detail["rejection_reason"] == "20000 at most"
    assert new_customer(crm)["credit_limit"] == 0
    crm.complete(
        instance,
        "approve_terms_above_default",
        "anna.credit",
        credit_limit=20000,
        payment_terms_days=75,  # a longer term instead
        **justified,
    )
    crm.approve(instance, "approve_terms_above_default", "vasso.finance")

    active = new_customer(crm)
    assert (active["status"], active["credit_limit"], active["payment_terms_days"]) == (
        "active",
        20000,
        75,
    )
    assert "christina.sales: approve_terms_above_default" in crm.notified(instance)


@pytest.mark.parametrize(("limit", "days"), [(10_000_000, 60), (20_000, 180)])
def test_terms_beyond_the_finance_managers_authority_are_signed_by_the_cfo(crm, limit, days):
    """The finance manager signed 10,000,000 at 180 days for a customer with no history."""
    instance = entered(crm, segment="A")
    accepted(crm, instance)
    terms = {"credit_limit": limit, "payment_terms_days": days}
    crm.complete(instance, "set_credit_terms", "anna.credit", **terms)
    crm.complete(
        instance,
        "approve_terms_above_default",
        "anna.credit",
        justification="A national chain moving all its stores to us",
        **terms,
    )

    with pytest.raises(RaciRefusal, match="authority of cfo"):
        crm.approve(instance, "approve_terms_above_default", "vasso.finance")
    assert new_customer(crm)["status"] == "prospect"
    crm.approve(instance, "approve_terms_above_default", "petros.cfo")

    active = new_customer(crm)
    assert (active["status"], active["credit_limit"], active["payment_terms_days"]) == (
        "active",
        limit,
        days,
    )


def test_longer_payment_terms_alone_are_above_the_proposal(crm):
    instance = entered(crm, segment="C")
    accepted(crm, instance)
    crm.complete(
        instance, "set_credit_terms", "anna.credit", credit_limit=2000, payment_terms_days=60
    )
    assert crm.open_elements(instance) == ["approve_terms_above_default"]


def test_an_afm_already_registered_is_sent_back_and_corrected_before_any_prospect(crm):
    taken = crm.customer(7)
    instance = entered(crm, afm=taken["afm"])

    assert customer_count(crm) == 200  # a second customer with the same AFM cannot exist
    assert crm.open_elements(instance) == ["resolve_afm_conflict"]
    screening = task_input(crm, instance, "resolve_afm_conflict")["screening"]
    assert [c["code"] for c in screening["afm_taken_by"]] == ["C00007"]
    assert screening["afm_blocked"] is True

    crm.complete(
        instance,
        "resolve_afm_conflict",
        "despina.md",
        decision="return",
        reason="This AFM is C00007 Φούρνος Γεωργίου: check the customer's tax id",
    )
    assert crm.open_elements(instance) == ["revise_customer"]
    crm.complete(
        instance,
        "revise_customer",
        "giorgos.bd",
        action="resubmit",
        afm=complete_afm("80012346"),
        note="Typo in the tax id",
    )

    assert crm.open_elements(instance) == ["validate_customer"]
    assert new_customer(crm)["afm"] == complete_afm("80012346")
    assert customer_count(crm) == 201


def test_master_data_closes_an_afm_duplicate_and_nothing_is_created(crm):
    instance = entered(crm, afm=crm.customer(7)["afm"])
    crm.complete(
        instance,
        "resolve_afm_conflict",
        "despina.md",
        decision="close",
        reason="Already our customer C00007; the BD visits an existing shop",
    )

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert customer_count(crm) == 200
    assert crm.rows(select(customer_changes)) == []
    assert "giorgos.bd: resolve_afm_conflict" in crm.notified(instance)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def test_a_name_and_address_duplicate_in_other_spelling_is_shown_and_withdrawn(crm):
    existing = crm.customer(12)  # Μίνι Μάρκετ Νικολάου, Πατησίων 52, 45314 Ιωάννινα
    [address] = crm.rows(
        select(customer_addresses).where(
            customer_addresses.c.customer_id == 12, customer_addresses.c.kind == "billing"
        )
    )
    instance = entered(
        crm,
        name=strip_accents(existing["name"]).upper() + " Ο.Ε.",
        billing_address={
            "street": "Οδός " + strip_accents(address["street"]),
            "city": address["city"].upper(),
            "postcode": address["postcode"][:3] + " " + address["postcode"][3:],
        },
    )

    screening = task_input(crm, instance, "validate_customer")["screening"]
    assert [(c["code"], c["name"]) for c in screening["similar"]] == [("C00012", existing["name"])]
    assert screening["afm_taken_by"] == []
    crm.complete(
        instance,
        "validate_customer",
        "despina.md",
        decision="return",
        reason="Looks like C00012 at the same address: is it the same shop?",
    )
    crm.complete(
        instance,
        "revise_customer",
        "giorgos.bd",
        action="withdraw",
        note="Same shop, new owner's tax id pending",
    )

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    prospect = new_customer(crm)
    assert prospect["status"] == "inactive"
    assert changes_of(crm, prospect["id"])[-1] == ("status", "prospect", "inactive", "giorgos.bd")
    assert crm.customer(12) == existing  # the customer it resembled is untouched


def test_a_returned_entry_is_corrected_on_the_same_prospect(crm):
    instance = entered(crm)
    prospect = new_customer(crm)
    with pytest.raises(InvalidTaskData, match="reason"):
        crm.complete(instance, "validate_customer", "despina.md", decision="return")
    crm.complete(
        instance,
        "validate_customer",
        "despina.md",
        decision="return",
        reason="The shop's sign says Καφέ Λιμάνι; the phone does not answer",
    )

    [task] = crm.open_tasks(instance)
    assert task["element"] == "revise_customer"
    with pytest.raises(RaciRefusal):  # the correction is the BD's, not master data's
        crm.complete(instance, "revise_customer", "despina.md", action="resubmit")
    with pytest.raises(RaciRefusal, match=r"assigned to giorgos\.bd"):  # and the owner's
        crm.complete(instance, "revise_customer", "eleni.bd", action="resubmit")
    crm.complete(
        instance,
        "revise_customer",
        "giorgos.bd",
        action="resubmit",
        name="Καφέ Λιμάνι",
        phone="2721012399",
        billing_address={"street": "Ναυαρίνου 16", "city": "Καλαμάτα", "postcode": "24100"},
    )

    revised = new_customer(crm)  # the same prospect and code, not a second one
    assert customer_count(crm) == 201
    assert (revised["id"], revised["name"], revised["phone"]) == (
        prospect["id"],
        "Καφέ Λιμάνι",
        "2721012399",
    )
    assert revised["average_order_value"] == 650.0  # what was not corrected stays
    logged = changes_of(crm, prospect["id"])
    assert ("name", "Καφετέρια Το Λιμάνι", "Καφέ Λιμάνι", "giorgos.bd") in logged
    assert (
        "billing_address",
        "Ναυαρίνου 14, 24100 Καλαμάτα",
        "Ναυαρίνου 16, 24100 Καλαμάτα",
        "giorgos.bd",
    ) in logged
    assert task_input(crm, instance, "validate_customer")["screening"]["duplicates_found"] == 0

    accepted(crm, instance)
    crm.complete(
        instance, "set_credit_terms", "kostas.credit", credit_limit=8000, payment_terms_days=45
    )
    assert new_customer(crm)["status"] == "active"


def edited_dmn(old: str, new: str) -> list[SourceFile]:
    dmn = BPMN / f"{PROCESS}.initial_terms.dmn"
    text = dmn.read_text()
    assert old in text
    return [
        SourceFile(f.name, text.replace(old, new).encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]


def test_editing_the_dmn_changes_the_proposal_and_who_signs(crm):
    before = entered(crm)
    accepted(crm, before)
    assert task_input(crm, before, "set_credit_terms")["proposed_limit"] == 8000

    lower_b = edited_dmn(
        '<outputEntry id="b_limit"><text>8000</text>', '<outputEntry id="b_limit"><text>5000</text>'
    )
    [deployment] = crm.engine.deploy(lower_b, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)

    after = entered(crm, afm=complete_afm("80012399"), name="Ταβέρνα Το Λιμανάκι")
    accepted(crm, after)
    assert task_input(crm, after, "set_credit_terms")["proposed_limit"] == 5000
    for instance in (before, after):
        crm.complete(
            instance, "set_credit_terms", "anna.credit", credit_limit=6000, payment_terms_days=45
        )
    assert crm.instance(before)["status"] == InstanceStatus.COMPLETED  # v1: within 8000
    assert crm.open_elements(after) == ["approve_terms_above_default"]  # v2: above 5000


def test_bad_input_is_refused_by_field_and_nothing_starts(crm):
    with pytest.raises(InvalidTaskData) as refused:
        entered(
            crm,
            afm="123456789",
            phone="12345",
            segment="D",
            visit_frequency=0,
            average_order_value=-5,
            billing_address={"street": "Ναυαρίνου 14", "city": "Καλαμάτα", "postcode": "2410"},
        )
    assert set(refused.value.errors) == {
        "afm",
        "phone",
        "segment",
        "visit_frequency",
        "average_order_value",
        "billing_address.postcode",
    }
    assert refused.value.errors["afm"] == ["the check digit does not match"]
    for afm in ("80012345", "8001234567", "80O123456", "000000000"):
        with pytest.raises(InvalidTaskData) as refused:
            entered(crm, afm=afm)
        assert set(refused.value.errors) == {"afm"}
    missing = {k: v for k, v in NEW_CUSTOMER.items() if k not in ("name", "billing_address")}
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(PROCESS, "giorgos.bd", **missing)
    assert set(refused.value.errors) == {"name", "billing_address"}
    assert customer_count(crm) == 200
    assert views.open_tasks(crm.engine.uow()) == []


def test_bad_task_input_is_refused_by_field(crm):
    instance = entered(crm)
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, "validate_customer", "despina.md", decision="maybe")
    assert set(refused.value.errors) == {"decision"}
    accepted(crm, instance)
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(
            instance, "set_credit_terms", "anna.credit", credit_limit=-1, payment_terms_days=365
        )
    assert set(refused.value.errors) == {"credit_limit", "payment_terms_days"}
    assert crm.open_elements(instance) == ["set_credit_terms"]


def test_activation_fails_cleanly_if_the_prospect_was_blocked_meanwhile(crm):
    instance = entered(crm)
    accepted(crm, instance)
    prospect = new_customer(crm)
    with crm.engine.uow() as uow:
        uow.session.execute(
            update(customers).where(customers.c.id == prospect["id"]).values(status="blocked")
        )
        uow.commit()

    failed = crm.complete(
        instance, "set_credit_terms", "anna.credit", credit_limit=6000, payment_terms_days=30
    )

    assert failed.status == InstanceStatus.ERROR
    assert f"{FIRST_NEW_CODE} is blocked, not a prospect" in failed.error
    blocked = new_customer(crm)
    assert (blocked["status"], blocked["credit_limit"], blocked["payment_terms_days"]) == (
        "blocked",
        0,
        0,
    )
    assert [c[0] for c in changes_of(crm, prospect["id"])] == ["status"]  # only the creation

    with crm.engine.uow() as uow:  # credit control clears the block: the step runs again
        uow.session.execute(
            update(customers).where(customers.c.id == prospect["id"]).values(status="prospect")
        )
        uow.commit()
    assert crm.engine.retry(instance, user="anna.credit").status == InstanceStatus.COMPLETED
    assert (new_customer(crm)["status"], new_customer(crm)["credit_limit"]) == ("active", 6000)


def test_cancelling_the_onboarding_leaves_the_prospect_inactive(crm):
    instance = entered(crm)
    assert new_customer(crm)["status"] == "prospect"

    crm.engine.cancel(instance, user="lena.owner", reason="the shop closed before opening")

    prospect = new_customer(crm)
    assert prospect["status"] == "inactive"
    assert ("status", "prospect", "inactive", "lena.owner") in changes_of(crm, prospect["id"])


def test_master_data_accepts_a_new_customer_only_with_the_signed_contract(crm):
    instance = entered(crm, contract=False)  # the BD left without the signed copy
    needed = {"_schema": ["Attach the contract the customer signed before accepting."]}
    with pytest.raises(InvalidTaskData) as refused:
        accepted(crm, instance)
    assert refused.value.errors == needed
    [shop] = crm.attach(instance, "giorgos.bd", photo("shop front.jpg"))
    with pytest.raises(InvalidTaskData):  # a photo of the shop is no contract
        accepted(crm, instance)
    assert crm.open_elements(instance) == ["validate_customer"]
    assert new_customer(crm)["status"] == "prospect"

    [contract] = crm.attach(instance, "despina.md", signed_contract("σύμβαση υπογεγραμμένη.pdf"))
    accepted(crm, instance)

    assert crm.open_elements(instance) == ["set_credit_terms"]
    [signed] = views.audit_events(crm.engine.uow(), instance_id=instance, action="approve")
    assert signed["details"]["self_approval"] is True
    assert signed["details"]["attachments"] == [
        {"id": shop["id"], "name": "shop front.jpg", "sha256": shop["sha256"]},
        {"id": contract["id"], "name": "σύμβαση υπογεγραμμένη.pdf", "sha256": contract["sha256"]},
    ]
    [uploaded, _photo] = [
        e["details"]
        for e in reversed(
            views.audit_events(crm.engine.uow(), instance_id=instance, action="attach")
        )
    ]
    assert (uploaded["kind"], uploaded["media_type"]) == ("signed_contract", "application/pdf")


def test_an_entry_sent_back_needs_no_contract(crm):
    instance = entered(crm, contract=False)
    crm.complete(
        instance,
        "validate_customer",
        "despina.md",
        decision="return",
        reason="The accounts e-mail is missing",
    )
    assert crm.open_elements(instance) == ["revise_customer"]
