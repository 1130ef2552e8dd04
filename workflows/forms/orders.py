"""Forms of the order processes: order_cleaning, order_release, emergency_order."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import START, form

CLEANING, RELEASE, EMERGENCY = "order_cleaning", "order_release", "emergency_order"
MAX_LINES = 50
MAX_QUANTITY = 10_000


def _required_when(data: dict[str, Any], field: str, choice: str, *needed: str) -> None:
    """Refuse the form when `field` is `choice` and any of `needed` is missing or empty."""
    if data.get(field) != choice:
        return
    message = f"required when {field} is {choice}"
    missing = {name: [message] for name in needed if not data.get(name)}
    if missing:
        raise ValidationError(missing)


class LineForm(Schema):
    product_code = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=20), validate.Regexp(r"^[A-Z0-9][A-Z0-9-]*$")],
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


def _lines(required: bool = True) -> fields.List:
    return fields.List(
        fields.Nested(LineForm),
        required=required,
        validate=[validate.Length(min=1, max=MAX_LINES), _unique_products],
    )


class OrderForm(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    warehouse_code = fields.String(
        required=True, validate=[validate.Length(equal=3), validate.Regexp(r"^[A-Z]{3}$")]
    )
    lines = _lines()


@form(CLEANING, START)
class CleaningStartForm(OrderForm):
    channel = fields.String(required=True, validate=validate.OneOf(["hht", "call_agent", "phone"]))


@form(CLEANING, "review_order")
class ReviewForm(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["fix", "confirm", "cancel"]))
    corrected_lines = _lines(required=False)
    customer_contact = fields.String(validate=validate.Length(min=3, max=200))
    cancel_reason = fields.String(validate=validate.Length(min=5, max=1000))

    @validates_schema(skip_on_field_errors=False)
    def what_each_outcome_needs(self, data: dict[str, Any], **_: Any) -> None:
        _required_when(data, "outcome", "fix", "corrected_lines")
        _required_when(data, "outcome", "confirm", "customer_contact")
        _required_when(data, "outcome", "cancel", "cancel_reason")


@form(RELEASE, START)
class ReleaseStartForm(Schema):
    order_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


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
class ShortageForm(Schema):
    shortage_decision = fields.String(
        required=True, validate=validate.OneOf(["ship_available", "cancel"])
    )
    cancel_reason = fields.String(validate=validate.Length(min=5, max=1000))
    customer_contact = fields.String(required=True, validate=validate.Length(min=3, max=200))

    @validates_schema(skip_on_field_errors=False)
    def reason_to_cancel(self, data: dict[str, Any], **_: Any) -> None:
        _required_when(data, "shortage_decision", "cancel", "cancel_reason")


@form(RELEASE, "credit_review_controller", "credit_review_finance")
class CreditReviewForm(Schema):
    credit_decision = fields.String(
        required=True, validate=validate.OneOf(["release", "partial", "hold"])
    )
    release_lines = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        validate=validate.Length(max=MAX_LINES),
    )
    analysis = fields.String(required=True, validate=validate.Length(min=10, max=4000))

    @validates_schema(skip_on_field_errors=False)
    def lines_for_a_partial_release(self, data: dict[str, Any], **_: Any) -> None:
        _required_when(data, "credit_decision", "partial", "release_lines")
        lines = data.get("release_lines") or []
        if len(lines) != len(set(lines)):
            raise ValidationError("each line once", "release_lines")


def _iso_date(text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValidationError("give a date as YYYY-MM-DD") from None


@form(RELEASE, "plan_delivery")
class DeliveryForm(Schema):
    delivery_date = fields.String(required=True, validate=_iso_date)
    route = fields.String(load_default="", validate=validate.Length(max=100))


@form(EMERGENCY, START)
class EmergencyStartForm(OrderForm):
    channel = fields.String(required=True, validate=validate.OneOf(["hht", "call_agent"]))
    urgency = fields.String(required=True, validate=validate.Length(min=5, max=1000))


@form(EMERGENCY, "handle_emergency")
class EmergencyForm(Schema):
    emergency_decision = fields.String(
        required=True, validate=validate.OneOf(["release", "cancel"])
    )
    same_day = fields.Boolean(truthy={True}, falsy={False})
    cancel_reason = fields.String(validate=validate.Length(min=5, max=1000))

    @validates_schema(skip_on_field_errors=False)
    def what_each_decision_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("emergency_decision") == "release" and data.get("same_day") is None:
            raise ValidationError("say whether it is delivered today", "same_day")
        _required_when(data, "emergency_decision", "cancel", "cancel_reason")


@form(EMERGENCY, "chase_overdue")
class ChaseForm(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(["chased_agent", "called_customer", "arranged_delivery"]),
    )
    note = fields.String(required=True, validate=validate.Length(min=5, max=1000))
