"""Each CRM case names its customer and its key figure for the inbox, from its data."""

from __future__ import annotations

from workflows.customer_search import name_pattern
from workflows.key_figures import summary


def test_a_credit_change_shows_the_limit_asked_for():
    data = {"customer_id": 7, "requested_limit": 45000.0, "profile": {"name": "Φούρνος"}}
    assert summary("credit_limit_change", data) == {
        "customer_id": 7,
        "figure": "requested_limit",
        "value": 45000.0,
        "kind": "money",
    }


def test_a_credit_change_not_yet_asked_shows_the_current_limit_as_such():
    data = {"customer_id": 7, "profile": {"name": "Φούρνος", "credit_limit": 2000}}
    found = summary("credit_limit_change", data)
    assert (found["figure"], found["value"]) == ("current_limit", 2000)
    data["requested_limit"] = 5000
    assert summary("credit_limit_change", data)["figure"] == "requested_limit"


def test_an_order_shows_its_amount_and_customer_from_the_registered_order():
    data = {"order": {"customer_id": 2, "customer_name": "Μίνι Μάρκετ", "total": 44.55}}
    assert summary("emergency_order", data) == {
        "customer_id": 2,
        "customer_name": "Μίνι Μάρκετ",
        "figure": "order_amount",
        "value": 44.55,
        "kind": "money",
    }
    released = summary("order_release", {"order_id": 1, "credit": {"total": 10.0}})
    assert released == {"figure": "order_amount", "value": 10.0, "kind": "money"}


def test_an_emergency_order_and_the_release_it_sends_are_urgent_others_not():
    emergency = {"order": {"customer_id": 2, "total": 44.55, "emergency": True}}
    assert summary("emergency_order", emergency)["urgent"] is True
    release = {"order_id": 1, "emergency": True, "credit": {"total": 44.55}}
    assert summary("order_release", release)["urgent"] is True
    for ordinary in ({"order_id": 1, "emergency": False}, {"order_id": 1}):
        assert "urgent" not in (summary("order_release", ordinary) or {})
    assert "urgent" not in summary("order_release", {"emergency": "yes", "credit": {"total": 1}})


def test_a_customer_to_be_is_named_from_the_request():
    found = summary("customer_onboarding", {"name": "Ψητοπωλείο", "average_order_value": 420})
    assert found["customer_name"] == "Ψητοπωλείο" and found["value"] == 420


def test_what_is_missing_or_malformed_is_left_out():
    assert summary("customer_data_change", {"customer_id": 33}) == {"customer_id": 33}
    assert summary("credit_limit_change", {"requested_limit": "lots"}) is None
    assert summary("credit_limit_change", {"customer_id": True}) is None
    assert summary("equipment_request", {"asset_type": "x" * 500}) is None
    assert summary("unknown_process", {}) is None


def test_a_typed_name_becomes_a_folded_escaped_pattern():
    assert name_pattern("  ΤΑΒΈΡΝΑ ") == "%ταβερνα%"
    assert name_pattern("%") is None and name_pattern("  ") is None
    assert name_pattern("a" * 1000) == "%" + "a" * 200 + "%"


def test_a_recommended_limit_is_the_credit_changes_figure_once_there():
    data = {"requested_limit": 6000.0, "approved_limit": 60000.0}
    assert summary("credit_limit_change", data)["figure"] == "new_limit"
    assert summary("credit_limit_change", data)["value"] == 60000.0


def test_onboarding_terms_and_a_terms_change_show_what_is_signed():
    set_terms = {"average_order_value": 400.0, "credit_limit": 10000.0}
    assert summary("customer_onboarding", set_terms)["figure"] == "credit_limit"
    assert summary("customer_onboarding", {"average_order_value": 400.0})["value"] == 400.0
    terms = summary("customer_data_change", {"payment_terms_days": 180})
    assert (terms["figure"], terms["value"], terms["kind"]) == ("payment_terms_days", 180, "number")


def test_a_corrected_order_shows_the_corrected_total_not_the_registered_one():
    case = {"order": {"total": 1406.8}}
    fix = {
        "outcome": "fix",
        "corrected_lines": [
            {"product_code": "P0005", "quantity": 120, "unit_price": 12.45, "discount_pct": 10.0},
            {"product_code": "P0010", "quantity": 20, "unit_price": 20.54, "discount_pct": 0.0},
        ],
    }
    assert summary("order_cleaning", fix)["value"] == 1755.40  # 1344.60 + 410.80
    assert summary("order_cleaning", {**case, **fix})["value"] == 1755.40
    # Not a correction, or a line priced only by the catalogue: the order's own total.
    assert summary("order_cleaning", {**case, **fix, "outcome": "confirm"})["value"] == 1406.8
    unpriced = [{"product_code": "P0005", "quantity": 3, "unit_price": None}]
    assert summary("order_cleaning", {**case, **fix, "corrected_lines": unpriced})["value"] == (
        1406.8
    )
