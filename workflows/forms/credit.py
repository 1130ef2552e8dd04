"""Forms of the credit limit change process."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from . import START, form
from .needed import Form, needed_when
from .record_ids import record_id

PROCESS = "credit_limit_change"
MAX_LIMIT = 10_000_000


@form(PROCESS, START)
class StartForm(Schema):
    customer_id = record_id(required=True)


@form(PROCESS, "request")
class RequestForm(Schema):
    requested_limit = fields.Float(
        required=True, validate=validate.Range(min=0, max=MAX_LIMIT, min_inclusive=False)
    )
    justification = fields.String(required=True, validate=validate.Length(min=10, max=2000))


@form(PROCESS, "analyse_controller", "analyse_finance", "analyse_cfo")
class AnalysisForm(Form):
    recommendation = fields.String(required=True, validate=validate.OneOf(["approve", "decline"]))
    approved_limit = fields.Float(
        validate=validate.Range(min=0, max=MAX_LIMIT),
        metadata=needed_when(recommendation="approve", error="give the limit you recommend"),
    )
    analysis = fields.String(required=True, validate=validate.Length(min=10, max=4000))
