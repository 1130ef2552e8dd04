"""Customer data change in Greek, by the roles of bpmn/customer_data_change.raci.csv: a BD's
contact change applied at once; a customer service agent's segment change that master data
sends back, then signs."""

from __future__ import annotations

from workflows.tables import customers

PROCESS = "customer_data_change"
CUSTOMERS = {"desk": (130, 131), "phone": (133, 134)}  # 130, 133: giorgos.bd's


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def test_bd_changes_contact_details_at_once(journey):
    customer_id = CUSTOMERS[journey.viewport][0]
    bd = journey.as_("giorgos.bd")
    bd.start(PROCESS, customer=code(customer_id), requester_role="bd")
    bd.complete(
        "enter-change",
        phone="210 555 1234",
        email="agores@example.gr",
        purchasing_manager="Ελένη Σταύρου",
    )
    customer = journey.row(customers, id=customer_id)
    assert customer["purchasing_manager"] == "Ελένη Σταύρου"
    assert customer["email"] == "agores@example.gr"
    assert customer["phone"].replace(" ", "").endswith("2105551234")


def test_segment_change_sent_back_by_master_data_then_signed(journey):
    customer_id = CUSTOMERS[journey.viewport][1]
    agent = journey.as_("sofia.cs")
    agent.start(PROCESS, customer=code(customer_id), requester_role="cs_agent")
    agent.complete("enter-change", segment="B", note="Διπλασίασε τις παραγγελίες")

    task = "Submit the sensitive change for sign-off"
    agent.open_task(task, customer=code(customer_id))
    agent.complete("justify", justification="Ο μέσος όρος παραγγελίας διπλασιάστηκε")
    steward = journey.as_("despina.md")
    steward.open_task(task, customer=code(customer_id), to_sign=True)
    steward.shot("signoff")
    # The signer reads the change she signs in her language, not the data's English keys.
    assert steward.sees("Ζητούμενες αλλαγές") and steward.sees("Έλεγχος των ευαίσθητων αλλαγών")
    assert not any(steward.sees(key) for key in ("Requested", "Sensitive check", "Pending"))
    # Beside the justification, the change she lets through (she saw only the former).
    card = steward.page.locator("section[aria-labelledby=signoff-title] .card").first
    assert card.get_by_text("Η αλλαγή που υπογράφετε").count() == 1
    # Each field as it is now and as it will be once signed.
    [row] = card.locator("table[aria-labelledby=signed-change-title] tbody tr").all()
    assert [c.inner_text() for c in row.locator("th, td").all()] == ["Κατηγορία", "C", "B"]
    steward.reject("Επισύναψε τις παραγγελίες του τελευταίου τριμήνου")
    assert journey.row(customers, id=customer_id)["segment"] == "C"  # untouched

    agent.open_task(task, customer=code(customer_id))
    assert agent.sees("τελευταίου τριμήνου")
    agent.complete("rework", justification="Τρεις παραγγελίες άνω των 900 € το τρίμηνο")
    steward.open_task(task, customer=code(customer_id), to_sign=True)
    instance_id = steward.instance_id()
    steward.approve()

    assert journey.instance(instance_id)["status"] == "completed"
    assert journey.row(customers, id=customer_id)["segment"] == "B"
