"""Forms of the customer master processes: customer onboarding and customer data change."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from ..change_fields import CONTACT_FIELDS, SENSITIVE_FIELDS
from . import START, form
from .customer_fields import (
    MAX_MONEY,
    AddressSchema,
    Afm,
    ContactSchema,
    Phone,
    Text,
    business_name,
    limit_amount,
    person_name,
    reason_text,
    segment_choice,
    terms_days,
)
from .needed import Form, needed_when
from .record_ids import record_id

ONBOARDING = "customer_onboarding"
DATA_CHANGE = "customer_data_change"
REQUESTER_ROLES = ("bd", "call_agent", "cs_agent")


# --- customer onboarding -------------------------------------------------------------


def customer_fields(*, entry: bool) -> dict[str, fields.Field]:
    """A new customer's fields: as first entered (required), or as corrected (all optional).

    A correction's inputs begin with what was entered (`starts_from`): the BD corrects
    the entry rather than retyping it, and a contact typed in does not replace the
    others, their roles lost. A field left out still keeps what was entered before.
    """
    needed: dict[str, Any] = {"required": True} if entry else {}

    def default(value: Any) -> dict[str, Any]:
        return {"load_default": value} if entry else {}

    found = {
        "name": business_name(**needed),
        "afm": Afm(**needed),
        "segment": segment_choice(**needed),
        "visit_frequency": fields.Integer(  # the label says the unit: "weekly" was typed
            strict=True,
            validate=validate.Range(min=1, max=30),
            metadata={"label": "Visits a month"},
            **needed,
        ),
        "average_order_value": fields.Float(
            validate=validate.Range(min=0, max=MAX_MONEY, min_inclusive=False), **needed
        ),
        "purchasing_manager": person_name(**needed),
        "payments_manager": person_name(**needed),
        "phone": Phone(**needed),
        "email": fields.Email(validate=validate.Length(max=320), **default(None)),
        "billing_address": fields.Nested(AddressSchema, **needed),
        "delivery_address": fields.Nested(AddressSchema, **default(None)),  # None: as billing
        "contacts": fields.List(
            fields.Nested(ContactSchema), validate=validate.Length(max=10), **default(list)
        ),
    }
    if not entry:
        for name, field in found.items():
            field.metadata = {**field.metadata, "starts_from": name}
    return found


NewCustomerForm = form(ONBOARDING, START)(
    Schema.from_dict(customer_fields(entry=True), name="NewCustomerForm")
)
"""What the BD knows about a new customer after the first visit."""


Corrections = Schema.from_dict(customer_fields(entry=False), name="Corrections")


@form(ONBOARDING, "revise_customer")
class RevisionForm(Corrections, Form):
    """The BD answers master data: correct what was asked (the rest stays), or withdraw."""

    # Where the case holds why it came back (master data's, or the AFM conflict's,
    # `reason`): the task page says it first, not at the foot of the case so far.
    sent_back_because = "reason"

    action = fields.String(required=True, validate=validate.OneOf(["resubmit", "withdraw"]))
    note = Text(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=needed_when(action="withdraw", error="say why the customer is withdrawn"),
    )

    @post_load
    def blanks_keep_the_entry(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None or k == "note"}


@form(ONBOARDING, "validate_customer")
class ValidationForm(Form):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    reason = reason_text(
        load_default=None,
        metadata=needed_when(decision="return", error="tell the BD what to correct"),
    )


@form(ONBOARDING, "resolve_afm_conflict")
class AfmConflictForm(Schema):
    """An AFM already registered cannot be a new customer: send back, or close as duplicate."""

    decision = fields.String(required=True, validate=validate.OneOf(["return", "close"]))
    reason = reason_text(required=True)


@form(ONBOARDING, "set_credit_terms")
class CreditTermsForm(Schema):
    # The segment's proposal to begin with: the controller confirms or lowers it.
    credit_limit = limit_amount(required=True, metadata={"starts_from": "proposed_limit"})
    payment_terms_days = terms_days(required=True, metadata={"starts_from": "proposed_terms_days"})
    note = Text(load_default=None, validate=validate.Length(max=2000))


@form(ONBOARDING, "approve_terms_above_default")
class TermsAboveDefaultForm(Schema):
    """Terms above the segment's default: the controller justifies, finance signs."""

    # The terms just set, to begin with: the controller justifies them, not retypes them.
    credit_limit = limit_amount(required=True, metadata={"starts_from": "credit_limit"})
    payment_terms_days = terms_days(required=True, metadata={"starts_from": "payment_terms_days"})
    # The note written with the terms, to begin with: the controller said why once already.
    justification = reason_text(required=True, metadata={"starts_from": "note"})


# --- customer data change ------------------------------------------------------------


@form(DATA_CHANGE, START)
class ChangeRequestStartForm(Schema):
    customer_id = record_id(required=True)
    # own_role: one of the starter's own roles; the entry task goes to that role's people.
    requester_role = fields.String(
        required=True, validate=validate.OneOf(REQUESTER_ROLES), metadata={"own_role": True}
    )


@form(DATA_CHANGE, "enter_change_bd", "enter_change_call_agent", "enter_change_cs_agent")
class ChangeEntryForm(Schema):
    """The fields to change; a blank one stays as it is. Sensitive ones go to master data."""

    phone = Phone(load_default=None)
    email = fields.Email(load_default=None, validate=validate.Length(max=320))
    purchasing_manager = person_name(load_default=None)
    payments_manager = person_name(load_default=None)
    billing_address = fields.Nested(AddressSchema, load_default=None)
    delivery_address = fields.Nested(AddressSchema, load_default=None)
    contact = fields.Nested(ContactSchema, load_default=None)  # added, or updated by name
    name = business_name(load_default=None)
    afm = Afm(load_default=None)
    segment = segment_choice(load_default=None)
    payment_terms_days = terms_days(load_default=None)
    note = Text(load_default=None, validate=validate.Length(max=2000))

    @pre_load
    def no_credit_limit(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and data.get("credit_limit") not in (None, ""):
            raise ValidationError(
                "credit limits change through the credit limit change process, with its sign-off",
                "credit_limit",
            )
        return data

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **_: Any) -> None:
        if all(data.get(f) is None for f in (*CONTACT_FIELDS, *SENSITIVE_FIELDS)):
            raise ValidationError("fill in at least one field to change")


@form(DATA_CHANGE, "submit_sensitive_change")
class SensitiveChangeForm(Schema):
    """Why master data should accept it; a field filled in here corrects the request."""

    justification = reason_text(required=True)
    # What was asked, to begin with: a field is corrected here, not typed again.
    name = business_name(metadata={"starts_from": "name"})
    afm = Afm(metadata={"starts_from": "afm"})
    segment = segment_choice(metadata={"starts_from": "segment"})
    payment_terms_days = terms_days(metadata={"starts_from": "payment_terms_days"})

    @post_load
    def blanks_keep_the_request(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None}
