"""Equipment placement, relocation and repair, in Greek, as the BD, trade marketing, the
service manager and the technician do it (bpmn/equipment_request.raci.csv)."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.journeys import athens_today
from workflows.equipment_rules import is_working_day
from workflows.tables import assets, service_requests

PROCESS = "equipment_request"
# giorgos.bd's customers (every third, from C00001) hold the placed assets EQ-00001..50:
# asset n is at customer 3n-2. Assets EQ-00051..80 are in stock; EQ-00052, -55 are coolers.
CUSTOMERS = {"desk": (10, 13, 16), "phone": (19, 22, 25)}
STOCK_COOLER = {"desk": "EQ-00052", "phone": "EQ-00055"}


def code(customer_id: int) -> str:
    return f"C{customer_id:05d}"


def serial_at(customer_id: int) -> str:
    """The asset placed at one of giorgos.bd's demo customers."""
    return f"EQ-{(customer_id + 2) // 3:05d}"


def next_working_day() -> str:
    day = athens_today() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def schedule_and_do(journey, customer: str, serial: str) -> str:
    """The service manager books stelios.tech; he reports the job; the manager signs it."""
    manager = journey.as_("irini.service")
    manager.open_task("Schedule a technician", customer=customer)
    manager.claim()
    # The form starts from the service level's proposal: the day it names is filled in.
    proposed = manager.page.locator("[name=due_on]").input_value()
    assert proposed and proposed >= next_working_day(), proposed
    manager.complete("schedule", technician="stelios.tech", due_on=next_working_day())
    technician = journey.as_("stelios.tech")
    technician.open_task("Do the job at the customer", customer=customer)
    technician.complete("job-report", serial=serial, work_notes="Τοποθετήθηκε και δοκιμάστηκε")
    manager.open_task("Do the job at the customer", customer=customer, to_sign=True)
    manager.shot("signoff")
    instance_id = manager.instance_id()
    manager.approve()
    return instance_id


def test_placement_approved_scheduled_done_and_signed(journey):
    customer = code(CUSTOMERS[journey.viewport][0])
    serial = STOCK_COOLER[journey.viewport]
    bd = journey.as_("giorgos.bd")
    bd.start(
        PROCESS,
        customer=customer,
        kind="placement",
        asset_type="cooler",
        description="Ο πελάτης θέλει ψυγείο για τα αναψυκτικά στη βιτρίνα",
    )

    marketing = journey.as_("alexandra.tm")
    marketing.open_task("Approve or decline the request", customer=customer)
    marketing.complete("decide", decision="approve", reason="Καλός πελάτης με σταθερό τζίρο")

    instance_id = schedule_and_do(journey, customer, serial)
    assert journey.instance(instance_id)["status"] == "completed"
    assert journey.row(service_requests, instance_id=instance_id)["status"] == "completed"
    placed = journey.row(assets, serial=serial)
    assert (placed["status"], placed["customer_id"]) == ("placed", CUSTOMERS[journey.viewport][0])
    bd.page.goto(f"/instances/{instance_id}")
    bd.shot("instance-completed")


def test_repair_report_sent_back_then_signed(journey):
    customer_id = CUSTOMERS[journey.viewport][1]
    customer, serial = code(customer_id), serial_at(customer_id)
    journey.as_("giorgos.bd").start(
        PROCESS,
        customer=customer,
        kind="repair",
        asset_serial=serial,
        description="Το ψυγείο δεν κρυώνει από χθες το πρωί",
    )
    manager = journey.as_("irini.service")
    manager.open_task("Schedule a technician", customer=customer)
    manager.complete("schedule", technician="stelios.tech", due_on=next_working_day())

    technician = journey.as_("stelios.tech")
    technician.open_task("Do the job at the customer", customer=customer)
    technician.complete("job-report", serial=serial, work_notes="Έγινε")
    manager.open_task("Do the job at the customer", customer=customer, to_sign=True)
    manager.reject("Γράψε τι επισκευάστηκε και ποιο ανταλλακτικό μπήκε")

    technician.open_task("Do the job at the customer", customer=customer)
    assert technician.sees("Γράψε τι επισκευάστηκε")
    technician.shot("rework")
    technician.complete(serial=serial, work_notes="Άλλαξε ο θερμοστάτης· κρυώνει κανονικά")
    manager.open_task("Do the job at the customer", customer=customer, to_sign=True)
    instance_id = manager.instance_id()
    manager.approve()

    assert journey.instance(instance_id)["status"] == "completed"
    assert journey.row(assets, serial=serial)["status"] == "placed"  # back in service


def test_relocation_declined_by_trade_marketing(journey):
    customer_id = CUSTOMERS[journey.viewport][2]
    customer, serial = code(customer_id), serial_at(customer_id)
    journey.as_("giorgos.bd").start(
        PROCESS,
        customer=customer,
        kind="relocation",
        asset_serial=serial,
        new_location="Δίπλα στο ταμείο",
        description="Θέλει το ψυγείο πιο κοντά στο ταμείο",
    )
    marketing = journey.as_("alexandra.tm")
    marketing.open_task("Approve or decline the request", customer=customer)
    instance_id = marketing.instance_id()
    marketing.complete("decide", decision="decline", reason="Δεν υπάρχει παροχή ρεύματος εκεί")

    assert journey.instance(instance_id)["status"] == "completed"
    assert journey.row(service_requests, instance_id=instance_id)["status"] == "declined"
    assert journey.row(assets, serial=serial)["location"] != "Δίπλα στο ταμείο"
