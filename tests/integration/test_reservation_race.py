"""Two orders reserving the last units at the same time: one gets them, stock never goes below.

Each order is released by its own OS process with its own connection, and both
are held at a barrier just before they lock the stock row, so that they really
ask for the same units at the same moment.
"""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine import build_engine
from raci.directory_io import load_directory
from tests.scenarios.conftest import DEMO_DIRECTORY, process_files
from workflows.demo.data import load_demo_data
from workflows.orders import records, stock
from workflows.services import build_registry
from workflows.tables import customers, order_lines, orders
from workflows.tables import stock as stock_table

WATER, SUBSTITUTES, LAST_UNITS = "P0002", ("P0014", "P0026"), 5


def _set_stock(session, product: str, on_hand: int) -> None:
    session.execute(
        update(stock_table)
        .where(stock_table.c.warehouse_code == "ATH", stock_table.c.product_code == product)
        .values(on_hand=on_hand, reserved=0, allocated=0)
    )


@pytest.fixture
def crm_engine(database_url):
    engine = build_engine(database_url, services=build_registry())
    engine.import_directory(
        load_directory(DEMO_DIRECTORY.name, DEMO_DIRECTORY.read_bytes()), user="admin"
    )
    with engine.uow() as uow:
        load_demo_data(uow.session, uow.now)
        _set_stock(uow.session, WATER, LAST_UNITS)
        for product in SUBSTITUTES:  # nothing to offer instead: the loser is simply short
            _set_stock(uow.session, product, 0)
        uow.commit()
    engine.deploy(process_files("order_release"), user="lena.owner")
    return engine


def _orders_for_the_last_units(engine) -> list[int]:
    """Two clean orders of overdue customers (so they stop, blocked for credit, holding stock)."""
    with engine.uow() as uow:
        buyers = uow.session.scalars(
            select(customers.c.id)
            .where(customers.c.overdue_balance > 0, customers.c.overdue_days <= 60)
            .order_by(customers.c.id)
            .limit(2)
        ).all()
        ids = []
        for buyer in buyers:
            order_id, _ = records.create_order(
                uow.session,
                customer_id=buyer,
                channel="hht",
                warehouse_code="ATH",
                lines=[{"product_code": WATER, "quantity": LAST_UNITS}],
                emergency=False,
                by="giorgos.bd",
                at=uow.now,
                instance_id=None,
            )
            records.set_status(uow.session, order_id, "clean")
            ids.append(order_id)
        uow.commit()
    return ids


def _release_in_child(url, order_id, barrier, results):
    """Release one order, waiting for the other process just before locking the stock."""
    engine = build_engine(url, services=build_registry())
    original, waited = stock.lock_stock, []

    def lock_when_both_are_ready(*args, **kwargs):
        if not waited:  # only the reservation races; later locks need no company
            waited.append(True)
            barrier.wait(timeout=30)
        return original(*args, **kwargs)

    stock.lock_stock = lock_when_both_are_ready
    try:
        state = engine.start("order_release", user="giorgos.bd", data={"order_id": order_id})
        results.put((order_id, str(state.status), state.error))
    except Exception as err:  # report it to the parent rather than die silently
        results.put((order_id, "raised", repr(err)))


@pytest.mark.postgres
def test_two_orders_racing_for_the_last_units_on_postgresql(crm_engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "the reservation race needs PostgreSQL's row locks; SQLite serialises every "
            "writer (BEGIN IMMEDIATE), so two reservations can never overlap there"
        )
    order_ids = _orders_for_the_last_units(crm_engine)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_release_in_child, args=(database_url, order_id, barrier, results))
        for order_id in order_ids
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in workers)

    assert [status for _, status, _ in outcomes] == ["waiting", "waiting"], outcomes
    with crm_engine.uow() as uow:
        got = dict(
            uow.session.execute(
                select(order_lines.c.order_id, order_lines.c.reserved).where(
                    order_lines.c.order_id.in_(order_ids)
                )
            ).all()
        )
        statuses = dict(
            uow.session.execute(
                select(orders.c.id, orders.c.status).where(orders.c.id.in_(order_ids))
            ).all()
        )
        row = uow.session.execute(
            select(stock_table).where(
                stock_table.c.warehouse_code == "ATH", stock_table.c.product_code == WATER
            )
        ).one()
    assert sorted(got.values()) == [0, LAST_UNITS]  # exactly one got the last units
    winner = next(order_id for order_id, units in got.items() if units)
    loser = next(order_id for order_id in order_ids if order_id != winner)
    assert (statuses[winner], statuses[loser]) == ("blocked_credit", "blocked_stock")
    assert (row.on_hand, row.reserved, row.allocated) == (LAST_UNITS, LAST_UNITS, 0)


def test_the_database_refuses_to_overcommit_stock(crm_engine):
    with crm_engine.uow() as uow, pytest.raises(IntegrityError, match="not_overcommitted"):
        uow.session.execute(
            update(stock_table)
            .where(stock_table.c.warehouse_code == "ATH", stock_table.c.product_code == WATER)
            .values(reserved=LAST_UNITS, allocated=1)
        )
        uow.session.flush()
