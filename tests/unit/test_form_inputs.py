"""What people type into forms: numbers in their locale, decisions that need only their own
fields, dates that must not be over, Greek invoice numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from engine.clock import at_time
from web.form_render import bind, form_fields
from web.form_values import format_number, parse_form, parse_number
from workflows.forms import schema_for
from workflows.forms.needed import NEEDED

NOON = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Athens


@pytest.mark.parametrize(
    ("typed", "locale", "number"),
    [
        ("1.234,50", "el", Decimal("1234.50")),  # thousands dot, decimal comma
        ("1234,5", "el", Decimal("1234.5")),
        ("1234.5", "el", Decimal("1234.5")),  # a keypad's dot: one mark, not a grouping
        ("1.234", "el", Decimal("1234")),  # a Greek grouping
        ("1 234,50", "el", Decimal("1234.50")),
        ("1,234.50", "en", Decimal("1234.50")),
        ("5.000,00", "en", Decimal("5000.00")),  # Greek in the English UI: still a number
        ("-3,5", "el", Decimal("-3.5")),
    ],
)
def test_numbers_are_read_as_written_in_the_users_locale(typed, locale, number):
    assert parse_number(typed, locale) == number


@pytest.mark.parametrize("garbage", ["abc", "1,2,3", "12..5", "1.2.3,4,5", "€"])
def test_garbage_is_no_number(garbage):
    assert parse_number(garbage, "el") is None


def test_numbers_are_shown_back_so_that_they_read_back_the_same():
    assert format_number(1234.5, "el") == "1234,5" and format_number(15000.0, "el") == "15000"
    assert parse_number(format_number(0.01, "el"), "el") == Decimal("0.01")


def test_a_greek_number_reaches_the_schema_as_a_number_and_garbage_as_text():
    inputs = form_fields(schema_for("order_cleaning", "start"))
    form = MultiDict(
        {"lines-0-product_code": "P0005", "lines-0-quantity": "1.000", "lines-0-unit_price": "2,5"}
    )
    data, errors = parse_form(inputs, form, locale="el")
    assert errors == {} and data["lines"] == [
        {"product_code": "P0005", "quantity": 1000, "unit_price": 2.5}
    ]
    data, _ = parse_form(inputs, MultiDict({"lines-0-unit_price": "δύο"}), locale="el")
    assert data["lines"] == [{"unit_price": "δύο"}]  # the schema says "Not a valid number."


def review(**data):
    return schema_for("order_cleaning", "review_order").load(data)


def test_a_cancelled_review_needs_only_its_reason():
    assert review(outcome="cancel", cancel_reason="blocked by credit control") == {
        "outcome": "cancel",
        "cancel_reason": "blocked by credit control",
    }


@pytest.mark.parametrize(
    ("outcome", "needed"),
    [("fix", "corrected_lines"), ("confirm", "customer_contact"), ("cancel", "cancel_reason")],
)
def test_each_outcome_needs_its_own_field(outcome, needed):
    with pytest.raises(ValidationError) as refused:
        review(outcome=outcome)
    assert refused.value.messages == {needed: [NEEDED]}


def test_a_field_refused_for_its_own_reason_gets_one_message():
    with pytest.raises(ValidationError) as refused:
        review(outcome="cancel", cancel_reason="no")
    assert refused.value.messages == {"cancel_reason": ["Length must be between 5 and 1000."]}


def test_the_page_knows_what_each_choice_needs():
    bound = bind(schema_for("order_cleaning", "review_order"))
    fields = {f.name: f for f in bound.fields}
    assert fields["cancel_reason"].needed_when == (("outcome", ("cancel",)),)
    assert not fields["cancel_reason"].required
    assert fields["corrected_lines"].needed_when_json == '{"outcome": ["fix"]}'
    assert list(bound.rows(fields["corrected_lines"])) == [0]  # one spare row, not five


def test_an_order_needs_at_least_one_line():
    start = schema_for("order_cleaning", "start")
    with pytest.raises(ValidationError) as refused:
        start.load({"customer_id": 1, "warehouse_code": "ATH", "channel": "phone", "lines": []})
    assert refused.value.messages == {"lines": ["give at least one order line"]}


def plan(day: str) -> dict:
    return schema_for("order_release", "plan_delivery").load({"delivery_date": day})


def test_a_delivery_is_not_planned_for_a_day_that_is_over():
    assert at_time(NOON, plan, "2026-11-04") == {"delivery_date": "2026-11-04", "route": ""}
    with pytest.raises(ValidationError, match="that day is over"):
        at_time(NOON, plan, "2026-11-03")


@pytest.mark.parametrize(
    "process, task", [("order_release", "plan_delivery"), ("complaint", "arrange_replacement")]
)
def test_a_delivery_more_than_60_days_ahead_is_a_slip_not_a_plan(process, task):
    """A replacement's delivery on 2099-12-31 was accepted and the case completed."""
    base = {"outcome": "accepted", "resolution": "Νέο κιβώτιο"} if task != "plan_delivery" else {}
    load = schema_for(process, task).load
    assert at_time(NOON, load, {**base, "delivery_date": "2027-01-03"})["delivery_date"] == (
        "2027-01-03"
    )  # 60 days from 2026-11-04
    for day in ("2027-01-04", "2099-12-31"):
        with pytest.raises(ValidationError, match="at most 60 days ahead"):
            at_time(NOON, load, {**base, "delivery_date": day})


def schedule(day: str) -> dict:
    data = {"technician": "stelios.tech", "due_on": day}
    return schema_for("equipment_request", "schedule").load(data)


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        ("2026-11-03", "that day is over"),
        ("2026-11-07", "weekends"),
        ("2027-03-01", "60 days"),
    ],
)
def test_a_technician_is_scheduled_only_for_a_bookable_day(day, problem):
    assert at_time(NOON, schedule, "2026-11-05")["due_on"] == "2026-11-05"
    with pytest.raises(ValidationError, match=problem):
        at_time(NOON, schedule, day)


@pytest.mark.parametrize("number", ["ΤΔΑ-0042", "ΤΙΜ/2026/17", "INV-2026-7", "τδα-42"])
def test_greek_invoice_numbers_are_accepted(number):
    data = {
        "customer_id": 1,
        "kind": "invoice_difference",
        "description": "Χρεώθηκαν 10 κιβώτια αντί για 8",
        "invoice_number": number,
        "claimed_amount": 12.5,
    }
    assert schema_for("complaint", "start").load(data)["invoice_number"] == number.upper()
