"""Customer data change: contact details at once, sensitive fields signed off by master data."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from engine import InstanceStatus, views
from engine.errors import InvalidTaskData
from engine.governance import RaciRefusal
from workflows.afm import complete_afm
from workflows.tables import customer_addresses, customer_changes, customer_contacts, customers

PROCESS = "customer_data_change"
CUSTOMER = 150  # Καφενείο Πετρόπουλος, C segment, 30 days
OTHER = 7  # another customer, whose AFM is taken
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}
FREE_AFM = complete_afm("80055501")
REQUESTERS = {"bd": "giorgos.bd", "call_agent": "katerina.call", "cs_agent": "sofia.cs"}


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


def requested(crm, role: str = "call_agent", customer: int = CUSTOMER, **changes: Any) -> str:
    """A requester of `role` enters `changes` for the customer; return the instance id."""
    user = REQUESTERS[role]
    instance = crm.start(PROCESS, user, customer_id=customer, requester_role=role).instance_id
    crm.complete(instance, f"enter_change_{role}", user, **changes)
    return instance


def submitted(crm, instance: str, user: str = "katerina.call", **corrections: Any) -> None:
    justification = "The customer sent the registration certificate by e-mail"
    crm.complete(
        instance, "submit_sensitive_change", user, justification=justification, **corrections
    )


def changes_of(crm, customer_id: int = CUSTOMER) -> list[tuple[str, Any, Any, str]]:
    rows = crm.rows(
        select(customer_changes)
        .where(customer_changes.c.customer_id == customer_id)
        .order_by(customer_changes.c.id)
    )
    return [(r["field"], r["old_value"], r["new_value"], r["changed_by"]) for r in rows]


def task_input(crm, instance_id: str, element: str) -> dict[str, Any]:
    """The process data the user of an open task sees."""
    return crm.engine.task_data(crm.task(instance_id, element))


def test_contact_details_are_changed_at_once_and_logged(crm):
    before = crm.customer(CUSTOMER)
    instance = requested(
        crm,
        phone="+30 697 123 4567",
        billing_address={"street": "Τσιμισκή 125", "city": "Πειραιάς", "postcode": "185 21"},
        contact={"name": "Ελένη Πετροπούλου", "role": "Λογιστήριο", "phone": "2104111222"},
    )

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    after = crm.customer(CUSTOMER)
    assert after["phone"] == "6971234567"
    assert {k: v for k, v in after.items() if k != "phone"} == {
        k: v for k, v in before.items() if k != "phone"
    }
    [billing] = crm.rows(
        select(customer_addresses).where(
            customer_addresses.c.customer_id == CUSTOMER, customer_addresses.c.kind == "billing"
        )
    )
    assert (billing["street"], billing["postcode"]) == ("Τσιμισκή 125", "18521")
    contacts = crm.rows(
        select(customer_contacts.c.name).where(customer_contacts.c.customer_id == CUSTOMER)
    )
    assert "Ελένη Πετροπούλου" in {c["name"] for c in contacts}
    assert changes_of(crm) == [
        ("phone", before["phone"], "6971234567", "katerina.call"),
        (
            "billing_address",
            "Τσιμισκή 123, 18521 Πειραιάς",
            "Τσιμισκή 125, 18521 Πειραιάς",
            "katerina.call",
        ),
        ("contact", None, "Ελένη Πετροπούλου (Λογιστήριο) 2104111222", "katerina.call"),
    ]
    assert {r["instance_id"] for r in crm.rows(select(customer_changes))} == {instance}
    # Only the customer's own BD is told of what the call agent changed, no other BD.
    told = {note for note in crm.notified(instance) if note.split(":")[0] in BDS}
    assert told == {f"{before['bd']}: enter_change_call_agent"}


def test_an_existing_contact_is_updated_by_name_and_unchanged_fields_are_not_logged(crm):
    before = crm.customer(CUSTOMER)
    manager = before["purchasing_manager"]
    requested(
        crm,
        "cs_agent",
        phone=before["phone"],  # the same number: nothing to log
        contact={"name": manager.upper(), "email": "agores@example.com"},
    )

    rows = crm.rows(select(customer_contacts).where(customer_contacts.c.customer_id == CUSTOMER))
    [contact] = rows  # the same person, found by name whatever the case: not a second contact
    assert contact["name"] == manager
    assert contact["email"] == "agores@example.com"
    assert contact["phone"]  # kept: only what was given changes
    [(field, old, new, by)] = changes_of(crm)
    assert (field, by) == ("contact", "sofia.cs")
    assert "agores@example.com" not in old
    assert "agores@example.com" in new


@pytest.mark.parametrize("role", ["bd", "call_agent", "cs_agent"])
def test_each_requester_role_enters_on_its_own_task_only(crm, role):
    user = REQUESTERS[role]
    instance = crm.start(PROCESS, user, customer_id=CUSTOMER, requester_role=role).instance_id
    assert crm.open_elements(instance) == [f"enter_change_{role}"]
    outsider = "sofia.cs" if role != "cs_agent" else "giorgos.bd"
    with pytest.raises(RaciRefusal):
        crm.complete(instance, f"enter_change_{role}", outsider, email="new@example.com")
    with pytest.raises(RaciRefusal):  # master data does not enter requests
        crm.complete(instance, f"enter_change_{role}", "despina.md", email="new@example.com")

    crm.complete(instance, f"enter_change_{role}", user, email="new@example.com")
    assert crm.customer(CUSTOMER)["email"] == "new@example.com"
    assert changes_of(crm)[-1][3] == user


def test_a_sensitive_change_waits_for_master_data_and_is_applied_when_signed(crm):
    before = crm.customer(CUSTOMER)
    instance = requested(
        crm, "cs_agent", email="kafeneio@example.com", name="Καφενείο Πετρόπουλος & ΣΙΑ Ο.Ε."
    )

    assert crm.customer(CUSTOMER)["email"] == "kafeneio@example.com"  # contact: at once
    assert crm.customer(CUSTOMER)["name"] == before["name"]  # sensitive: not yet
    assert crm.open_elements(instance) == ["submit_sensitive_change"]
    check = task_input(crm, instance, "submit_sensitive_change")["sensitive_check"]
    assert (check["ok"], check["pending"]) == (True, {"name": "Καφενείο Πετρόπουλος & ΣΙΑ Ο.Ε."})

    submitted(crm, instance, "sofia.cs")
    assert crm.customer(CUSTOMER)["name"] == before["name"]
    with pytest.raises(RaciRefusal):  # the requester cannot sign their own change
        crm.approve(instance, "submit_sensitive_change", "yannis.cs")
    crm.approve(instance, "submit_sensitive_change", "despina.md")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert crm.customer(CUSTOMER)["name"] == "Καφενείο Πετρόπουλος & ΣΙΑ Ο.Ε."
    # the inbox's name search follows the new name (folded: no accents, no punctuation)
    assert crm.customer(CUSTOMER)["name_folded"] == "καφενειο πετροπουλοσ σια οε"
    assert changes_of(crm) == [
        ("email", before["email"], "kafeneio@example.com", "sofia.cs"),
        ("name", before["name"], "Καφενείο Πετρόπουλος & ΣΙΑ Ο.Ε.", "despina.md"),
    ]
    # Of the BDs only the customer's own is told of the sensitive change, not every BD.
    told = {note for note in crm.notified(instance) if note.split(":")[0] in BDS}
    assert f"{before['bd']}: submit_sensitive_change" in told
    assert {note.split(":")[0] for note in told} == {before["bd"]}


def test_the_submission_goes_back_to_whoever_entered_the_change(crm):
    instance = requested(crm, "cs_agent", segment="B")
    detail = views.task_detail(crm.engine.uow(), crm.task(instance, "submit_sensitive_change"))
    assert detail["assignee"] == "sofia.cs"
    with pytest.raises(RaciRefusal, match=r"assigned to sofia\.cs"):  # another agent
        submitted(crm, instance, "yannis.cs")
    submitted(crm, instance, "sofia.cs")


def test_a_bd_entering_a_colleagues_customers_change_submits_it_themselves(crm):
    """A BD visiting a colleague's customer enters the change: the submission is theirs,
    while of the BDs only the customer's own is told of it."""
    own_bd = crm.customer(CUSTOMER)["bd"]
    visitor = next(bd for bd in sorted(BDS) if bd != own_bd)
    instance = crm.start(PROCESS, visitor, customer_id=CUSTOMER, requester_role="bd").instance_id
    crm.complete(instance, "enter_change_bd", visitor, segment="B")
    detail = views.task_detail(crm.engine.uow(), crm.task(instance, "submit_sensitive_change"))
    assert detail["assignee"] == visitor
    submitted(crm, instance, visitor)
    crm.approve(instance, "submit_sensitive_change", "despina.md")
    assert crm.customer(CUSTOMER)["segment"] == "B"
    told = {note for note in crm.notified(instance) if note.split(":")[0] in BDS - {visitor}}
    assert told == {f"{own_bd}: submit_sensitive_change"}


def test_a_rejected_sensitive_change_leaves_the_customer_untouched_and_returns_with_the_reason(
    crm,
):
    before = crm.customer(CUSTOMER)
    instance = requested(crm, "bd", payment_terms_days=90, segment="B")
    submitted(crm, instance, "giorgos.bd")
    crm.reject(  # longer terms: the finance manager's to sign, or send back
        instance,
        "submit_sensitive_change",
        "vasso.finance",
        reason="90 days is above policy for segment B; 45 at most",
    )

    assert crm.customer(CUSTOMER) == before
    assert changes_of(crm) == []
    [task] = crm.open_tasks(instance)
    detail = views.task_detail(crm.engine.uow(), task["id"])
    assert (detail["element"], detail["assignee"], detail["rework_count"]) == (
        "submit_sensitive_change",
        "giorgos.bd",
        1,
    )
    assert detail["rejection_reason"] == "90 days is above policy for segment B; 45 at most"

    submitted(crm, instance, "giorgos.bd", payment_terms_days=45)
    crm.approve(instance, "submit_sensitive_change", "vasso.finance")
    after = crm.customer(CUSTOMER)
    assert (after["payment_terms_days"], after["segment"]) == (45, "B")
    assert sorted(c[0] for c in changes_of(crm)) == ["payment_terms_days", "segment"]


@pytest.mark.parametrize(
    ("days", "signer", "refused"),
    [
        (180, "petros.cfo", ("despina.md", "vasso.finance")),  # beyond three months
        (60, "vasso.finance", ("despina.md",)),  # longer: credit, not master data
        (20, "despina.md", ()),  # shorter terms tighten credit: master data signs
    ],
)
def test_longer_payment_terms_are_signed_by_credit_authority_not_master_data(
    crm, days, signer, refused
):
    """Master data alone gave an existing customer 180 days (from 30), which for a new
    customer only the CFO may."""
    instance = requested(crm, "bd", payment_terms_days=days)
    submitted(crm, instance, "giorgos.bd")
    for user in refused:
        with pytest.raises(RaciRefusal, match="needs the authority of"):
            crm.approve(instance, "submit_sensitive_change", user)
    assert crm.customer(CUSTOMER)["payment_terms_days"] == 30
    crm.approve(instance, "submit_sensitive_change", signer)
    assert crm.customer(CUSTOMER)["payment_terms_days"] == days


def test_a_rejected_change_the_requester_gives_up_changes_nothing(crm):
    before = crm.customer(CUSTOMER)
    instance = requested(crm, afm=FREE_AFM)
    submitted(crm, instance)
    crm.reject(instance, "submit_sensitive_change", "despina.md", reason="No certificate attached")
    crm.engine.cancel(instance, user="katerina.call", reason="The customer keeps the old AFM")

    assert crm.instance(instance)["status"] == InstanceStatus.CANCELLED
    assert crm.customer(CUSTOMER) == before
    assert changes_of(crm) == []


def test_an_afm_of_another_customer_is_found_by_the_pre_check_and_corrected(crm):
    taken = crm.customer(OTHER)["afm"]
    instance = requested(crm, afm=taken)

    check = task_input(crm, instance, "submit_sensitive_change")["sensitive_check"]
    assert check["ok"] is False
    assert check["problems"] == [f"AFM {taken} already belongs to C00007 Φούρνος Γεωργίου (active)"]
    submitted(crm, instance, afm=FREE_AFM)  # the requester corrects it before submitting
    crm.approve(instance, "submit_sensitive_change", "despina.md")

    assert crm.customer(CUSTOMER)["afm"] == FREE_AFM
    assert crm.customer(OTHER)["afm"] == taken


def test_an_afm_taken_meanwhile_is_refused_at_sign_off_and_comes_back(crm):
    before = crm.customer(CUSTOMER)
    instance = requested(crm, afm=FREE_AFM)
    submitted(crm, instance)
    with crm.engine.uow() as uow:  # another customer gets that AFM while master data decides
        uow.session.execute(update(customers).where(customers.c.id == OTHER).values(afm=FREE_AFM))
        uow.commit()

    crm.approve(instance, "submit_sensitive_change", "despina.md")

    assert crm.instance(instance)["status"] == InstanceStatus.WAITING
    assert crm.customer(CUSTOMER)["afm"] == before["afm"]
    assert changes_of(crm) == []
    result = task_input(crm, instance, "submit_sensitive_change")["sensitive_change"]
    assert result["applied"] is False
    assert result["problems"] == [
        f"AFM {FREE_AFM} already belongs to C00007 Φούρνος Γεωργίου (active)"
    ]

    corrected = complete_afm("80055502")
    submitted(crm, instance, afm=corrected)
    crm.approve(instance, "submit_sensitive_change", "despina.md")
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert changes_of(crm) == [("afm", before["afm"], corrected, "despina.md")]


def test_bad_input_is_refused_by_field_and_changes_nothing(crm):
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(PROCESS, "katerina.call", customer_id="12; drop", requester_role="technician")
    assert set(refused.value.errors) == {"customer_id", "requester_role"}

    started = crm.start(PROCESS, "katerina.call", customer_id=CUSTOMER, requester_role="call_agent")
    instance = started.instance_id
    entry = "enter_change_call_agent"
    bad = {
        "afm": "109468061",  # the customer's AFM with a wrong check digit
        "phone": "555-1234",
        "email": "not-an-e-mail",
        "segment": "Z",
        "payment_terms_days": -10,
        "billing_address": {"street": "Τσιμισκή 125", "city": "Πειραιάς", "postcode": "ABCDE"},
    }
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, entry, "katerina.call", **bad)
    assert set(refused.value.errors) == {
        "afm",
        "phone",
        "email",
        "segment",
        "payment_terms_days",
        "billing_address.postcode",
    }
    with pytest.raises(InvalidTaskData, match="credit limit change process"):
        crm.complete(instance, entry, "katerina.call", credit_limit=50000)
    with pytest.raises(InvalidTaskData, match="at least one field"):
        crm.complete(instance, entry, "katerina.call", phone="  ", note="nothing really")

    assert crm.open_elements(instance) == [entry]
    assert changes_of(crm) == []


def test_a_submission_without_justification_is_refused(crm):
    instance = requested(crm, name="Καφενείο Νέο Όνομα")
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, "submit_sensitive_change", "katerina.call", justification="ok")
    assert set(refused.value.errors) == {"justification"}


def test_an_unknown_customer_puts_the_instance_in_error(crm):
    started = crm.start(PROCESS, "katerina.call", customer_id=99999, requester_role="call_agent")
    assert started.status == InstanceStatus.ERROR
    assert "customer 99999 does not exist" in started.error
