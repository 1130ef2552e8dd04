"""Audience scopes: only the customer's own BD is consulted and told (docs/raci.md).

The demo matrices scope `bd` to `customer_bd` where a BD is C or I about a customer's
case; runs on SQLite and PostgreSQL (the `database_url` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from engine import SourceFile, views
from engine.errors import InvalidMatrices
from engine.governance import RaciRefusal
from engine.views import oversight, visibility
from engine.views.inbox import inbox_page
from engine.views.inbox_sections import InboxQuery
from engine.views.oversight import InstanceQuery
from raci.visibility import may_see_case, may_see_task
from tests.scenarios.conftest import process_files
from tests.scenarios.test_order_cleaning import COLA, good_customer, take
from workflows.tables import customers

BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}


@pytest.fixture
def crm(crm):
    crm.deploy("order_cleaning", "order_release", "equipment_request")
    return crm


def flagged_order(crm, customer: dict) -> tuple[str, str]:
    """A one-cola order (below the minimum): it waits for cleaning, the BD consulted.
    Return (instance id, review task id)."""
    instance = take(crm, customer["id"], [{"product_code": COLA, "quantity": 1}]).instance_id
    return instance, crm.task(instance, "review_order")


def consultation_of(crm, task_id: str) -> dict:
    [consultation] = views.task_detail(crm.engine.uow(), task_id)["consultations"]
    return consultation


def in_consultations(crm, user: str) -> list[str]:
    """The tasks in `user`'s inbox section "consultations"."""
    page = inbox_page(crm.engine.uow(), user, InboxQuery(section="consultations"))
    listed = [item["id"] for item in page["items"]]
    assert listed == [c["task"]["id"] for c in views.consultations_for(crm.engine.uow(), user)]
    return listed


def test_only_the_customers_own_bd_is_consulted(crm):
    customer = good_customer(crm)
    own, others = customer["bd"], BDS - {customer["bd"]}
    _, task_id = flagged_order(crm, customer)

    consultation = consultation_of(crm, task_id)
    assert (consultation["role"], consultation["routed_to"]) == ("bd", own)
    assert in_consultations(crm, own) == [task_id]
    for other in others:
        assert in_consultations(crm, other) == []
        with pytest.raises(RaciRefusal, match=f"Only {own}, the case's own bd, may answer"):
            crm.engine.answer_consultation(consultation["id"], user=other, comment="Not mine")
    crm.engine.answer_consultation(consultation["id"], user=own, comment="They take a pallet")
    assert consultation_of(crm, task_id)["answered_by"] == own


def test_another_bd_does_not_see_the_customers_task_the_own_bd_does(crm):
    customer = good_customer(crm)
    _, task_id = flagged_order(crm, customer)
    for bd in BDS:
        part = visibility.task_access(crm.engine.uow(), task_id, bd)
        assert may_see_task(crm.engine.directory().users[bd].roles, part) == (
            bd == customer["bd"]
        ), bd


def test_another_bd_sees_the_customers_case_neither_listed_nor_by_its_id(crm):
    """The review's bd is C and I scoped to the customer's own BD: the instance list (SQL)
    and the case check (Python) narrow the role alike, on both databases."""
    customer = good_customer(crm)
    instance, _ = flagged_order(crm, customer)
    for bd in BDS:
        part = visibility.case_part(crm.engine.uow(), instance, bd)
        found = oversight.instances(crm.engine.uow(), InstanceQuery(), viewer=bd, limit=500)
        listed = instance in {item["id"] for item in found["items"]}
        assert may_see_case({"bd"}, part) == listed == (bd == customer["bd"]), bd


def test_only_the_customers_own_bd_is_told(crm):
    customer = good_customer(crm)
    instance, task_id = flagged_order(crm, customer)
    crm.engine.answer_consultation(
        consultation_of(crm, task_id)["id"], user=customer["bd"], comment="Call them"
    )
    crm.complete(
        instance, "review_order", "sofia.cs", outcome="cancel", cancel_reason="Asked by phone"
    )
    crm.approve(instance, "review_order", "maria.cssup")

    assert crm.bds_told(instance, "review_order") == {customer["bd"]}
    for other in BDS - {customer["bd"]}:
        assert not [n for n in crm.engine.notifications(other) if n.instance_id == instance]


def test_a_customer_without_a_bd_leaves_the_whole_role_consulted(crm):
    customer = good_customer(crm)
    with crm.engine.uow() as uow:
        uow.session.execute(
            update(customers).where(customers.c.id == customer["id"]).values(bd=None)
        )
        uow.commit()
    _, task_id = flagged_order(crm, customer)
    assert consultation_of(crm, task_id)["routed_to"] is None
    for bd in BDS:
        assert in_consultations(crm, bd) == [task_id]


def deploy_refused(crm, matrix_text: bytes, changed_to: bytes) -> list[str]:
    """The problems refusing order cleaning deployed with its matrix's text changed."""
    files = [
        SourceFile(f.name, f.content.replace(matrix_text, changed_to))
        if f.name.endswith(".raci.csv")
        else f
        for f in process_files("order_cleaning")
    ]
    with pytest.raises(InvalidMatrices) as refused:
        crm.engine.deploy(files, user="lena.owner")
    return refused.value.problems


def test_an_unknown_scope_refuses_the_deploy_naming_the_row_and_role(crm):
    assert deploy_refused(crm, b"bd[customer_bd]", b"bd[customers_bd]") == [
        "order_cleaning.raci.csv: error: order_cleaning / review_order / bd:"
        " unknown scope 'customers_bd' (known: customer_bd)"
    ]


def test_a_scope_for_a_role_it_cannot_narrow_refuses_the_deploy(crm):
    # The customer's BD is no customer service agent: narrowing cs_agent to them would
    # pass the checks and change nothing.
    assert deploy_refused(crm, b",cs_agent,", b",cs_agent[customer_bd],") == [
        "order_cleaning.raci.csv: error: order_cleaning / review_order / cs_agent:"
        " scope 'customer_bd' narrows only bd"
    ]
