"""Form fields for customer master data: tax id, phone, postcode, address, contact person.

Each field checks what a user types and stores it in one canonical form, so the
processes and the duplicate checks never see "104 31" and "10431" as different.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ..afm import afm_problem
from ..contact_details import normalise_phone, normalise_postcode

MAX_MONEY = 10_000_000
SEGMENTS = ("A", "B", "C")
MAX_TERMS_DAYS = 180


class Text(fields.String):
    """A string with the spaces around it removed; blank means missing.

    A blank optional field loads as None ("leave as it is"), as web forms send blanks.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.required:
                raise ValidationError("Missing data for required field.")
            return None
        return self.canonical(text)

    def canonical(self, text: str) -> str:
        """The stored form of `text` (raise ValidationError if it has none)."""
        return text

    def _validate(self, value: Any) -> None:
        if value is not None:  # a blank optional field has nothing to check
            super()._validate(value)


class Afm(Text):
    """A Greek tax id (ΑΦΜ): nine digits with a valid check digit."""

    def canonical(self, text: str) -> str:
        afm = text.replace(" ", "")
        problem = afm_problem(afm)
        if problem:
            raise ValidationError(problem)
        return afm


class Phone(Text):
    """A Greek landline or mobile number, stored as ten digits."""

    def canonical(self, text: str) -> str:
        phone = normalise_phone(text)
        if phone is None:
            raise ValidationError("a Greek phone number: 10 digits starting with 2 or 69")
        return phone


class Postcode(Text):
    """A Greek postcode, stored as five digits."""

    def canonical(self, text: str) -> str:
        postcode = normalise_postcode(text)
        if postcode is None:
            raise ValidationError("a Greek postcode has five digits, e.g. 10431")
        return postcode


class AddressSchema(Schema):
    street = Text(required=True, validate=validate.Length(min=3, max=200))
    city = Text(required=True, validate=validate.Length(min=2, max=100))
    postcode = Postcode(required=True)


class ContactSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=3, max=200))
    role = Text(load_default=None, validate=validate.Length(max=100))
    phone = Phone(load_default=None)
    email = fields.Email(load_default=None, validate=validate.Length(max=320))


def person_name(**kwargs: Any) -> Text:
    """A person's full name (purchasing manager, payments manager)."""
    return Text(validate=validate.Length(min=3, max=200), **kwargs)


def business_name(**kwargs: Any) -> Text:
    return Text(validate=validate.Length(min=3, max=200), **kwargs)


def segment_choice(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(SEGMENTS), **kwargs)


def terms_days(**kwargs: Any) -> fields.Integer:
    """Days the customer has to pay an invoice (0: cash on delivery)."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_TERMS_DAYS), **kwargs)


def limit_amount(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=MAX_MONEY), **kwargs)


def reason_text(**kwargs: Any) -> Text:
    """Why: a sentence the other side can act on, not "ok"."""
    return Text(validate=validate.Length(min=10, max=2000), **kwargs)
