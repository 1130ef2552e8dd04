"""A few instances in flight, so that a first look at the inbox is not empty.

SAMPLE_STARTS gives, for each CRM process, a start a demo user can make with the
demo data; the tests start every process with it. Order release is not started by
hand: a cleaned order starts it (STARTED_BY_OTHERS).
"""

from __future__ import annotations

from typing import Any

from engine import ProcessEngine, views

# process id -> (who starts it, start data, business key)
SAMPLE_STARTS: dict[str, tuple[str, dict[str, Any], str | None]] = {
    "credit_limit_change": ("giorgos.bd", {"customer_id": 7}, "C00007"),
    "complaint": (
        "sofia.cs",
        {
            "customer_id": 12,
            "kind": "invoice_difference",
            "description": "Το τιμολόγιο χρέωσε 30 κιβώτια cola, παραδόθηκαν 25",
            "invoice_number": "INV-2026-0412",
            "claimed_amount": 64.5,
        },
        "C00012",
    ),
    "equipment_request": (
        "eleni.bd",
        {
            "kind": "placement",
            "customer_id": 20,
            "asset_type": "cooler",
            "description": "Νέο ψυγείο δίπλα στην είσοδο για το καλοκαίρι",
        },
        "C00020",
    ),
    "customer_onboarding": (
        "nikos.bd",
        {
            "name": "Ψητοπωλείο Ο Θανάσης",
            "afm": "094014201",
            "segment": "C",
            "visit_frequency": 1,
            "average_order_value": 420.0,
            "purchasing_manager": "Θανάσης Κρητικός",
            "payments_manager": "Μαρία Κρητικού",
            "phone": "+30 210 5551234",
            "billing_address": {"street": "Αχαρνών 210", "city": "Αθήνα", "postcode": "104 46"},
        },
        None,
    ),
    "order_cleaning": (
        "giorgos.bd",
        {
            "customer_id": 4,
            "channel": "hht",
            "warehouse_code": "ATH",
            "lines": [
                {"product_code": "P0001", "quantity": 100},
                {"product_code": "P0005", "quantity": 60, "discount_pct": 2.0},
            ],
        },
        "C00004",  # the customer's code, as the start page gives it
    ),
    "emergency_order": (
        "katerina.call",
        {
            "customer_id": 2,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "urgency": "Δεξίωση γάμου απόψε: τελείωσε το νερό",
            "lines": [{"product_code": "P0002", "quantity": 15}],
        },
        "C00002",
    ),
    "customer_data_change": (
        "katerina.call",
        {"customer_id": 33, "requester_role": "call_agent"},
        "C00033",
    ),
}

STARTED_BY_OTHERS = {"order_release": "order_cleaning"}

# Steps taken after starting, so that work waits at different stages: (element, user, data).
FOLLOW_UPS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "credit_limit_change": [
        (
            "request",
            "giorgos.bd",
            {"requested_limit": 45000, "justification": "Καλοκαιρινή σεζόν: δύο νέα ψυγεία"},
        ),
    ],
}


def start_demo_instances(engine: ProcessEngine) -> list[str]:
    """Start one instance of each deployed sample process (once); return their ids."""
    if views.open_tasks(engine.uow(), limit=1):
        return []
    deployed = {v["process_id"] for v in views.process_versions(engine.uow())}
    started = []
    for process_id, (user, data, business_key) in SAMPLE_STARTS.items():
        if process_id not in deployed:
            continue
        state = engine.start(process_id, user=user, data=data, business_key=business_key)
        for element, actor, step_data in FOLLOW_UPS.get(process_id, []):
            [task] = [
                t
                for t in views.open_tasks(engine.uow(), instance_id=state.instance_id)
                if t["element"] == element
            ]
            engine.complete(task["id"], user=actor, data=step_data)
        started.append(state.instance_id)
    return started
