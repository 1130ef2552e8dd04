"""New customer onboarding in Greek, by the roles of bpmn/customer_onboarding.raci.yaml: a
BD enters a shop, master data accepts it, a credit controller sets the proposed terms and
the customer is active; and an entry master data returns, the BD corrects, and terms above
the proposal that the controller justifies and the finance manager signs."""

from __future__ import annotations

from tests.browser.journeys import sample_contract
from tests.browser.page_checks import english_words
from workflows.afm import complete_afm
from workflows.tables import customers

PROCESS = "customer_onboarding"
AFMS = {"desk": ("90000001", "90000002"), "phone": ("90000003", "90000004")}


def enter_customer(journey, name: str, afm: str, **changes: str) -> None:
    """The BD, back from the first visit, enters the shop from the start page."""
    values = {
        "name": name,
        "afm": afm,
        "segment": "C",
        "visit_frequency": "2",
        "average_order_value": "350",
        "purchasing_manager": "Γιάννης Μαυρίδης",
        "payments_manager": "Άννα Μαυρίδη",
        "phone": "2310 555 123",
        "email": "kafeneio@example.gr",
        "billing_address-street": "Εγνατίας 45",
        "billing_address-city": "Θεσσαλονίκη",
        "billing_address-postcode": "546 30",
        **changes,
    }
    # The contract the customer signed, scanned on the phone, goes with the entry.
    contract = sample_contract(f"contract-{afm}.pdf")
    journey.as_("giorgos.bd").start(
        PROCESS, files=(contract,), file_kind="signed_contract", **values
    )


def customer_named(journey, name: str) -> dict:
    return journey.row(customers, name=name)


def test_new_customer_accepted_and_activated_on_the_proposed_terms(journey):
    name = f"Καφενείο Η Πλατεία {journey.viewport}"
    enter_customer(journey, name, complete_afm(AFMS[journey.viewport][0]))

    steward = journey.as_("despina.md")
    steward.open_task("Validate the new customer")
    steward.complete("validate", decision="accept")
    controller = journey.as_("anna.credit")
    controller.open_task("Set the initial credit terms")
    instance_id = controller.instance_id()
    controller.complete("terms", credit_limit="3000", payment_terms_days="30")

    assert journey.instance(instance_id)["status"] == "completed"
    customer = customer_named(journey, name)
    assert customer["status"] == "active" and float(customer["credit_limit"]) == 3000


def test_entry_returned_corrected_and_terms_above_the_proposal_signed(journey):
    name = f"Ψητοπωλείο Ο Νίκος {journey.viewport}"
    enter_customer(journey, name, complete_afm(AFMS[journey.viewport][1]), phone="2310 555 124")

    steward = journey.as_("despina.md")
    steward.open_task("Validate the new customer")
    steward.complete("return", decision="return", reason="Λείπει το e-mail του λογιστηρίου")
    bd = journey.as_("giorgos.bd")
    bd.open_task("Correct or withdraw the new customer")
    assert bd.sees("e-mail του λογιστηρίου")
    bd.complete("correct", action="resubmit", email="logistirio@example.gr")
    steward.open_task("Validate the new customer")
    steward.complete(decision="accept")

    controller = journey.as_("anna.credit")
    controller.open_task("Set the initial credit terms")
    why = "Ο πελάτης προπληρώνει την πρώτη παραγγελία"
    controller.complete("terms", credit_limit="6000", payment_terms_days="45", note=why)
    controller.open_task("Justify terms above the default")
    # The note written with the terms begins the justification: said once, not twice.
    assert controller.page.locator("[name=justification]").input_value() == why
    controller.complete("justify", credit_limit="6000", payment_terms_days="45")
    finance = journey.as_("vasso.finance")
    finance.open_task("Justify terms above the default", to_sign=True)
    instance_id = finance.instance_id()
    # What the signer reads is Greek: the proposal and who signs, not "Proposed limit".
    signed = finance.page.locator("main").inner_text()
    # The shops' names end in "desk" or "phone" (AFMS' keys); a similar one may be listed.
    assert not english_words(signed, AFMS), english_words(signed, AFMS)
    assert "Προτεινόμενο πιστωτικό όριο" in signed and "Ποιος υπογράφει τους όρους" in signed
    assert "Πελάτης\n—" not in signed and name in signed  # the prospect's card
    finance.approve()

    assert journey.instance(instance_id)["status"] == "completed"
    customer = customer_named(journey, name)
    assert customer["status"] == "active" and customer["email"] == "logistirio@example.gr"
    assert (float(customer["credit_limit"]), customer["payment_terms_days"]) == (6000, 45)
