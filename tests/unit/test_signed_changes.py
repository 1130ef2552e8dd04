"""The change a signer lets through, found in the case data for the tasks that have one."""

from __future__ import annotations

from workflows.signed_changes import signed_change

PROCESS, TASK = "customer_data_change", "submit_sensitive_change"


def test_the_sensitive_change_is_what_master_data_signs():
    case = {"sensitive_check": {"pending": {"segment": "B"}, "problems": [], "ok": True}}
    assert signed_change(PROCESS, TASK, case) == {"segment": "B"}


def test_no_change_to_show_is_none():
    assert signed_change(PROCESS, TASK, {}) is None
    assert signed_change(PROCESS, TASK, {"sensitive_check": {"pending": {}}}) is None
    assert signed_change(PROCESS, TASK, {"sensitive_check": "odd"}) is None
    assert signed_change("credit_limit_change", "analyse_controller", {"x": 1}) is None
