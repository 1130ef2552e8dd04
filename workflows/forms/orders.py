"""Forms of the order processes: order_cleaning, order_release, emergency_order."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from raci.messages import N_

from . import START, form
from .days import delivery_day
from .needed import Form, needed_when
from .record_ids import record_id

CLEANING, RELEASE, EMERGENCY = "order_cleaning", "order_release", "emergency_order"
MAX_LINES = 50
MAX_QUANTITY = 10_000


class Code(fields.String):
    """A product or warehouse code as people type it: surrounding spaces dropped, in capitals."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


class LineForm(Schema):
    product_code = Code(
        required=True,
        validate=[validate.Length(min=1, max=20), validate.Regexp(r"^[A-Z0-9][A-Z0-9-]*$")],
        metadata={"suggest": "products"},  # the page offers the catalogue (web/suggestions.py)
    )
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY)
    )
    unit_price = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0.01, max=100_000)
    )
    discount_pct = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=100))


def _unique_products(lines: list[dict[str, Any]]) -> None:
    codes = [line["product_code"] for line in lines]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError(f"one line per product: {', '.join(repeated)} repeated")


def _lines(**kwargs: Any) -> fields.List:
    """Order lines: blank rows are dropped before this, so at least one must be left."""
    return fields.List(
        fields.Nested(LineForm),
        validate=[
            validate.Length(min=1, error="give at least one order line"),
            validate.Length(max=MAX_LINES, error="at most {max} lines in one order"),
            _unique_products,
        ],
        **kwargs,
    )


class OrderForm(Schema):
    customer_id = record_id(required=True)
    warehouse_code = Code(
        required=True,
        validate=[validate.Length(equal=3), validate.Regexp(r"^[A-Z]{3}$")],
        # A few: a select of them by name, never a typed code.
        metadata={"choose_from": "warehouses", "label": "Warehouse"},
    )
    lines = _lines(required=True)


@form(CLEANING, START)
class CleaningStartForm(OrderForm):
    channel = fields.String(required=True, validate=validate.OneOf(["hht", "call_agent", "phone"]))


@form(CLEANING, "review_order")
class ReviewForm(Form):
    """Fix the lines, confirm them with the customer, or cancel: each needs only its own."""

    outcome = fields.String(required=True, validate=validate.OneOf(["fix", "confirm", "cancel"]))
    # The order's lines as registered, with their prices, to begin with: an agent corrects
    # them rather than retyping, and the supervisor signs lines whose total is known.
    corrected_lines = _lines(metadata={**needed_when(outcome="fix"), "starts_from": "order.lines"})
    customer_contact = fields.String(
        validate=validate.Length(min=3, max=200), metadata=needed_when(outcome="confirm")
    )
    cancel_reason = fields.String(
        validate=validate.Length(min=5, max=1000), metadata=needed_when(outcome="cancel")
    )


@form(RELEASE, START)
class ReleaseStartForm(Schema):
    order_id = record_id(required=True)


class SubstituteDecision(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "decline"]))


def _one_per_line(decisions: list[dict[str, Any]]) -> None:
    numbers = [d["line_no"] for d in decisions]
    if len(numbers) != len(set(numbers)):
        raise ValidationError("one decision per line")


@form(RELEASE, "offer_substitutes")
class SubstitutesForm(Schema):
    decisions = fields.List(
        fields.Nested(SubstituteDecision),
        required=True,
        validate=[validate.Length(min=1, max=MAX_LINES), _one_per_line],
    )
    customer_contact = fields.String(required=True, validate=validate.Length(min=3, max=200))


@form(RELEASE, "resolve_shortage")
class ShortageForm(Form):
    shortage_decision = fields.String(
        required=True, validate=validate.OneOf(["ship_available", "cancel"])
    )
    cancel_reason = fields.String(
        validate=validate.Length(min=5, max=1000),
        metadata=needed_when(shortage_decision="cancel"),
    )
    customer_contact = fields.String(required=True, validate=validate.Length(min=3, max=200))


@form(RELEASE, "credit_review_controller", "credit_review_finance")
class CreditReviewForm(Form):
    credit_decision = fields.String(
        required=True, validate=validate.OneOf(["release", "partial", "hold"])
    )
    release_lines = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        validate=validate.Length(max=MAX_LINES),
        metadata={
            **needed_when(credit_decision="partial"),
            "description": N_("The order's line numbers (1, 2, ...), not product codes."),
        },
    )
    analysis = fields.String(required=True, validate=validate.Length(min=10, max=4000))

    @validates_schema(skip_on_field_errors=False)
    def lines_for_a_partial_release(self, data: dict[str, Any], **_: Any) -> None:
        lines = data.get("release_lines") or []
        if len(lines) != len(set(lines)):
            raise ValidationError("each line once", "release_lines")


@form(RELEASE, "plan_delivery")
class DeliveryForm(Schema):
    delivery_date = fields.Date(required=True, validate=delivery_day)
    route = fields.String(load_default="", validate=validate.Length(max=100))

    @post_load
    def as_text(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "delivery_date": data["delivery_date"].isoformat()}  # data is JSON


@form(EMERGENCY, START)
class EmergencyStartForm(OrderForm):
    channel = fields.String(required=True, validate=validate.OneOf(["hht", "call_agent"]))
    urgency = fields.String(required=True, validate=validate.Length(min=5, max=1000))


@form(EMERGENCY, "handle_emergency")
class EmergencyForm(Form):
    emergency_decision = fields.String(
        required=True, validate=validate.OneOf(["release", "cancel"])
    )
    same_day = fields.Boolean(truthy={True}, falsy={False})
    cancel_reason = fields.String(
        validate=validate.Length(min=5, max=1000),
        metadata=needed_when(emergency_decision="cancel"),
    )

    @validates_schema(skip_on_field_errors=False)
    def what_each_decision_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("emergency_decision") == "release" and data.get("same_day") is None:
            raise ValidationError("say whether it is delivered today", "same_day")


@form(EMERGENCY, "chase_overdue")
class ChaseForm(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(["chased_agent", "called_customer", "arranged_delivery"]),
    )
    note = fields.String(required=True, validate=validate.Length(min=5, max=1000))
