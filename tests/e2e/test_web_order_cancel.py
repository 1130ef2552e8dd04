"""Cancelling the case of a released order, from its page: refused, in words, nothing
changed. A call agent had cancelled one: the order stayed released, its stock out and
the customer owing it, and nobody planned the delivery."""

from __future__ import annotations

from engine import SourceFile, views
from tests.e2e.staff_helpers import ROOT, requested, sign_in
from workflows.orders import records

pytest_plugins = ["tests.e2e.staff_helpers"]


def released_order_case(crm) -> tuple[str, int]:
    """An order release case started by the call agent, its order released meanwhile."""
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("order_release.*"))]
    crm.deploy(files, user="lena.owner")
    with crm.uow() as uow:
        order_id, _ = records.create_order(
            uow.session,
            customer_id=12,
            channel="call_agent",
            warehouse_code="ATH",
            lines=[{"product_code": "P0005", "quantity": 1}],
            emergency=False,
            by="katerina.call",
            at=uow.now,
            instance_id=None,
        )
        number = records.get_order(uow.session, order_id)["number"]
        uow.commit()
    started = crm.start(
        "order_release", user="admin", data={"order_id": order_id}, business_key=number
    )
    with crm.uow() as uow:
        records.set_status(uow.session, order_id, "released")
        uow.commit()
    return started.instance_id, order_id


def test_the_case_of_a_released_order_is_not_cancelled_from_its_page(web_app, crm):
    instance_id, order_id = released_order_case(crm)
    admin = sign_in(web_app, "admin")
    answer = admin.post(f"/instances/{instance_id}/cancel", {"reason": "the customer called"})
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "is released: its case goes on to the delivery, not cancelled" in page
    assert 'class="flash error"' in page and "Not cancelled: order" in page
    assert page.index("Not cancelled: order") < page.index('name="reason"')
    assert "undoing its effects failed" not in page
    assert views.instance(crm.uow(), instance_id)["status"] != "cancelled"
    with crm.uow() as uow:
        assert records.get_order(uow.session, order_id)["status"] == "released"


def test_a_cancel_that_lost_the_race_shows_the_case_as_it_is_now(web_app, crm, monkeypatch):
    """The page said "already cancelled" at the top, and below still showed the case
    waiting, with the cancel form offered again."""
    task = requested(crm)
    instance_id = views.task_detail(crm.uow(), task)["instance_id"]
    cancel = crm.cancel

    def cancelled_first_by_someone_else(instance_id: str, **how: str) -> None:
        cancel(instance_id, user="giorgos.bd", reason="the customer withdrew")
        cancel(instance_id, **how)

    monkeypatch.setattr(crm, "cancel", cancelled_first_by_someone_else)
    answer = sign_in(web_app, "admin").post(
        f"/instances/{instance_id}/cancel", {"reason": "duplicate request"}
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Not cancelled:" in page
    assert 'name="reason"' not in page  # nothing left to cancel
    assert views.instance(crm.uow(), instance_id)["status"] == "cancelled"
