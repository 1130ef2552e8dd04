"""The change a signer lets through, found in the case data for the tasks that have one."""

from __future__ import annotations

from workflows.signed_changes import before_and_after, signed_change

PROCESS, TASK = "customer_data_change", "submit_sensitive_change"


def test_the_sensitive_change_is_what_master_data_signs():
    case = {"sensitive_check": {"pending": {"segment": "B"}, "problems": [], "ok": True}}
    assert signed_change(PROCESS, TASK, case) == {"segment": "B"}


def test_no_change_to_show_is_none():
    assert signed_change(PROCESS, TASK, {}) is None
    assert signed_change(PROCESS, TASK, {"sensitive_check": {"pending": {}}}) is None
    assert signed_change(PROCESS, TASK, {"sensitive_check": "odd"}) is None
    assert signed_change("credit_limit_change", "analyse_controller", {"x": 1}) is None


def test_each_signed_field_reads_as_it_is_now_and_as_it_will_be():
    customer = {"segment": "C", "name": "Καφετέρια Ιωάννου", "afm": "094014201"}
    change = {"segment": "B", "afm": "998877665"}
    assert before_and_after(change, customer) == [
        ("segment", "C", "B"),
        ("afm", "094014201", "998877665"),
    ]
    assert before_and_after(change, None) == [("segment", None, "B"), ("afm", None, "998877665")]


def test_a_recommended_limit_is_the_credit_limit_once_signed_a_declined_one_nothing():
    from workflows.signed_changes import submitted_change

    approve = {"recommendation": "approve", "approved_limit": 13000.0, "analysis": "..."}
    assert submitted_change("credit_limit_change", "analyse_cfo", approve) == {
        "credit_limit": 13000.0
    }
    decline = {**approve, "recommendation": "decline"}
    assert submitted_change("credit_limit_change", "analyse_cfo", decline) is None
    assert submitted_change("credit_limit_change", "request", approve) is None
