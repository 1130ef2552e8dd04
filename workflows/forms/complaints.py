"""Forms of the customer complaint process."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from ..complaint_rules import CHANNELS, KINDS, OUTCOMES, has_cents_at_most
from . import START, form
from .days import delivery_day
from .needed import Form, needed_when
from .record_ids import record_id

PROCESS = "complaint"
MAX_AMOUNT = 1_000_000  # EUR; a larger claim is a dispute for the lawyers, not a complaint
INVOICE_NUMBER = validate.Regexp(  # Greek or Latin letters: "ΤΔΑ-0042" as well as "INV/2026/7"
    r"^[^\W_](?:[^\W_]|[/-]){2,29}$",
    error="an invoice number is 3-30 letters, digits, '/' or '-'",
)


def _money(**kwargs: Any) -> fields.Float:
    return fields.Float(
        validate=validate.Range(min=0, max=MAX_AMOUNT, min_inclusive=False), **kwargs
    )


def _check_cents(value: float | None) -> None:
    if value is not None and not has_cents_at_most(value):
        raise ValidationError("an amount has at most two decimals")


@form(PROCESS, START)
class StartForm(Form):
    """What the BD, call agent or customer service agent takes down from the customer."""

    customer_id = record_id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = fields.String(required=True, validate=validate.Length(min=10, max=2000))
    invoice_number = fields.String(
        load_default=None,
        allow_none=True,
        metadata=needed_when(
            kind="invoice_difference", error="give the invoice the difference is on"
        ),
    )
    claimed_amount = _money(
        load_default=None,
        allow_none=True,
        metadata=needed_when(
            kind="invoice_difference", error="give the amount the customer claims"
        ),
    )

    @validates("invoice_number")
    def invoice_number_format(self, value: str | None, **_: Any) -> None:
        if value is not None:
            INVOICE_NUMBER(value.strip().upper())

    @validates("claimed_amount")
    def claimed_in_cents(self, value: float | None, **_: Any) -> None:
        _check_cents(value)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def only_an_invoice_difference_claims(
        self, data: dict[str, Any], original: dict[str, Any], **_: Any
    ) -> None:
        # Judged on what was sent, so that a malformed value gets one message, not two.
        sent = {key for key, value in original.items() if value not in (None, "")}
        if data.get("kind") != "invoice_difference" and "claimed_amount" in sent:
            raise ValidationError("only an invoice difference claims an amount", "claimed_amount")

    @post_load
    def normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("invoice_number"):
            data["invoice_number"] = data["invoice_number"].strip().upper()
        data["description"] = data["description"].strip()
        return data


class HandlingForm(Schema):
    """The handler's verdict: is the complaint justified, and what was done."""

    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    resolution = fields.String(required=True, validate=validate.Length(min=10, max=2000))


@form(PROCESS, "quality_check")
class QualityCheckForm(HandlingForm):
    batch_number = fields.String(load_default=None, validate=validate.Length(min=1, max=30))

    @post_load
    def name_the_batch(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Part of the resolution text, so the stored resolution says which batch was checked.
        if data.get("batch_number"):
            data["resolution"] = f"{data['resolution'].strip()} (batch {data['batch_number']})"
        return data


@form(PROCESS, "arrange_replacement")
class ReplacementForm(HandlingForm, Form):
    delivery_date = fields.Date(
        load_default=None,
        validate=delivery_day,
        metadata=needed_when(outcome="accepted", error="give the day the replacement is delivered"),
    )

    @post_load
    def name_the_delivery(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        delivery = data.pop("delivery_date", None)
        if delivery is not None:  # stored as ISO text: task data must be JSON
            data["delivery_date"] = delivery.isoformat()
            if data["outcome"] == "accepted":
                data["resolution"] = f"{data['resolution'].strip()} (delivery {delivery})"
        return data


@form(PROCESS, "check_invoice", "check_invoice_cfo")
class InvoiceCheckForm(HandlingForm, Form):
    credit_amount = _money(
        load_default=None,
        metadata=needed_when(outcome="accepted", error="give the amount to credit"),
    )

    @validates("credit_amount")
    def credit_in_cents(self, value: float | None, **_: Any) -> None:
        _check_cents(value)

    @validates_schema(skip_on_field_errors=False)
    def credit_only_when_confirmed(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") != "accepted" and data.get("credit_amount") is not None:
            raise ValidationError("a rejected difference is not credited", "credit_amount")


@form(PROCESS, "inform_customer")
class CustomerContactForm(Schema):
    """How and when the customer was told of the resolution."""

    contact_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    contacted_at = fields.AwareDateTime(required=True)
    contact_person = fields.String(required=True, validate=validate.Length(min=2, max=200))
    contact_summary = fields.String(required=True, validate=validate.Length(min=10, max=1000))

    @post_load
    def as_text(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["contacted_at"] = data["contacted_at"].isoformat()  # task data must be JSON
        return data


@form(PROCESS, "escalate")
class EscalationForm(Schema):
    escalation_action = fields.String(required=True, validate=validate.Length(min=10, max=2000))
