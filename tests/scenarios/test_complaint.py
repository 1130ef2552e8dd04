"""Customer complaint: taken down, routed by kind with an SLA, resolved, credited, told, closed."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidTaskData
from engine.governance import RaciRefusal
from tests.scenarios.conftest import BPMN, photo, process_files
from workflows.tables import complaints, credit_notes, customers

PROCESS = "complaint"
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}
CS_AGENTS = {"sofia.cs", "yannis.cs"}


@pytest.fixture
def crm(crm):
    [deployment] = crm.engine.deploy(process_files(PROCESS), user="lena.owner")
    assert deployment.warnings == ()  # lanes match the R roles, every user task has a row
    return crm


def customer_of(crm, segment: str) -> dict:
    """The first active customer of a segment (blocked ones are not picked)."""
    query = (
        select(customers.c.id, customers.c.code, customers.c.bd)
        .where(customers.c.segment == segment, customers.c.status == "active")
        .order_by(customers.c.id)
        .limit(1)
    )
    [customer] = crm.rows(query)
    return customer


def opened(crm, kind: str, segment: str = "C", user: str = "sofia.cs", **extra) -> str:
    """`user` takes down a complaint of `kind`; return the instance id."""
    customer = customer_of(crm, segment)
    if kind == "invoice_difference":
        extra = {"invoice_number": "TIM-2026/00412", "claimed_amount": 120.50, **extra}
    started = crm.start(
        PROCESS,
        user,
        business_key=customer["code"],
        files=[photo()] if kind == "broken_product" else [],  # taken at the shop
        customer_id=customer["id"],
        kind=kind,
        description="The customer says: " + kind.replace("_", " "),
        **extra,
    )
    assert started.status == InstanceStatus.WAITING, started.error
    return started.instance_id


def complaint_of(crm, instance_id: str) -> dict:
    [row] = crm.rows(select(complaints).where(complaints.c.instance_id == instance_id))
    return row


def notes(crm) -> list[dict]:
    return crm.rows(select(credit_notes).order_by(credit_notes.c.number))


def checked(crm, instance_id: str, element: str = "check_invoice", **data) -> None:
    """The credit controller checks the invoice against the delivery note."""
    verdict = {"outcome": "accepted", "resolution": "Delivery note shows 10 cases, billed 12"}
    crm.complete(instance_id, element, "anna.credit", **{**verdict, **data})


def told(crm, instance_id: str, **data) -> None:
    """A customer service agent tells the customer and records how and when."""
    contact = {
        "contact_channel": "phone",
        "contacted_at": crm.clock.now().isoformat(),
        "contact_person": "Μαρία Οικονόμου",
        "contact_summary": "Explained the resolution; the customer is satisfied",
    }
    crm.complete(instance_id, "inform_customer", "yannis.cs", **{**contact, **data})


def due(crm, instance_id: str, element: str) -> datetime:
    [task] = [t for t in crm.open_tasks(instance_id) if t["element"] == element]
    return datetime.fromisoformat(task["due_at"])


@pytest.mark.parametrize(
    ("kind", "segment", "element", "sla"),
    [
        ("bad_taste", "C", "quality_check", timedelta(hours=48)),
        ("bad_taste", "A", "quality_check", timedelta(hours=24)),
        ("broken_product", "C", "arrange_replacement", timedelta(hours=24)),
        ("broken_product", "A", "arrange_replacement", timedelta(hours=8)),
        ("invoice_difference", "B", "check_invoice", timedelta(days=3)),
        ("invoice_difference", "A", "check_invoice", timedelta(days=2)),
    ],
)
def test_the_route_table_sends_each_kind_to_its_handler_with_its_sla(
    crm, kind, segment, element, sla
):
    instance = opened(crm, kind, segment, user="katerina.call")

    assert crm.open_elements(instance) == [element]
    assert due(crm, instance, element) == crm.clock.now() + sla
    row = complaint_of(crm, instance)
    assert (row["kind"], row["status"], row["opened_by"]) == (kind, "open", "katerina.call")
    assert row["opened_at"] == crm.clock.now()
    assert row["customer_id"] == customer_of(crm, segment)["id"]


def test_bad_taste_is_checked_by_trade_marketing_and_signed_by_the_supervisor(crm):
    instance = opened(crm, "bad_taste", user="giorgos.bd")
    crm.complete(
        instance,
        "quality_check",
        "alexandra.tm",
        outcome="rejected",
        resolution="Batch tested fine; the bottles were stored in the sun",
        batch_number="L2026-311",
    )
    assert complaint_of(crm, instance)["status"] == "open"  # nothing counts before sign-off
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "quality_check", "alexandra.tm")
    crm.approve(instance, "quality_check", "maria.cssup")

    row = complaint_of(crm, instance)
    assert row["status"] == "rejected"
    assert row["resolution"] == (
        "Batch tested fine; the bottles were stored in the sun (batch L2026-311)"
    )
    assert crm.open_elements(instance) == ["inform_customer"]
    told(crm, instance)
    assert complaint_of(crm, instance)["status"] == "closed"
    assert notes(crm) == []
    assert {f"{agent}: quality_check" for agent in CS_AGENTS} <= set(crm.notified(instance))


def test_a_broken_product_is_replaced_only_on_the_evidence_of_its_photo(crm):
    customer = customer_of(crm, "C")
    instance = crm.start(
        PROCESS,
        "katerina.call",  # by phone: no photo yet
        business_key=customer["code"],
        customer_id=customer["id"],
        kind="broken_product",
        description="Broken bottles in two cases of yesterday's delivery",
    ).instance_id
    replaced = {
        "outcome": "accepted",
        "resolution": "Two cases replaced with the next delivery",
        "delivery_date": "2026-11-03",
    }
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, "arrange_replacement", "michalis.log", **replaced)
    assert refused.value.errors == {"_schema": ["Attach a photo of the broken product first."]}
    assert crm.open_elements(instance) == ["arrange_replacement"]

    [taken] = crm.attach(instance, "michalis.log", photo("on arrival.jpg"))  # the driver's
    crm.complete(instance, "arrange_replacement", "michalis.log", **replaced)
    [approval] = views.audit_events(crm.engine.uow(), instance_id=instance, action="approve")
    assert approval["details"]["attachments"] == [
        {"id": taken["id"], "name": "on arrival.jpg", "sha256": taken["sha256"]}
    ]


def test_a_broken_product_is_replaced_by_logistics_without_a_second_signature(crm):
    instance = opened(crm, "broken_product", user="katerina.call")
    crm.complete(
        instance,
        "arrange_replacement",
        "michalis.log",
        outcome="accepted",
        resolution="Two cases replaced with the next delivery",
        delivery_date="2026-11-03",
    )  # routine: logistics approves its own replacement

    row = complaint_of(crm, instance)
    assert row["status"] == "accepted"
    assert row["resolution"] == ("Two cases replaced with the next delivery (delivery 2026-11-03)")
    assert crm.open_elements(instance) == ["inform_customer"]
    assert notes(crm) == []


def test_the_customer_is_told_and_it_is_recorded_before_the_complaint_closes(crm):
    customer = customer_of(crm, "C")
    instance = opened(crm, "broken_product")
    crm.complete(
        instance,
        "arrange_replacement",
        "michalis.log",
        outcome="accepted",
        resolution="Replaced from the van stock today",
        delivery_date="2026-11-02",
    )
    row = complaint_of(crm, instance)
    assert (row["status"], row["customer_contact"], row["closed_at"]) == ("accepted", None, None)

    crm.clock.advance(timedelta(hours=3))
    told(crm, instance, contact_channel="visit", contact_person="Νίκος Μακρής")

    row = complaint_of(crm, instance)
    assert row["status"] == "closed"
    assert row["closed_at"] == crm.clock.now()
    assert row["customer_contact"] == (
        "2026-11-02T12:00+00:00 by visit with Νίκος Μακρής (recorded by yannis.cs):"
        " Explained the resolution; the customer is satisfied"
    )
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    # the customer's own BD is informed, and no other BD (bd is scoped to customer_bd)
    assert crm.bds_told(instance, "inform_customer") == {customer["bd"]}


def test_a_contact_before_the_complaint_was_opened_is_refused_until_corrected(crm):
    instance = opened(crm, "broken_product")
    crm.complete(
        instance,
        "arrange_replacement",
        "michalis.log",
        outcome="rejected",
        resolution="The damage happened in the customer's storeroom",
    )

    with pytest.raises(InvalidTaskData) as refused:
        told(crm, instance, contacted_at="2026-11-01T10:00:00+00:00")

    assert refused.value.errors == {"contacted_at": ["this is before the complaint was opened"]}
    assert crm.open_elements(instance) == ["inform_customer"]  # nothing stopped
    row = complaint_of(crm, instance)
    assert (row["status"], row["customer_contact"], row["closed_at"]) == ("rejected", None, None)

    crm.clock.advance(timedelta(hours=1))
    told(crm, instance, contacted_at="2026-11-02T09:30:00+00:00")
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    row = complaint_of(crm, instance)
    assert row["status"] == "closed"
    assert row["customer_contact"].startswith("2026-11-02T09:30+00:00 by phone")


def test_a_confirmed_invoice_difference_is_credited_after_the_finance_manager_signs(crm):
    customer = customer_of(crm, "C")
    instance = opened(crm, "invoice_difference", claimed_amount=120.50)
    checked(crm, instance, credit_amount=120.50)
    assert notes(crm) == []  # nothing is credited before the sign-off
    for colleague in ("anna.credit", "kostas.credit"):  # the performer, and not accountable
        with pytest.raises(RaciRefusal):
            crm.approve(instance, "check_invoice", colleague)

    crm.approve(instance, "check_invoice", "vasso.finance")

    row = complaint_of(crm, instance)
    assert row["status"] == "accepted"
    assert row["credit_note_amount"] == Decimal("120.50")
    [note] = notes(crm)
    assert note["number"] == "CN-2026-000001"
    assert (note["customer_id"], note["complaint_id"]) == (customer["id"], row["id"])
    assert (note["amount"], note["issued_by"]) == (Decimal("120.50"), "vasso.finance")
    assert note["issued_at"] == crm.clock.now()
    assert {f"{agent}: check_invoice" for agent in CS_AGENTS} <= set(crm.notified(instance))
    told(crm, instance)
    assert complaint_of(crm, instance)["status"] == "closed"

    second = opened(crm, "invoice_difference", claimed_amount=30)
    checked(crm, second, credit_amount=30)
    crm.approve(second, "check_invoice", "vasso.finance")
    assert [n["number"] for n in notes(crm)] == ["CN-2026-000001", "CN-2026-000002"]


def test_a_claim_split_across_complaints_on_one_invoice_is_signed_at_the_level_of_the_whole(
    crm,
):
    """1,500 credited on an invoice, then 1,999 more claimed on the same invoice: each
    under the CFO's 2,000, the second went to the finance manager with no word of the
    first."""
    first = opened(crm, "invoice_difference", claimed_amount=1500, invoice_number="ΤΔΑ-1234")
    checked(crm, first, credit_amount=1500)
    crm.approve(first, "check_invoice", "vasso.finance")

    again = opened(crm, "invoice_difference", claimed_amount=1999, invoice_number=" τδα-1234 ")
    assert complaint_of(crm, again)["invoice_number"].strip().upper() == "ΤΔΑ-1234"
    assert crm.open_elements(again) == ["check_invoice_cfo"]  # 1,500 + 1,999 > 2,000
    other = opened(crm, "invoice_difference", claimed_amount=1999, invoice_number="ΤΔΑ-9999")
    assert crm.open_elements(other) == ["check_invoice"]  # another invoice: on its own
    checked(crm, again, "check_invoice_cfo", credit_amount=1999)
    with pytest.raises(RaciRefusal):
        crm.approve(again, "check_invoice_cfo", "vasso.finance")
    crm.approve(again, "check_invoice_cfo", "petros.cfo")


def test_a_rejected_invoice_difference_gets_no_credit_note(crm):
    instance = opened(crm, "invoice_difference")
    checked(crm, instance, outcome="rejected", resolution="Invoice matches the signed delivery")
    crm.approve(instance, "check_invoice", "vasso.finance")

    row = complaint_of(crm, instance)
    assert row["status"] == "rejected"
    assert row["resolution"] == "Invoice matches the signed delivery"
    assert row["credit_note_amount"] is None
    assert notes(crm) == []
    told(crm, instance)
    assert complaint_of(crm, instance)["status"] == "closed"
    assert notes(crm) == []


def test_the_finance_manager_sends_the_credit_back_with_a_reason(crm):
    instance = opened(crm, "invoice_difference", claimed_amount=120.50)
    checked(crm, instance, credit_amount=120.50)
    crm.reject(instance, "check_invoice", "vasso.finance", reason="11 cases arrived: credit 10.04")

    [task] = crm.open_tasks(instance)
    detail = views.task_detail(crm.engine.uow(), task["id"])
    assert (detail["element"], detail["assignee"]) == ("check_invoice", "anna.credit")
    assert (detail["rejection_reason"], detail["rework_count"]) == (
        "11 cases arrived: credit 10.04",
        1,
    )
    assert notes(crm) == []
    assert complaint_of(crm, instance)["status"] == "open"

    checked(crm, instance, credit_amount=10.04, resolution="Delivery note shows 11 of 12 cases")
    crm.approve(instance, "check_invoice", "vasso.finance")
    [note] = notes(crm)
    assert note["amount"] == Decimal("10.04")
    assert complaint_of(crm, instance)["credit_note_amount"] == Decimal("10.04")


def test_a_large_claim_is_signed_by_the_cfo(crm):
    instance = opened(crm, "invoice_difference", claimed_amount=3500)
    assert crm.open_elements(instance) == ["check_invoice_cfo"]
    checked(crm, instance, "check_invoice_cfo", credit_amount=3200)  # finance is only advisory
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "check_invoice_cfo", "vasso.finance")
    crm.approve(instance, "check_invoice_cfo", "petros.cfo")

    [note] = notes(crm)
    assert (note["amount"], note["issued_by"]) == (Decimal("3200.00"), "petros.cfo")


def test_a_credit_above_the_claim_is_refused_before_anyone_signs(crm):
    instance = opened(crm, "invoice_difference", claimed_amount=120.50)

    with pytest.raises(InvalidTaskData) as both:  # one submit: every mistake at once
        checked(crm, instance, credit_amount=150, resolution="short")
    assert set(both.value.errors) == {"credit_amount", "resolution"}
    with pytest.raises(InvalidTaskData) as refused:
        checked(crm, instance, credit_amount=150)

    assert refused.value.errors == {
        "credit_amount": ["more than the customer claimed: credit at most the claim"]
    }
    assert crm.open_elements(instance) == ["check_invoice"]  # nothing waits for a signature
    checked(crm, instance, credit_amount=120.50)
    crm.approve(instance, "check_invoice", "vasso.finance")
    [note] = notes(crm)
    assert note["amount"] == Decimal("120.50")
    assert crm.open_elements(instance) == ["inform_customer"]


def test_an_overdue_complaint_escalates_to_the_supervisor_without_stopping_the_work(crm):
    instance = opened(crm, "broken_product")  # a C customer: 24 hours
    crm.clock.advance(timedelta(hours=23))
    assert crm.engine.fire_due_timers() == 0
    crm.clock.advance(timedelta(hours=2))
    assert crm.engine.fire_due_timers() == 1

    assert crm.open_elements(instance) == ["arrange_replacement", "escalate"]
    assert complaint_of(crm, instance)["status"] == "escalated"
    crm.complete(
        instance,
        "escalate",
        "maria.cssup",
        escalation_action="Called logistics: van leaves at 14:00",
    )
    assert "christina.sales: escalate" in crm.notified(instance)

    crm.complete(
        instance,
        "arrange_replacement",
        "michalis.log",
        outcome="accepted",
        resolution="Replaced with the afternoon van",
        delivery_date="2026-11-03",
    )
    assert complaint_of(crm, instance)["status"] == "accepted"
    told(crm, instance)
    assert complaint_of(crm, instance)["status"] == "closed"
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED


def test_the_sla_runs_on_while_the_credit_waits_for_sign_off(crm):
    instance = opened(crm, "invoice_difference")  # a C customer: 3 days
    checked(crm, instance, credit_amount=100)
    crm.clock.advance(timedelta(days=3, minutes=1))
    assert crm.engine.fire_due_timers() == 1
    assert crm.open_elements(instance) == ["escalate"]  # check_invoice waits for sign-off

    crm.approve(instance, "check_invoice", "vasso.finance")
    assert [n["amount"] for n in notes(crm)] == [Decimal("100.00")]


def test_a_complaint_handled_in_time_does_not_escalate(crm):
    instance = opened(crm, "bad_taste")
    crm.complete(
        instance,
        "quality_check",
        "alexandra.tm",
        outcome="accepted",
        resolution="Batch withdrawn; cases replaced",
    )
    crm.approve(instance, "quality_check", "maria.cssup")
    crm.clock.advance(timedelta(days=5))
    assert crm.engine.fire_due_timers() == 0
    assert crm.open_elements(instance) == ["inform_customer"]
    assert complaint_of(crm, instance)["status"] == "accepted"


def redeployed(crm, dmn_name: str, old: str, new: str) -> None:
    """The process owner edits a DMN cell and deploys: a new version."""
    dmn = BPMN / dmn_name
    edited = dmn.read_text().replace(old, new)
    assert edited != dmn.read_text()
    files = [
        SourceFile(f.name, edited.encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]
    [deployment] = crm.engine.deploy(files, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)


def test_editing_the_credit_threshold_changes_who_signs(crm):
    assert crm.open_elements(opened(crm, "invoice_difference", claimed_amount=900)) == [
        "check_invoice"
    ]
    redeployed(crm, "complaint.credit_level.dmn", "&gt; 2000", "&gt; 500")
    assert crm.open_elements(opened(crm, "invoice_difference", claimed_amount=900)) == [
        "check_invoice_cfo"
    ]


def test_editing_the_route_table_changes_the_sla_of_new_complaints_only(crm):
    before = opened(crm, "broken_product")
    redeployed(crm, "complaint.route.dmn", 'r2_sla"><text>"PT24H"', 'r2_sla"><text>"PT4H"')
    after = opened(crm, "broken_product")

    crm.clock.advance(timedelta(hours=5))
    assert crm.engine.fire_due_timers() == 1
    assert crm.open_elements(after) == ["arrange_replacement", "escalate"]
    assert crm.open_elements(before) == ["arrange_replacement"]  # still on 24 hours


def test_editing_the_route_table_changes_the_route(crm):
    redeployed(
        crm,
        "complaint.route.dmn",
        'r4_route"><text>"quality_check"',
        'r4_route"><text>"replacement"',
    )
    assert crm.open_elements(opened(crm, "bad_taste")) == ["arrange_replacement"]


@pytest.mark.parametrize(
    ("old", "new", "kind", "message"),
    [
        ('"P3D"', '"3 days"', "invoice_difference", "SLA '3 days' is not a duration"),
        (
            'r6_route"><text>"finance_check"',
            'r6_route"><text>"audit"',
            "invoice_difference",
            "unknown route 'audit'",
        ),
        (
            'r4_route"><text>"quality_check"',
            'r4_route"><text>"finance_check"',
            "bad_taste",
            "sends a bad_taste complaint, with no amount, to finance",
        ),
    ],
)
def test_a_mistyped_route_table_stops_the_complaint_before_it_is_registered(
    crm, old, new, kind, message
):
    redeployed(crm, "complaint.route.dmn", old, new)
    customer = customer_of(crm, "C")
    claim = (
        {"invoice_number": "TIM-1", "claimed_amount": 50} if kind == "invoice_difference" else {}
    )
    started = crm.start(
        PROCESS,
        "sofia.cs",
        customer_id=customer["id"],
        kind=kind,
        description="The customer says: it is wrong",
        **claim,
    )
    assert started.status == InstanceStatus.ERROR
    assert message in started.error
    assert crm.rows(select(complaints)) == []


def test_only_customer_facing_roles_open_complaints(crm):
    customer = customer_of(crm, "B")
    started = crm.start(
        PROCESS,
        "thanasis.tech",
        customer_id=customer["id"],
        kind="broken_product",
        description="Three bottles broken in the crate",
    )
    assert started.status == InstanceStatus.ERROR
    assert "thanasis.tech may not open a complaint" in started.error
    assert crm.rows(select(complaints)) == []


def test_an_unknown_customer_puts_the_instance_in_error_with_nothing_written(crm):
    started = crm.start(
        PROCESS, "sofia.cs", customer_id=99999, kind="bad_taste", description="Tastes of metal"
    )
    assert started.status == InstanceStatus.ERROR
    assert "customer 99999 does not exist" in started.error
    assert crm.rows(select(complaints)) == []


def test_bad_start_input_is_refused_by_field_and_starts_nothing(crm):
    customer = customer_of(crm, "C")
    base = {"customer_id": customer["id"], "description": "Billed 12 cases, got 10"}
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(PROCESS, "sofia.cs", kind="invoice_difference", **base)
    assert set(refused.value.errors) == {"invoice_number", "claimed_amount"}

    with pytest.raises(InvalidTaskData) as refused:
        crm.start(
            PROCESS,
            "sofia.cs",
            kind="late_delivery",
            customer_id="7; drop table",
            description="short",
        )
    assert set(refused.value.errors) == {"kind", "customer_id", "description"}

    with pytest.raises(InvalidTaskData) as refused:
        crm.start(
            PROCESS,
            "sofia.cs",
            kind="invoice_difference",
            invoice_number="??",
            claimed_amount=12.345,
            **base,
        )
    assert set(refused.value.errors) == {"invoice_number", "claimed_amount"}

    with pytest.raises(InvalidTaskData, match="only an invoice difference claims an amount"):
        crm.start(PROCESS, "sofia.cs", kind="bad_taste", claimed_amount=10, **base)
    assert crm.rows(select(complaints)) == []
    assert views.audit_events(crm.engine.uow(), action="start") == []


def test_bad_task_input_is_refused_by_field_and_changes_nothing(crm):
    instance = opened(crm, "invoice_difference")
    with pytest.raises(InvalidTaskData) as refused:
        checked(crm, instance, resolution="ok")  # accepted without an amount
    assert set(refused.value.errors) == {"credit_amount", "resolution"}
    with pytest.raises(InvalidTaskData, match="a rejected difference is not credited"):
        checked(crm, instance, outcome="rejected", credit_amount=10)
    with pytest.raises(InvalidTaskData) as refused:
        checked(crm, instance, outcome="maybe", credit_amount=-5)
    assert set(refused.value.errors) == {"outcome", "credit_amount"}
    assert crm.open_elements(instance) == ["check_invoice"]

    replacement = opened(crm, "broken_product")
    with pytest.raises(InvalidTaskData, match="delivery_date"):
        crm.complete(
            replacement,
            "arrange_replacement",
            "michalis.log",
            outcome="accepted",
            resolution="Replaced next week",
        )
    crm.complete(
        replacement,
        "arrange_replacement",
        "michalis.log",
        outcome="accepted",
        resolution="Replaced next week",
        delivery_date="2026-11-09",
    )
    with pytest.raises(InvalidTaskData) as refused:
        told(crm, replacement, contact_channel="pigeon", contacted_at="2026-11-02T10:00")
    assert set(refused.value.errors) == {"contact_channel", "contacted_at"}
    assert complaint_of(crm, replacement)["status"] == "accepted"
    assert complaint_of(crm, instance)["status"] == "open"


def test_cancelling_a_complaint_withdraws_it_and_closes_it(crm):
    instance = opened(crm, "broken_product", user="katerina.call")
    crm.engine.cancel(instance, user="lena.owner", reason="opened twice")
    row = complaint_of(crm, instance)
    assert (row["status"], row["resolution"]) == ("withdrawn", "opened twice")
    assert row["closed_at"] is not None  # off the customer card's open complaints
    assert crm.instance(instance)["status"] == InstanceStatus.CANCELLED


# Authority follows the value signed: the level table runs again on the amount credited.


def test_a_credit_above_the_finance_managers_level_is_refused_at_the_door(crm):
    """The analogue of the credit limit bypass: a small claim routed to the finance
    manager, then a large credit note. Refused when handed in, by field, on any surface:
    it never reaches a signer whose level the claim chose."""
    instance = opened(crm, "invoice_difference", claimed_amount=1500)
    assert crm.open_elements(instance) == ["check_invoice"]  # routed on the claim
    checked(crm, instance, credit_amount=1500)
    task = crm.awaiting_signoff(instance, "check_invoice")
    crm.reject(instance, "check_invoice", "vasso.finance", reason="check the delivery note again")

    with pytest.raises(InvalidTaskData) as refused:
        checked(crm, instance, credit_amount=4800)

    assert list(refused.value.errors) == ["credit_amount"]
    assert views.task_detail(crm.engine.uow(), task)["status"] == "ready"  # back with anna
    assert notes(crm) == []
