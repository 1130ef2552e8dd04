"""Every business change is an audit event: `raciflow audit verify` catches an edit of a
history table (customer, stock, credit note, asset) or of its event, and names the event."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from engine.database import make_engine
from engine.orm import audit_events
from tests.e2e.conftest import RACIFLOW
from tests.scenarios.conftest import process_files
from tests.scenarios.test_equipment_request import (  # noqa: F401  (autouse fixture)
    spiff_reads_the_test_clock,
)
from workflows.orders import records
from workflows.tables import assets, customer_changes, record_changes

CUSTOMER = 150  # a C-segment customer of the demo data


def verify(database_url: str) -> subprocess.CompletedProcess:
    """`raciflow audit verify`, run as an auditor runs it."""
    env = {**os.environ, "RACIFLOW_DATABASE_URL": database_url}
    return subprocess.run(
        [*RACIFLOW, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120
    )


def tamper(database_url: str, statement) -> None:
    """Edit the database behind the engine's back, as someone with database access could."""
    db = make_engine(database_url)
    with db.begin() as conn:
        assert conn.execute(statement).rowcount != 0  # (an insert may not count: -1)
    db.dispose()


def event(crm, event_id: int) -> dict:
    [row] = crm.rows(select(audit_events).where(audit_events.c.id == event_id))
    return row


def assert_tampering_named(database_url: str, event_row: dict) -> None:
    done = verify(database_url)
    assert done.returncode == 1, done.stdout
    first_bad = f"stream {event_row['stream']}, event #{event_row['seq']} (id {event_row['id']})"
    assert f"first bad: {first_bad}" in done.stderr


# --- the processes that change each business table ---------------------------------------


def credit_limit_changed(crm) -> str:
    crm.deploy("credit_limit_change")
    started = crm.start(
        "credit_limit_change", "giorgos.bd", business_key="C00150", customer_id=CUSTOMER
    )
    instance = started.instance_id
    limit = crm.customer(CUSTOMER)["credit_limit"]
    crm.complete(
        instance,
        "request",
        "giorgos.bd",
        requested_limit=limit + 1000,
        justification="Opens a second shop next month",
    )
    crm.complete(
        instance,
        "analyse_controller",
        "anna.credit",
        recommendation="approve",
        analysis="Pays within terms",
        approved_limit=limit + 800,
    )
    crm.approve(instance, "analyse_controller", "kostas.credit")
    return instance


def stock_reserved(crm) -> str:
    crm.deploy("order_release")
    with crm.engine.uow() as uow:
        order_id, _ = records.create_order(
            uow.session,
            customer_id=CUSTOMER,
            channel="hht",
            warehouse_code="ATH",
            lines=[{"product_code": "P0002", "quantity": 3}],
            emergency=False,
            by="giorgos.bd",
            at=uow.now,
            instance_id=None,
        )
        records.set_status(uow.session, order_id, "clean")
        uow.commit()
    return crm.start("order_release", "giorgos.bd", order_id=order_id).instance_id


def credit_note_issued(crm) -> str:
    crm.engine.deploy(process_files("complaint"), user="lena.owner")
    instance = crm.start(
        "complaint",
        "sofia.cs",
        business_key="C00150",
        customer_id=CUSTOMER,
        kind="invoice_difference",
        description="Billed 12 cases, delivered 10",
        invoice_number="TIM-2026/00412",
        claimed_amount=120.50,
    ).instance_id
    crm.complete(
        instance,
        "check_invoice",
        "anna.credit",
        outcome="accepted",
        resolution="Delivery note shows 10 cases, billed 12",
        credit_amount=120.50,
    )
    crm.approve(instance, "check_invoice", "vasso.finance")
    return instance


def asset_placed(crm) -> str:
    crm.deploy("equipment_request")
    [serial] = crm.rows(
        select(assets.c.serial)
        .where(assets.c.status == "in_stock", assets.c.type == "cooler")
        .order_by(assets.c.serial)
        .limit(1)
    )
    instance = crm.start(
        "equipment_request",
        "giorgos.bd",
        business_key="C00001",
        kind="placement",
        customer_id=1,
        asset_type="cooler",
        description="Asked by the owner on today's visit",
    ).instance_id
    crm.complete(instance, "decide", "alexandra.tm", decision="approve", reason="Busy corner")
    crm.complete(
        instance, "schedule", "irini.service", technician="thanasis.tech", due_on="2026-11-04"
    )
    crm.complete(instance, "work", "thanasis.tech", serial=serial["serial"], work_notes="Installed")
    crm.approve(instance, "work", "irini.service")
    return instance


# Each business table: the process that changes it, where its history is shown, which row.
CASES = {
    "customer": (
        credit_limit_changed,
        customer_changes,
        customer_changes.c.field == "credit_limit",
    ),
    "stock": (stock_reserved, record_changes, record_changes.c.entity == "stock"),
    "credit note": (credit_note_issued, record_changes, record_changes.c.entity == "credit_note"),
    "asset": (asset_placed, record_changes, record_changes.c.entity == "asset"),
}


def history_row(crm, table, which, instance: str) -> dict:
    rows = crm.rows(
        select(table).where(which, table.c.instance_id == instance).order_by(table.c.id)
    )
    assert rows, f"no history row in {table.name} for {instance}"
    return rows[0]


@pytest.mark.parametrize("case", CASES)
def test_an_untouched_business_history_verifies(crm, database_url, case):
    run, table, which = CASES[case]
    instance = run(crm)
    row = history_row(crm, table, which, instance)
    recorded = event(crm, row["audit_event_id"])
    assert recorded["action"] == "data_changed"
    assert (recorded["details"]["old"], recorded["details"]["new"], recorded["actor"]) == (
        row["old_value"],
        row["new_value"],
        row["changed_by"],
    )
    done = verify(database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")


@pytest.mark.parametrize("case", CASES)
def test_an_edited_history_row_is_named_by_its_event(crm, database_url, case):
    run, table, which = CASES[case]
    instance = run(crm)
    row = history_row(crm, table, which, instance)
    tamper(database_url, update(table).where(table.c.id == row["id"]).values(new_value="999999"))
    assert_tampering_named(database_url, event(crm, row["audit_event_id"]))


@pytest.mark.parametrize("case", CASES)
def test_an_edited_change_event_is_named(crm, database_url, case):
    run, table, which = CASES[case]
    instance = run(crm)
    row = history_row(crm, table, which, instance)
    recorded = event(crm, row["audit_event_id"])
    forged = {**recorded["details"], "new": "999999"}
    tamper(
        database_url,
        update(audit_events).where(audit_events.c.id == recorded["id"]).values(details=forged),
    )
    assert_tampering_named(database_url, recorded)


def test_the_first_of_several_edited_stock_rows_is_named(crm, database_url):
    instance = stock_reserved(crm)
    rows = crm.rows(
        select(record_changes)
        .where(record_changes.c.instance_id == instance)
        .order_by(record_changes.c.id)
    )
    assert {r["entity"] for r in rows} >= {"stock", "order_line", "order"}
    first, last = rows[0], rows[-1]
    for row in (last, first):
        tamper(
            database_url,
            update(record_changes).where(record_changes.c.id == row["id"]).values(changed_by="x"),
        )
    assert_tampering_named(database_url, event(crm, first["audit_event_id"]))


def test_a_history_row_without_an_event_is_reported(crm, database_url):
    credit_limit_changed(crm)
    [row] = crm.rows(select(customer_changes).where(customer_changes.c.field == "credit_limit"))
    forged = {k: v for k, v in row.items() if k not in ("id", "audit_event_id")}
    tamper(database_url, insert(customer_changes).values({**forged, "new_value": "5000000"}))
    done = verify(database_url)
    assert done.returncode == 1
    assert "crm_customer_changes row" in done.stderr and "has no audit event" in done.stderr


def test_a_credit_limit_change_is_recorded_with_who_for_whom_and_why(crm):
    instance = credit_limit_changed(crm)
    [row] = crm.rows(select(customer_changes).where(customer_changes.c.instance_id == instance))
    recorded = event(crm, row["audit_event_id"])
    assert recorded["details"] == {
        "entity": "customer",
        "key": str(CUSTOMER),
        "field": "credit_limit",
        "old": row["old_value"],
        "new": row["new_value"],
    }
    assert Decimal(row["new_value"]) - Decimal(row["old_value"]) == 800
    assert (recorded["actor"], recorded["reason"]) == ("kostas.credit", row["reason"])
    assert row["reason"] == "credit limit change approved"
    assert recorded["stream"] == instance
