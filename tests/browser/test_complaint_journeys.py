"""Customer complaints, in Greek, by the roles of bpmn/complaint.raci.yaml: a broken
product replaced by logistics, a bad taste checked by trade marketing and signed by the
customer service supervisor, and an invoice difference checked by a credit controller,
sent back by the finance manager, corrected and signed; each ends with customer service
telling the customer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.journeys import athens_today, sample_photo
from workflows.tables import complaints, credit_notes

PROCESS = "complaint"
CUSTOMERS = {"desk": (40, 41, 42), "phone": (37, 38, 39)}  # segment A; 40, 37: giorgos.bd's


def now_in_athens() -> str:
    return datetime.now(ZoneInfo("Europe/Athens")).strftime("%Y-%m-%dT%H:%M")


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def tell_the_customer(journey, customer: str, *, mistyped_day: bool = False) -> str:
    """Customer service records the call that closes the complaint; the instance id."""
    agent = journey.as_("sofia.cs")
    agent.open_task("Tell the customer", customer=customer)
    instance_id = agent.instance_id()
    contact = {
        "contact_channel": "phone",
        "contact_person": "Κυρία Παπαδάκη",
        "contact_summary": "Ενημερώθηκε για τη λύση και συμφώνησε",
    }
    if mistyped_day:  # yesterday, before the complaint was opened: said beside the input
        yesterday = (datetime.now(ZoneInfo("Europe/Athens")) - timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        )
        refused = agent.complete_refused(**contact, contacted_at=yesterday)
        assert refused == ["Είναι πριν ανοίξει το παράπονο."]
        agent.shot("contact-before-opening")
    # To the minute, as the input takes it.
    agent.complete("tell-customer", **contact, contacted_at=now_in_athens())
    return instance_id


def test_broken_product_replaced_by_logistics(journey):
    customer_id = CUSTOMERS[journey.viewport][0]
    customer = code(customer_id)
    journey.as_("giorgos.bd").start(
        PROCESS,
        customer=customer,
        camera=sample_photo(f"broken-{journey.viewport}.jpg"),  # taken at the shop
        kind="broken_product",
        description="Σπασμένα μπουκάλια σε δύο κιβώτια της χθεσινής παράδοσης",
    )
    logistics = journey.as_("michalis.log")
    logistics.open_task("Replace the broken product", customer=customer)
    logistics.complete(
        "replace",
        outcome="accepted",
        resolution="Αντικατάσταση δύο κιβωτίων με το επόμενο δρομολόγιο",
        delivery_date=(athens_today() + timedelta(days=2)).isoformat(),
    )
    instance_id = tell_the_customer(journey, customer, mistyped_day=True)

    assert journey.instance(instance_id)["status"] == "completed"
    complaint = journey.row(complaints, instance_id=instance_id)
    assert complaint["status"] == "closed" and complaint["closed_at"] is not None


def test_bad_taste_checked_and_signed_by_the_supervisor(journey):
    customer = code(CUSTOMERS[journey.viewport][1])
    journey.as_("sofia.cs").start(
        PROCESS,
        customer=customer,
        kind="bad_taste",
        description="Ο πελάτης λέει ότι η πορτοκαλάδα έχει περίεργη γεύση",
    )
    marketing = journey.as_("alexandra.tm")
    marketing.open_task("Check the product quality", customer=customer)
    marketing.complete(
        "quality-check",
        outcome="rejected",
        resolution="Η παρτίδα ελέγχθηκε και είναι εντός προδιαγραφών",
        batch_number="B-2026-118",
    )
    supervisor = journey.as_("maria.cssup")
    supervisor.open_task("Check the product quality", customer=customer, to_sign=True)
    supervisor.shot("signoff")
    supervisor.approve()
    instance_id = tell_the_customer(journey, customer)

    assert journey.instance(instance_id)["status"] == "completed"
    complaint = journey.row(complaints, instance_id=instance_id)
    assert complaint["status"] == "closed"
    assert "B-2026-118" in complaint["resolution"]


def test_invoice_difference_sent_back_corrected_and_credited(journey):
    customer_id = CUSTOMERS[journey.viewport][2]
    customer = code(customer_id)
    invoice = f"INV-{customer_id}-77"
    journey.as_("katerina.call").start(
        PROCESS,
        customer=customer,
        kind="invoice_difference",
        description="Χρεώθηκαν 10 κιβώτια αντί για 8",
        invoice_number=invoice,
        claimed_amount="120",
    )
    controller = journey.as_("anna.credit")
    task = "Check the invoice difference (finance manager sign-off)"
    controller.open_task(task, customer=customer)
    # More than the customer claimed is said beside the amount, before anyone signs.
    assert controller.complete_refused(
        outcome="accepted",
        resolution="Το δελτίο αποστολής γράφει 8 κιβώτια",
        credit_amount="150",
    ) == ["Περισσότερο από όσο ζήτησε ο πελάτης: πιστώστε το πολύ το ποσό της αξίωσης."]
    controller.shot("credit-above-claim")
    controller.complete("check-invoice", credit_amount="120")
    finance = journey.as_("vasso.finance")
    finance.open_task(task, customer=customer, to_sign=True)
    finance.shot("signoff")
    finance.reject("Γράψτε τον αριθμό του δελτίου αποστολής στην αιτιολόγηση")

    controller.open_task(task, customer=customer)
    assert controller.sees("τον αριθμό του δελτίου αποστολής")
    controller.complete(
        "rework",
        outcome="accepted",
        resolution="Δελτίο αποστολής 4471: 8 κιβώτια αντί για 10",
        credit_amount="120",
    )
    finance.open_task(task, customer=customer, to_sign=True)
    finance.approve()
    instance_id = tell_the_customer(journey, customer)

    assert journey.instance(instance_id)["status"] == "completed"
    complaint = journey.row(complaints, instance_id=instance_id)
    assert complaint["status"] == "closed"
    note = journey.row(credit_notes, complaint_id=complaint["id"])
    assert float(note["amount"]) == 120
