"""Forms of the equipment request process (placement, relocation, repair)."""

from __future__ import annotations

from datetime import date
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

from engine.clock import form_time

from ..equipment_rules import ASSET_TYPES, DUE_DATE_PROBLEMS, KINDS, due_date_problem
from . import START, form
from .needed import Form, needed_when
from .record_ids import record_id

PROCESS = "equipment_request"
SERIAL = validate.Regexp(r"^EQ-\d{5}$", error="a serial looks like EQ-00042")
LOCATION = validate.Length(min=3, max=200)


class Serial(fields.String):
    """An asset serial as printed on its plate; typed in any case, with stray spaces."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


@form(PROCESS, START)
class RequestForm(Form):
    """What a BD asks for: the asset concerned depends on the kind of request."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    customer_id = record_id(required=True)
    asset_type = fields.String(
        load_default=None,
        validate=validate.OneOf(ASSET_TYPES),
        metadata=needed_when(kind="placement", error="say which kind of equipment to place"),
    )
    asset_serial = Serial(
        load_default=None,
        validate=SERIAL,
        metadata=needed_when(
            kind=("relocation", "repair"), error="give the serial of the customer's asset"
        ),
    )
    new_location = fields.String(
        load_default=None,
        validate=LOCATION,
        metadata=needed_when(kind="relocation", error="say where the asset should go"),
    )
    description = fields.String(required=True, validate=validate.Length(min=10, max=2000))

    @validates_schema
    def nothing_the_kind_does_not_take(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind")
        errors: dict[str, str] = {}
        if kind == "placement" and data.get("asset_serial"):
            errors["asset_serial"] = "the technician picks the asset from stock"
        elif kind in ("relocation", "repair") and data.get("asset_type"):
            errors["asset_type"] = "the asset's own type counts; leave this empty"
        if kind in ("placement", "repair") and data.get("new_location"):
            errors["new_location"] = "only a relocation has a new location"
        if errors:
            raise ValidationError(errors)


@form(PROCESS, "decide")
class DecisionForm(Schema):
    """Trade marketing's decision, with the eligibility rule's advice in view."""

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "decline"]))
    reason = fields.String(required=True, validate=validate.Length(min=10, max=2000))


@form(PROCESS, "schedule")
class ScheduleForm(Schema):
    """The dispatcher's plan: who goes, and by which working day."""

    technician = fields.String(  # drawn as a select of the technicians (web/people_fields.py)
        required=True,
        validate=validate.Regexp(r"^[a-z0-9._-]{2,64}$", error="a username"),
        metadata={"people_of": "technician", "proposed": "proposal.technician"},
    )
    due_on = fields.Date(required=True, metadata={"starts_from": "proposal.due_on"})

    @validates("due_on")
    def bookable(self, value: date, **_: Any) -> None:
        problem = due_date_problem(value, form_time())  # the rule the scheduling service runs
        if problem:
            raise ValidationError(DUE_DATE_PROBLEMS[problem])

    @post_load
    def as_text(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "due_on": data["due_on"].isoformat()}  # process data is JSON


@form(PROCESS, "work")
class WorkForm(Schema):
    """The technician's job report: the asset worked on (for a placement, from stock)."""

    # The request's asset to begin with (a repair or relocation names it; a placement's
    # comes from stock): the technician checks the plate rather than retyping it.
    # A placement's unit is one in stock: offered as the technician types (a datalist).
    serial = Serial(
        required=True,
        validate=SERIAL,
        metadata={"starts_from": "asset_serial", "suggest": "assets_in_stock"},
    )
    location = fields.String(
        load_default=None, validate=LOCATION, metadata={"starts_from": "new_location"}
    )
    work_notes = fields.String(required=True, validate=validate.Length(min=5, max=2000))


@form(PROCESS, "follow_up")
class FollowUpForm(Schema):
    """What the service manager did about an overdue job."""

    action = fields.String(
        required=True,
        validate=validate.OneOf(["technician_chased", "customer_called", "job_reassigned"]),
    )
    comment = fields.String(required=True, validate=validate.Length(min=10, max=2000))
