"""Services that write business data share the command's transaction, and may chain processes."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from engine import InstanceStatus, ServiceContext, ServiceRegistry, build_engine, views
from tests.conftest import fixture_files
from workflows.tables import warehouses


class Warehouses:
    """Opens a warehouse row, then fails while `broken`: like a half-done business update."""

    def __init__(self) -> None:
        self.broken = True

    def open(self, ctx: ServiceContext, code: str) -> dict:
        ctx.session.execute(insert(warehouses).values(code=code, name=f"by {ctx.actor}"))
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

    @registry.register("start_follow_up")
    def start_follow_up(ctx: ServiceContext) -> dict:
        child = ctx.start_process("timer_wait", {"source": ctx.instance_id}, business_key="next")
        return {"instance_id": child}

    engine = build_engine(database_url, services=registry)
    engine.deploy(fixture_files("writer.bpmn", "timer_wait.bpmn"), user="owner")
    return engine


def codes(engine) -> list[str]:
    with engine.uow() as uow:
        return list(uow.session.scalars(select(warehouses.c.code)))


def test_a_failing_service_leaves_none_of_its_writes_and_a_retry_completes_once(
    engine, warehouse_service
):
    failed = engine.start("writer", user="ana", data={"code": "W1"})
    assert failed.status == InstanceStatus.ERROR
    assert "the ERP did not answer" in failed.error
    assert codes(engine) == []  # the savepoint dropped the half-done write

    warehouse_service.broken = False
    done = engine.retry(failed.instance_id, user="ana")

    assert done.status == InstanceStatus.COMPLETED
    assert codes(engine) == ["W1"]


def test_a_service_starts_a_follow_up_process_in_the_same_transaction(engine, warehouse_service):
    warehouse_service.broken = False
    parent = engine.start("writer", user="ana", data={"code": "W2"})

    [event] = [
        e
        for e in views.audit_events(engine.uow(), action="start")
        if e["process_id"] == "timer_wait"
    ]
    assert event["details"]["started_by_instance"] == parent.instance_id
    assert event["actor"] == "ana"
    child = views.instance(engine.uow(), event["instance_id"])
    assert (child["status"], child["business_key"]) == ("waiting", "next")
    assert views.instance(engine.uow(), parent.instance_id)["status"] == "completed"
