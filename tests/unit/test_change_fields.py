"""What a customer data change may touch, and what needs master data's approval."""

from __future__ import annotations

import pytest

from workflows.change_fields import differing, requested, same_value, split_changes


def test_blank_fields_mean_leave_as_it_is():
    assert requested({"phone": "2101234567", "email": None, "name": ""}) == {"phone": "2101234567"}


def test_contact_details_and_sensitive_fields_are_split():
    contact, sensitive = split_changes(
        {
            "phone": "2101234567",
            "billing_address": {"street": "Ερμού 1", "city": "Αθήνα", "postcode": "10563"},
            "contact": {"name": "Νίκος Νικολάου"},
            "name": "Καφενείο Νέο",
            "afm": "094019245",
            "segment": "B",
            "payment_terms_days": 45,
            "email": None,
        }
    )
    assert set(contact) == {"phone", "billing_address", "contact"}
    assert set(sensitive) == {"name", "afm", "segment", "payment_terms_days"}


@pytest.mark.parametrize("field", ["credit_limit", "status", "bd", "exposure"])
def test_fields_outside_the_process_are_refused(field):
    with pytest.raises(ValueError, match=field):
        split_changes({field: 1})


def test_only_real_changes_are_kept():
    current = {
        "phone": "2101234567",
        "payment_terms_days": 30,
        "billing_address": {"street": "Ερμού 1", "city": "Αθήνα", "postcode": "10563"},
        "name": "Καφενείο",
    }
    changes = {
        "phone": "2101234567",
        "payment_terms_days": 45,
        "billing_address": {"street": "Ερμού 1", "city": "Αθήνα", "postcode": "10563"},
        "name": "Καφενείο Νέο",
    }
    assert differing(changes, current) == {"payment_terms_days": 45, "name": "Καφενείο Νέο"}


def test_values_compare_by_meaning():
    assert same_value(30, 30.0)
    assert same_value(1200.5, 1200.50)
    assert same_value(" Αθήνα", "Αθήνα")
    assert not same_value(None, "x")
    assert not same_value({"street": "Ερμού 1"}, {"street": "Ερμού 2"})
    assert not same_value(None, {"street": "Ερμού 1"})
