"""The case file's lines: notices folded into the act they follow, each kind worded by its
renderer (the trail's future kinds too), read-model changes shown once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import Babel

from web import case_file

AT = "2026-11-02T09:00:00+00:00"


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def event(action: str, seq: int, **fields) -> dict:
    return {
        "id": seq,
        "stream": "i1",
        "seq": seq,
        "occurred_at": AT,
        "actor": fields.pop("actor", "system"),
        "action": action,
        "instance_id": "i1",
        "process_id": "credit_limit_change",
        "task_id": fields.pop("task_id", None),
        "raci_role": fields.pop("raci_role", None),
        "on_behalf_of": None,
        "reason": fields.pop("reason", None),
        "details": fields,
    }


def records(*events: dict) -> dict:
    return {
        "events": list(events),
        "instances": [],
        "tasks": {"t1": "Analyse credit (finance manager sign-off)"},
        "people": {"eleni.bd": "Ελένη Γεωργίου", "nikos.bd": "Νίκος Αντωνίου"},
        "roles": {"finance_manager": "Finance manager", "cfo": "Chief financial officer"},
        "processes": {"credit_limit_change": "Credit limit change"},
    }


def test_notices_fold_into_the_act_they_follow_and_the_signature_says_what_it_means():
    lines = case_file.build(
        records(
            event("task_ready", 1, task_id="t1", element="analyse_finance",
                  raci={"A": "finance_manager"}),
            event("approve", 2, task_id="t1", actor="vasso.finance", raci_role="A",
                  element="analyse_finance"),
            event("notified", 3, task_id="t1", recipient="eleni.bd", after="signoff"),
            event("notified", 4, task_id="t1", recipient="nikos.bd", after="signoff"),
        )
    )  # fmt: skip
    [approval] = lines
    assert approval.meaning == (
        "approved as A of «Analyse credit (finance manager sign-off)» in Credit limit change,"
        " sign-off level: Finance manager"
    )
    assert case_file.notified_summary(approval) == (
        "notified: 2 people (Ελένη Γεωργίου (eleni.bd), Νίκος Αντωνίου (nikos.bd))"
    )


def test_a_signature_raised_by_a_level_table_names_the_level_that_signed():
    authority = {"role": "cfo", "level": "cfo", "decided_by": "approval_level", "inputs": {}}
    [approval] = case_file.build(
        records(
            event("task_ready", 1, task_id="t1", element="analyse_finance",
                  raci={"A": "finance_manager"}),
            event("approve", 2, task_id="t1", actor="petros.cfo", raci_role="A",
                  element="analyse_finance", authority=authority),
        )
    )  # fmt: skip
    assert approval.meaning.endswith("sign-off level: Chief financial officer")


def test_incident_notices_fold_into_the_failure():
    lines = case_file.build(
        records(
            event("error", 1, actor="irini.service", element="complete_request", message="boom"),
            event("notified", 2, task_id="t1", recipient="eleni.bd", after="incident"),
        )
    )
    [failure] = lines
    assert (failure.why, failure.notified) == ("boom", ["Ελένη Γεωργίου (eleni.bd)"])


def test_a_data_change_and_a_decision_are_worded_by_their_renderers():
    """The events as the engine records them (docs/audit.md), in the trail's own words."""
    change, decision = case_file.build(
        records(
            event("data_changed", 1, actor="vasso.finance", reason="credit limit change approved",
                  entity="customer", key="7", field="credit_limit", old="15000", new="20000"),
            event("decision", 2, element="approval_level", table="credit_approval_level_table",
                  table_name=None, process_version=3, hit_policy="FIRST",
                  inputs=[{"label": "Increase (EUR)", "expression": "increase", "value": 5000}],
                  rules=[{"row": 2, "id": "finance", "description": "Finance signs mid-size"}],
                  outputs={"approval_level": "finance_manager"}),
        )
    )  # fmt: skip
    assert case_file.changes_text(change) == ["Credit limit: €15,000.00 → €20,000.00"]
    assert (change.facts, change.why) == (["Customer 7"], "credit limit change approved")
    assert decision.facts == [
        "Table: credit_approval_level_table v3",
        "Inputs: Increase (EUR) = 5,000.00",  # an amount, by its label, with its cents
        "Matched rules: Finance signs mid-size",
        "Outputs: Who approves = Finance manager",  # codes as words (web/vocabulary.py)
    ]


def test_a_voided_signature_shows_what_the_admin_changed_and_why():
    [voided] = case_file.build(
        records(
            event("signoff_voided", 1, actor="admin", task_id="t1",
                  reason="retry with data that changes what was signed",
                  changes={"approved_limit": [20000, 18000]}),
        )
    )  # fmt: skip
    # Worded as the pages word the field: money in euros, as the form showed it.
    assert case_file.changes_text(voided) == ["Approved limit: €20,000.00 → €18,000.00"]
    assert voided.why == "retry with data that changes what was signed"
    assert voided.what == "sign-off voided: the signed data was changed"


def test_a_read_model_change_the_trail_holds_is_shown_once():
    trail = records(
        event("data_changed", 1, actor="vasso.finance", field="credit_limit", old="1", new="2")
    )
    logged = {
        "instance_id": "i1",
        "field": "credit_limit",
        "old_value": "1",
        "new_value": "2.0",
        "changed_by": "vasso.finance",
        "changed_at": datetime(2026, 11, 2, 9, tzinfo=UTC),
    }
    other = {**logged, "field": "payment_terms_days", "old_value": "30", "new_value": "60"}
    lines = case_file.build(trail, [logged, other])
    assert [case_file.changes_text(line) for line in lines] == [
        ["Credit limit: €1.00 → €2.00"],
        ["Payment terms (days): 30 → 60"],
    ]


def test_order_lines_read_in_the_readers_numbers_without_record_ids():
    """The auditor's file showed "Unit price: 0.45", "Discount percent: 2.5" and the
    order's database id to a Greek reader."""
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "el")
    line = {"product_code": "P1", "quantity": 3, "unit_price": 0.45, "discount_percent": 2.5}
    with app.test_request_context():
        shown = case_file.show([{**line, "order_id": 4}])
    assert "Unit price: 0,45 €" in shown and "Discount percent: 2,5" in shown
    assert "0.45" not in shown and "2.5" not in shown and "Order" not in shown
