"""Business changes and DMN decisions go on the instance's hash chain, and only what
really happened does: a failed service records none of its changes."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from engine import InstanceStatus, ServiceContext, ServiceRegistry, build_engine, views
from engine.changes import change_text
from tests.conftest import fixture_files
from workflows.history import READ_MODELS
from workflows.tables import record_changes, warehouses


class Warehouses:
    """Opens a warehouse and records it; fails after recording while `broken`."""

    def __init__(self) -> None:
        self.broken = True

    def open(self, ctx: ServiceContext, code: str) -> dict:
        ctx.session.execute(insert(warehouses).values(code=code, name=f"by {ctx.actor}"))
        ctx.record_change("stock", f"{code}/P0001", "on_hand", None, 0, reason="registered")
        if self.broken:
            raise ConnectionError("the ERP did not answer")
        return {"code": code}


@pytest.fixture
def warehouse_service() -> Warehouses:
    return Warehouses()


@pytest.fixture
def engine(database_url, warehouse_service):
    registry = ServiceRegistry()
    registry.register("open_warehouse")(warehouse_service.open)
    registry.register("start_follow_up")(lambda: {})  # writer.bpmn's next step: not needed here
    for model in READ_MODELS:
        registry.add_read_model(model)
    engine = build_engine(database_url, services=registry)
    engine.deploy(fixture_files("writer.bpmn", "approval.bpmn", "approval_level.dmn"), user="o")
    return engine


def changes(engine, instance_id: str) -> list[dict]:
    return views.audit_events(engine.uow(), instance_id=instance_id, action="data_changed")


def test_a_failed_service_records_none_of_its_changes_and_a_retry_records_them_once(
    engine, warehouse_service
):
    failed = engine.start("writer", user="ana", data={"code": "W1"})
    assert failed.status == InstanceStatus.ERROR
    assert changes(engine, failed.instance_id) == []
    assert engine.verify_audit().ok

    warehouse_service.broken = False
    done = engine.retry(failed.instance_id, user="ana")

    assert done.status == InstanceStatus.COMPLETED
    [change] = changes(engine, failed.instance_id)
    assert change["details"] == {
        "entity": "stock",
        "key": "W1/P0001",
        "field": "on_hand",
        "old": None,
        "new": "0",
    }
    assert (change["actor"], change["reason"]) == ("ana", "registered")
    with engine.uow() as uow:
        [row] = uow.session.execute(select(record_changes)).mappings().all()
    assert (row["key"], row["new_value"], row["changed_by"]) == ("W1/P0001", "0", "ana")
    assert engine.verify_audit().ok


def test_each_decision_records_its_table_inputs_matched_rule_and_outputs(engine):
    started = engine.start("approval", user="ana")
    [task] = views.open_tasks(engine.uow(), instance_id=started.instance_id)
    engine.complete(task["id"], user="ana", data={"amount": 5000})

    [decision] = views.audit_events(
        engine.uow(), instance_id=started.instance_id, action="decision"
    )
    details = decision["details"]
    assert decision["actor"] == "ana"
    assert (details["element"], details["table"], details["process_version"]) == (
        "decide",
        "t",
        1,
    )
    assert details["task_name"] == "Decide level"
    assert details["inputs"] == [{"label": "Amount", "expression": "amount", "value": 5000}]
    assert details["rules"] == [{"row": 1, "id": "r1", "description": None}]
    assert details["outputs"] == {"level": "review"}
    assert len(details["table_digest"]) == 16


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (15000.0, "15000"),
        (120.5, "120.5"),
        (True, "true"),
        (3, "3"),
        ("placed", "placed"),
    ],
)
def test_values_are_recorded_as_plain_text(value, text):
    assert change_text(value) == text
