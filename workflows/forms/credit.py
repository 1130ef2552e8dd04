"""Forms of the credit limit change process."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import START, form

PROCESS = "credit_limit_change"
MAX_LIMIT = 10_000_000


@form(PROCESS, START)
class StartForm(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


@form(PROCESS, "request")
class RequestForm(Schema):
    requested_limit = fields.Float(
        required=True, validate=validate.Range(min=0, max=MAX_LIMIT, min_inclusive=False)
    )
    justification = fields.String(required=True, validate=validate.Length(min=10, max=2000))


@form(PROCESS, "analyse_controller", "analyse_finance", "analyse_cfo")
class AnalysisForm(Schema):
    recommendation = fields.String(required=True, validate=validate.OneOf(["approve", "decline"]))
    approved_limit = fields.Float(validate=validate.Range(min=0, max=MAX_LIMIT))
    analysis = fields.String(required=True, validate=validate.Length(min=10, max=4000))

    @validates_schema
    def limit_when_approving(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("recommendation") == "approve" and data.get("approved_limit") is None:
            raise ValidationError("give the limit you recommend", "approved_limit")
