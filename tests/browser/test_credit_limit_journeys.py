"""Credit limit change in Greek, by the roles of bpmn/credit_limit_change.raci.yaml: a small
increase analysed by one credit controller and signed by another; a larger one that the
finance manager sends back, the controller then recommends declining, and she signs.
(test_credit_limit_journey.py walks the English UI, the four-eyes refusal and the audit.)"""

from __future__ import annotations

from workflows.tables import customers

PROCESS = "credit_limit_change"
CUSTOMERS = {"desk": (103, 109), "phone": (112, 115)}  # giorgos.bd's, segment C


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def limit_of(journey, customer_id: int) -> float:
    return float(journey.row(customers, id=customer_id)["credit_limit"])


def request_limit(journey, customer_id: int, limit: float) -> None:
    """The BD starts from the start page; the request is his first task."""
    bd = journey.as_("giorgos.bd")
    bd.start(PROCESS, customer=code(customer_id))
    bd.complete(
        "request", requested_limit=f"{limit:.0f}", justification="Ανοίγει δεύτερο κατάστημα"
    )


def test_small_increase_signed_by_another_controller(journey):
    customer_id = CUSTOMERS[journey.viewport][0]
    new_limit = limit_of(journey, customer_id) + 2000
    request_limit(journey, customer_id, new_limit)

    task = "Analyse credit (controller sign-off)"
    analyst = journey.as_("anna.credit")
    analyst.open_task(task, customer=code(customer_id))
    analyst.complete(
        "analyse",
        recommendation="approve",
        approved_limit=f"{new_limit:.0f}",
        analysis="Πληρώνει πάντα εντός προθεσμίας",
    )
    signer = journey.as_("kostas.credit")
    signer.open_task(task, customer=code(customer_id), to_sign=True)
    instance_id = signer.instance_id()
    signer.shot("signoff")
    signer.approve()

    assert journey.instance(instance_id)["status"] == "completed"
    assert limit_of(journey, customer_id) == new_limit


def test_large_increase_sent_back_then_declined(journey):
    customer_id = CUSTOMERS[journey.viewport][1]
    before = limit_of(journey, customer_id)
    request_limit(journey, customer_id, before + 8000)

    task = "Analyse credit (finance manager sign-off)"
    analyst = journey.as_("anna.credit")
    analyst.open_task(task, customer=code(customer_id))
    analyst.complete(
        "analyse",
        recommendation="approve",
        approved_limit=f"{before + 8000:.0f}",
        analysis="Ο τζίρος αυξήθηκε 30% φέτος",
    )
    finance = journey.as_("vasso.finance")
    finance.open_task(task, customer=code(customer_id), to_sign=True)
    finance.reject("Λείπουν οι πληρωμές των τελευταίων δώδεκα μηνών")

    analyst.open_task(task, customer=code(customer_id))
    assert analyst.sees("Λείπουν οι πληρωμές")
    analyst.shot("rework")
    analyst.complete(
        recommendation="decline", approved_limit="", analysis="Δύο καθυστερήσεις φέτος"
    )
    finance.open_task(task, customer=code(customer_id), to_sign=True)
    instance_id = finance.instance_id()
    finance.approve()

    assert journey.instance(instance_id)["status"] == "completed"
    assert limit_of(journey, customer_id) == before  # declined: nothing changes
